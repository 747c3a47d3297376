"""The multi-spin coded kernel (64 replicas per word): annealing and lattice sampling.

A model qualifies when every coupling is +-c and every field is 0 or +-c for one c > 0
(+-J spin glasses, ferromagnets, Max-Cut) and no site has more than 15 bonds:
:func:`unsupported` says why not, :func:`bit_graph` builds
the kernel's tables, and :func:`anneal_words` is what
:func:`simlab.samplers.annealing.anneal` runs for ``kernel="multispin"``. For lattice Ising
models (uniform J, field 0 or +-J) :func:`lattice_unsupported` and :func:`lattice_bit_graph`
do the same, and :func:`simlab.samplers.mcmc.sample_lattice` runs
:func:`simlab.kernels.multispin.sample_words` with the chains as replicas.
"""

import time
from dataclasses import dataclass
from typing import Optional

import numba
import numpy as np

from simlab.errors import ConfigError
from simlab.kernels import multispin as kernels
from simlab.models.lattice import IsingLattice
from simlab.rng import stream_states
from simlab.samplers.progress import kernel_progress

MODES = ("shared", "independent")
MAX_DEGREE = 15  # the bit-sliced counter has 4 planes
WIDTHS = (4, 6, 8, MAX_DEGREE)


def coupling_scale(model):
    """The scale c of a model whose couplings are +-c and fields 0 or +-c.

    Parameters
    ----------
    model : IsingGraph

    Returns
    -------
    (float or None, str)
        c (None if the model does not qualify) and the reason it does not ("" if it does).
    """
    values = np.abs(np.concatenate([model.couplings, model.fields[model.fields != 0]]))
    if values.size == 0:
        return 1.0, ""
    c = float(values[0])
    if c == 0 or not np.all(values == c):
        return None, ("couplings and fields are not all +-c (or 0 for fields) for one c; "
                      f"|values| range over [{values.min():g}, {values.max():g}]")
    return c, ""



def _degrees(model):
    """int64[N]: bonds at each site, a field counted as one."""
    return (np.diff(model.indptr) + (model.fields != 0)).astype(np.int64)


def unsupported(model):
    """Why the multi-spin kernel cannot run ``model`` ("" if it can)."""
    c, why = coupling_scale(model)
    if c is None:
        return why
    largest = int(_degrees(model).max()) if model.n_sites else 0
    if largest > MAX_DEGREE:
        return (f"a site has {largest} bonds (field included); the multi-spin kernel takes at "
                f"most {MAX_DEGREE}")
    return ""


def bit_graph(model):
    """The model's bonds and fields as the padded tables the kernels read.

    Returns
    -------
    dict with neighbours (int64[N, D]), signs (uint64[N, D]), degree (int64[N]), slots
    (tuple of D zeros) and scale (float); see :func:`simlab.kernels.multispin.anneal_words`.
    """
    why = unsupported(model)
    if why:
        raise ConfigError("model", model.name, f"a model for the multi-spin kernel: {why}")
    c, _ = coupling_scale(model)
    n = model.n_sites
    has_field = model.fields != 0
    degree = _degrees(model)
    largest = int(degree.max()) if n else 0
    # The kernel is compiled once per table width: pad to one of a few (2D, 3D lattices).
    width = next(w for w in WIDTHS if w >= largest)
    ones = kernels.ALL_ONES
    neighbours = np.repeat(np.arange(n, dtype=np.int64)[:, None], width, axis=1)
    signs = np.zeros((n, width), dtype=np.uint64)
    for i in range(n):
        lo, hi = model.indptr[i], model.indptr[i + 1]
        neighbours[i, : hi - lo] = model.indices[lo:hi]
        signs[i, : hi - lo] = np.where(model.couplings[lo:hi] < 0, ones, 0)
        if has_field[i]:
            neighbours[i, hi - lo] = n
            signs[i, hi - lo] = ones if model.fields[i] < 0 else 0
    return {"neighbours": neighbours, "signs": signs, "degree": degree,
            "slots": (0,) * width, "scale": c}


def lattice_unsupported(model, algorithm, scan):
    """Why the multi-spin kernel cannot sample ``model`` with this rule and scan ("" if it
    can): it takes Ising lattices whose field is 0 or +-J, single-site rules, sequential
    scan."""
    if not isinstance(model, IsingLattice):
        return "the model is not an Ising lattice"
    if algorithm not in ("metropolis", "heatbath"):
        return f"algorithm {algorithm!r} is not a single-site rule"
    if scan != "sequential":
        return f"scan {scan!r}: the multi-spin kernel visits sites in order (sequential)"
    if model.coupling == 0 or abs(model.field) not in (0.0, abs(model.coupling)):
        return (f"the field h = {model.field:g} is neither 0 nor +-J (J = "
                f"{model.coupling:g})")
    return ""


