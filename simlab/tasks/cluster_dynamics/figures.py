"""Figure of the cluster_dynamics task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, qualitative, save, title


def autocorrelation_times(ds, path):
    """tau against L in log-log for each algorithm, with the fitted power laws."""
    fig, axes = new_figure(1, 2, size=(12, 4.8))
    sizes = ds["size"].values
    for ax, observable, label in ((axes[0], "energy", "E"),
                                  (axes[1], "abs_magnetization", "|M|")):
        for color, alg in zip(qualitative(), ds["algorithm"].values):
            d = ds.sel(algorithm=alg)
            tau = d[f"tau_{observable}"].values
            ok = np.isfinite(tau)
            ax.errorbar(sizes[ok], tau[ok], yerr=d[f"tau_{observable}_err"].values[ok],
                        fmt="o", color=color, capsize=2)
            z, z_err = float(d[f"z_{observable}"]), float(d[f"z_{observable}_err"])
            fitted = ok & (sizes >= ds.attrs.get("fit_min_size", sizes.min()))
            if np.isfinite(z) and fitted.any():
                x = sizes[fitted]
                # Line through the centre of the fitted points, slope z.
                anchor = np.exp(np.mean(np.log(tau[fitted])) - z * np.mean(np.log(x)))
                ax.plot(x, anchor * x**z, color=color, lw=1,
                        label=f"{alg}: z = {z:.3f} ± {z_err:.3f}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("L")
        ax.set_ylabel(f"integrated autocorrelation time of {label} (sweeps)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, title=f"Metropolis reference z = {ds.attrs['reference_z']}",
                  title_fontsize=8)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)
