"""Finite-size scaling of the 2D Ising model: Binder crossings and the specific-heat peak.

For each size L, Swendsen-Wang chains run at ``points`` temperatures spread over
[T_c - below / L, T_c + above / L]; multiple-histogram reweighting (Ferrenberg & Swendsen
1989) turns them into continuous C(T) and Binder cumulant U_4(T) = 1 - <m^4>/(3 <m^2>^2)
with jackknife errors. Reported: the peak T_max(L), C_max(L) beside Kaufman's exact
values; the crossings of U_4 for consecutive sizes, which approach T_c; and the slope of
C_max against ln L beside A0 = (2/pi) ln(1 + sqrt 2)^2 = 0.4945 (Ferdinand & Fisher 1969)
and beside the slope of the exact C_max over the same sizes. Reweighted values outside a
size's sampled range are NaN.
"""

from dataclasses import dataclass
from typing import List

import numpy as np
import xarray as xr

from simlab import results
from simlab.errors import ConfigError
from simlab.exact.kaufman import kaufman
from simlab.exact.kaufman import specific_heat_peak as exact_peak
from simlab.models import IsingLattice
from simlab.results import mark_missing
from simlab.samplers import sample_lattice
from simlab.schema import section, setting
from simlab.stats import weighted_line
from simlab.tasks import Figure, Task, register
from simlab.tasks.ising_fss import figures
from simlab.thermo import MultipleHistogram

T_C = 2.0 / np.log1p(np.sqrt(2.0))
A0 = 2.0 / np.pi * np.log1p(np.sqrt(2.0)) ** 2


@dataclass
class ScalingSettings:
    """Sizes, sampled temperatures and run lengths."""

    sizes: List[int] = setting(factory=lambda: [8, 16, 32, 64, 128], minimum=4,
                               doc="linear sizes L")
    points: int = setting(6, minimum=2, doc="sampled temperatures per size")
    below: float = setting(1.0, above=0.0, doc="sampled range starts at T_c - below / L")
    above: float = setting(2.5, above=0.0, doc="sampled range ends at T_c + above / L")
    chains: int = setting(4, minimum=2, doc="independent chains per temperature")
    sweeps: int = setting(16_000, minimum=64, doc="recorded sweeps per chain")
    thermalization: int = setting(500, minimum=0, doc="sweeps before recording")
    algorithm: str = setting("swendsen-wang", choices=("swendsen-wang", "wolff", "metropolis",
                                                        "heatbath"), doc="update rule")
    blocks: int = setting(16, minimum=2, doc="jackknife blocks per chain")
    grid: int = setting(241, minimum=3, doc="points of the reweighted curves")
    grid_min: float = setting(2.1, above=0.0, doc="lowest temperature of the curves")
    grid_max: float = setting(2.6, above=0.0, doc="highest temperature of the curves")

    def check(self, key):
        if len(set(self.sizes)) < 2:
            raise ConfigError(f"{key}.sizes", list(self.sizes), "two distinct sizes at least")
        if self.grid_max <= self.grid_min:
            raise ConfigError(f"{key}.grid_max", self.grid_max,
                              f"a number > {key}.grid_min ({self.grid_min})")
        if self.sweeps < 4 * self.blocks:
            raise ConfigError(f"{key}.sweeps", self.sweeps,
                              f"at least 4 sweeps per block ({4 * self.blocks})")


@dataclass
class IsingFSSConfig:
    """Sections of the ising_fss task."""

    fss: ScalingSettings = section(ScalingSettings)


META = {
    "binder": ("Binder cumulant U_4 = 1 - <m^4>/(3 <m^2>^2), reweighted", "1"),
    "binder_err": ("jackknife error of U_4", "1"),
    "pair": ("consecutive sizes L and the next", "1"),
    "crossing_temperature": ("temperature where U_4 of L and the next size cross", "J/k_B"),
    "crossing_temperature_err": ("jackknife-free error from the U_4 errors at the crossing",
                                 "J/k_B"),
    "sampled_temperature": ("temperatures simulated for this size", "J/k_B"),
    "point": ("index of a sampled temperature", "1"),
    "peak_specific_heat_z": ("(C_max - exact) / error", "1"),
    "peak_temperature_z": ("(T_max - exact) / error", "1"),
}


