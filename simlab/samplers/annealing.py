"""Simulated annealing: many independent reads of a model under a temperature schedule.

``anneal(model, schedule, reads, seed)`` dispatches on the model: :class:`IsingGraph` (or an
:class:`IsingLattice`, converted to a graph), :class:`TSPInstance`, or :class:`Landscape`
(use :func:`anneal_landscape` to record the walkers' states). Each read has its own random
stream, ``SeedSequence(seed, spawn_key=("anneal", model name, read))``, and reads run in
parallel, so results are identical whatever the thread count.
"""

import time
from dataclasses import dataclass, field
from typing import Optional

import numba
import numpy as np

from simlab.errors import ConfigError
from simlab.kernels import annealing as kernels
from simlab.kernels import tsp as tsp_kernels
from simlab.models.graph import IsingGraph, from_edges
from simlab.models.landscape import Landscape
from simlab.models.lattice import IsingLattice
from simlab.models.tsp import TSPInstance
from simlab.rng import stream_states, validate_seed
from simlab.samplers.mcmc import SCANS
from simlab.samplers.rules import ALGORITHMS
from simlab.schedules import Schedule
from simlab.validation import choice, integer, number


@dataclass
class AnnealResult:
    """Reads of one annealing run.

    Attributes
    ----------
    energies, best_energies : float64[R]
        Final and best (checked after every sweep) energy of each read; tour lengths for TSP.
    states, best_states : ndarray, shape (R, N)
        Final and best configurations (int8 spins, or int32 tours).
    trajectory : float64[R, K] or None
        Energy after every ``record_every`` sweeps.
    record_sweeps : int64[K] or None
        The sweep counts of the trajectory columns.
    schedule : Schedule
    algorithm : str
    seed : int
    model_name : str
    wall_time : float
        Seconds, compilation excluded if the kernel was already compiled.
    spin_updates : int
        Number of update attempts, R * n_sweeps * N.
    """

    energies: np.ndarray
    best_energies: np.ndarray
    states: np.ndarray
    best_states: np.ndarray
    trajectory: Optional[np.ndarray]
    record_sweeps: Optional[np.ndarray]
    schedule: Schedule
    algorithm: str
    seed: int
    model_name: str
    wall_time: float = 0.0
    spin_updates: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def ns_per_update(self):
        """Wall time per update attempt in nanoseconds."""
        return 1e9 * self.wall_time / max(self.spin_updates, 1)

    def to_dataset(self):
        """Final and best energies per read (dim ``read``), the trajectory (``read``,
        ``step``), the schedule, and timings in attributes."""
        import xarray as xr

        ds = xr.Dataset({"final_energy": ("read", self.energies),
                         "best_energy": ("read", self.best_energies)},
                        coords={"read": np.arange(self.energies.size)})
        if self.trajectory is not None:
            ds["energy_trajectory"] = (("read", "sweep"), self.trajectory)
            ds = ds.assign_coords(sweep=self.record_sweeps)
        for name, (long_name, units) in {
                "final_energy": ("energy at the end of the schedule", "energy units"),
                "best_energy": ("lowest energy seen at the end of a sweep", "energy units"),
                "energy_trajectory": ("energy after the sweep", "energy units"),
                "read": ("independent read", "1"), "sweep": ("sweeps done", "1")}.items():
            if name in ds.variables:
                ds[name].attrs.update(long_name=long_name, units=units)
        ds.attrs.update(model=self.model_name, algorithm=self.algorithm, seed=self.seed,
                        schedule=self.schedule.describe(), wall_time_s=self.wall_time,
                        ns_per_update=self.ns_per_update)
        return ds


def lattice_as_graph(model):
    """An :class:`IsingLattice` as an :class:`IsingGraph` (each bond once)."""
    n = model.n_sites
    i = np.concatenate([np.arange(n), np.arange(n)])
    j = np.concatenate([model.neighbours[:, 0], model.neighbours[:, 2]])
    return from_edges(n, i, j, np.full(2 * n, model.coupling), np.full(n, model.field),
                      name=f"ising_lattice_{model.rows}x{model.cols}")


DENSE_MAX_SITES = 4096


def _is_dense(model):
    """Graphs more than half full (and small enough) use the kernel's dense row updates."""
    n = model.n_sites
    return n <= DENSE_MAX_SITES and model.n_edges > 0.25 * n * (n - 1)


def _setup(schedule, reads, seed, algorithm, record_every, threads):
    if not isinstance(schedule, Schedule):
        raise ConfigError("schedule", type(schedule).__name__, "a simlab.schedules.Schedule")
    reads = integer("reads", reads, 1)
    seed = validate_seed(seed)
    choice("algorithm", algorithm, ALGORITHMS)
    record_every = 0 if record_every is None else integer("record_every", record_every, 1)
    if threads is not None:
        numba.set_num_threads(min(integer("threads", threads, 1),
                                  numba.config.NUMBA_NUM_THREADS))
    n_records = schedule.n_sweeps // record_every if record_every else 0
    return reads, seed, record_every, n_records


