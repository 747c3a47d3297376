"""Figure and report of the hajek_threshold task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, qualitative, save, title


def hajek_threshold(ds, path):
    """P(global minimum) and its complement against steps, exact lines and Monte Carlo points."""
    fig, axes = new_figure(1, 2, size=(12, 4.8))
    palette = qualitative()[:ds.sizes["c_ratio"]]
    step = ds["step"].values
    mc = ds["mc_step"].values
    for color, r in zip(palette, ds["c_ratio"].values):
        d = ds.sel(c_ratio=r)
        p = d["p_global_exact"].values
        label = f"c/d* = {r:g}"
        axes[0].plot(step[1:], p[1:], color=color, lw=1.6, label=f"{label} exact")
        axes[1].plot(step[1:], 1 - p[1:], color=color, lw=1.6, label=label)
        pm = d["p_global_mc"].values
        sel = mc > 0
        err = np.maximum(0.0, [pm[sel] - d["p_global_mc_lo"].values[sel],
                               d["p_global_mc_hi"].values[sel] - pm[sel]])
        axes[0].errorbar(mc[sel], pm[sel], yerr=err, fmt="o", ms=3, color=color, lw=0.8,
                         capsize=1.5)
        axes[1].plot(mc[sel], 1 - pm[sel], "o", ms=3, color=color)
    axes[0].set_ylabel("P(walker in the global minimum)")
    axes[1].set_ylabel("failure probability 1 − P")
    axes[1].set_yscale("log")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("step k  (T_k = c / ln(k + k0))")
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=8, title="lines: exact chain; points: Monte Carlo (95% CI)",
                   title_fontsize=8)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


def summary(ds):
    """Failure probability 1 - P(C) per decade, and the Monte Carlo agreement."""
    decades = [s for s in (10**3, 10**4, 10**5, 10**6, 10**7) if s <= ds["step"].max()]
    head = f"{'c/d*':>6}" + "".join(f"{'1-P(C), k=1e' + str(int(np.log10(s))):>16}"
                                    for s in decades)
    lines = [head + f"{'max|z| MC':>11}"]
    for r in ds["c_ratio"].values:
        d = ds.sel(c_ratio=r)
        fail = [1 - float(d["p_global_exact"].sel(step=s)) for s in decades]
        lines.append(f"{r:>6.2f}" + "".join(f"{f:>16.4e}" for f in fail)
                     + f"{float(np.abs(d['p_global_mc_z']).max()):>10.2f}σ")
    return "\n".join(lines)
