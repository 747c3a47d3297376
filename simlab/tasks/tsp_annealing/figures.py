"""Figures and report of the tsp_annealing task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, qualitative, save, title


def tsp_annealing(ds, path):
    """Tour length over the optimum against sweeps per read, per instance and schedule."""
    names = ds["instance"].values
    fig, axes = new_figure(1, names.size, size=(4.6 * names.size, 4.2), sharey=True)
    axes = np.atleast_1d(axes)
    palette = dict(zip(ds["schedule"].values, qualitative()))
    x = ds["sweeps"].values
    for ax, name in zip(axes, names):
        d = ds.sel(instance=name)
        for kind in d["schedule"].values:
            e = 100 * d["excess"].sel(schedule=kind).values
            ax.fill_between(x, e.min(-1), e.max(-1), color=palette[kind], alpha=0.15, lw=0)
            ax.plot(x, np.median(e, -1), "o-", color=palette[kind], ms=3.5, label=kind)
        ax.axhline(2.0, color="k", ls=":", lw=1, label="2% above optimum")
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_title(f"{name} (optimum {float(d.optimum):.0f})", fontsize=10)
        ax.set_xlabel("sweeps per read (n moves each)")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("best tour length above optimum  [%]  (median, min-max)")
    axes[0].legend(fontsize=8)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


def tsp_tours(ds, path):
    """The best tour found for each instance."""
    names = ds["instance"].values
    fig, axes = new_figure(1, names.size, size=(4.4 * names.size, 4.4))
    for ax, name in zip(np.atleast_1d(axes), names):
        d = ds.sel(instance=name)
        ok = d["best_tour"].values >= 0
        x, y = d["city_x"].values[ok], d["city_y"].values[ok]
        length = float(d["best_length"].min())
        ax.plot(np.append(x, x[0]), np.append(y, y[0]), "-", color="tab:blue", lw=1)
        ax.plot(x, y, "o", color="k", ms=3)
        ax.set_title(f"{name}: {length:.0f} (optimum {float(d.optimum):.0f})", fontsize=10)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return save(fig, path)


def summary(ds):
    """Per instance: the best setting (lowest median excess, then fewest sweeps)."""
    lines = [f"{'instance':>10} {'optimum':>8} {'best setting':>24} {'median':>9} {'excess':>8} "
             f"{'P(opt)':>14} {'time':>8}  TTS99 (schedule of the best setting)"]
    for name in ds["instance"].values:
        d = ds.sel(instance=name)
        med = d["median_excess"].values
        b, c = np.unravel_index(np.argmin(med + 1e-12 * np.arange(med.size).reshape(med.shape)),
                                med.shape)
        setting = d.isel(schedule=b, sweeps=c)
        kind, n = str(setting["schedule"].values), int(setting["sweeps"].values)
        tts_row = d["tts99"].isel(schedule=b).values
        k = int(np.argmin(tts_row)) if np.any(np.isfinite(tts_row)) else -1
        tts_text = "none reached the optimum" if k < 0 else (
            f"{tts_row[k]:.3g} sweeps at {int(d['sweeps'].values[k])}/read"
            + (" (at the edge of the scan)" if k in (0, tts_row.size - 1) else ""))
        lines.append(
            f"{name:>10} {float(d.optimum):>8.0f} {kind + ', ' + str(n) + ' sweeps':>24} "
            f"{float(np.median(setting.best_length)):>9.0f} "
            f"{100 * float(setting.median_excess):>7.2f}% "
            f"{float(setting.success):>5.2f} [{float(setting.success_lo):.2f},"
            f"{float(setting.success_hi):.2f}] {float(setting.run_seconds):>7.2f}s  {tts_text}")
    return "\n".join(lines)
