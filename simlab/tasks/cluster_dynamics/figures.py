"""Figure of the cluster_dynamics task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, qualitative, save, title
from simlab.stats import successive_slopes
from simlab.tasks.cluster_dynamics.relaxation import SCALING_DIMENSION, local_exponents


def power_law_through(x, y, slope):
    """a x^slope with a chosen so that the line passes through the centre of ln x, ln y."""
    return np.exp(np.mean(np.log(y)) + slope * (np.log(x) - np.mean(np.log(x))))


def autocorrelation_times(ds, path):
    """tau against L in log-log for each algorithm, with the fitted power laws; and the
    Metropolis slopes between successive sizes against the reference z."""
    fig, axes = new_figure(1, 3, size=(17, 4.8))
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
            key = "metropolis_fit_min_size" if alg == "metropolis" else "fit_min_size"
            fitted = ok & (sizes >= ds.attrs.get(key, sizes.min()))
            if np.isfinite(z) and fitted.any():
                x = sizes[fitted]
                ax.plot(x, power_law_through(x, tau[fitted], z), color=color, lw=1,
                        label=f"{alg}: z = {z:.3f} ± {z_err:.3f}")
                corrected = f"z_{observable}_log_corrected"
                if corrected in d and np.isfinite(float(d[corrected])):
                    zc, heat = float(d[corrected]), ds["specific_heat_exact"].values[fitted]
                    ax.plot(x, power_law_through(x, tau[fitted] * heat, zc) / heat,
                            color=color, lw=1, ls="--",
                            label=f"{alg}, a L^z / C_L: z = {zc:.3f} ± "
                                  f"{float(d[corrected + '_err']):.3f}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("L")
        ax.set_ylabel(f"integrated autocorrelation time of {label} (sweeps)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, title=f"Metropolis reference z = {ds.attrs['reference_z']}",
                  title_fontsize=8)
    local_slopes(axes[2], ds)
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


def local_slopes(ax, ds, algorithm="metropolis"):
    """ln(tau(L) / tau(L')) / ln(L / L') of successive sizes at their geometric mean, with
    errors from the two taus', for tau(E) (standard and wide window), tau(|M|) and
    tau(E) C_L (the energy's tau with its logarithm taken out)."""
    sizes = ds["size"].values
    d = ds.sel(algorithm=algorithm)
    series = [("tau_energy", "E, c = 5", 1.0), ("tau_abs_magnetization", "|M|, c = 5", 1.0)]
    if "tau_energy_wide" in ds:
        series.insert(1, ("tau_energy_wide", f"E, c = {ds.attrs['wide_window_factor']:g}", 1.0))
    if "specific_heat_exact" in ds:
        series.append(("tau_energy", "E times C_L, c = 5 (tau = a L^z / C_L)",
                       ds["specific_heat_exact"].values))
    for k, ((name, label, scale), color) in enumerate(zip(series, qualitative())):
        tau, err = d[name].values, d[f"{name}_err"].values
        ok = np.flatnonzero(np.isfinite(tau))
        if ok.size < 2:
            continue
        slope, slope_err = successive_slopes(np.log(sizes), np.log(tau * scale), err / tau)
        a, b = ok[:-1], ok[1:]
        mid = np.sqrt(sizes[a] * sizes[b]) * 1.03 ** (k - 1)   # side by side
        ax.errorbar(mid, slope[b], yerr=slope_err[b], fmt="o-", color=color, capsize=2,
                    label=label)
    z = ds.attrs["reference_z"]
    ax.axhline(z, color="k", lw=1, label=f"reference z = {z}")
    ax.axhspan(0.97 * z, 1.03 * z, color="k", alpha=0.1, label="within 3%")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("L (geometric mean of the two sizes)")
    ax.set_ylabel(f"{algorithm}: slope of ln tau between successive sizes")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)


def critical_relaxation(ds, path):
    """m(t) and u_L - e(t) from the ordered state in log-log with the fitted power laws;
    the effective z between times a factor ~2 apart; z against the fit's first sweep."""
    fig, axes = new_figure(1, 3, size=(18, 4.8))
    times = ds["time"].values
    first = ds.attrs["relaxation_fit_min"]
    fitted = times >= first
    starts = ds["fit_start"].values
    per_step = max(1, int(round(np.log10(2) * ds.attrs["relaxation_per_decade"])))
    for color, (name, label) in zip(qualitative(), (("magnetization", "m(t)"),
                                                    ("energy", "u_L - e(t)"))):
        curve, err = ds[f"relaxation_{name}"].values, ds[f"relaxation_{name}_err"].values
        z, z_err = float(ds[f"z_relaxation_{name}"]), float(ds[f"z_relaxation_{name}_err"])
        axes[0].errorbar(times, curve, yerr=err, fmt=".", color=color, capsize=0,
                         label=label)
        if np.isfinite(z) and (curve[fitted] > 0).all():
            x = times[fitted]
            slope = -SCALING_DIMENSION[name] / z
            label_fit = f"t^(-x/z), x = {SCALING_DIMENSION[name]:g}: z = {z:.3f} ± {z_err:.3f}"
            axes[0].plot(x, power_law_through(x, curve[fitted], slope), color="k", ls="--",
                         lw=1, zorder=3, label=label_fit)
        if times.size > per_step:
            mid, z_local = local_exponents(curve, times, SCALING_DIMENSION[name], per_step)
            axes[1].plot(mid, z_local, ".-", color=color, lw=1, label=f"from {label}")
        axes[2].errorbar(starts, ds[f"z_relaxation_{name}_by_start"].values,
                         yerr=ds[f"z_relaxation_{name}_by_start_err"].values, fmt="o-",
                         color=color, capsize=3, label=f"from {label}")
    axes[0].set_xscale("log")
    axes[0].set_yscale("log")
    axes[0].axvline(first, color="0.5", ls=":", lw=1, label=f"fit from t = {first}")
    axes[0].set_xlabel("sweeps t since the ordered start")
    axes[0].set_ylabel("mean over chains (per site)")
    axes[0].legend(fontsize=8)
    axes[0].grid(alpha=0.3, which="both")
    z = ds.attrs["reference_z"]
    for ax in axes[1:]:
        ax.axhline(z, color="k", lw=1, label=f"reference z = {z}")
        ax.axhspan(0.97 * z, 1.03 * z, color="k", alpha=0.1, label="within 3%")
        ax.axvline(first, color="0.5", ls=":", lw=1)
        ax.set_xscale("log")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3, which="both")
    axes[1].set_ylim(1.2, 3.0)
    axes[1].set_xlabel("t (geometric mean of two times a factor ~2 apart)")
    axes[1].set_ylabel("effective z = -x / (d ln O / d ln t)")
    axes[2].set_xticks(starts, [str(int(t)) for t in starts])
    axes[2].minorticks_off()
    axes[2].set_xlabel(f"first sweep of the fit (to sweep {int(times[-1])})")
    axes[2].set_ylabel("fitted z (jackknife errors over chain blocks)")
    fig.suptitle(f"Metropolis relaxation from the ordered state at T_c, "
                 f"L = {ds.attrs['relaxation_size']}, {ds.attrs['relaxation_chains']} chains")
    fig.tight_layout()
    return save(fig, path)
