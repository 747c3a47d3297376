"""Wang-Landau densities of states of the 2D Ising torus against Beale's exact counts.

For each size, replica-exchange Wang-Landau with the 1/t refinement (``wang_landau.runs``
independent runs over ``wang_landau.windows`` windows) estimates ln g(E); the exact g(E)
comes from Beale's method. From ln g follow U, C, S and F at every temperature, compared
with Kaufman's finite lattice in units of the runs' standard error, and the specific-heat
peak. S(T) is also integrated from infinite temperature over Metropolis runs
(``metropolis`` section), the independent route to the same curve.

The ``multibondic`` section then measures the specific-heat peak again with multibondic
Wang-Landau (a flat histogram in the number of occupied Fortuin-Kasteleyn bonds, with a
Swendsen-Wang step per sweep), over the bond numbers that matter within
``multibondic.bracket`` of the peak found by the energy walk (chosen from the energy walk's
own ln g, not from the exact counts), and compares C(T) near the peak from both walks with
Kaufman's.
"""

from dataclasses import dataclass
from typing import List

import numpy as np
import xarray as xr
from scipy.special import logsumexp

from simlab import results
from simlab.exact.beale import ising_density_of_states
from simlab.exact.kaufman import kaufman
from simlab.exact.kaufman import specific_heat_peak as exact_peak
from simlab.grids import TemperatureGrid
from simlab.models import IsingLattice
from simlab.samplers import sample_lattice
from simlab.samplers.multibondic import multibondic_wang_landau
from simlab.samplers.wang_landau import wang_landau
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.wang_landau_ising import figures
from simlab.thermo import entropy_by_integration, lattice_estimators
from simlab.thermo.bonds import bond_log_counts

T_C = 2.0 / np.log1p(np.sqrt(2.0))


@dataclass
class WangLandauSettings:
    """The Wang-Landau runs."""

    sizes: List[int] = setting(factory=lambda: [16, 32], minimum=2,
                               doc="linear sizes L (even: Beale's exact counts need it)")
    runs: int = setting(8, minimum=2, doc="independent runs (their spread is the error)")
    windows: int = setting(2, minimum=1, doc="energy windows per run (replica exchange)")
    overlap: float = setting(0.75, above=0.0, maximum=0.95, doc="overlap of neighbours")
    final_ln_f: float = setting(1e-6, above=0.0, maximum=0.5, doc="stop at this ln f")


@dataclass
class MetropolisSettings:
    """Metropolis runs whose C(T) is integrated to S(T)."""

    chains: int = setting(4, minimum=2, doc="independent chains per temperature")
    sweeps: int = setting(20_000, minimum=16, doc="recorded sweeps per chain")
    thermalization: int = setting(2_000, minimum=0, doc="sweeps before recording")


@dataclass
class MultibondicSettings:
    """Multibondic Wang-Landau at the specific-heat peak."""

    runs: int = setting(8, minimum=0, doc="independent runs (0: no multibondic walk)")
    final_ln_f: float = setting(1e-7, above=0.0, maximum=0.5, doc="stop at this ln f")
    bracket: float = setting(0.02, above=0.0, maximum=0.5,
                             doc="half width of the temperatures around the energy walk's "
                                 "T_max whose bond numbers are walked")
    tail: float = setting(1e-10, above=0.0, maximum=0.01,
                          doc="probability of the bond numbers left out at each end, at "
                              "every temperature of the bracket (from the energy walk)")


@dataclass
class WangLandauIsingConfig:
    """Sections of the wang_landau_ising task."""

    wang_landau: WangLandauSettings = section(WangLandauSettings)
    metropolis: MetropolisSettings = section(MetropolisSettings)
    multibondic: MultibondicSettings = section(MultibondicSettings)
    temperature: TemperatureGrid = section(lambda: TemperatureGrid(
        min=1.0, max=4.0, num=16, focus=2.269, focus_width=0.6, focus_num=16, tail=4))

    def check(self, key):
        from simlab.errors import ConfigError

        self.temperature.check_positive("temperature")
        for size in self.wang_landau.sizes:
            if size % 2:
                raise ConfigError("wang_landau.sizes", list(self.wang_landau.sizes),
                                  "even sizes (the exact counts by Beale's method need them)")


