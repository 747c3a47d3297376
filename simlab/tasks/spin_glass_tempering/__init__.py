"""Parallel tempering against simulated annealing on 2D +-J spin glasses, at equal work.

The instances are those of ``spin_glass_annealing`` (instance k of the family
``EA2D_L{L}_pm`` is drawn from ``derive(seed, "instance", family, k)``), so the two tasks'
energies can be set side by side. For each instance, ``systems`` independent
replica-exchange ladders from ``t_min`` to ``t_max`` (tuned first so that neighbouring
rungs exchange at least ``target_acceptance`` of the time) record the lowest energy any
replica reached; simulated annealing (geometric schedule over the default range, ``reads``
reads) gets the same number of spin updates. An instance's PT energy is called confirmed
when every system reached it independently: evidence, not proof, of a ground state.
"""

from dataclasses import dataclass

import numpy as np
import xarray as xr

from simlab import results, schedules
from simlab.errors import ConfigError
from simlab.models import graph
from simlab.rng import sub_seed
from simlab.samplers.annealing import anneal, default_temperature_range
from simlab.samplers.tempering import replica_exchange
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.spin_glass_tempering import figures


@dataclass
class TemperingSettings:
    """Instances, ladder and budget."""

    ea_size: int = setting(32, minimum=3, doc="L of the 2D +-J Edwards-Anderson torus")
    instances: int = setting(8, minimum=1, doc="disorder realisations")
    t_min: float = setting(0.2, above=0.0, doc="coldest rung")
    t_max: float = setting(2.0, above=0.0, doc="hottest rung")
    rungs: int = setting(24, minimum=2, doc="rungs before tuning (tuning may add some)")
    target_acceptance: float = setting(0.3, above=0.0, maximum=0.9,
                                       doc="exchange acceptance the tuning aims for")
    tune_rounds: int = setting(4, minimum=1, doc="ladder tuning rounds")
    tune_sweeps: int = setting(500, minimum=10, doc="exchange rounds per tuning round")
    thermalization: int = setting(2_000, minimum=0, doc="rounds before recording")
    sweeps: int = setting(20_000, minimum=1, doc="recorded exchange rounds (1 sweep each)")
    systems: int = setting(2, minimum=1, doc="independent ladders per instance")
    reads: int = setting(32, minimum=1, doc="annealing reads per instance")

    def check(self, key):
        if self.t_max <= self.t_min:
            raise ConfigError(f"{key}.t_max", self.t_max, f"a number > {key}.t_min "
                                                          f"({self.t_min})")


@dataclass
class SpinGlassTemperingConfig:
    """Sections of the spin_glass_tempering task."""

    tempering: TemperingSettings = section(TemperingSettings)


META = {
    "instance": ("disorder realisation", "1"),
    "system": ("independent replica-exchange ladder", "1"),
    "read": ("independent annealing read", "1"),
    "rung": ("rung of the tuned ladder (coldest first)", "1"),
    "rung_pair": ("pair of neighbouring rungs", "1"),
    "ladder": ("temperature of the rung (tuned ladder)", "J/k_B"),
    "acceptance": ("accepted fraction of exchanges with the next rung", "1"),
    "round_trip_time": ("mean round trip between the coldest and hottest rung", "sweeps"),
    "round_trips": ("completed round trips", "1"),
    "tempering_energy_per_spin": ("lowest energy per spin reached by the system", "J"),
    "annealing_energy_per_spin": ("lowest energy per spin of the annealing read", "J"),
    "tempering_best": ("lowest energy per spin over the systems", "J"),
    "annealing_best": ("lowest energy per spin over the reads", "J"),
    "confirmed": ("every system reached the lowest tempering energy", "1"),
    "annealing_sweeps": ("sweeps per annealing read (same spin updates as tempering)", "1"),
    "tempering_seconds": ("wall time of the tempering run", "s"),
    "annealing_seconds": ("wall time of the annealing reads", "s"),
}


def instances(p, seed):
    """The ``spin_glass_annealing`` instances of the 2D +-J family at size ``ea_size``."""
    family = f"EA2D_L{p.ea_size}_pm"
    return [graph.edwards_anderson(p.ea_size, 2, "pm", sub_seed(seed, "instance", family, k))
            for k in range(p.instances)]


