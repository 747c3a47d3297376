"""Figure of the ising_fss task, from its Dataset only."""

import numpy as np

from simlab.render.figures import colors, new_figure, save, title


def finite_size_scaling(ds, path):
    """C(T) per size with Kaufman, U_4(T) with the crossings, and C_max against ln L."""
    fig, axes = new_figure(1, 3, size=(16, 4.8))
    palette = colors("viridis", ds.sizes["size"])
    t = ds["temperature"].values
    for color, size in zip(palette, ds["size"].values):
        d = ds.sel(size=size)
        axes[0].plot(t, d["specific_heat_exact"].values, color=color, lw=0.8, alpha=0.6)
        c, e = d["specific_heat"].values, d["specific_heat_err"].values
        axes[0].plot(t, c, color=color, lw=1.6, label=f"L = {size}")
        axes[0].fill_between(t, c - e, c + e, color=color, alpha=0.25)
        u, ue = d["binder"].values, d["binder_err"].values
        axes[1].plot(t, u, color=color, lw=1.6, label=f"L = {size}")
        axes[1].fill_between(t, u - ue, u + ue, color=color, alpha=0.25)
    a = ds.attrs
    axes[1].axvline(a["critical_temperature_onsager"], color="k", lw=0.8, ls="--",
                    label="Onsager T_c")
    axes[1].errorbar(ds["crossing_temperature"].values,
                     np.full(ds.sizes["pair"], 0.61), xerr=ds["crossing_temperature_err"].values,
                     fmt="kx", label="crossings of consecutive sizes")
    sizes = ds["size"].values.astype(float)
    axes[2].errorbar(np.log(sizes), ds["peak_specific_heat"].values,
                     yerr=ds["peak_specific_heat_err"].values, fmt="o", label="Monte Carlo")
    axes[2].plot(np.log(sizes), ds["peak_specific_heat_exact"].values, "k.-", lw=0.8,
                 label="Kaufman (exact)")
    axes[2].set_title(f"slope {a['cmax_slope']:.4f} ± {a['cmax_slope_err']:.4f}; exact sizes "
                      f"{a['cmax_slope_exact']:.4f}; A0 = {a['A0']:.4f}", fontsize=9)
    axes[0].set_ylabel("C / N   (thin: Kaufman; band: ±1 σ)")
    axes[1].set_ylabel("Binder cumulant U_4")
    axes[2].set_ylabel("C_max / N")
    axes[2].set_xlabel("ln L")
    for ax in axes[:2]:
        ax.set_xlabel("T")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)
