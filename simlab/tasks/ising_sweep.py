"""The 2D Ising sweep: Monte Carlo thermodynamics over sizes and temperatures, beside exact.

For each lattice size, run the sampler at every temperature of the grid, estimate U, C, |M|,
chi and the Binder cumulant with errors, integrate the entropy from infinite temperature,
locate the specific-heat peak by reweighting, and put Kaufman's exact finite-lattice values
and Onsager's infinite-lattice values beside them.
"""

import time

import numpy as np
import xarray as xr

from simlab import config as config_schema
from simlab import plots, results, thermo
from simlab.exact import kaufman, onsager
from simlab.models.lattice import IsingLattice
from simlab.samplers.mcmc import sample_lattice
from simlab.tasks._output import publish

MC_VARIABLES = ("energy", "specific_heat", "abs_magnetization", "susceptibility", "binder")


def _peak(run_energy, temps, c_values, n_sites, blocks):
    """Reweighted specific-heat maximum near the grid maximum; moves along the grid if needed."""
    k = int(np.nanargmax(c_values))
    for _ in range(len(temps)):
        lo = temps[0] - 0.5 * (temps[1] - temps[0]) if k == 0 else 0.5 * (temps[k - 1] + temps[k])
        hi = (temps[-1] + 0.5 * (temps[-1] - temps[-2]) if k == len(temps) - 1
              else 0.5 * (temps[k] + temps[k + 1]))
        peak = thermo.specific_heat_peak(run_energy[k], temps[k], (lo, hi), n_sites, blocks)
        if not peak["at_edge"]:
            break
        step = -1 if peak["temperature"] - lo < hi - peak["temperature"] else 1
        if not 0 <= k + step < len(temps):
            break
        k += step
    return peak


def _exact(model, temps):
    """Kaufman and Onsager curves where they apply (zero field), else an empty dict."""
    out = {}
    if model.field != 0:
        return out
    if model.coupling > 0 or (model.rows % 2 == 0 and model.cols % 2 == 0):
        k = kaufman.kaufman(model.rows, model.cols, temps, model.coupling)
        for name in ("energy", "specific_heat", "entropy", "free_energy"):
            out[name + "_exact"] = k[name]
        bracket = (1.5 * abs(model.coupling), 3.5 * abs(model.coupling))
        out["peak_temperature_exact"], out["peak_specific_heat_exact"] = \
            kaufman.specific_heat_peak(model.rows, model.cols, abs(model.coupling), bracket)
    return out


def simulate_size(cfg, size, temps):
    """All per-size variables of the dataset for one lattice size."""
    s = cfg.sampler
    model = IsingLattice(size, coupling=cfg.model.coupling, field=cfg.model.field)
    run = sample_lattice(model, temps, chains=s.chains, sweeps=s.sweeps,
                         thermalization=s.thermalization, algorithm=s.algorithm, scan=s.scan,
                         init=s.init,
                         seed=cfg.seed, progress=cfg.output.progress, threads=s.threads)
    est = thermo.lattice_estimators(run.energy, run.magnetization, model.n_sites, temps,
                                    s.blocks)
    ent = thermo.entropy_by_integration(temps, est["specific_heat"], est["specific_heat_err"])
    est.update(ent)
    entropy_total_err = np.hypot(ent["entropy_err"], ent["entropy_quadrature_err"])
    est["free_energy"] = est["energy"] - temps * est["entropy"]
    est["free_energy_err"] = np.hypot(est["energy_err"], temps * entropy_total_err)
    peak = _peak(run.energy, temps, est["specific_heat"], model.n_sites, s.blocks)
    est["peak_temperature"], est["peak_temperature_err"] = peak["temperature"], peak["temperature_err"]
    est["peak_specific_heat"], est["peak_specific_heat_err"] = peak["specific_heat"], peak["specific_heat_err"]
    exact = _exact(model, temps)
    est.update(exact)
    if exact:
        for name in ("energy", "specific_heat", "free_energy"):
            est[name + "_z"] = (est[name] - exact[name + "_exact"]) / est[name + "_err"]
        est["entropy_z"] = (est["entropy"] - exact["entropy_exact"]) / entropy_total_err
        est["peak_temperature_z"] = ((peak["temperature"] - exact["peak_temperature_exact"])
                                     / peak["temperature_err"])
    return est, run.wall_time


def build_dataset(per_size, sizes, temps, cfg):
    """Stack per-size dicts into a Dataset with dims (size, temperature)."""
    names = per_size[0].keys()
    data = {}
    for name in names:
        values = np.array([d[name] for d in per_size], dtype=np.float64)
        dims = ("size",) if values.ndim == 1 else ("size", "temperature")
        data[name] = (dims, values)
    ds = xr.Dataset(data, coords={"size": np.array(sizes), "temperature": temps})
    if cfg.model.field == 0 and cfg.model.coupling > 0:
        for name, func in (("energy", onsager.energy), ("specific_heat", onsager.specific_heat),
                           ("abs_magnetization", onsager.magnetization)):
            ds[name + "_onsager"] = ("temperature", func(temps, cfg.model.coupling))
    return results.annotate(ds)


def summary_table(ds):
    """A short text table: measured vs exact peak temperature and worst deviations per size."""
    has_exact = "peak_temperature_exact" in ds
    head = f"{'L':>5}  {'T_peak (MC)':>20}"
    if has_exact:
        head += f"  {'T_peak (exact)':>14}  {'dev':>6}  {'max|z| U':>8}  {'max|z| C':>8}  {'max|z| S':>8}"
    lines = [head]
    for L in ds["size"].values:
        d = ds.sel(size=L)
        row = f"{L:>5}  {float(d.peak_temperature):>10.4f} ± {float(d.peak_temperature_err):<7.4f}"
        if has_exact:
            row += (f"  {float(d.peak_temperature_exact):>14.4f}  "
                    f"{float(d.peak_temperature_z):>5.1f}σ  "
                    + "  ".join(f"{float(np.abs(d[n + '_z']).max()):>7.2f}σ"
                                for n in ("energy", "specific_heat", "entropy")))
        lines.append(row)
    return "\n".join(lines)


def warm_up(cfg):
    """Compile the sampler's kernels on a 2 x 2 lattice."""
    sample_lattice(IsingLattice(2), [1.0], chains=1, sweeps=1, thermalization=1,
                   algorithm=cfg.sampler.algorithm, scan=cfg.sampler.scan, init=cfg.sampler.init)


def run(cfg, output_dir):
    """Run the sweep described by ``cfg``; write results and figures into ``output_dir``."""
    start = time.perf_counter()
    sizes = config_schema.sizes(cfg.model)
    temps = config_schema.temperature_grid(cfg.temperature)
    per_size = [simulate_size(cfg, L, temps)[0] for L in sizes]
    ds = build_dataset(per_size, sizes, temps, cfg)
    figures = [(plots.lattice_thermodynamics, "thermodynamics.png")]
    if "energy_z" in ds:
        figures.append((plots.deviations, "deviations.png"))
    # The entropy tail reaches high T; figures show the grid the user asked to look at.
    return publish(ds, cfg, start, output_dir, "2D Ising model on L x L tori: Monte Carlo vs exact",
                   figures=figures, report=summary_table,
                   block_length_sweeps=cfg.sampler.sweeps // cfg.sampler.blocks,
                   config_dims="model.size:size", plot_temperature_max=float(
                       temps.max() if cfg.temperature.points is not None
                       else cfg.temperature.max))