def sampled_temperatures(size, s):
    """The ``points`` temperatures of size L, evenly over [T_c - below/L, T_c + above/L]."""
    return np.linspace(T_C - s.below / size, T_C + s.above / size, s.points)


def run(params, ctx):
    """Reweighted C(T) and U_4(T) per size, peaks, crossings and the C_max slope."""
    s = params.fss
    sizes = np.array(sorted(set(s.sizes)))
    grid = np.linspace(s.grid_min, s.grid_max, s.grid)
    curves = {k: np.full((sizes.size, grid.size), np.nan) for k in
              ("specific_heat", "specific_heat_err", "binder", "binder_err")}
    peaks = {k: np.full(sizes.size, np.nan) for k in
             ("peak_temperature", "peak_temperature_err", "peak_specific_heat",
              "peak_specific_heat_err", "peak_temperature_exact", "peak_specific_heat_exact")}
    sampled = np.zeros((sizes.size, s.points))
    binder_at = []
    for i, size in enumerate(sizes):
        model = IsingLattice(int(size))
        temps = sampled_temperatures(size, s)
        sampled[i] = temps
        run_ = sample_lattice(model, temps, chains=s.chains, sweeps=s.sweeps,
                              thermalization=s.thermalization, algorithm=s.algorithm,
                              seed=ctx.seed, progress=ctx.progress)
        mh = MultipleHistogram(run_.energy, temps, model.n_sites, n_blocks=s.blocks)
        inside = (grid >= temps.min()) & (grid <= temps.max())
        thermo = mh.thermodynamics(grid[inside])
        curves["specific_heat"][i, inside] = thermo["specific_heat"]
        curves["specific_heat_err"][i, inside] = thermo["specific_heat_err"]
        m = np.abs(run_.magnetization) / model.n_sites
        series = {"m2": m**2, "m4": m**4}
        binder = lambda a: 1.0 - a["m4"] / (3.0 * a["m2"] ** 2)  # noqa: E731
        u4, u4_err = mh.observables(series, grid[inside], binder)
        curves["binder"][i, inside], curves["binder_err"][i, inside] = u4, u4_err
        binder_at.append((temps, lambda t, mh=mh, series=series: mh.observables(
            series, t, binder)))
        peak = mh.peak()
        peaks["peak_temperature"][i] = peak["temperature"]
        peaks["peak_temperature_err"][i] = peak["temperature_err"]
        peaks["peak_specific_heat"][i] = peak["specific_heat"]
        peaks["peak_specific_heat_err"][i] = peak["specific_heat_err"]
        t_exact, c_exact = exact_peak(int(size), int(size))
        peaks["peak_temperature_exact"][i] = t_exact
        peaks["peak_specific_heat_exact"][i] = c_exact
        if peak["at_edge"]:
            peaks["peak_temperature"][i] = peaks["peak_specific_heat"][i] = np.nan
    crossings = [_crossing(binder_at[i], binder_at[i + 1]) for i in range(sizes.size - 1)]
    ds = xr.Dataset(
        {**{k: (("size", "temperature"), v) for k, v in curves.items()},
         **{k: (("size",), v) for k, v in peaks.items()},
         "specific_heat_exact": (("size", "temperature"),
                                 np.array([kaufman(int(L), int(L), grid)["specific_heat"]
                                           for L in sizes])),
         "sampled_temperature": (("size", "point"), sampled),
         "crossing_temperature": (("pair",), np.array([c[0] for c in crossings])),
         "crossing_temperature_err": (("pair",), np.array([c[1] for c in crossings]))},
        coords={"size": sizes, "temperature": grid, "point": np.arange(s.points),
                "pair": sizes[:-1]})
    for name in ("peak_specific_heat", "peak_temperature"):
        ds[name + "_z"] = (ds[name] - ds[name + "_exact"]) / ds[name + "_err"]
    for name in ("specific_heat", "specific_heat_err", "binder", "binder_err"):
        mark_missing(ds, name, "outside the temperatures sampled for this size")
    if np.isnan(peaks["peak_temperature"]).any():
        mark_missing(ds, "peak_temperature", "maximum at the edge of the sampled range")
    _scaling_summary(ds, sizes)
    ds.attrs["title"] = (f"Finite-size scaling, {s.algorithm} + multiple-histogram "
                         f"reweighting, {s.points} temperatures x {s.chains} chains x "
                         f"{s.sweeps} sweeps per size")
    return results.annotate(ds, META)


