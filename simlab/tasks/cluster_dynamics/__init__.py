"""Critical slowing down at T_c: autocorrelation times of Metropolis, Wolff and
Swendsen-Wang against lattice size, and their dynamic exponents.

At Onsager's T_c each algorithm runs independent chains per size (Metropolis
``metropolis_chains`` with ``metropolis_scan``; 64 or more sequential-scan chains run 64 to a
machine word on the multi-spin kernel); the integrated autocorrelation times of the energy
and of |M| (Sokal's window over the chains' averaged autocorrelation, every chain centred on
the mean of all, in sweeps; a Wolff sweep is round(N / <|C|>) clusters) are fitted to
tau = a L^z by weighted least squares in log-log over the sizes >= ``fit_min_size``
(``metropolis_fit_min_size`` for Metropolis, whose corrections to scaling last longer), and
the slopes between successive sizes are kept. For Swendsen-Wang, tau = a + b ln L is fitted
too, the form Du, Zheng & Wang (J. Stat. Mech. P05004, 2006) report. References: z = 2.1665(12) for
Metropolis (Nightingale & Bloete, Phys. Rev. Lett. 76, 4548, 1996).

For local dynamics the energy's tau also carries a logarithm that the power law misses. Under
dynamic scaling, energy fluctuations on the scale r make up a share dr / r of Var(E) / N (the
energy density has scaling dimension 1 in 2D, so alpha = 0 and C_L = A ln L + B) and relax
in a time ~ r^z. The integrated autocovariance, sum over t of Cov(E_0, E_t) / N ~ integral up
to L of r^(z - 1) dr ~ L^z, is set by the largest scale, while the variance N T^2 C_L grows as
ln L: tau_E = a L^z / C_L. ``z_energy_log_corrected`` fits that form for Metropolis, with C_L
Kaufman's exact specific heat per site of the L x L torus at T_c; the plain power law's
exponent falls short of z by about d ln C_L / d ln L = A / C_L (0.2 at L = 64 to 256). The
argument assumes local moves; for the cluster algorithms the corrected fit is NaN.

The ``relaxation`` section measures the Metropolis z a second way, from the relaxation of
m(t) and e(t) out of the ordered state on one large lattice (:mod:`.relaxation`).
"""

from dataclasses import dataclass, replace
from typing import List

import numpy as np
import xarray as xr

from simlab import results
from simlab.errors import ConfigError
from simlab.exact.kaufman import kaufman
from simlab.models import IsingLattice
from simlab.samplers import sample_lattice
from simlab.schema import section, setting
from simlab.stats import integrated_time, successive_slopes, weighted_line
from simlab.tasks import Figure, Task, register
from simlab.tasks.cluster_dynamics import figures
from simlab.tasks.cluster_dynamics.relaxation import RelaxationSettings, relax

T_C = 2.0 / np.log1p(np.sqrt(2.0))
ALGORITHMS = ("metropolis", "wolff", "swendsen-wang")


@dataclass
class DynamicsSettings:
    """Sizes and run lengths per algorithm."""

    metropolis_sizes: List[int] = setting(factory=lambda: [16, 32, 64, 128, 256], minimum=4,
                                          doc="sizes L of the Metropolis runs")
    metropolis_sweeps: List[int] = setting(
        factory=lambda: [200_000, 200_000, 100_000, 100_000, 100_000], minimum=100,
        doc="recorded sweeps per chain, one per Metropolis size")
    metropolis_chains: int = setting(128, minimum=1, doc="independent Metropolis chains per size")
    metropolis_scan: str = setting("sequential", choices=("random", "sequential"),
                                   doc="site order of a Metropolis sweep")
    cluster_sizes: List[int] = setting(factory=lambda: [16, 32, 64, 128, 256], minimum=4,
                                       doc="sizes L of the Wolff and Swendsen-Wang runs")
    cluster_sweeps: int = setting(20_000, minimum=100, doc="recorded sweeps per cluster chain")
    chains: int = setting(2, minimum=1, doc="independent chains per cluster algorithm and size")
    thermalization: float = setting(0.2, minimum=0.0, maximum=1.0,
                                    doc="unrecorded sweeps, as a fraction of the recorded")
    wide_window_factor: float = setting(
        15.0, above=5.0, doc="Sokal's c of tau_energy_wide: the energy's slow tail, if any, "
                             "is cut off less than at the standard c = 5")
    fit_min_size: int = setting(16, minimum=2,
                                doc="smallest size in the fits of z of the cluster algorithms")
    metropolis_fit_min_size: int = setting(
        64, minimum=2, doc="smallest size in the Metropolis fits of z: its slopes between "
                           "successive sizes still rise up to L = 64")
    reference_z: float = setting(2.1665, doc="Metropolis dynamic exponent to compare with")

    def check(self, key):
        if len(self.metropolis_sweeps) != len(self.metropolis_sizes):
            raise ConfigError(f"{key}.metropolis_sweeps", list(self.metropolis_sweeps),
                              f"one entry per size of {key}.metropolis_sizes "
                              f"({len(self.metropolis_sizes)})")


