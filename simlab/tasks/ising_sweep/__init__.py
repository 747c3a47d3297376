"""The 2D Ising sweep: Monte Carlo thermodynamics over sizes and temperatures, beside exact.

For each lattice size, run the sampler at every temperature of the grid, estimate U, C, |M|,
chi and the Binder cumulant with errors, integrate the entropy from infinite temperature,
locate the specific-heat peak by reweighting, and put Kaufman's exact finite-lattice values
and Onsager's infinite-lattice values beside them.

Honest output: a number the grid or the data cannot support is NaN, with the reason in the
variable's ``missing_reason`` attribute and a line under the table (see :mod:`.honesty`).
"""

from dataclasses import dataclass
from typing import List

import numpy as np
import xarray as xr

from simlab import results, thermo
from simlab.errors import ConfigError
from simlab.exact import kaufman, onsager
from simlab.grids import TemperatureGrid
from simlab.models.lattice import IsingLattice
from simlab.rules import ALGORITHMS, INITIAL_STATES, LATTICE_KERNELS, SCANS
from simlab.samplers.mcmc import sample_lattice
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.ising_sweep import figures, honesty


@dataclass
class LatticeModel:
    """The Ising model on L x L tori: E = -J sum_<ij> s_i s_j - h sum_i s_i."""

    name: str = setting("ising", choices=("ising",), doc="the spin model")
    size: List[int] = setting(factory=lambda: [8, 16, 32], minimum=2, maximum=4096,
                              doc="linear sizes L (one dataset with a size dimension)")
    coupling: float = setting(1.0, doc="J (> 0 ferromagnetic)")
    field: float = setting(0.0, doc="h (exact curves only for h = 0)")

    def check(self, key):
        if not self.size:
            raise ConfigError(f"{key}.size", self.size, "a size or a non-empty list of sizes")
        if len(set(self.size)) != len(self.size):
            raise ConfigError(f"{key}.size", self.size, "distinct sizes")
        if self.coupling == 0:
            raise ConfigError(f"{key}.coupling", self.coupling, "a finite non-zero number")


@dataclass
class LatticeSampler:
    """Single-spin-flip Monte Carlo: counts per temperature and chain."""

    algorithm: str = setting("heatbath", choices=ALGORITHMS,
                             doc="update rule (heat bath: irreducible in either scan)")
    scan: str = setting("sequential", choices=SCANS,
                        doc="site order in a sweep (random: irreducible for both rules; "
                            "sequential Metropolis is not on some small tori)")
    chains: int = setting(64, minimum=1, doc="independent chains per temperature")
    kernel: str = setting("auto", choices=LATTICE_KERNELS,
                          doc="multispin: 64 chains per 64-bit word (sequential scan); auto "
                              "picks it when it applies and chains >= 64")
    sweeps: int = setting(20_000, minimum=1, doc="recorded sweeps per chain")
    thermalization: int = setting(2_000, minimum=0, doc="discarded sweeps per chain")
    init: str = setting("ordered", choices=INITIAL_STATES, doc="initial state")
    blocks: int = setting(16, minimum=1, doc="jackknife blocks per chain")

    def check(self, key):
        if self.kernel == "multispin" and self.scan != "sequential":
            raise ConfigError(f"{key}.kernel", self.kernel,
                              f"'auto' or 'scalar' with {key}.scan={self.scan!r} (the "
                              "multi-spin kernel scans sequentially)")
        low = 1 if self.chains > 1 else 2
        if not low <= self.blocks <= self.sweeps:
            raise ConfigError(f"{key}.blocks", self.blocks,
                              f"an integer from {low} to {key}.sweeps ({self.sweeps})")


@dataclass
class IsingSweepConfig:
    """Sections of the ising_sweep task."""

    model: LatticeModel = section(LatticeModel)
    sampler: LatticeSampler = section(LatticeSampler)
    temperature: TemperatureGrid = section(lambda: TemperatureGrid(
        min=1.0, max=4.0, num=16, focus=2.269, focus_width=0.6, focus_num=16, tail=4))

    def check(self, key):
        self.temperature.check_positive("temperature")


MC_VARIABLES = ("energy", "specific_heat", "abs_magnetization", "susceptibility", "binder")
EXACT_VARIABLES = ("energy", "specific_heat", "entropy", "free_energy")


def exact_curves(model, temps):
    """Kaufman's finite-lattice curves and peak where they apply (zero field), else {}."""
    out = {}
    if model.field != 0:
        return out
    if model.coupling > 0 or (model.rows % 2 == 0 and model.cols % 2 == 0):
        k = kaufman.kaufman(model.rows, model.cols, temps, model.coupling)
        for name in EXACT_VARIABLES:
            out[name + "_exact"] = k[name]
        bracket = (1.5 * abs(model.coupling), 3.5 * abs(model.coupling))
        out["peak_temperature_exact"], out["peak_specific_heat_exact"] = \
            kaufman.specific_heat_peak(model.rows, model.cols, abs(model.coupling), bracket)
    return out


