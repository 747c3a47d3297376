"""Figure and report of the hopfield_capacity task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, save, title


def hopfield_capacity(ds, path):
    """Overlap vs load with the RS theory; mean overlap in the (alpha, T) plane."""
    fig, axes = new_figure(1, 2, size=(12, 4.6))
    a = ds["load"].values
    m = ds["overlap"].values.reshape(a.size, -1)
    alpha_c = float(ds["alpha_c_theory"])
    ax = axes[0]
    ax.fill_between(a, np.nanquantile(m, 0.1, 1), np.nanquantile(m, 0.9, 1), alpha=0.25,
                    color="tab:blue", lw=0, label="simulation 10-90%")
    ax.plot(a, np.nanmean(m, 1), "o-", color="tab:blue", ms=4,
            label=f"simulation mean, N = {int(ds['n_units'])}")
    ax.plot(a, ds["overlap_theory"], "k--", lw=1.2, label="replica-symmetric theory")
    ax.axvline(alpha_c, color="r", ls=":", lw=1, label=f"α_c = {alpha_c:.3f}")
    ax.set_xlabel("load α = P / N")
    ax.set_ylabel("overlap with the stored pattern (T = 0)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[1]
    image = ax.pcolormesh(ds["phase_load"], ds["temperature"], ds["phase_overlap"],
                          shading="nearest", cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, label="mean overlap")
    ax.plot(ds["critical_load_theory"], ds["theory_temperature"], "w-", lw=2,
            label="RS theory: retrieval exists left of the line")
    ax.set_xlim(ds["phase_load"].min() - 0.01, ds["phase_load"].max() + 0.01)
    ax.set_xlabel("load α = P / N")
    ax.set_ylabel("temperature T")
    ax.legend(fontsize=8, loc="upper right")
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


def summary(ds):
    """Mean overlap by load, and where it falls below 0.9 and 0.5."""
    m = ds["overlap"].mean(dim=("pattern_set", "tested"), skipna=True).values
    a = ds["load"].values

    def first_below(level):
        return a[np.argmax(m < level)] if np.any(m < level) else np.nan

    rows = ", ".join(f"{x:.2f}: {y:.3f}" for x, y in zip(a, m))
    return (f"N = {int(ds['n_units'])}: mean overlap after T = 0 retrieval by load  {rows}\n"
            f"first load with mean overlap < 0.9: {first_below(0.9):.2f}; < 0.5: "
            f"{first_below(0.5):.2f}; replica-symmetric alpha_c = "
            f"{float(ds['alpha_c_theory']):.4f}")
