"""Figures drawn from simlab Datasets only (never from live objects)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simlab.exact.onsager import CRITICAL_TEMPERATURE  # noqa: E402

PANELS = (
    ("specific_heat", "specific heat per spin  C/N  [$k_B$]"),
    ("entropy", "entropy per spin  S/N  [$k_B$, nats]"),
    ("energy", "energy per spin  U/N  [J]"),
    ("abs_magnetization", r"magnetisation per spin  $\langle|M|\rangle/N$"),
)


def _save(fig, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return path


def lattice_thermodynamics(ds, path):
    """C, S, U and |M| against T per size: Monte Carlo with error bars, exact as lines.

    Expects dims (size, temperature) and the variables of the Ising sweep; ``*_exact``
    (Kaufman, finite lattice) and ``*_onsager`` (infinite lattice) are drawn when present.
    """
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, ds.sizes["size"]))
    t_max = float(ds.attrs.get("plot_temperature_max", ds["temperature"].max()))
    ds = ds.sel(temperature=ds["temperature"] <= t_max)
    t = ds["temperature"].values
    for ax, (name, label) in zip(axes.ravel(), PANELS):
        for color, L in zip(colors, ds["size"].values):
            d = ds.sel(size=L)
            err = d[name + "_err"].values
            if name == "entropy" and "entropy_quadrature_err" in d:
                err = np.hypot(err, d["entropy_quadrature_err"].values)
            ax.errorbar(t, d[name].values, yerr=err, fmt="o", ms=3.5, color=color,
                        capsize=2, lw=1, label=f"L = {L} Monte Carlo")
            if name + "_exact" in d:
                ax.plot(t, d[name + "_exact"].values, "-", color=color, lw=1.2,
                        label=f"L = {L} exact (Kaufman)")
        if name + "_onsager" in ds:
            ax.plot(t, ds[name + "_onsager"].values, "--", color="0.4", lw=1,
                    label="L = ∞ (Onsager)")
        ax.axvline(CRITICAL_TEMPERATURE, color="0.7", lw=0.8, ls=":")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("temperature  T  [J/$k_B$]")
    axes[1, 0].legend(fontsize=8, ncol=2, loc="upper left")
    fig.suptitle(ds.attrs.get("title", ""))
    fig.tight_layout()
    return _save(fig, path)


def deviations(ds, path):
    """(Monte Carlo - exact) / sigma for U, C and S against T per size, with +-2 and +-4 bands."""
    names = [n for n in ("energy", "specific_heat", "entropy") if n + "_z" in ds]
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, ds.sizes["size"]))
    for ax, name in zip(axes, names):
        ax.axhspan(-4, 4, color="0.93")
        ax.axhspan(-2, 2, color="0.85")
        for color, L in zip(colors, ds["size"].values):
            ax.plot(ds["temperature"], ds[name + "_z"].sel(size=L), "o-", ms=3, lw=0.8,
                    color=color, label=f"L = {L}")
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(ds[name].attrs.get("long_name", name), fontsize=9)
        ax.set_xlabel("temperature  T  [J/$k_B$]")
        ax.set_xscale("log")
        t = ds["temperature"].values
        ticks = [x for x in (0.5, 1, 1.5, 2, 3, 4, 6, 10, 20, 50, 100) if t.min() <= x <= t.max()]
        ax.set_xticks(ticks, [f"{x:g}" for x in ticks])
        ax.minorticks_off()
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("(Monte Carlo − exact) / σ")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path)
