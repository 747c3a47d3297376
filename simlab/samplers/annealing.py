"""Simulated annealing: many independent reads of a model under a temperature schedule.

``anneal(model, schedule, reads, seed)`` dispatches on the model: :class:`IsingGraph` (or an
:class:`IsingLattice`, converted to a graph) or :class:`TSPInstance` (walkers on small
landscapes: :mod:`simlab.samplers.landscape`). Each read has its own random
stream, ``derive(seed, "anneal", model name, read)``, and reads run in parallel, so results
are identical whatever the thread count. :func:`anneal_scan` anneals one model under several
schedule families and lengths (the scan of the annealing experiments).
"""

import time
from dataclasses import dataclass, field
from typing import Optional

import numba
import numpy as np

from simlab import schedules
from simlab.errors import ConfigError
from simlab.kernels import annealing as kernels
from simlab.kernels import lanes, single_spin
from simlab.kernels import multispin as kernels_multispin
from simlab.kernels import tsp as tsp_kernels
from simlab.models.graph import IsingGraph, from_edges
from simlab.models.lattice import IsingLattice
from simlab.models.tsp import TSPInstance
from simlab.results import Result
from simlab.rng import generator, stream_states, validate_seed
from simlab.rules import ALGORITHMS, KERNELS, SCANS
from simlab.samplers import multispin
from simlab.samplers.progress import kernel_progress, progress_bar
from simlab.schedules import Schedule
from simlab.validation import choice, integer, number

#: TSP move proposals of :func:`anneal`, and the size from which "auto" picks "near".
TSP_MOVES = ("auto", "all", "near")
NEAR_FROM = 150
#: Reads per block of the simd kernel (lanes of one SIMD loop); "auto" picks it from
#: SIMD_FROM_READS reads on graphs of degree at most SIMD_MAX_DEGREE.
LANES = 64
SIMD_FROM_READS = 32
SIMD_MAX_DEGREE = 16
#: "auto" runs the multi-spin kernel from this many reads (a word of 64 replicas costs the
#: same for 16 reads as for 64, and is still faster per read than the simd kernel).
MULTISPIN_FROM_READS = 16