@dataclass
class ClusterDynamicsConfig:
    """Sections of the cluster_dynamics task."""

    dynamics: DynamicsSettings = section(DynamicsSettings)
    relaxation: RelaxationSettings = section(RelaxationSettings)


META = {
    "algorithm": ("update rule", "1"),
    "tau_energy": ("integrated autocorrelation time of the energy at T_c", "sweeps"),
    "tau_energy_wide": ("tau_energy summed over a window of wide_window_factor tau instead "
                        "of 5 tau", "sweeps"),
    "z_energy_wide": ("dynamic exponent z from tau_energy_wide = a L^z", "1"),
    "z_energy_wide_err": ("standard error of z_energy_wide", "1"),
    "z_energy_wide_chi2": ("chi^2 per degree of freedom of the power-law fit", "1"),
    "tau_abs_magnetization": ("integrated autocorrelation time of |M| at T_c", "sweeps"),
    "sweeps": ("recorded sweeps per chain", "1"),
    "mean_cluster_size": ("mean sites per cluster (Wolff, Swendsen-Wang)", "sites"),
    "time_per_site": ("wall time per site and sweep", "ns"),
    "specific_heat_exact": ("Kaufman's exact specific heat per site C_L of the L x L torus at "
                            "T_c", "1"),
    "z_energy_log_corrected": ("z from tau_energy = a L^z / C_L (local dynamics only: NaN for "
                               "the cluster algorithms)", "1"),
    "z_energy_log_corrected_err": ("standard error of z_energy_log_corrected", "1"),
    "z_energy_log_corrected_chi2": ("chi^2 per degree of freedom of its fit", "1"),
    "z_energy_wide_log_corrected": ("z from tau_energy_wide = a L^z / C_L (local dynamics "
                                    "only)", "1"),
    "z_energy_wide_log_corrected_err": ("standard error of z_energy_wide_log_corrected", "1"),
    "z_energy_wide_log_corrected_chi2": ("chi^2 per degree of freedom of its fit", "1"),
    "local_z_energy": ("ln(tau_E(L) / tau_E(L')) / ln(L / L'), L' the next smaller size "
                       "with a tau_E", "1"),
    "z_energy": ("dynamic exponent z from tau_energy = a L^z", "1"),
    "z_energy_err": ("standard error of z_energy", "1"),
    "z_energy_chi2": ("chi^2 per degree of freedom of the power-law fit", "1"),
    "z_abs_magnetization": ("dynamic exponent z from tau_|M| = a L^z", "1"),
    "z_abs_magnetization_err": ("standard error of z_abs_magnetization", "1"),
    "z_abs_magnetization_chi2": ("chi^2 per degree of freedom of the power-law fit", "1"),
    "log_slope_energy": ("b of tau_energy = a + b ln L", "sweeps"),
    "log_slope_energy_err": ("standard error of b", "sweeps"),
    "log_slope_energy_chi2": ("chi^2 per degree of freedom of the logarithmic fit", "1"),
    "time": ("sweeps since the ordered start (relaxation run)", "sweeps"),
    "relaxation_magnetization": ("mean magnetisation per site t sweeps after the ordered "
                                 "start at T_c", "1"),
    "relaxation_energy": ("u_L(T_c) - e(t): energy per site below its equilibrium value "
                          "(Kaufman) t sweeps after the ordered start", "J"),
    "z_relaxation_magnetization": ("z from m(t) ~ t^(-(1/8)/z), fitted from relaxation.fit_min "
                                   "on", "1"),
    "z_relaxation_magnetization_err": ("jackknife error of z_relaxation_magnetization over "
                                       "chain blocks", "1"),
    "z_relaxation_energy": ("z from u_L - e(t) ~ t^(-1/z), fitted from relaxation.fit_min on",
                            "1"),
    "z_relaxation_energy_err": ("jackknife error of z_relaxation_energy over chain blocks", "1"),
    "fit_start": ("first sweep of a relaxation fit (each fit runs to the last sweep)", "sweeps"),
    "z_relaxation_magnetization_by_start": ("z_relaxation_magnetization fitted from fit_start "
                                            "on", "1"),
    "z_relaxation_magnetization_by_start_err": ("its jackknife error", "1"),
    "z_relaxation_energy_by_start": ("z_relaxation_energy fitted from fit_start on", "1"),
    "z_relaxation_energy_by_start_err": ("its jackknife error", "1"),
}