def anneal(model, schedule, reads=100, seed=0, algorithm="metropolis", scan="sequential",
           record_every=None, threads=None, p_two_opt=0.5, initial=None):
    """Anneal ``reads`` independent random starts of ``model`` under ``schedule``.

    Parameters
    ----------
    model : IsingGraph, IsingLattice or TSPInstance
    schedule : Schedule
    reads : int
    seed : int
    algorithm : {"metropolis", "heatbath"}
    scan : {"sequential", "random"}
        Site order within an Ising sweep.
    record_every : int, optional
        Record the energy every this many sweeps.
    threads : int, optional
        Numba threads; the results do not depend on it.
    p_two_opt : float
        TSP: probability that a move is 2-opt (else or-opt).
    initial : int8[R, N], optional
        Ising: start from these configurations instead of random ones.

    Returns
    -------
    AnnealResult
    """
    reads, seed, record_every, n_records = _setup(schedule, reads, seed, algorithm,
                                                  record_every, threads)
    heat_bath = algorithm == "heatbath"
    if isinstance(model, IsingLattice):
        model = lattice_as_graph(model)
    states = stream_states(seed, ("anneal", getattr(model, "name", "model")), reads)
    trajectory = np.zeros((reads, n_records))
    t = np.ascontiguousarray(schedule.temperatures)
    if isinstance(model, IsingGraph):
        choice("scan", scan, SCANS)
        n = model.n_sites
        spins = np.ones((reads, n), dtype=np.int8)
        if initial is not None:
            spins[:] = np.asarray(initial, dtype=np.int8).reshape(reads, n)
        best = np.empty_like(spins)
        final_e, best_e = np.empty(reads), np.empty(reads)
        dense = (model.sparse_matrix().toarray() if _is_dense(model) else np.zeros((0, 0)))
        start = time.perf_counter()
        kernels.anneal_ising(model.indptr, model.indices, model.couplings, model.fields, dense, t,
                             schedule.sweeps_per_step, heat_bath, scan == "random",
                             initial is None, states, spins, best, final_e, best_e,
                             record_every, trajectory)
    elif isinstance(model, TSPInstance):
        n = model.n_cities
        p = number("p_two_opt", p_two_opt)
        if not 0 <= p <= 1:
            raise ConfigError("p_two_opt", p_two_opt, "a probability in [0, 1]")
        spins = np.empty((reads, n), dtype=np.int32)
        best = np.empty_like(spins)
        final_e, best_e = np.empty(reads), np.empty(reads)
        start = time.perf_counter()
        tsp_kernels.anneal_tours(np.ascontiguousarray(model.distances, dtype=np.float64), t,
                                 schedule.sweeps_per_step, heat_bath, p, states, spins, best,
                                 final_e, best_e, record_every, trajectory)
    else:
        raise ConfigError("model", type(model).__name__,
                          "an IsingGraph, IsingLattice or TSPInstance (landscapes: "
                          "anneal_landscape)")
    wall = time.perf_counter() - start
    record = (np.arange(1, n_records + 1) * record_every) if n_records else None
    return AnnealResult(final_e, best_e, spins, best, trajectory if n_records else None,
                        record, schedule, algorithm, seed, model.name, wall,
                        reads * schedule.n_sweeps * n)


def anneal_landscape(landscape, schedule, reads, record_steps, seed=0, algorithm="metropolis",
                     start=0):
    """States of ``reads`` walkers on a landscape after each of ``record_steps`` steps.

    One step is one proposal (``schedule.sweeps_per_step`` proposals per temperature).

    Returns
    -------
    int32[R, len(record_steps)]
    """
    if not isinstance(landscape, Landscape):
        raise ConfigError("landscape", type(landscape).__name__, "a Landscape")
    reads, seed, _, _ = _setup(schedule, reads, seed, algorithm, None, None)
    steps = _record_steps(record_steps, schedule)
    start = integer("start", start, 0, landscape.n_states - 1)
    states = stream_states(seed, ("anneal_landscape", landscape.n_states), reads)
    out = np.empty((reads, steps.size), dtype=np.int32)
    kernels.anneal_landscape(landscape.energies, landscape.indptr, landscape.indices,
                             landscape.max_degree, np.ascontiguousarray(schedule.temperatures),
                             schedule.sweeps_per_step, algorithm == "heatbath", states,
                             np.full(reads, start, dtype=np.int64), steps, out)
    return out


def _record_steps(record_steps, schedule):
    steps = np.asarray(record_steps, dtype=np.int64).ravel()
    if steps.size == 0 or np.any(np.diff(steps) <= 0) or steps[0] < 0 \
            or steps[-1] > schedule.n_sweeps:
        raise ConfigError("record_steps", list(steps[:5]),
                          f"increasing step counts in 0..{schedule.n_sweeps}")
    return steps


def default_temperature_range(model, seed=0):
    """(T_hot, T_cold) for annealing ``model``, from the scale of its energy changes.

    Ising graphs (the rule of dwave-samplers' default range): at T_hot the largest possible
    single-flip energy increase is accepted with probability 1/2; at T_cold the smallest
    non-zero one with probability 1/100. TSP: the same with the 90th percentile and the
    smallest positive length change of 2,000 random 2-opt moves on a random tour.
    """
    if isinstance(model, IsingLattice):
        model = lattice_as_graph(model)
    if isinstance(model, IsingGraph):
        return model.max_abs_delta() / np.log(2.0), model.min_abs_delta() / np.log(100.0)
    if isinstance(model, TSPInstance):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
        tour = rng.permutation(model.n_cities).astype(np.int32)
        deltas = []
        for _ in range(2000):
            i, j = sorted(rng.choice(model.n_cities, 2, replace=False))
            if j - i >= 2 and not (i == 0 and j == model.n_cities - 1):
                deltas.append(tsp_kernels.two_opt_delta(model.distances, tour, i, j))
        d = np.abs(np.array(deltas))
        d = d[d > 0]
        return float(np.quantile(d, 0.9) / np.log(2.0)), float(d.min() / np.log(100.0))
    raise ConfigError("model", type(model).__name__, "an IsingGraph, IsingLattice or TSPInstance")
