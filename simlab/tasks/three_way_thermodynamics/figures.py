"""Figure and report of the three_way_thermodynamics task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, save, title


def _curves(ds):
    """(label, S / S(inf), C, matplotlib colour) of the three systems."""
    return (
        (f"2D Ising, L = {int(ds['ising_size'])} (exact)", ds["ising_entropy"].values / np.log(2),
         ds["ising_specific_heat"].values, "tab:orange"),
        (f"tokens, median of {int(ds['token_positions'])} positions (exact)",
         ds["token_entropy"].values / float(ds["token_entropy_max"]),
         ds["token_specific_heat"].values, "tab:blue"),
        (f"digits RBM, 64 + {int(ds['rbm_hidden_units'])} units (exact)",
         ds["rbm_entropy"].values / np.log(2), ds["rbm_specific_heat"].values, "tab:green"),
    )


def three_way(ds, path):
    """Normalised S and C of the Ising lattice, the RBM and token distributions vs T/T_peak."""
    fig, axes = new_figure(1, 2, size=(12, 4.6))
    x = ds["rescaled_temperature"].values
    for label, s, c, color in _curves(ds):
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


def dial(ds):
    """The seeds' picture: one dial in T / T_peak moving an Ising snapshot, the next-token
    bars of a typical position at T / T* and markers on the three systems' S and C."""
    from simlab.render.views import Dial, markers

    x = ds["rescaled_temperature"].values
    at = ds["dial_temperature"].values
    curves = _curves(ds)
    panels = [("S / S(T = inf) against T / T_peak", "S / S(T = inf)",
               [(label, x, s, markers(x, s, at)) for label, s, _, _ in curves]),
              ("C / C(T_peak) against T / T_peak", "C / C(T_peak)",
               [(label, x, c / np.nanmax(c), markers(x, c / np.nanmax(c), at))
                for label, _, c, _ in curves])]
    L = int(ds["ising_size"])
    view = Dial("seeds", "The seeds' picture", "T / T_peak", at,
                [f"T / T_peak = {v:.3g}" for v in at],
                image=ds["spin_snapshot"].values,
                image_title=f"Ising spins at T, L = {L}",
                start=int(np.argmin(np.abs(np.log(at)))), panels=panels)
    view.notes.append(f"spins: {ds['spin_snapshot'].attrs.get('long_name', '')}, "
                      f"T_peak = {float(ds['ising_peak_temperature']):.4g} J/k_B")
    if "token_probability" in ds:
        view.bars = ds["token_probability"].values
        view.bar_labels = [str(t) for t in ds["token_label"].values]
        view.bar_title = "next token at T / T*"
        view.notes.append(
            f"token bars: {ds.attrs.get('token_source', 'the language model')}, stream "
            f"position {ds.attrs.get('dial_position')}, whose T* = "
            f"{float(ds.attrs.get('dial_peak_temperature', np.nan)):.3g} logit is the median "
            "of its batch; probabilities exact over the whole vocabulary")
    return view
