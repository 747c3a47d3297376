"""Figures and the summary table of the Ising sweep, drawn from its Dataset only."""

import numpy as np
import yaml

from simlab.exact import kaufman, onsager
from simlab.render.figures import colors, log_ticks, new_figure, save, title
from simlab.results import missing_reasons

PANELS = (
    ("specific_heat", "specific heat per spin  C/N  [$k_B$]"),
    ("entropy", "entropy per spin  S/N  [$k_B$, nats]"),
    ("energy", "energy per spin  U/N  [J]"),
    ("abs_magnetization", r"magnetisation per spin  $\langle|M|\rangle/N$"),
)


FINE = 600  # temperatures of the exact curves: smooth, and the peaks at their true height
ONSAGER = {"energy": onsager.energy, "specific_heat": onsager.specific_heat,
           "abs_magnetization": onsager.magnetization, "entropy": onsager.entropy}


def _coupling(ds):
    """The run's J from its recorded config (1.0 if the config does not say)."""
    try:
        return float(yaml.safe_load(ds.attrs.get("config", ""))["model"]["coupling"])
    except (yaml.YAMLError, TypeError, KeyError, ValueError):
        return 1.0


def _drawn(ds):
    """``ds`` without the temperatures added only for the entropy integral."""
    if "entropy_tail" in ds.coords:
        return ds.sel(temperature=~ds["entropy_tail"])
    return ds


def _fine_grid(ds, t, coupling):
    """FINE temperatures over the range drawn, FINE more within 0.3 J of T_c, and the exact
    peak temperatures (so that each peak is drawn at its height)."""
    t_c = onsager.critical_temperature(abs(coupling))
    peaks = ds["peak_temperature_exact"].values.ravel() if "peak_temperature_exact" in ds \
        else []
    grid = np.concatenate([np.linspace(t.min(), t.max(), FINE),
                           np.linspace(t_c - 0.3 * abs(coupling), t_c + 0.3 * abs(coupling),
                                       FINE), np.asarray(peaks, dtype=float)])
    grid = grid[np.isfinite(grid) & (grid >= t.min()) & (grid <= t.max())]
    return np.unique(grid)


