"""Figure and report of the spin_glass_annealing task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, qualitative, save, title


def spin_glass_annealing(ds, path):
    """Residual energy per spin against sweeps per schedule family, one panel per problem."""
    labels = ds["problem"].values
    fig, axes = new_figure(1, labels.size, size=(6 * labels.size, 4.5))
    axes = np.atleast_1d(axes)
    palette = dict(zip(ds["schedule"].values, qualitative()))
    for ax, label in zip(axes, labels):
        d = ds.sel(problem=label)
        for kind in d["schedule"].values:
            r = d.sel(schedule=kind)
            ax.errorbar(r["sweeps"], r["residual_energy_per_spin"],
                        yerr=r["residual_energy_per_spin_err"], fmt="o-", ms=4, capsize=2,
                        color=palette[kind], label=kind)
        ref = d["reference_energy_per_spin"].values
        ax.set_title(f"{label}: E_ref/N = {ref.mean():.4f} (mean of {ref.size} instances)",
                     fontsize=10)
        ax.set_xscale("log")
        if np.any(d["residual_energy_per_spin"].values > 0):
            ax.set_yscale("log")
        ax.set_xlabel("sweeps per read")
        ax.set_ylabel("residual energy per spin  (E − E_ref)/N  [J]")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


def summary(ds):
    """Reference energies per family and the residual energy at each length."""
    lines = []
    for label in ds["problem"].values:
        d = ds.sel(problem=label)
        ref = d["reference_energy_per_spin"].values
        sem = ref.std(ddof=1) / np.sqrt(ref.size) if ref.size > 1 else float("nan")
        lines.append(f"{label}: lowest energy per spin found, mean over {ref.size} instances: "
                     f"{ref.mean():.5f} ± {sem:.5f} "
                     f"(instances: {', '.join(f'{v:.4f}' for v in ref)})")
        for kind in d["schedule"].values:
            r = d.sel(schedule=kind)
            parts = ", ".join(f"{int(s)}: {float(v):.4f}" for s, v in
                              zip(r["sweeps"].values, r["residual_energy_per_spin"].values))
            lines.append(f"   {kind:>11} residual energy per spin by sweeps  {parts}")
    return "\n".join(lines)