def run(params, ctx):
    """Tempering and annealing energies per instance, ladders and exchange statistics."""
    p = params.tempering
    models = instances(p, ctx.seed)
    max_rungs = 128
    shape = (p.instances, max_rungs)
    ladder = np.full(shape, np.nan)
    acceptance = np.full((p.instances, max_rungs - 1), np.nan)
    pt_best = np.empty((p.instances, p.systems))
    sa_best = np.empty((p.instances, p.reads))
    trip_time = np.empty(p.instances)
    trips = np.empty(p.instances)
    sa_sweeps = np.empty(p.instances, dtype=np.int64)
    seconds = np.empty((2, p.instances))
    for i, model in enumerate(models):
        n = model.n_sites
        pt = replica_exchange(model, np.geomspace(p.t_min, p.t_max, p.rungs),
                              systems=p.systems, sweeps=p.sweeps,
                              thermalization=p.thermalization, adaptive=True,
                              target_acceptance=p.target_acceptance,
                              tune_rounds=p.tune_rounds, tune_sweeps=p.tune_sweeps,
                              seed=ctx.seed, progress=ctx.progress)
        r = pt.temperatures.size
        ladder[i, :r] = pt.temperatures
        acceptance[i, :r - 1] = pt.acceptance
        pt_best[i] = pt.energy.min(axis=(0, 2)) / n
        trip_time[i], trips[i] = pt.round_trip_time, pt.round_trips
        updates = sum(h.size for h in pt.ladder_history[:-1]) * p.tune_sweeps + \
            r * (p.thermalization + p.sweeps)
        sa_sweeps[i] = max(1, int(round(updates * p.systems / p.reads)))
        sa = anneal(model, schedules.geometric_range(*default_temperature_range(model),
                                                     int(sa_sweeps[i])),
                    reads=p.reads, seed=ctx.seed, kernel="scalar",  # best-so-far energies
                    progress=ctx.progress)
        sa_best[i] = sa.best_energies / n
        seconds[:, i] = pt.wall_time, sa.wall_time
    used = int(np.max(np.sum(np.isfinite(ladder), axis=1)))
    best = pt_best.min(axis=1)
    ds = xr.Dataset(
        {"ladder": (("instance", "rung"), ladder[:, :used]),
         "acceptance": (("instance", "rung_pair"), acceptance[:, :used - 1]),
         "round_trip_time": (("instance",), trip_time),
         "round_trips": (("instance",), trips),
         "tempering_energy_per_spin": (("instance", "system"), pt_best),
         "annealing_energy_per_spin": (("instance", "read"), sa_best),
         "tempering_best": (("instance",), best),
         "annealing_best": (("instance",), sa_best.min(axis=1)),
         "confirmed": (("instance",), np.all(np.isclose(pt_best, best[:, None],
                                                        rtol=0, atol=1e-9), axis=1)),
         "annealing_sweeps": (("instance",), sa_sweeps),
         "tempering_seconds": (("instance",), seconds[0]),
         "annealing_seconds": (("instance",), seconds[1])},
        coords={"instance": np.arange(p.instances), "system": np.arange(p.systems),
                "read": np.arange(p.reads), "rung": np.arange(used),
                "rung_pair": np.arange(used - 1),
                "instance_name": ("instance", np.array([m.name for m in models],
                                                       dtype=object))})
    ds["instance_name"].attrs.update(long_name="name of the disorder instance", units="1")
    results.mark_missing(ds, "ladder", "the tuned ladders of other instances are longer")
    results.mark_missing(ds, "acceptance", "the tuned ladders of other instances are longer")
    ds.attrs["title"] = (f"2D +-J L = {p.ea_size}: parallel tempering ({p.systems} ladders, "
                         f"T {p.t_min:g}..{p.t_max:g}) against annealing at equal work")
    return results.annotate(ds, META)


def warm_up(params):
    """Compile the graph replica and exchange kernels on a small instance."""
    model = graph.edwards_anderson(4, 2, "pm", seed=0)
    replica_exchange(model, [0.5, 1.0], systems=1, sweeps=2, thermalization=0)


def report(ds):
    """Per instance: tempering and annealing energies, confirmation and exchange statistics."""
    lines = [f"{'instance':<26}{'tempering':>11}{'annealing':>11}{'confirmed':>10}"
             f"{'rungs':>7}{'min acc.':>9}{'round trip':>12}"]
    for i in ds["instance"].values:
        d = ds.sel(instance=i)
        acc = d["acceptance"].values
        lines.append(f"{str(d['instance_name'].values):<26}{float(d['tempering_best']):>11.5f}"
                     f"{float(d['annealing_best']):>11.5f}{str(bool(d['confirmed'])):>10}"
                     f"{int(np.isfinite(d['ladder']).sum()):>7}{np.nanmin(acc):>9.2f}"
                     f"{float(d['round_trip_time']):>12.0f}")
    diff = ds["tempering_best"] - ds["annealing_best"]
    lines.append(f"mean tempering {float(ds['tempering_best'].mean()):.5f}, annealing "
                 f"{float(ds['annealing_best'].mean()):.5f}; tempering lower on "
                 f"{int((diff < -1e-9).sum())}, equal on {int((abs(diff) <= 1e-9).sum())}, "
                 f"higher on {int((diff > 1e-9).sum())} of {ds.sizes['instance']}")
    return "\n".join(lines)


TASK = register(Task(
    name="spin_glass_tempering",
    description="2D +-J spin glasses: parallel tempering vs annealing at equal work",
    config=SpinGlassTemperingConfig, run=run, warm_up=warm_up,
    figures=(Figure("spin_glass_tempering.png", figures.tempering_vs_annealing),),
    report=report))