META = {
    "level": ("energy level index k, E = -2N + 4k", "1"),
    "energy_level": ("energy per site E/N of level k", "J"),
    "log_g": ("ln g(E), Wang-Landau mean over runs", "1"),
    "log_g_err": ("standard error of ln g(E) over runs", "1"),
    "log_g_exact": ("exact ln g(E) (Beale's method)", "1"),
    "log_g_z": ("(ln g - exact) / standard error", "1"),
    "log_g_relative_error": ("|ln g - exact| / exact", "1"),
    "mean_relative_error": ("mean over levels of |ln g - exact| / exact", "1"),
    "entropy_integrated": ("entropy per site integrated from T = inf over Metropolis C(T)",
                           "k_B (nats)"),
    "entropy_integrated_err": ("statistical error of the integrated entropy", "k_B (nats)"),
    "entropy_integrated_quadrature_err": ("quadrature error estimate of the integral",
                                          "k_B (nats)"),
    "peak_specific_heat_relative_error": ("(C_max - exact) / exact", "1"),
    "wall_time": ("wall time of the Wang-Landau runs", "s"),
    "multibondic_wall_time": ("wall time of the multibondic Wang-Landau runs", "s"),
    "multibondic_trials": ("multibondic bond trials, all runs", "1"),
    "multibondic_occupied_range": ("first and last fraction of occupied bonds walked", "1"),
    "multibondic_peak_temperature": ("T_max from the multibondic walk", "J/k_B"),
    "multibondic_peak_specific_heat": ("C_max per site from the multibondic walk", "k_B"),
    "multibondic_peak_specific_heat_relative_error": ("(C_max - exact) / exact, multibondic",
                                                       "1"),
    "end": ("end of the range", "1"),
    "peak_offset": ("T - exact T_max", "J/k_B"),
    "peak_region_specific_heat_exact": ("C per site near the peak, Kaufman", "k_B"),
    "peak_region_specific_heat": ("C per site near the peak, energy walk", "k_B"),
    "peak_region_specific_heat_err": ("its standard error over runs", "k_B"),
    "peak_region_multibondic_specific_heat": ("C per site near the peak, multibondic walk",
                                              "k_B"),
    "peak_region_multibondic_specific_heat_err": ("its standard error over runs", "k_B"),
    "trials": ("Wang-Landau trials, all walkers", "1"),
    "exchange_acceptance": ("mean accepted fraction of window exchanges", "1"),
}


LEVEL_VARIABLES = ("energy_level", "log_g", "log_g_err", "log_g_exact", "log_g_z",
                   "log_g_relative_error")


def run(params, ctx):
    """Wang-Landau, exact and Metropolis results for each size."""
    w, m = params.wang_landau, params.metropolis
    sizes = sorted(set(w.sizes))
    temps = params.temperature.values()
    n_levels = max(sizes) ** 2 + 1
    per_size = []
    for size in sizes:
        model = IsingLattice(size)
        n = model.n_sites
        dos = wang_landau(model, runs=w.runs, windows=w.windows, overlap=w.overlap,
                          final_ln_f=w.final_ln_f, seed=ctx.seed, progress=ctx.progress)
        exact = ising_density_of_states(size).log_counts
        out = {"wall_time": dos.wall_time, "trials": float(dos.trials.sum()),
               "exchange_acceptance": float(np.nanmean(dos.exchange_acceptance))
               if dos.exchange_acceptance.size else np.nan}
        pad = np.full(n_levels, np.nan)
        mean, err = dos.log_g_mean, dos.log_g_err
        finite = np.isfinite(exact)
        out["energy_level"] = _pad(dos.energies / n, pad)
        out["log_g"] = _pad(mean, pad)
        out["log_g_err"] = _pad(err, pad)
        out["log_g_exact"] = _pad(np.where(finite, exact, np.nan), pad)
        out["log_g_z"] = _pad(np.where(finite, (mean - exact) / err, np.nan), pad)
        # ln g = ln 2 at the ground state and its mirror; relative errors exclude nothing.
        rel = np.where(finite, np.abs(mean - exact) / np.abs(exact), np.nan)
        out["log_g_relative_error"] = _pad(rel, pad)
        out["mean_relative_error"] = float(np.nanmean(rel))
        thermo = dos.thermodynamics(temps)
        k = kaufman(size, size, temps)
        for name in ("energy", "specific_heat", "entropy", "free_energy"):
            out[name] = thermo[name]
            out[name + "_err"] = thermo[name + "_err"]
            out[name + "_exact"] = k[name]
            out[name + "_z"] = (thermo[name] - k[name]) / thermo[name + "_err"]
        t_peak, c_peak = exact_peak(size, size)
        peak = dos.specific_heat_peak((t_peak - 0.3, t_peak + 0.3))
        out["peak_temperature"], out["peak_temperature_err"] = (peak["temperature"],
                                                                peak["temperature_err"])
        out["peak_specific_heat"], out["peak_specific_heat_err"] = (peak["specific_heat"],
                                                                    peak["specific_heat_err"])
        out["peak_temperature_exact"], out["peak_specific_heat_exact"] = t_peak, c_peak
        out["peak_specific_heat_relative_error"] = peak["specific_heat"] / c_peak - 1
        out.update(_multibondic(model, dos, peak["temperature"], t_peak, c_peak,
                                params.multibondic, ctx))
        mc = sample_lattice(model, temps, chains=m.chains, sweeps=m.sweeps,
                            thermalization=m.thermalization, seed=ctx.seed,
                            progress=ctx.progress)
        est = lattice_estimators(mc.energy, mc.magnetization, n, temps)
        s = entropy_by_integration(temps, est["specific_heat"], est["specific_heat_err"])
        out["entropy_integrated"] = s["entropy"]
        out["entropy_integrated_err"] = s["entropy_err"]
        out["entropy_integrated_quadrature_err"] = s["entropy_quadrature_err"]
        per_size.append(out)
    return _dataset(sizes, temps, n_levels, per_size, params)


