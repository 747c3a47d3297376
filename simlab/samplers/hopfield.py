"""Retrieval in Hopfield networks: start near a stored pattern, relax, measure the overlap."""

import numpy as np

from simlab.errors import ConfigError
from simlab.kernels import hopfield as kernels
from simlab.models.hopfield import Hopfield
from simlab.rng import stream_states, validate_seed
from simlab.validation import integer, number


def retrieve(model, temperature=0.0, corruption=0.0, sweeps=100, pattern_indices=None,
             seed=0):
    """Overlap with the target pattern after relaxing from a corrupted copy of it.

    Parameters
    ----------
    model : Hopfield
    temperature : float
        0 for deterministic asynchronous dynamics (stops at a fixed point), > 0 for heat bath.
    corruption : float
        Fraction of units flipped at random in the starting state.
    sweeps : int
        Maximum number of sweeps (exactly this many at T > 0).
    pattern_indices : array_like of int, optional
        Patterns to start from (default: all).
    seed : int

    Returns
    -------
    (float64[K], int8[K, N])
        Final overlap with each target pattern and the final states.
    """
    if not isinstance(model, Hopfield):
        raise ConfigError("model", type(model).__name__, "a Hopfield network")
    t = number("temperature", temperature)
    if t < 0:
        raise ConfigError("temperature", temperature, "a number >= 0")
    c = number("corruption", corruption)
    if not 0 <= c <= 0.5:
        raise ConfigError("corruption", corruption, "a fraction in [0, 0.5]")
    seed = validate_seed(seed)
    idx = np.arange(model.patterns.shape[0]) if pattern_indices is None else \
        np.asarray(pattern_indices, dtype=np.int64)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(3, model.n_units)))
    start = model.patterns[idx].copy()
    flips = rng.random(start.shape) < c
    start[flips] *= -1
    states = stream_states(seed, ("hopfield", model.n_units, t), idx.size)
    done = np.empty(idx.size, dtype=np.int64)
    kernels.relax(model.weights, start, t, integer("sweeps", sweeps, 1), states, done)
    m = np.abs((start.astype(np.float64) * model.patterns[idx]).sum(axis=1)) / model.n_units
    return m, start