def simulate_size(params, size, temps, ctx):
    """Per-size variables ({name: array}) and NaN reasons ({name: reason})."""
    s = params.sampler
    model = IsingLattice(size, coupling=params.model.coupling, field=params.model.field)
    run = sample_lattice(model, temps, chains=s.chains, sweeps=s.sweeps,
                         thermalization=s.thermalization, algorithm=s.algorithm, scan=s.scan,
                         init=s.init, seed=ctx.seed, progress=ctx.progress, kernel=s.kernel)
    energy = run.energy  # computed from the bond sums on each access: once here
    spins = run.spins[:, 0, :].reshape(len(temps), size, size)  # chain 0's last sweep
    est = thermo.lattice_estimators(energy, run.magnetization, model.n_sites, temps,
                                    s.blocks)
    reasons = {}
    honesty.withhold_unreliable_errors(est, s.sweeps // s.blocks, s.chains * s.blocks,
                                       reasons)
    entropy = honesty.entropy_if_supported(temps, est, reasons)
    est.update(entropy)
    total_err = np.hypot(est["entropy_err"], est["entropy_quadrature_err"])
    est["free_energy"] = est["energy"] - temps * est["entropy"]
    est["free_energy_err"] = np.hypot(est["energy_err"], temps * total_err)
    peak = honesty.reweighted_peak(energy, temps, est["specific_heat"], model.n_sites,
                                   s.blocks, reasons, np.isfinite(est["energy_err"]))
    for name in ("temperature", "temperature_err", "specific_heat", "specific_heat_err"):
        est[f"peak_{name}"] = peak[name]
    if not np.isnan(peak["temperature"]):
        honesty.check_entropy_resolves_peak(est, peak, reasons)
    exact = exact_curves(model, temps)
    est.update(exact)
    if exact:
        errors = {"energy": est["energy_err"], "specific_heat": est["specific_heat_err"],
                  "free_energy": est["free_energy_err"], "entropy": total_err,
                  "peak_temperature": peak["temperature_err"]}
        values = {**{n: est[n] for n in ("energy", "specific_heat", "free_energy",
                                         "entropy")},
                  "peak_temperature": peak["temperature"]}
        n_eff = honesty.effective_samples(est, s.chains, s.sweeps)
        samples = {"energy": n_eff, "specific_heat": n_eff, "entropy": n_eff.min(),
                   "free_energy": n_eff.min(), "peak_temperature": n_eff.min()}
        excited = honesty.excited_samples(energy)
        moved = {"energy": excited, "specific_heat": excited, "entropy": excited.min(),
                 "free_energy": excited.min(), "peak_temperature": excited.min()}
        for name, value in values.items():
            est[name + "_z"] = honesty.z_score(name, value, exact[name + "_exact"],
                                               errors[name], reasons, samples[name],
                                               moved[name])
    return est, reasons, spins


def build_dataset(per_size, sizes, temps, params, tail):
    """Stack per-size dicts into a Dataset with dims (size, temperature)."""
    data = {}
    for name in per_size[0][0]:
        values = np.array([d[name] for d, _, _ in per_size], dtype=np.float64)
        dims = ("size",) if values.ndim == 1 else ("size", "temperature")
        data[name] = (dims, values)
    ds = xr.Dataset(data, coords={"size": np.array(sizes), "temperature": temps})
    ds = ds.assign_coords(entropy_tail=("temperature", tail))
    if params.model.field == 0 and params.model.coupling > 0:
        for name, func in (("energy", onsager.energy), ("specific_heat", onsager.specific_heat),
                           ("abs_magnetization", onsager.magnetization)):
            ds[name + "_onsager"] = ("temperature", func(temps, params.model.coupling))
    ds["block_length"] = ((), params.sampler.sweeps // params.sampler.blocks)
    # every size's last spins, padded with 0 to the largest L; row and col are coordinates,
    # so that sweeps over the size merge (the padding of a merge is NaN)
    side = max(sizes)
    snapshot = np.zeros((len(sizes), len(temps), side, side), dtype=np.int8)
    for k, (_, _, spins) in enumerate(per_size):
        snapshot[k, :, :spins.shape[1], :spins.shape[2]] = spins
    ds["snapshot"] = (("size", "temperature", "row", "col"), snapshot)
    ds = ds.assign_coords(row=np.arange(side), col=np.arange(side))
    ds = results.annotate(ds, META)
    ds["snapshot"].attrs["report_view"] = "task"  # drawn by the temperature dial
    ds["snapshot"].attrs["pad_value"] = 0  # what collect pads a merge over sizes with
    ds["size"].attrs["symbol"] = "L"  # how the report's legends name the sizes: "L = 8"
    for _, reasons, _ in per_size:
        for name, reason in reasons.items():
            if name in ds:
                results.mark_missing(ds, name, reason)
    return ds


META = {
    "entropy_tail": ("True for temperatures added only for the entropy integral (not drawn)",
                     "1"),
    "block_length": ("sweeps per jackknife block", "sweeps"),
    "snapshot": ("spins of chain 0 after its last sweep (0: past the lattice's size)", "1"),
    "row": ("lattice row of a snapshot", "1"),
    "col": ("lattice column of a snapshot", "1"),
}


def run(params, ctx):
    """The sweep described by ``params``: a Dataset with dims (size, temperature)."""
    temps = params.temperature.values()
    per_size = [simulate_size(params, L, temps, ctx) for L in params.model.size]
    ds = build_dataset(per_size, params.model.size, temps, params,
                       params.temperature.tail_mask())
    ds.attrs["title"] = "2D Ising model on L x L tori: Monte Carlo vs exact"
    return ds


def warm_up(params):
    """Compile the sampler's kernels on a 2 x 2 lattice."""
    s = params.sampler
    sample_lattice(IsingLattice(2), [1.0], chains=s.chains, sweeps=1, thermalization=1,
                   algorithm=s.algorithm, scan=s.scan, init=s.init, kernel=s.kernel)


TASK = register(Task(
    name="ising_sweep",
    description="2D Ising tori: U, C, S, F, |M|, chi, Binder vs T with errors, beside exact",
    config=IsingSweepConfig, run=run, warm_up=warm_up,
    figures=(Figure("thermodynamics.png", figures.thermodynamics),
             Figure("deviations.png", figures.deviations, when=lambda ds: "energy_z" in ds)),
    report=figures.summary_table, report_views=lambda ds: [figures.dial(ds)], groups={"model": "ising", "sampler": "heatbath"},
    dims={"model.size": "size"}))