def _multibondic(model, dos, t_walk, t_peak, c_peak, settings, ctx):
    """C near the peak from the energy walk and from a multibondic walk over the bond
    numbers of T in t_walk +- bracket; NaN for the multibondic part with no runs."""
    offsets = np.linspace(-settings.bracket, settings.bracket, 41)
    temps = t_peak + offsets
    thermo = dos.thermodynamics(temps)
    out = {"peak_region_specific_heat_exact": kaufman(model.rows, model.cols,
                                                      temps)["specific_heat"],
           "peak_region_specific_heat": thermo["specific_heat"],
           "peak_region_specific_heat_err": thermo["specific_heat_err"]}
    nan = np.full(offsets.size, np.nan)
    names = ("multibondic_peak_temperature", "multibondic_peak_temperature_err",
             "multibondic_peak_specific_heat", "multibondic_peak_specific_heat_err",
             "multibondic_peak_specific_heat_relative_error", "multibondic_wall_time",
             "multibondic_trials")
    out.update({name: np.nan for name in names})
    out.update({"multibondic_occupied_range": np.full(2, np.nan),
                "peak_region_multibondic_specific_heat": nan,
                "peak_region_multibondic_specific_heat_err": nan})
    if settings.runs == 0:
        return out
    bracket = (t_walk - settings.bracket, t_walk + settings.bracket)
    occupied = occupied_range(model, dos, bracket, settings.tail)
    bonds = multibondic_wang_landau(model, runs=settings.runs, final_ln_f=settings.final_ln_f,
                                    occupied_range=occupied, seed=ctx.seed,
                                    progress=ctx.progress)
    peak = bonds.specific_heat_peak(bracket)
    thermo = bonds.thermodynamics(temps)
    out.update({
        "multibondic_peak_temperature": peak["temperature"],
        "multibondic_peak_temperature_err": peak["temperature_err"],
        "multibondic_peak_specific_heat": peak["specific_heat"],
        "multibondic_peak_specific_heat_err": peak["specific_heat_err"],
        "multibondic_peak_specific_heat_relative_error": peak["specific_heat"] / c_peak - 1,
        "multibondic_wall_time": bonds.wall_time,
        "multibondic_trials": float(bonds.trials.sum()),
        "multibondic_occupied_range": np.array(occupied),
        "peak_region_multibondic_specific_heat": thermo["specific_heat"],
        "peak_region_multibondic_specific_heat_err": thermo["specific_heat_err"]})
    return out


