"""Figure and report of the rbm_digits task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, save, title


def rbm_digits(ds, path):
    """C/N and S/N of the trained RBM against temperature, with errors, beside the exact
    curves of the small machine."""
    fig, axes = new_figure(1, 2, size=(11, 4.2))
    view = ds.sel(temperature=~ds["entropy_tail"]) if "entropy_tail" in ds.coords else ds
    t = view["temperature"].values
    for ax, name, label in ((axes[0], "specific_heat", "specific heat per unit C/N"),
                            (axes[1], "entropy", "entropy per unit S/N [nats]")):
        err = view[name + "_err"].values
        if name == "entropy":
            err = np.hypot(err, view["entropy_quadrature_err"].values)
            ax.axhline(np.log(2), color="0.6", ls=":", lw=1, label="ln 2 (T = ∞)")
        ax.errorbar(t, view[name].values, yerr=np.where(np.isfinite(err), err, 0.0), fmt="o-",
                    ms=3.5, capsize=2,
                    label=f"{int(ds['n_hidden'])} hidden units, Monte Carlo")
        ax.plot(t, view["small_" + name].values, "k--", lw=1.2,
                label=f"{int(ds['n_hidden_exact'])} hidden units, exact")
        lowest = float(ds["lowest_mixed_temperature"])
        if np.isfinite(lowest) and lowest > t.min():
            ax.axvspan(t.min(), lowest, color="0.9", label="chains not mixed (R̂ > 1.02)")
        ax.set_xscale("log")
        ax.set_xlabel("temperature T (weights / T)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=8)
    d = ds.sel(model="simlab")
    fig.suptitle(f"{title(ds)}\nsimlab RBM: test log-likelihood "
                 f"{float(d.log_likelihood.sel(split='test')):.2f} nats (AIS), "
                 f"pseudo-log-likelihood {float(d.pseudo_likelihood.sel(split='test')):.2f}",
                 fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def summary(ds):
    """A table of both models and the thermodynamics of simlab's."""
    lines = [f"{'model':>13} {'PL train':>9} {'PL test':>9} {'LL train':>9} {'LL test':>9} "
             f"{'ln Z (AIS)':>16} {'s/epoch':>8}"]
    for m in ds["model"].values:
        d = ds.sel(model=m)
        lines.append(f"{m:>13} {float(d.pseudo_likelihood.sel(split='train')):>9.2f} "
                     f"{float(d.pseudo_likelihood.sel(split='test')):>9.2f} "
                     f"{float(d.log_likelihood.sel(split='train')):>9.2f} "
                     f"{float(d.log_likelihood.sel(split='test')):>9.2f} "
                     f"{float(d.log_z):>9.3f} ± {float(d.log_z_err):<5.3f} "
                     f"{float(d.seconds_per_epoch):>8.4f}")
    c = ds["specific_heat"].values
    if np.any(np.isfinite(c)):
        k = int(np.nanargmax(c))
        lines.append(f"simlab RBM ({int(ds['n_hidden'])} hidden): largest C/N = "
                     f"{c[k]:.3f} ± {float(ds.specific_heat_err[k]):.3f} at "
                     f"T = {float(ds.temperature[k]):.3f}; chains mix (R-hat <= 1.02) down to "
                     f"T = {float(ds['lowest_mixed_temperature']):.3f}, values below are not "
                     "reported")
    else:
        lines.append("simlab RBM: the Gibbs chains mix at no temperature of the grid")
    j = int(np.argmax(ds["small_specific_heat"].values))
    lines.append(f"exact RBM ({int(ds['n_hidden_exact'])} hidden): largest C/N on the grid = "
                 f"{float(ds.small_specific_heat[j]):.3f} at T = {float(ds.temperature[j]):.3f}")
    return "\n".join(lines)
