"""Anneal your own problem: a generated spin glass, an edge-list file or a TSPLIB instance.

``simlab task=anneal anneal.problem=edge_list anneal.path=my_model.txt schedule=geometric``
writes the reads (final and best energy), the energy trajectories and the schedule.
"""

import time

import numpy as np
import xarray as xr

from simlab import plots, schedules
from simlab.models import graph, tsp
from simlab.samplers.annealing import anneal, default_temperature_range
from simlab.tasks._output import publish


def build_problem(a):
    """The model an ``anneal`` config node describes."""
    if a.problem in ("ea2d", "ea3d"):
        return graph.edwards_anderson(a.size, 2 if a.problem == "ea2d" else 3, a.disorder,
                                      a.instance_seed)
    if a.problem == "sk":
        return graph.sherrington_kirkpatrick(a.size, a.instance_seed,
                                             "gaussian" if a.disorder == "gaussian" else "pm")
    if a.problem == "rrg":
        return graph.random_regular(a.size, a.degree, a.instance_seed, a.disorder)
    if a.problem == "edge_list":
        return graph.read_edge_list(a.path)
    if a.path in tsp.SHIPPED:
        return tsp.load_tsplib(a.path)
    return tsp.read_tsplib(a.path or "berlin52")


def warm_up(cfg):
    """Compile the annealing kernels on tiny problems."""
    from simlab.models.tsp import TSPInstance

    anneal(graph.edwards_anderson(3), schedules.constant(1.0, 1), reads=1)
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.5, 2.0]])
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    anneal(TSPInstance("warm_up", xy, dist), schedules.constant(1.0, 1), reads=1)


def run(cfg, output_dir):
    """Anneal, save the Dataset and the figure, print a summary."""
    start = time.perf_counter()
    a = cfg.anneal
    model = build_problem(a)
    schedule = schedules.from_config(cfg.schedule, auto_range=default_temperature_range(model))
    res = anneal(model, schedule, reads=a.reads, seed=cfg.seed, algorithm=a.algorithm,
                 scan=a.scan, record_every=a.record_every, threads=cfg.sampler.threads)
    ds = xr.merge([res.to_dataset(), schedule.to_dataset()], combine_attrs="no_conflicts")
    best = int(np.argmin(res.best_energies))
    ds["best_state"] = ("site", res.best_states[best])
    ds["best_state"].attrs.update(long_name="best configuration (spins, or a tour)", units="1")
    ds["site"] = np.arange(res.best_states.shape[1])
    ds["site"].attrs.update(long_name="site (or tour position)", units="1")
    return publish(
        ds, cfg, start, output_dir, f"Simulated annealing of {model.name}: {schedule.describe()}",
        figures=[(plots.annealing_run, "annealing.png")],
        report=lambda d: (
            f"{model.name}: {schedule.describe()}, {a.reads} reads ({a.algorithm})\n"
            f"best energy {res.best_energies.min():.6g}; final energy mean "
            f"{res.energies.mean():.6g} ± {res.energies.std(ddof=1) / np.sqrt(a.reads):.2g}; "
            f"{res.ns_per_update:.2f} ns per update"))