def occupied_range(model, dos, bracket, tail):
    """Fractions (f1, f2) of occupied bonds outside which the bond-number distribution has
    at most ``tail`` at each end, at every temperature of ``bracket``, by the energy walk's
    ln g: G(b) = sum_E g(E) C(n(E), b) with n(E) = (B - E/J) / 2 equal-spin bonds."""
    keep = dos.reached
    n_bonds = model.n_bonds
    equal = np.rint((n_bonds - dos.energies[keep] / model.coupling) / 2).astype(np.int64)
    log_bonds = bond_log_counts(dos.log_g_mean[keep], equal, n_bonds)
    b = np.arange(n_bonds + 1)
    first, last = n_bonds, 0
    for t in np.linspace(*bracket, 9):
        log_w = log_bonds + b * np.log(np.expm1(2 * model.coupling / t))
        cumulative = np.cumsum(np.exp(log_w - logsumexp(log_w)))
        first = min(first, int(np.searchsorted(cumulative, tail)))
        last = max(last, int(np.searchsorted(cumulative, 1 - tail)))
    first, last = max(first - 1, 0), min(last + 1, n_bonds)
    return first / n_bonds, last / n_bonds


def _pad(values, template):
    out = template.copy()
    out[:values.size] = values
    return out


def _dataset(sizes, temps, n_levels, per_size, params):
    data = {}
    for name in per_size[0]:
        values = np.array([p[name] for p in per_size])
        if values.ndim == 1:
            dims = ("size",)
        elif name.startswith("peak_region"):
            dims = ("size", "peak_offset")
        elif name == "multibondic_occupied_range":
            dims = ("size", "end")
        elif name in LEVEL_VARIABLES:
            dims = ("size", "level")
        else:
            dims = ("size", "temperature")
        data[name] = (dims, values)
    ds = xr.Dataset(data, coords={"size": np.array(sizes), "temperature": temps,
                                  "level": np.arange(n_levels),
                                  "peak_offset": np.linspace(-params.multibondic.bracket,
                                                             params.multibondic.bracket, 41),
                                  "end": ["first", "last"]})
    w = params.wang_landau
    mb = params.multibondic
    ds.attrs["title"] = (f"Wang-Landau 1/t, {w.runs} runs x {w.windows} windows, "
                         f"final ln f = {w.final_ln_f:g}; multibondic {mb.runs} runs, "
                         f"final ln f = {mb.final_ln_f:g}; against Beale's exact g(E)")
    # The page's slider runs over temperature; the many scalars per size would take it.
    ds.attrs["report_axis"] = "temperature"
    return results.annotate(ds, META)


def warm_up(params):
    """Compile the Wang-Landau and lattice kernels on a 4 x 4 torus."""
    wang_landau(IsingLattice(4), runs=1, windows=2, final_ln_f=0.1)
    multibondic_wang_landau(IsingLattice(4), runs=1, final_ln_f=1e-3)
    sample_lattice(IsingLattice(4), [2.0], chains=1, sweeps=2, thermalization=0)


def report(ds):
    """Per size: the errors the issue's goals are stated in."""
    lines = [f"{'L':>4}{'mean |d ln g|/ln g':>20}{'C_max rel. err':>16}{'T_max':>16}"
             f"{'max|z| C':>10}{'WL s':>8}{'multibondic C_max rel. err':>32}{'s':>6}"]
    for size in ds["size"].values:
        d = ds.sel(size=size)
        lines.append(
            f"{size:>4}{float(d['mean_relative_error']):>20.2e}"
            f"{float(d['peak_specific_heat_relative_error']):>+16.2e}"
            f"{float(d['peak_temperature']):>9.5f}±{float(d['peak_temperature_err']):.5f}"
            f"{float(np.nanmax(np.abs(d['specific_heat_z']))):>10.2f}"
            f"{float(d['wall_time']):>8.0f}"
            f"{float(d['multibondic_peak_specific_heat_relative_error']):>+20.2e} ± "
            f"{float(d['multibondic_peak_specific_heat_err'] / d['peak_specific_heat_exact']):.1e}"
            f"{float(d['multibondic_wall_time']):>6.0f}")
    return "\n".join(lines)


TASK = register(Task(
    name="wang_landau_ising",
    description="Wang-Landau (1/t, replica exchange) ln g(E) of the Ising torus vs Beale",
    config=WangLandauIsingConfig, run=run, warm_up=warm_up,
    figures=(Figure("density_of_states.png", figures.density_of_states),
             Figure("wang_landau_thermodynamics.png", figures.thermodynamics),
             Figure("specific_heat_peak.png", figures.specific_heat_peak)),
    report=report))
