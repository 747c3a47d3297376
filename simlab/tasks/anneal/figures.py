"""Figure and report of the anneal task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, plain_log_labels, save, title


def _energy_label(ds, name, what=""):
    """'<long name><what> [<units>]' of an energy variable (a read's total energy)."""
    attrs = ds[name].attrs
    units = attrs.get("units", "")
    return f"{attrs.get('long_name', name)}{what}" + (
        f"  [{units}]" if units and units != "1" else "")


def annealing_run(ds, path):
    """Energy trajectories of the reads (median and range) with the schedule's temperature;
    without a trajectory (the multi-spin kernel), the histogram of final energies."""
    fig, ax = new_figure(size=(8, 4.5))
    if "energy_trajectory" not in ds:
        final = ds["final_energy"].values
        ax.hist(final, bins=min(40, max(5, np.unique(final).size)), color="tab:blue",
                alpha=0.8, label=f"{final.size} reads, {ds.attrs.get('kernel', '')} kernel")
        ax.set_xlabel(_energy_label(ds, "final_energy"))
        ax.set_ylabel("reads")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
        ax.set_title(f"{title(ds)}\n{ds.attrs.get('schedule', '')}", fontsize=9)
        fig.tight_layout()
        return save(fig, path)
    if "energy_trajectory" in ds:
        e = ds["energy_trajectory"].values
        x = ds["sweep"].values
        ax.fill_between(x, e.min(0), e.max(0), alpha=0.25, color="tab:blue", lw=0,
                        label="reads: min-max")
        ax.plot(x, np.median(e, axis=0), color="tab:blue", lw=1.5, label="reads: median")
    ax.set_xlabel("sweeps done")
    ax.set_ylabel(_energy_label(ds, "energy_trajectory", " (a read's total)"))
    ax.set_xscale("log")
    ax.grid(alpha=0.3, which="both")
    twin = ax.twinx()
    twin.plot(ds["sweeps_done"].values, ds["schedule_temperature"].values, color="tab:red",
              lw=1, ls="--", label="temperature")
    units = ds["schedule_temperature"].attrs.get("units", "")
    twin.set_ylabel("schedule temperature" + (f"  [{units}]" if units else ""),
                    color="tab:red")
    twin.set_yscale("log")
    plain_log_labels(twin.yaxis)
    plain_log_labels(ax.xaxis)
    ax.set_xlim(x.min(), x.max())  # the recorded sweeps, where the data are
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title(ds), fontsize=9)
    fig.tight_layout()
    return save(fig, path)


def report(ds):
    """Best energy, mean final energy with its standard error, and the speed."""
    final = ds["final_energy"].values
    return (f"{title(ds)}\n{final.size} reads ({ds.attrs.get('algorithm', '')}): best energy "
            f"{float(ds['best_energy'].min()):.6g}; final energy mean {final.mean():.6g} ± "
            f"{final.std(ddof=1) / np.sqrt(final.size) if final.size > 1 else float('nan'):.2g}"
            f"; {float(ds['ns_per_update']):.2f} ns per update"
            + (f" ({ds.attrs['kernel']} kernel)" if "kernel" in ds.attrs else ""))