def run(params, ctx):
    """tau(E), tau(|M|) per algorithm and size at T_c, and the fitted exponents."""
    d = params.dynamics
    plan = [("metropolis", size, sweeps)
            for size, sweeps in zip(d.metropolis_sizes, d.metropolis_sweeps)]
    plan += [(alg, size, d.cluster_sweeps) for alg in ("wolff", "swendsen-wang")
             for size in d.cluster_sizes]
    sizes = np.array(sorted(set(d.metropolis_sizes) | set(d.cluster_sizes)))
    shape = (len(ALGORITHMS), sizes.size)
    table = {name: np.full(shape, np.nan) for name in
             ("tau_energy", "tau_energy_err", "tau_energy_wide", "tau_energy_wide_err",
              "tau_abs_magnetization", "tau_abs_magnetization_err", "sweeps",
              "mean_cluster_size", "time_per_site")}
    for alg, size, sweeps in plan:
        model = IsingLattice(size)
        single_site = alg == "metropolis"
        chains = d.metropolis_chains if single_site else d.chains
        run_ = sample_lattice(model, [T_C], chains=chains, sweeps=sweeps,
                              thermalization=int(d.thermalization * sweeps), algorithm=alg,
                              scan=d.metropolis_scan if single_site else "random",
                              seed=ctx.seed, progress=ctx.progress)
        a, s = ALGORITHMS.index(alg), int(np.searchsorted(sizes, size))
        table["tau_energy"][a, s], table["tau_energy_err"][a, s] = \
            integrated_time(run_.energy[0], pooled_mean=True)
        table["tau_energy_wide"][a, s], table["tau_energy_wide_err"][a, s] = \
            integrated_time(run_.energy[0], d.wide_window_factor, pooled_mean=True)
        table["tau_abs_magnetization"][a, s], table["tau_abs_magnetization_err"][a, s] = \
            integrated_time(np.abs(run_.magnetization[0]), pooled_mean=True)
        table["sweeps"][a, s] = sweeps
        if alg != "metropolis":
            table["mean_cluster_size"][a, s] = run_.mean_cluster_size.mean()
        total = sweeps * (1 + d.thermalization)
        table["time_per_site"][a, s] = run_.wall_time / (total * model.n_sites) * 1e9 \
            * min(chains, 2) / chains
    ds = xr.Dataset({k: (("algorithm", "size"), v) for k, v in table.items()},
                    coords={"algorithm": list(ALGORITHMS), "size": sizes})
    heat = exact_specific_heat(sizes)
    ds["specific_heat_exact"] = ("size", heat)
    local = ALGORITHMS.index("metropolis")
    fits = [sizes >= (d.metropolis_fit_min_size if a == local else d.fit_min_size)
            for a in range(len(ALGORITHMS))]
    for observable in ("energy", "energy_wide", "abs_magnetization"):
        tau = ds[f"tau_{observable}"].values
        err = ds[f"tau_{observable}_err"].values
        z = [power_law_exponent(sizes[fit], tau[a, fit], err[a, fit])
             for a, fit in enumerate(fits)]
        for k, suffix in enumerate(("", "_err", "_chi2")):
            ds[f"z_{observable}{suffix}"] = ("algorithm", np.array([row[k] for row in z]))
        if observable == "abs_magnetization":
            continue
        z = [power_law_exponent(sizes[fit], tau[a, fit], err[a, fit], heat[fit])
             if a == local else (np.nan,) * 3 for a, fit in enumerate(fits)]
        for k, suffix in enumerate(("", "_err", "_chi2")):
            ds[f"z_{observable}_log_corrected{suffix}"] = ("algorithm",
                                                           np.array([row[k] for row in z]))
    log = [weighted_line(np.log(sizes[fit]), ds["tau_energy"].values[a, fit],
                         ds["tau_energy_err"].values[a, fit]) for a, fit in enumerate(fits)]
    for k, suffix in enumerate(("", "_err", "_chi2")):
        ds[f"log_slope_energy{suffix}"] = ("algorithm", np.array([row[k] for row in log]))
    # The slope between successive sizes: where the power law has set in, it is flat.
    ds["local_z_energy"] = (("algorithm", "size"), np.array([
        successive_slopes(np.log(sizes), np.log(tau), err / tau)[0]
        for tau, err in zip(ds["tau_energy"].values, ds["tau_energy_err"].values)]))
    ds.attrs.update(title=f"Autocorrelation times at T_c = {T_C:.6f} against L: "
                          f"{d.metropolis_chains} Metropolis chains ({d.metropolis_scan} scan), "
                          f"{d.chains} chains per cluster algorithm",
                    metropolis_scan=d.metropolis_scan, wide_window_factor=d.wide_window_factor,
                    temperature=T_C, reference_z=d.reference_z, fit_min_size=d.fit_min_size,
                    metropolis_fit_min_size=d.metropolis_fit_min_size,
                    report_axis="size",
                    time_per_site_note="wall time of the run over chains x sweeps x sites, "
                                       "scaled to one core (two chains share two cores)")
    if params.relaxation.enabled:
        ds = with_relaxation(ds, params.relaxation, ctx)
    return results.annotate(ds, META)