def lattice_bit_graph(model):
    """The tables of :func:`bit_graph` for an Ising lattice (every neighbour slot a bond, so
    a bond that wraps twice around a 2-site direction counts twice, as in the scalar
    kernel), plus ``bond_slots`` (the right and down neighbours' slots: each bond once)."""
    n = model.n_sites
    lattice = model.neighbours.astype(np.int64)
    field = model.field != 0
    width = 6 if field else 4
    neighbours = np.repeat(np.arange(n, dtype=np.int64)[:, None], width, axis=1)
    neighbours[:, :4] = lattice
    signs = np.zeros((n, width), dtype=np.uint64)
    signs[:, :4] = kernels.ALL_ONES if model.coupling < 0 else 0
    if field:
        neighbours[:, 4] = n
        signs[:, 4] = kernels.ALL_ONES if model.field < 0 else 0
    return {"neighbours": neighbours, "signs": signs,
            "degree": np.full(n, 4 + field, dtype=np.int64), "slots": (0,) * width,
            "scale": abs(model.coupling), "bond_slots": np.array([0, 2], dtype=np.int64)}


@dataclass
class Words:
    """Words of 64 replicas after a schedule (:func:`anneal_words`).

    Attributes
    ----------
    final, best : uint64[N, K]
        Final states, and each replica's lowest-energy state at the end of a checked sweep.
    best_energies : float64[64 K]
        Energy of each replica's best state (replica r of word w at 64 w + r).
    trajectory : float64[64 K, T] or None
        Energies after every ``record_every`` sweeps.
    wall : float
        The kernel's wall time in seconds.
    """

    final: np.ndarray
    best: np.ndarray
    best_energies: np.ndarray
    trajectory: Optional[np.ndarray]
    wall: float


def word_streams(seed, key, n_words):
    """The streams of :func:`anneal_words` for ``n_words`` words keyed ``key``: (start
    uint64[K, 4], per-word uint64[K, 4], shared uint64[4]). Word w's streams depend only on
    (seed, key, w); rows of several keys may be stacked into one run."""
    return (stream_states(seed, key + ("start",), n_words),
            stream_states(seed, key + ("word",), n_words),
            stream_states(seed, key + ("shared",), 1)[0])


def anneal_words(model, temperatures, sweeps_per_step, n_words, seed, key, heat_bath, mode,
                 initial=None, record_every=0, check_every=1, streams=None, bar=None):
    """Run ``n_words`` words (64 replicas each) through a schedule.

    Parameters
    ----------
    model : IsingGraph
    temperatures : float64[S]
    sweeps_per_step : int or int64[S], sweeps at each temperature
    n_words : int
    seed : int
    key : tuple
        Stream key (:func:`word_streams`): the shared mode's stream, one stream per word for
        the independent mode and one per word for the random start, so word w's result
        depends only on (seed, key, w) and the mode, not on ``n_words`` or the thread count.
    heat_bath : bool
    mode : {"shared", "independent"}
    initial : uint64[N, n_words], optional (default: random bits)
    record_every : int
        Record every replica's energy after every this many sweeps (0: no trajectory).
    check_every : int
        Compare every replica's energy with its best after every this many sweeps and after
        the last (1: every sweep, as the scalar kernels do). ``record_every`` must be a
        multiple of it.
    streams : tuple, optional
        :func:`word_streams`' output (rows for ``n_words`` words) instead of ``seed`` and
        ``key``.
    bar : tqdm, optional
        Advanced over the schedule's sweeps while the kernel runs
        (:func:`simlab.samplers.progress.kernel_progress`).

    Returns
    -------
    Words
    """
    if mode not in MODES:
        raise ConfigError("mode", mode, f"one of {MODES}")
    if record_every % check_every:
        raise ConfigError("record_every", record_every,
                          f"a multiple of check_every = {check_every}")
    g = bit_graph(model)
    n = model.n_sites
    start_states, word_states, shared = streams or word_streams(seed, key, n_words)
    spins = np.zeros((n + 1, n_words), dtype=np.uint64)
    if initial is None:
        kernels.random_words(start_states, spins[:n])
    else:
        spins[:n] = initial
    words = np.ascontiguousarray(word_states.T)
    betas = g["scale"] / np.asarray(temperatures, dtype=np.float64)
    steps = np.broadcast_to(np.asarray(sweeps_per_step, dtype=np.int64), betas.shape).copy()
    n_records = int(steps.sum()) // record_every if record_every else 0
    counts = np.zeros((64 * n_words, n_records), dtype=np.int64)
    best_counts = np.full(64 * n_words, np.iinfo(np.int64).max)
    best = spins[:n].copy()
    upper = g["neighbours"] > np.arange(n)[:, None]  # each bond once, fields (row N) too
    bond_i = np.nonzero(upper)[0].astype(np.int64)
    bond_j = g["neighbours"][upper].astype(np.int64)
    bond_sign = g["signs"][upper]
    n_blocks = max(1, min(numba.get_num_threads(), n_words))
    clock = time.perf_counter()
    with kernel_progress(bar, n_blocks, n_words) as done:
        kernels.anneal_words(g["neighbours"], g["signs"], g["degree"], g["slots"], betas, steps,
                             heat_bath, mode == "independent", shared, words, spins, n_blocks,
                             bond_i, bond_j, bond_sign, check_every, record_every, counts,
                             best_counts, best, done)
    wall = time.perf_counter() - clock
    bonds = int(upper.sum())

    def energy(c):
        return g["scale"] * (2.0 * c - bonds)

    return Words(spins[:n], best, energy(best_counts), energy(counts) if n_records else None,
                 wall)


def replica_spins(words, n_replicas):
    """int8[R, N] spins (+-1) of the first ``n_replicas`` replicas held in ``words``."""
    out = np.empty((n_replicas, words.shape[0]), dtype=np.int8)
    kernels.unpack(words, n_replicas, out)
    return out
