"""Figure and report of the three_way_thermodynamics task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, save, title


def three_way(ds, path):
    """Normalised S and C of the Ising lattice, the RBM and token distributions vs T/T_peak."""
    fig, axes = new_figure(1, 2, size=(12, 4.6))
    x = ds["rescaled_temperature"].values
    curves = (
        (f"2D Ising, L = {int(ds['ising_size'])} (exact)", ds["ising_entropy"].values / np.log(2),
         ds["ising_specific_heat"].values, "tab:orange"),
        (f"tokens, median of {int(ds['token_positions'])} positions (exact)",
         ds["token_entropy"].values / float(ds["token_entropy_max"]),
         ds["token_specific_heat"].values, "tab:blue"),
        (f"digits RBM, 64 + {int(ds['rbm_hidden_units'])} units (exact)",
         ds["rbm_entropy"].values / np.log(2), ds["rbm_specific_heat"].values, "tab:green"),
    )
    for label, s, c, color in curves:
        axes[0].plot(x, s, color=color, lw=1.8, label=label)
        axes[1].plot(x, c / np.nanmax(c), color=color, lw=1.8, label=label)
    axes[0].set_ylabel("S / S(T = ∞)")
    axes[1].set_ylabel("C / C(T_peak)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("T / T_peak")
        ax.axvline(1, color="0.6", ls=":", lw=1)
        ax.grid(alpha=0.3, which="both")
        ax.set_xlim(0.05, 20)
    axes[0].legend(fontsize=8)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


def summary(ds):
    """The peak temperatures used for rescaling."""
    return (f"T_peak: Ising L={int(ds['ising_size'])} {float(ds['ising_peak_temperature']):.4f}; "
            f"RBM ({int(ds['rbm_hidden_units'])} hidden, exact) "
            f"{float(ds['rbm_peak_temperature']):.4f}; tokens: per position "
            f"({int(ds['token_positions'])} positions)")