def _crossing(small, large):
    """Where U_4 of two sizes cross, searched inside both sampled ranges; error from the
    errors of the difference and its slope."""
    from scipy.optimize import brentq

    lo = max(small[0].min(), large[0].min())
    hi = min(small[0].max(), large[0].max())
    if not lo < hi:
        return np.nan, np.nan

    def diff(t):
        return small[1]([t])[0][0] - large[1]([t])[0][0]

    grid = np.linspace(lo, hi, 25)
    values = np.array([diff(t) for t in grid])
    change = np.flatnonzero(np.sign(values[:-1]) != np.sign(values[1:]))
    if change.size == 0:
        return np.nan, np.nan
    k = change[0]
    t_cross = brentq(diff, grid[k], grid[k + 1], xtol=1e-10)
    err_small = small[1]([t_cross])[1][0]
    err_large = large[1]([t_cross])[1][0]
    slope = (values[k + 1] - values[k]) / (grid[k + 1] - grid[k])
    return float(t_cross), float(np.hypot(err_small, err_large) / abs(slope))


def _scaling_summary(ds, sizes):
    """C_max against ln L (MC and exact), and the best T_c from the largest crossing."""
    c, err = ds["peak_specific_heat"].values, ds["peak_specific_heat_err"].values
    slope, slope_err, chi2 = weighted_line(np.log(sizes.astype(float)), c, err)
    exact_slope = np.polyfit(np.log(sizes.astype(float)),
                             ds["peak_specific_heat_exact"].values, 1)[0]
    ok = np.isfinite(ds["crossing_temperature"].values)
    t_c = ds["crossing_temperature"].values[ok][-1] if ok.any() else np.nan
    t_c_err = ds["crossing_temperature_err"].values[ok][-1] if ok.any() else np.nan
    ds.attrs.update(cmax_slope=slope, cmax_slope_err=slope_err, cmax_slope_chi2=chi2,
                    cmax_slope_exact=float(exact_slope), A0=float(A0),
                    critical_temperature=float(t_c), critical_temperature_err=float(t_c_err),
                    critical_temperature_onsager=float(T_C),
                    critical_temperature_relative_error=float(t_c / T_C - 1))


def warm_up(params):
    """Compile the update rule on a 4 x 4 lattice."""
    sample_lattice(IsingLattice(4), [T_C], chains=1, sweeps=2, thermalization=0,
                   algorithm=params.fss.algorithm)


def report(ds):
    """Peaks against Kaufman, the Binder crossings and the C_max slope."""
    lines = [f"{'L':>5}{'T_max':>22}{'exact':>10}{'C_max':>20}{'exact':>9}"]
    for size in ds["size"].values:
        d = ds.sel(size=size)
        lines.append(f"{size:>5}{float(d['peak_temperature']):>13.5f}±"
                     f"{float(d['peak_temperature_err']):<8.5f}"
                     f"{float(d['peak_temperature_exact']):>10.5f}"
                     f"{float(d['peak_specific_heat']):>12.4f}±"
                     f"{float(d['peak_specific_heat_err']):<7.4f}"
                     f"{float(d['peak_specific_heat_exact']):>9.4f}")
    for pair, t, e in zip(ds["pair"].values, ds["crossing_temperature"].values,
                          ds["crossing_temperature_err"].values):
        lines.append(f"U_4 crossing of L = {pair} and the next size: {t:.5f} ± {e:.5f}")
    a = ds.attrs
    lines.append(f"T_c (largest pair) = {a['critical_temperature']:.5f} ± "
                 f"{a['critical_temperature_err']:.5f}, Onsager {T_C:.5f} "
                 f"({100 * a['critical_temperature_relative_error']:+.3f}%)")
    lines.append(f"C_max slope against ln L = {a['cmax_slope']:.4f} ± {a['cmax_slope_err']:.4f}"
                 f" (exact C_max over the same sizes {a['cmax_slope_exact']:.4f}; "
                 f"A0 = {a['A0']:.4f})")
    return "\n".join(lines)


TASK = register(Task(
    name="ising_fss",
    description="finite-size scaling: Binder crossings -> T_c, C_max vs ln L (reweighting)",
    config=IsingFSSConfig, run=run, warm_up=warm_up,
    figures=(Figure("finite_size_scaling.png", figures.finite_size_scaling),),
    report=report))