@dataclass
class AnnealResult(Result):
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

    META = {"final_energy": ("energy at the end of the schedule", "energy units"),
            "best_energy": ("lowest energy seen at the end of a sweep", "energy units"),
            "energy_trajectory": ("energy after the sweep", "energy units"),
            "best_state": ("best configuration of the read (spins, or a tour)", "1"),
            "ns_per_update": ("wall time per update attempt", "ns"),
            "run_seconds": ("wall time of all reads", "s"),
            "sweep": ("sweeps done", "1")}

    def to_dataset(self):
        """Final and best energies and best states per read, the energy trajectory (read,
        sweep) if recorded, and the schedule (dim ``step``)."""
        data = {"final_energy": ("read", self.energies),
                "best_energy": ("read", self.best_energies),
                "best_state": (("read", "site"), self.best_states),
                "ns_per_update": ((), self.ns_per_update),
                "run_seconds": ((), self.wall_time)}
        coords = {"read": np.arange(self.energies.size),
                  "site": np.arange(self.best_states.shape[1])}
        if self.trajectory is not None:
            data["energy_trajectory"] = (("read", "sweep"), self.trajectory)
            coords["sweep"] = self.record_sweeps
        ds = self._dataset(data, coords, model=self.model_name, algorithm=self.algorithm,
                           seed=self.seed, schedule=self.schedule.describe(),
                           **{k: v for k, v in self.extra.items() if isinstance(v, str)})
        return ds.merge(self.schedule.to_dataset(), combine_attrs="no_conflicts")


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
           record_every=None, threads=None, p_two_opt=0.5, initial=None, kernel="auto",
           multispin_mode="independent", moves="auto", near=16, progress=False):
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
    moves : {"auto", "all", "near"}
        TSP: "all" draws move positions uniformly (symmetric proposal: at fixed T the tours
        follow the Boltzmann law); "near" draws a city and one of its ``near`` nearest
        cities and proposes the move that joins them (a sweep of n attempts costs O(n) plus
        the applied moves; not symmetric, so a minimiser rather than a sampler). "auto":
        "near" from 150 cities on. ``extra["moves"]`` says which ran.
    near : int
        TSP: neighbours per city for ``moves="near"`` (at most n - 1).
    initial : int8[R, N], optional
        Ising: start from these configurations instead of random ones.
    kernel : {"auto", "scalar", "multispin", "simd"}
        Ising: "multispin" runs 64 reads per 64-bit word (:mod:`simlab.kernels.multispin`;
        couplings +-c and fields 0 or +-c only, sequential scan; energies are counted
        bit-parallel, and since a count costs about as much as a sweep, the best state is
        checked at the recorded sweeps and the last when ``record_every`` is given, after
        every sweep otherwise). "simd" runs blocks of 64 reads as SIMD lanes
        (:mod:`simlab.kernels.lanes`; any couplings, sequential scan). "auto" picks
        multispin when the model and options allow and ``reads >= 16``, else simd for
        sparse graphs (degree <= 16) with ``reads >= 32`` and sequential scan, else scalar.
        The result's ``extra["kernel"]`` says which ran.
    multispin_mode : {"independent", "shared"}
        "independent": every read has its own random bits (independent reads, the exact law
        of the scalar kernel). "shared": one random number per site decides for all reads
        of the run, as the fast annealing codes do: faster, every read follows the exact chain,
        but the reads are correlated and can coincide.
    progress : bool or tqdm
        Show a bar over the schedule's sweeps (the reads' average), or advance this bar
        (:func:`anneal_scan` shares one across its runs). The results do not depend on it.

    Returns
    -------
    AnnealResult
    """
    bar = progress if hasattr(progress, "update") else None
    if progress and bar is None:
        total = schedule.n_sweeps if isinstance(schedule, Schedule) else 0
        with progress_bar(total, f"annealing {reads} reads", True) as bar:
            return anneal(model, schedule, reads, seed, algorithm, scan, record_every, threads,
                          p_two_opt, initial, kernel, multispin_mode, moves, near, bar)
    reads, seed, record_every, n_records = _setup(schedule, reads, seed, algorithm,
                                                  record_every, threads)
    heat_bath = algorithm == "heatbath"
    if isinstance(model, IsingLattice):
        model = lattice_as_graph(model)
    choice("kernel", kernel, KERNELS)
    choice("multispin_mode", multispin_mode, multispin.MODES)
    if isinstance(model, IsingGraph):
        use, why = multispin_choice(model, kernel, reads, scan)
        if use:
            return anneal_multispin(model, schedule, reads, seed, algorithm, multispin_mode,
                                    record_every, initial, best_every=record_every or 1,
                                    bar=bar)
        if kernel == "multispin":
            raise ConfigError("kernel", kernel, f"a kernel this run allows: {why}")
        if kernel == "simd" and scan != "sequential":
            raise ConfigError("kernel", kernel, f"'scalar' or 'auto' with scan={scan!r} (the "
                              "simd kernel scans sequentially)")
        if kernel == "auto" and _simd_suits(model, reads, scan):
            kernel = "simd"
    elif kernel in ("multispin", "simd"):
        raise ConfigError("kernel", kernel, "'scalar' or 'auto' for a TSP instance")
    if isinstance(model, TSPInstance):
        moves = choice("moves", moves, TSP_MOVES)
        if moves == "auto":
            moves = "near" if model.n_cities >= NEAR_FROM else "all"
        if moves == "near":
            near = integer("near", near, 1)
            if model.n_cities < 8 or near > model.n_cities - 1:
                raise ConfigError("near", near, f"1 to n - 1 = {model.n_cities - 1} "
                                  "neighbours, with at least 8 cities for moves='near'")
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
        if kernel == "simd":
            if initial is None:
                single_spin.randomize(spins, states)
            width = _lanes_per_block(reads)
            start = time.perf_counter()
            with kernel_progress(bar, -(-reads // width), reads) as done:
                lanes.anneal_lanes(model.indptr, model.indices, model.couplings, model.fields,
                                   t, schedule.sweeps_per_step, heat_bath, states, spins, best,
                                   record_every, trajectory, width, done)
            final_e, best_e = model.energy(spins), model.energy(best)
            # The kernel tracks energies by accumulation; exact recomputation decides ties.
            better = final_e < best_e
            best[better], best_e[better] = spins[better], final_e[better]
        else:
            dense = (model.sparse_matrix().toarray() if _is_dense(model)
                     else np.zeros((0, 0)))
            start = time.perf_counter()
            with kernel_progress(bar, reads, reads) as done:
                kernels.anneal_ising(model.indptr, model.indices, model.couplings,
                                     model.fields, dense, t, schedule.sweeps_per_step,
                                     heat_bath, scan == "random", initial is None, states,
                                     spins, best, final_e, best_e, record_every, trajectory,
                                     done)
    elif isinstance(model, TSPInstance):
        n = model.n_cities
        p = number("p_two_opt", p_two_opt)
        if not 0 <= p <= 1:
            raise ConfigError("p_two_opt", p_two_opt, "a probability in [0, 1]")
        spins = np.empty((reads, n), dtype=np.int32)
        best = np.empty_like(spins)
        final_e, best_e = np.empty(reads), np.empty(reads)
        dist = np.ascontiguousarray(model.distances, dtype=np.float64)
        if moves == "near":
            lists = nearest_cities(dist, near)
            start = time.perf_counter()
            with kernel_progress(bar, reads, reads) as done:
                tsp_kernels.anneal_tours_near(dist, lists, t, schedule.sweeps_per_step,
                                              heat_bath, p, states, spins, best, final_e,
                                              best_e, record_every, trajectory, done)
        else:
            start = time.perf_counter()
            with kernel_progress(bar, reads, reads) as done:
                tsp_kernels.anneal_tours(dist, t, schedule.sweeps_per_step, heat_bath, p,
                                         states, spins, best, final_e, best_e, record_every,
                                         trajectory, done)
    else:
        raise ConfigError("model", type(model).__name__,
                          "an IsingGraph, IsingLattice or TSPInstance (landscapes: "
                          "anneal_landscape)")
    wall = time.perf_counter() - start
    record = (np.arange(1, n_records + 1) * record_every) if n_records else None
    extra = {"kernel": "simd" if kernel == "simd" else "scalar"}
    if isinstance(model, TSPInstance):
        extra["moves"] = moves if moves == "all" else f"near ({near} nearest cities)"
    return AnnealResult(final_e, best_e, spins, best, trajectory if n_records else None,
                        record, schedule, algorithm, seed, model.name, wall,
                        reads * schedule.n_sweeps * n, extra=extra)


def nearest_cities(distances, k):
    """int32[n, k]: the k nearest other cities of each city, nearest first (ties by index)."""
    d = np.array(distances, dtype=np.float64)
    np.fill_diagonal(d, np.inf)
    return np.argsort(d, axis=1, kind="stable")[:, :k].astype(np.int32)


def _lanes_per_block(reads):
    """Lanes per simd block: up to LANES, fewer so that every thread gets a block (a read's
    result does not depend on its block)."""
    share = -(-reads // max(1, numba.get_num_threads()))
    return int(min(LANES, max(8, -(-share // 8) * 8)))


def _simd_suits(model, reads, scan):
    """Whether "auto" runs the simd kernel: sequential scan, a block's worth of reads, and a
    sparse graph (it recomputes each local field from the row; on dense rows the scalar
    kernel's updates on accepted flips are cheaper)."""
    degree = np.diff(model.indptr)
    return (scan == "sequential" and reads >= SIMD_FROM_READS and model.n_sites > 0
            and int(degree.max()) <= SIMD_MAX_DEGREE)


def multispin_choice(model, kernel, reads, scan):
    """(whether to run the multi-spin kernel, why not)."""
    if kernel in ("scalar", "simd"):
        return False, f"{kernel} requested"
    why = multispin.unsupported(model)
    if not why and scan != "sequential":
        why = f"scan={scan!r} (the multi-spin kernel scans sequentially)"
    if not why and kernel == "auto" and reads < MULTISPIN_FROM_READS:
        why = f"reads={reads} < {MULTISPIN_FROM_READS}"
    return not why, why


def anneal_multispin(model, schedule, reads, seed, algorithm, mode, record_every=0,
                     initial=None, streams=None, best_every=1, bar=None):
    """:func:`anneal` on the multi-spin kernel (no checks: see :func:`anneal`).

    Read r is replica r % 64 of word r // 64, with the streams keyed ("anneal-multispin",
    model name, mode) or ``streams`` (:func:`simlab.samplers.multispin.word_streams`).
    Each read's energy is counted after every ``best_every``-th sweep and after the last,
    and its best state is the lowest of those; ``record_every`` (a multiple of
    ``best_every``, or 0) sets the trajectory. ``bar`` (tqdm) is advanced over the
    schedule's sweeps.
    """
    n_words = -(-reads // 64)
    packed = None
    if initial is not None:
        packed = np.zeros((model.n_sites, n_words), dtype=np.uint64)
        kernels_multispin.pack(np.asarray(initial, dtype=np.int8).reshape(reads, -1), packed)
    run = multispin.anneal_words(
        model, schedule.temperatures, schedule.sweeps_per_step, n_words, seed,
        ("anneal-multispin", model.name, mode), algorithm == "heatbath", mode,
        initial=packed, record_every=record_every, check_every=best_every, streams=streams,
        bar=bar)
    spins = multispin.replica_spins(run.final, reads)
    best = multispin.replica_spins(run.best, reads)
    trajectory = None if run.trajectory is None else run.trajectory[:reads]
    n_records = 0 if trajectory is None else trajectory.shape[1]
    record = (np.arange(1, n_records + 1) * record_every) if n_records else None
    return AnnealResult(model.energy(spins), model.energy(best), spins, best, trajectory,
                        record, schedule, algorithm, seed, model.name, run.wall,
                        64 * n_words * schedule.n_sweeps * model.n_sites,
                        extra={"kernel": "multispin", "multispin_mode": mode})


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
        rng = generator(seed, "tsp_temperature_range", model.name)
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


@dataclass
class AnnealScan(Result):
    """One model annealed under several schedule families and lengths (:func:`anneal_scan`).

    Attributes
    ----------
    best_energies : float64[F, S, R]
        Best energy of each read per schedule family and number of sweeps.
    seconds : float64[F, S]
        Wall time of the reads of each setting.
    kinds : list of str
    sweeps : int64[S]
    best_state : ndarray
        The best configuration over the whole scan.
    model_name : str
    seed : int
    """

    best_energies: np.ndarray
    seconds: np.ndarray
    kinds: list
    sweeps: np.ndarray
    best_state: np.ndarray
    model_name: str
    seed: int

    META = {"best_energy": ("best energy of the read", "energy units"),
            "run_seconds": ("wall time of all reads of the setting", "s"),
            "schedule": ("schedule family", "1"),
            "sweeps": ("sweeps per read", "1")}

    def to_dataset(self):
        """``best_energy`` (schedule, sweeps, read) and ``run_seconds`` (schedule, sweeps)."""
        return self._dataset(
            {"best_energy": (("schedule", "sweeps", "read"), self.best_energies),
             "run_seconds": (("schedule", "sweeps"), self.seconds)},
            {"schedule": list(self.kinds), "sweeps": self.sweeps,
             "read": np.arange(self.best_energies.shape[-1])},
            model=self.model_name, seed=self.seed)


def anneal_scan(model, kinds, sweeps, reads, seed=0, auto_range=None, progress=False,
                **kwargs):
    """Anneal ``model`` under each schedule family and total length, one temperature step per
    sweep, from the problem's T_hot to T_cold.

    Parameters
    ----------
    model : IsingGraph, IsingLattice or TSPInstance
    kinds : sequence of str
        Schedule families (see :data:`simlab.schedules.KINDS`).
    sweeps : sequence of int
        Sweeps per read (= temperature steps).
    reads : int
    seed : int
        Reads use the streams of :func:`anneal`; every setting starts from the same random
        configurations (common random numbers).
    auto_range : (float, float), optional
        (T_hot, T_cold); :func:`default_temperature_range` if omitted.
    progress : bool
        One bar over the sweeps of every setting.
    **kwargs
        Passed to :func:`anneal` (``algorithm``, ``p_two_opt``, ``threads``, ...).

    Returns
    -------
    AnnealScan
    """
    kinds = [choice("schedule", k, schedules.KINDS) for k in kinds]
    sweeps = np.array(sorted(integer("sweeps", int(n), 1) for n in sweeps), dtype=np.int64)
    auto = auto_range if auto_range is not None else default_temperature_range(model, seed)
    best = np.empty((len(kinds), sweeps.size, integer("reads", reads, 1)))
    seconds = np.empty((len(kinds), sweeps.size))
    best_energy, best_state = np.inf, None
    with progress_bar(len(kinds) * int(sweeps.sum()),
                   f"annealing {reads} reads x {len(kinds) * sweeps.size} settings",
                   progress) as bar:
        for b, kind in enumerate(kinds):
            for c, n in enumerate(sweeps):
                sched = schedules.from_config({"kind": kind}, n_steps=int(n),
                                              auto_range=auto)
                res = anneal(model, sched, reads=reads, seed=seed, progress=bar, **kwargs)
                best[b, c] = res.best_energies
                seconds[b, c] = res.wall_time
                k = int(np.argmin(res.best_energies))
                if res.best_energies[k] < best_energy:
                    best_energy, best_state = res.best_energies[k], res.best_states[k].copy()
    return AnnealScan(best, seconds, kinds, sweeps, best_state, getattr(model, "name", "model"),
                      seed)


def warm_up():
    """Compile the annealing kernels (Ising graphs, dense rows, multi-spin words of the
    narrowest width in both modes, simd lanes, tours with both move sets, landscapes)."""
    from simlab.models.landscape import hajek_landscape
    from simlab.samplers.landscape import anneal_landscape

    anneal(from_edges(3, [0, 1, 2], [1, 2, 0], [1.0, -1.0, 1.0]), schedules.constant(1.0, 1),
           reads=1)
    for mode in multispin.MODES:
        anneal(lattice_as_graph(IsingLattice(3)), schedules.constant(1.0, 1), reads=64,
               kernel="multispin", multispin_mode=mode)
    anneal(lattice_as_graph(IsingLattice(3)), schedules.constant(1.0, 1), reads=8,
           kernel="simd")
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.5, 2.0], [2.0, 0.0],
                   [2.0, 1.0], [2.0, 2.0]])
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    for moves in ("all", "near"):
        anneal(TSPInstance("warm_up", xy, dist), schedules.constant(1.0, 1), reads=1,
               moves=moves, near=3)
    anneal_landscape(hajek_landscape(1.0), schedules.logarithmic(1.0, 2), 1, [0, 2])