def thermodynamics(ds, path):
    """C, S, U and |M| against T per size: Monte Carlo with error bars, and the exact
    curves (Kaufman per size, Onsager for L = inf) evaluated on a fine grid of their own.

    Temperatures added only for the entropy integral (``entropy_tail``) are not drawn.
    """
    fig, axes = new_figure(2, 2, size=(11, 8), sharex=True)
    palette = colors("viridis", ds.sizes["size"])
    ds = _drawn(ds)
    t = ds["temperature"].values
    coupling = _coupling(ds)
    fine = _fine_grid(ds, t, coupling)
    exact = {L: kaufman.kaufman(int(L), int(L), fine, coupling) for L in ds["size"].values
             if "energy_exact" in ds and np.isfinite(ds["energy_exact"].sel(size=L)).all()}
    largest = 0.0
    for ax, (name, label) in zip(axes.ravel(), PANELS):
        for color, L in zip(palette, ds["size"].values):
            d = ds.sel(size=L)
            err = d[name + "_err"].values
            if name == "entropy" and "entropy_quadrature_err" in d:
                err = np.hypot(err, d["entropy_quadrature_err"].values)
            finite = np.isfinite(err)
            ax.errorbar(t, d[name].values, yerr=np.where(finite, err, 0.0), fmt="o",
                        ms=3.5, color=color, capsize=2, lw=1, label=f"L = {L} Monte Carlo",
                        zorder=3)
            values = d[name].values[np.isfinite(d[name].values)]
            span = (np.ptp(values) if values.size else 0.0) or 1.0
            largest = max(largest, float(np.max(err[finite], initial=0.0)) / span)
            if name + "_exact" in d and L in exact:
                ax.plot(fine, exact[L][name], "-", color=color, lw=1.2, zorder=2,
                        label=f"L = {L} exact (Kaufman)")
        if name + "_onsager" in ds and name in ONSAGER:
            ax.plot(fine, ONSAGER[name](fine, coupling), "--", color="0.4", lw=1, zorder=1,
                    label="L = ∞ (Onsager)")
            if name == "specific_heat":  # Onsager's C diverges at T_c: keep the finite sizes
                finite = [v[np.isfinite(v)] for v in [ds[name].values.ravel()] + [
                    e[name] for e in exact.values()]]
                ax.set_ylim(top=1.15 * max(v.max(initial=0.0) for v in finite))
        t_c = onsager.critical_temperature(abs(coupling))
        ax.axvline(t_c, color="0.6", lw=0.8, ls=":", label=f"$T_c$ = {t_c:.4f} (Onsager)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("temperature  T  [J/$k_B$]")
    axes[1, 0].legend(fontsize=8, ncol=2, loc="upper left")
    fig.suptitle(f"{title(ds)}\nerror bars: one standard error, at most {100 * largest:.2g}% "
                 "of a panel's range (most are hidden by the markers)", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def deviations(ds, path):
    """(Monte Carlo - exact) / sigma for U, C and S against T per size, with +-2 and +-4 bands."""
    ds = _drawn(ds)  # the grid of the other figure, not the entropy integral's tail
    names = [n for n in ("energy", "specific_heat", "entropy") if n + "_z" in ds]
    fig, axes = new_figure(1, len(names), size=(4.2 * len(names), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    palette = colors("viridis", ds.sizes["size"])
    for ax, name in zip(axes, names):
        ax.axhspan(-4, 4, color="0.93")
        ax.axhspan(-2, 2, color="0.85")
        for color, L in zip(palette, ds["size"].values):
            ax.plot(ds["temperature"], ds[name + "_z"].sel(size=L), "o-", ms=3, lw=0.8,
                    color=color, label=f"L = {L}")
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(ds[name].attrs.get("long_name", name), fontsize=9)
        ax.set_xlabel("temperature  T  [J/$k_B$]")
        ax.set_xscale("log")
        log_ticks(ax, ds["temperature"].values)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("(Monte Carlo − exact) / σ")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def _max_abs(values):
    finite = np.abs(values[np.isfinite(values)])
    return f"{finite.max():>7.2f}σ" if finite.size else f"{'n/a':>8}"


def summary_table(ds):
    """Measured vs exact peak temperature and worst deviations per size, then the reasons
    for every value the run could not support."""
    has_exact = "peak_temperature_exact" in ds
    head = f"{'L':>5}  {'T_peak (MC)':>20}"
    if has_exact:
        head += (f"  {'T_peak (exact)':>14}  {'dev':>6}  {'max|z| U':>8}  {'max|z| C':>8}  "
                 f"{'max|z| S':>8}")
    lines = [head]
    for L in ds["size"].values:
        d = ds.sel(size=L)
        t, e = float(d.peak_temperature), float(d.peak_temperature_err)
        row = f"{L:>5}  " + (f"{t:>10.4f} ± {e:<7.4f}" if np.isfinite(t) else f"{'n/a':>20}")
        if has_exact:
            z = float(d.peak_temperature_z)
            row += (f"  {float(d.peak_temperature_exact):>14.4f}  "
                    + (f"{z:>5.1f}σ" if np.isfinite(z) else f"{'n/a':>6}") + "  "
                    + "  ".join(_max_abs(d[n + "_z"].values)
                                for n in ("energy", "specific_heat", "entropy")))
        lines.append(row)
    by_reason = {}
    for name, reason in missing_reasons(ds).items():
        by_reason.setdefault(reason, []).append(name)
    for reason, names in by_reason.items():
        lines.append(f"  not reported ({', '.join(names)}): {reason}")
    return "\n".join(lines)


def _bundled_token_bars(rescaled):
    """A typical position of the bundled SmolLM2 sample at T = x T*, or None if the bundle
    cannot be read (the dial then moves the spins and markers only)."""
    from simlab.errors import DataError
    from simlab.llm import spectra
    from simlab.llm.analysis import typical_position_bars

    try:
        bundle = spectra.load_bundle()
        batch = next(spectra.bundle_batches(bundle, "corpus", 256))
        text = spectra.bundle_strings(bundle, "corpus", 256)
    except (DataError, OSError, StopIteration):
        return None, ""
    return typical_position_bars(batch, text, rescaled), bundle.attrs["model"]


def _snapshots(ds, L):
    """The L x L spins at each temperature (None without snapshots); results written before
    2026-12-07 keep the largest size's only, without a size dimension."""
    if "snapshot" not in ds:
        return None
    snap = ds["snapshot"]
    if "size" in snap.dims:
        snap = snap.sel(size=L)
    return snap.values[:, :L, :L].astype(np.int8)


def dial(ds):
    """The seeds' picture: one temperature dial moving chain 0's spins at T (largest size),
    the next-token bars of the bundled language model at the same T / T_peak, and markers on
    C(T) and S(T) of every size (Kaufman's exact curves on a fine grid where they apply)."""
    from simlab.render.views import Dial, markers, value_label

    ds0 = ds
    extra = {d: 0 for d in ds.dims if d not in ("size", "temperature", "row", "col")}
    ds = ds.isel(extra)  # a merged sweep's other keys (seed, ...): their first value
    drawn = _drawn(ds)
    t = drawn["temperature"].values
    L = int(ds["size"].values.max())
    coupling = _coupling(ds)
    peak = ds.get("peak_temperature_exact", ds.get("peak_temperature"))
    t_peak = float(peak.sel(size=L)) if peak is not None else np.nan
    if not np.isfinite(t_peak):
        t_peak = onsager.critical_temperature(abs(coupling))
    fine = _fine_grid(ds, t, coupling)
    panels = []
    for name, label in (("specific_heat", "C/N [k_B]"), ("entropy", "S/N [nats]")):
        series = []
        for size in ds["size"].values:
            d = drawn.sel(size=size)
            if name + "_exact" in d and np.isfinite(d[name + "_exact"]).all():
                x, y = fine, kaufman.kaufman(int(size), int(size), fine, coupling)[name]
                what = "exact"
            else:
                x, y, what = t, d[name].values, "Monte Carlo"
            series.append((f"L = {size} {what}", x, y, markers(x, y, t, log=False)))
        panels.append((f"{label.split(' ')[0]} against T", label, series))
    bars, model = _bundled_token_bars(t / t_peak)
    readouts = [f"T = {v:.4g} J/k_B (T/T_peak = {v / t_peak:.3g})" for v in t]
    view = Dial("seeds", "The seeds' picture", "temperature T [J/k_B]", t, readouts,
                image=_snapshots(drawn, L),
                image_title=f"spins at T, L = {L}",
                start=int(np.argmin(np.abs(t - t_peak))), panels=panels, log_x=False)
    view.notes.append(f"spins: chain 0 after its last sweep; T_peak = {t_peak:.4g} J/k_B, "
                      f"the C maximum of L = {L}")
    if extra:
        view.notes.append("of the merged sweep, the first value of " + ", ".join(
            f"{d} ({value_label(ds0, d, 0)})" for d in extra))
    if bars is not None:
        view.bars, view.bar_labels = bars["probability"], bars["token"]
        view.bar_title = "next token at T/T*"
        view.notes.append(
            f"token bars: at T/T* = T/T_peak, the bundled {model} sample, stream position "
            f"{bars['position']} "
            f"(the median T* = {bars['peak_temperature']:.3g} logit of 256 positions), "
            "probabilities exact over the whole vocabulary")
    return view