def exact_specific_heat(sizes):
    """Kaufman's specific heat per site of the L x L torus at T_c, shape like ``sizes``."""
    return np.array([float(kaufman(int(L), int(L), T_C)["specific_heat"]) for L in sizes])


def power_law_exponent(sizes, tau, err, heat=None):
    """z of tau = a L^z, or of tau = a L^z / C_L when ``heat`` gives C_L per size.

    Parameters
    ----------
    sizes, tau, err : ndarray, shape (n,)
        Lattice sizes, autocorrelation times (sweeps) and their standard errors.
    heat : ndarray, shape (n,), optional
        Specific heat per site C_L at each size.

    Returns
    -------
    (float, float, float)
        z, its standard error and the chi^2 per degree of freedom of the weighted fit of
        ln(tau C_L) against ln L.
    """
    scale = 1.0 if heat is None else heat
    return weighted_line(np.log(sizes), np.log(tau * scale), err / tau)


def with_relaxation(ds, r, ctx):
    """``ds`` with the relaxation run's curves and exponents added."""
    relaxed = relax(r, T_C, ctx.seed, ctx.progress)
    ds = ds.assign_coords(time=relaxed["times"], fit_start=relaxed["fit_starts"])
    for name in ("magnetization", "energy"):
        for suffix in ("", "_err"):
            ds[f"relaxation_{name}{suffix}"] = ("time", relaxed[f"{name}{suffix}"])
            ds[f"z_relaxation_{name}{suffix}"] = relaxed[f"z_{name}{suffix}"]
            ds[f"z_relaxation_{name}_by_start{suffix}"] = (
                "fit_start", relaxed[f"z_{name}_by_start{suffix}"])
    ds.attrs.update(relaxation_size=r.size, relaxation_chains=r.chains,
                    relaxation_fit_min=r.fit_min, relaxation_blocks=r.blocks,
                    relaxation_per_decade=r.per_decade,
                    relaxation_equilibrium_energy=relaxed["equilibrium_energy"],
                    relaxation_wall_time=relaxed["wall_time"])
    return ds


