"""Anneal your own problem: a generated spin glass, an edge-list file or a TSPLIB instance.

``simlab task=anneal anneal.problem=edge_list anneal.path=my_model.txt schedule=geometric``
writes the reads (final and best energy, best state), the energy trajectories and the
schedule.
"""

from dataclasses import dataclass
from typing import Optional

import numpy as np

from simlab.errors import ConfigError
from simlab.models import graph, tsp
from simlab.rules import ALGORITHMS, SCANS
from simlab.samplers.annealing import (
    KERNELS,
    NEAR_FROM,
    TSP_MOVES,
    anneal,
    default_temperature_range,
    warm_up,
)
from simlab.samplers.multispin import MODES
from simlab.schedules import ScheduleConfig
from simlab.schema import check_path, section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.anneal import figures

PROBLEMS = ("ea2d", "ea3d", "sk", "rrg", "edge_list", "tsplib")


@dataclass
class AnnealProblem:
    """The problem to anneal and how many reads."""

    problem: str = setting("ea2d", choices=PROBLEMS, doc="what to anneal")
    size: int = setting(32, minimum=2, doc="L for ea2d/ea3d, N for sk/rrg")
    degree: int = setting(3, minimum=1, doc="degree of the random regular graph (rrg)")
    disorder: str = setting("pm", choices=graph.DISORDERS, doc="couplings +-J or Gaussian")
    instance_seed: int = setting(0, minimum=0,
                                 doc="which disorder instance (independent of seed)")
    path: Optional[str] = setting(None, doc="edge_list: the file; tsplib: a shipped name "
                                            "or a .tsp file (null: berlin52)")
    reads: int = setting(32, minimum=1, doc="independent reads")
    algorithm: str = setting("metropolis", choices=ALGORITHMS, doc="acceptance rule")
    scan: str = setting("sequential", choices=SCANS, doc="site order within a sweep")
    record_every: Optional[int] = setting(
        10, minimum=1, doc="sweeps between recorded energies (null: no trajectory)")
    kernel: str = setting("auto", choices=KERNELS,
                          doc="Ising kernel; auto: multi-spin (64 reads per word) where it "
                              "applies (couplings +-c, fields 0 or +-c, sequential scan, "
                              "16+ reads), else simd (reads as SIMD lanes) on sparse "
                              "graphs, else scalar")
    multispin_mode: str = setting("independent", choices=MODES,
                                  doc="multi-spin: independent reads or shared random numbers")
    moves: str = setting("auto", choices=TSP_MOVES,
                         doc="TSP moves: all (uniform positions, exact law at fixed T), "
                             f"near (nearest-neighbour lists); auto: near from {NEAR_FROM} "
                             "cities")
    near: int = setting(16, minimum=1, doc="TSP: nearest cities per city for moves=near")

    def check(self, key):
        # A damaged file is refused here, before any work (and before a sweep starts).
        if self.problem == "edge_list":
            if not self.path:
                raise ConfigError(f"{key}.path", self.path, "the edge-list file to anneal")
            check_path(f"{key}.path", self.path)
            graph.read_edge_list(self.path)
        if self.problem == "tsplib" and self.path and self.path not in tsp.SHIPPED:
            check_path(f"{key}.path", self.path)
            tsp.read_tsplib(self.path)
        if self.problem in ("ea2d", "ea3d") and self.size < 3:
            raise ConfigError(f"{key}.size", self.size, "an integer >= 3 (periodic lattice)")

    def build(self):
        """The model this section describes."""
        if self.problem in ("ea2d", "ea3d"):
            return graph.edwards_anderson(self.size, 2 if self.problem == "ea2d" else 3,
                                          self.disorder, self.instance_seed)
        if self.problem == "sk":
            return graph.sherrington_kirkpatrick(self.size, self.instance_seed,
                                                 "gaussian" if self.disorder == "gaussian"
                                                 else "pm")
        if self.problem == "rrg":
            return graph.random_regular(self.size, self.degree, self.instance_seed,
                                        self.disorder)
        if self.problem == "edge_list":
            return graph.read_edge_list(self.path)
        if self.path is None or self.path in tsp.SHIPPED:
            return tsp.load_tsplib(self.path or "berlin52")
        return tsp.read_tsplib(self.path)


@dataclass
class AnnealConfig:
    """Sections of the anneal task."""

    anneal: AnnealProblem = section(AnnealProblem)
    schedule: ScheduleConfig = section(ScheduleConfig)


def run(params, ctx):
    """Anneal; the Dataset holds the reads (dim ``read``) and the schedule (dim ``step``)."""
    a = params.anneal
    model = a.build()
    schedule = params.schedule.build(default_temperature_range(model, ctx.seed))
    res = anneal(model, schedule, reads=a.reads, seed=ctx.seed, algorithm=a.algorithm,
                 scan=a.scan, record_every=a.record_every, kernel=a.kernel,
                 multispin_mode=a.multispin_mode, moves=a.moves, near=a.near,
                 progress=ctx.progress)
    ds = res.to_dataset()
    if isinstance(model, tsp.TSPInstance):  # the best read's tour, drawn by the report
        tour = ds["best_state"].values[int(np.argmin(ds["best_energy"].values))]
        for k, axis in enumerate("xy"):
            ds[f"city_{axis}"] = ("city", model.coords[tour, k].astype(np.float64), {
                "long_name": f"{axis} coordinate of the city at that position of the best "
                             "read's tour", "units": "1"})
    ds.attrs["title"] = f"Simulated annealing of {model.name}: {schedule.describe()}"
    return ds


TASK = register(Task(
    name="anneal", description="anneal a spin glass, an edge-list file or a TSPLIB instance",
    config=AnnealConfig, run=run, warm_up=lambda params: warm_up(),
    figures=(Figure("annealing.png", figures.annealing_run),), report=figures.report,
    groups={"schedule": "geometric"}))
