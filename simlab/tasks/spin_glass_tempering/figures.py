"""Figure of the spin_glass_tempering task, from its Dataset only."""

import numpy as np

from simlab.render.figures import colors, new_figure, save, title


def tempering_vs_annealing(ds, path):
    """Lowest energies per instance (tempering systems and annealing reads), and the tuned
    ladders' exchange acceptance against temperature."""
    fig, axes = new_figure(1, 2, size=(13, 4.8))
    x = ds["instance"].values
    sa = ds["annealing_energy_per_spin"].values
    axes[0].boxplot(sa.T, positions=x, widths=0.5, manage_ticks=False)
    axes[0].plot(x, ds["annealing_best"].values, "s", color="C1", ms=6,
                 label="annealing, best read (box: all reads)")
    for s in ds["system"].values:
        axes[0].plot(x + 0.15 * (s + 1), ds["tempering_energy_per_spin"].sel(system=s).values,
                     "o", color="C0", ms=5, label="tempering, each ladder" if s == 0 else None)
    axes[0].set_xlabel("instance")
    axes[0].set_ylabel("lowest energy per spin")
    axes[0].legend(fontsize=8)
    palette = colors("viridis", ds.sizes["instance"])
    for color, i in zip(palette, x):
        d = ds.sel(instance=i)
        t = d["ladder"].values
        acc = d["acceptance"].values
        ok = np.isfinite(acc)
        mid = np.sqrt(t[:-1] * t[1:])[ok]
        axes[1].plot(mid, acc[ok], "o-", ms=3, color=color, lw=0.8,
                     label=f"{i}: {int(np.isfinite(t).sum())} rungs, round trip "
                           f"{float(d['round_trip_time']):.0f}")
    axes[1].axhline(0.2, color="k", ls="--", lw=0.8)
    axes[1].set_xscale("log")
    axes[1].set_xlabel("T (geometric mean of the pair)")
    axes[1].set_ylabel("exchange acceptance")
    axes[1].legend(fontsize=7, ncol=2)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)