def warm_up(params):
    """Compile the three update rules (and Metropolis's scan and kernel) on a 4 x 4 lattice."""
    d = params.dynamics
    for alg in ALGORITHMS:
        single_site = alg == "metropolis"
        sample_lattice(IsingLattice(4), [T_C], chains=d.metropolis_chains if single_site else 1,
                       sweeps=2, thermalization=2, algorithm=alg,
                       scan=d.metropolis_scan if single_site else "random")
    if params.relaxation.enabled:
        relax(replace(params.relaxation, size=4, sweeps=20, fit_min=2), T_C, 0)


def report(ds):
    """tau per algorithm and size, and the fitted exponents."""
    sizes = ds["size"].values
    lines = [f"{'algorithm':<15}" + "".join(f"{'L=' + str(s):>14}" for s in sizes)]
    for alg in ds["algorithm"].values:
        d = ds.sel(algorithm=alg)
        cells = [f"{float(t):>8.2f}±{float(e):<5.2f}" if np.isfinite(t) else f"{'-':>14}"
                 for t, e in zip(d["tau_energy"].values, d["tau_energy_err"].values)]
        lines.append(f"{alg:<15}" + "".join(cells))
    lines.append("")
    for alg in ds["algorithm"].values:
        d = ds.sel(algorithm=alg)
        lines.append(f"{alg:<15} z(E) = {float(d['z_energy']):.3f} ± "
                     f"{float(d['z_energy_err']):.3f} (chi2/dof {float(d['z_energy_chi2']):.1f})"
                     f"   z(|M|) = {float(d['z_abs_magnetization']):.3f} ± "
                     f"{float(d['z_abs_magnetization_err']):.3f}"
                     f"   z(E, c = {ds.attrs['wide_window_factor']:g}) = "
                     f"{float(d['z_energy_wide']):.3f} ± {float(d['z_energy_wide_err']):.3f}")
        slopes = [f"{v:.2f}" for v in d["local_z_energy"].values if np.isfinite(v)]
        lines.append(f"{'':<15} local z(E) between successive sizes: {', '.join(slopes)}")
        if np.isfinite(d.get("z_energy_log_corrected", np.nan)):
            lines.append(f"{'':<15} z(E) from tau = a L^z / C_L: "
                         f"{float(d['z_energy_log_corrected']):.3f} ± "
                         f"{float(d['z_energy_log_corrected_err']):.3f} (chi2/dof "
                         f"{float(d['z_energy_log_corrected_chi2']):.1f}); c = "
                         f"{ds.attrs['wide_window_factor']:g}: "
                         f"{float(d['z_energy_wide_log_corrected']):.3f} ± "
                         f"{float(d['z_energy_wide_log_corrected_err']):.3f}")
    if "z_relaxation_magnetization" in ds:
        lines.append(f"\nrelaxation from the ordered state, L = {ds.attrs['relaxation_size']}, "
                     f"{ds.attrs['relaxation_chains']} chains, fit from sweep "
                     f"{ds.attrs['relaxation_fit_min']} to {int(ds['time'].values[-1])}:")
        for name, law in (("magnetization", "m ~ t^(-1/(8z))"), ("energy", "u_L - e ~ t^(-1/z)")):
            lines.append(f"  z from {law:<18} = {float(ds[f'z_relaxation_{name}']):.3f} ± "
                         f"{float(ds[f'z_relaxation_{name}_err']):.3f}")
            starts = [f"{int(t)}: {float(z):.3f} ± {float(e):.3f}" for t, z, e in zip(
                ds["fit_start"].values, ds[f"z_relaxation_{name}_by_start"].values,
                ds[f"z_relaxation_{name}_by_start_err"].values)]
            lines.append(f"    fitted from sweep {'; '.join(starts)}")
    return "\n".join(lines)


TASK = register(Task(
    name="cluster_dynamics",
    description="autocorrelation times at T_c vs L: Metropolis, Wolff, Swendsen-Wang; z",
    config=ClusterDynamicsConfig, run=run, warm_up=warm_up,
    figures=(Figure("cluster_dynamics.png", figures.autocorrelation_times),
             Figure("critical_relaxation.png", figures.critical_relaxation,
                    when=lambda ds: "z_relaxation_magnetization" in ds)),
    report=report))
