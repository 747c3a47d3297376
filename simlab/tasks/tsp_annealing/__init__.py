"""Simulated annealing of TSPLIB instances under geometric, linear and logarithmic schedules.

For each instance, schedule family and total number of sweeps (one sweep = n move attempts,
one temperature step per sweep), ``tsp.reads`` independent reads are annealed from random
tours between the instance's T_hot and T_cold. Reported: tour length relative to the proven
optimum (median and spread), success probability (reaching the optimum) with Wilson
intervals, TTS99 in sweeps minimised over the scan, and wall time.
"""

from dataclasses import dataclass
from typing import List

import numpy as np
import xarray as xr

from simlab import results
from simlab.metrics import optimal_tts, wilson_interval
from simlab.models.tsp import SHIPPED, load_tsplib
from simlab.rules import ALGORITHMS
from simlab.samplers.annealing import anneal_scan, default_temperature_range, warm_up
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.tsp_annealing import figures

SCHEDULE_FAMILIES = ("geometric", "linear", "logarithmic", "exponential")


@dataclass
class TSPSettings:
    """Instances, schedule families, lengths and reads of the scan."""

    instances: List[str] = setting(factory=lambda: ["berlin52", "eil51", "kroA100"],
                                   choices=SHIPPED, doc="shipped TSPLIB instances")
    schedules: List[str] = setting(factory=lambda: ["geometric", "linear", "logarithmic"],
                                   choices=SCHEDULE_FAMILIES, doc="schedule families")
    sweeps: List[int] = setting(factory=lambda: [100, 300, 1000, 3000, 10000, 30000],
                                minimum=1, doc="sweeps per read (one temperature step each)")
    reads: int = setting(10, minimum=1, doc="independent reads per setting")
    p_two_opt: float = setting(0.5, minimum=0.0, maximum=1.0,
                               doc="probability that a move is 2-opt (else or-opt)")
    algorithm: str = setting("metropolis", choices=ALGORITHMS, doc="acceptance rule")


@dataclass
class TSPAnnealingConfig:
    """Sections of the tsp_annealing task."""

    tsp: TSPSettings = section(TSPSettings)


META = {
    "instance": ("TSPLIB instance", "1"), "schedule": ("schedule family", "1"),
    "sweeps": ("sweeps per read (n move attempts each)", "1"),
    "city": ("position in the tour", "1"),
    "best_length": ("best tour length of the read", "distance units"),
    "optimum": ("proven optimal tour length (TSPLIB)", "distance units"),
    "excess": ("best length / optimum - 1", "1"),
    "median_excess": ("median over reads of best length / optimum - 1", "1"),
    "success": ("fraction of reads that reached the optimum", "1"),
    "success_lo": ("lower end of the 95% Wilson interval", "1"),
    "success_hi": ("upper end of the 95% Wilson interval", "1"),
    "tts99": ("sweeps to reach the optimum with probability 0.99", "sweeps"),
    "tts99_lo": ("TTS99 at the upper success bound", "sweeps"),
    "tts99_hi": ("TTS99 at the lower success bound", "sweeps"),
    "run_seconds": ("wall time of all reads of the setting", "s"),
    "temperature_hot": ("starting temperature of the schedules", "distance units"),
    "temperature_cold": ("final temperature of geometric and linear schedules", "distance units"),
    "best_tour": ("best tour found for the instance (-1 pads)", "1"),
    "city_x": ("x coordinate of the city at that tour position", "1"),
    "city_y": ("y coordinate of the city at that tour position", "1"),
}


def run(params, ctx):
    """Scan instances x schedules x sweeps."""
    t = params.tsp
    names, kinds = list(t.instances), list(t.schedules)
    sweeps = np.array(sorted(t.sweeps), dtype=np.int64)
    scans, optimum, hot, cold, coords = [], [], [], [], []
    for name in names:
        inst = load_tsplib(name)
        auto = default_temperature_range(inst, ctx.seed)
        scan = anneal_scan(inst, kinds, sweeps, t.reads, seed=ctx.seed, auto_range=auto,
                           algorithm=t.algorithm, p_two_opt=t.p_two_opt,
                           progress=ctx.progress)
        scans.append(scan)
        optimum.append(inst.optimum)
        hot.append(auto[0])
        cold.append(auto[1])
        coords.append(inst.coords[scan.best_state])
    n_max = max(len(c) for c in coords)
    best_length = np.array([s.best_energies for s in scans])
    opt = np.array(optimum)
    excess = best_length / opt[:, None, None, None] - 1
    reached = (best_length <= opt[:, None, None, None] + 1e-9).sum(axis=-1)
    lo, hi = wilson_interval(reached, t.reads)
    tts = np.empty(reached.shape)
    tts_lo, tts_hi = np.empty(reached.shape), np.empty(reached.shape)
    for a in range(len(names)):
        for b in range(len(kinds)):
            r = optimal_tts(sweeps, reached[a, b], np.full(sweeps.size, t.reads))
            tts[a, b], tts_lo[a, b], tts_hi[a, b] = r["tts"], r["tts_lo"], r["tts_hi"]

    def pad(rows, fill):
        return np.array([np.pad(np.asarray(x, dtype=float), (0, n_max - len(x)),
                                constant_values=fill) for x in rows])

    setting_dims = ("instance", "schedule", "sweeps")
    ds = xr.Dataset(
        {"best_length": (setting_dims + ("read",), best_length),
         "excess": (setting_dims + ("read",), excess),
         "median_excess": (setting_dims, np.median(excess, axis=-1)),
         "success": (setting_dims, reached / t.reads),
         "success_lo": (setting_dims, lo), "success_hi": (setting_dims, hi),
         "tts99": (setting_dims, tts), "tts99_lo": (setting_dims, tts_lo),
         "tts99_hi": (setting_dims, tts_hi),
         "run_seconds": (setting_dims, np.array([s.seconds for s in scans])),
         "optimum": ("instance", opt), "temperature_hot": ("instance", np.array(hot)),
         "temperature_cold": ("instance", np.array(cold)),
         "best_tour": (("instance", "city"), pad([s.best_state for s in scans], -1)
                       .astype(np.int64)),
         "city_x": (("instance", "city"), pad([xy[:, 0] for xy in coords], np.nan)),
         "city_y": (("instance", "city"), pad([xy[:, 1] for xy in coords], np.nan))},
        coords={"instance": names, "schedule": kinds, "sweeps": sweeps,
                "read": np.arange(t.reads), "city": np.arange(n_max)})
    ds.attrs.update(title="Simulated annealing of TSPLIB tours (2-opt + or-opt)",
                    algorithm=t.algorithm)
    return results.annotate(ds, META)


TASK = register(Task(
    name="tsp_annealing",
    description="TSPLIB tours annealed under geometric, linear and logarithmic schedules",
    config=TSPAnnealingConfig, run=run, warm_up=lambda params: warm_up(),
    figures=(Figure("tsp_annealing.png", figures.tsp_annealing),
             Figure("tsp_tours.png", figures.tsp_tours)),
    report=figures.summary))
