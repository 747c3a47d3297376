"""Retrieval in Hopfield networks: start near a stored pattern, relax, measure the overlap."""

from dataclasses import dataclass

import numpy as np

from simlab.errors import ConfigError
from simlab.kernels import hopfield as kernels
from simlab.models.hopfield import Hopfield
from simlab.results import Result
from simlab.rng import generator, stream_states, validate_seed
from simlab.validation import integer, number


@dataclass
class Retrieval(Result):
    """Outcome of :func:`retrieve`.

    Attributes
    ----------
    overlaps : float64[K]
        Final overlap |s . xi| / N with each target pattern.
    states : int8[K, N]
        Final states.
    patterns : int64[K]
        Indices of the target patterns.
    sweeps_done : int64[K]
        Sweeps run (fewer than the maximum at T = 0 when a fixed point is reached).
    temperature, corruption : float
    seed : int
    """

    overlaps: np.ndarray
    states: np.ndarray
    patterns: np.ndarray
    sweeps_done: np.ndarray
    temperature: float
    corruption: float
    seed: int

    META = {"overlap": ("final overlap |s . xi| / N with the target pattern", "1"),
            "final_state": ("final state of the network", "1"),
            "sweeps_done": ("sweeps run", "1"),
            "pattern": ("index of the target pattern", "1")}

    def to_dataset(self):
        """``overlap`` and ``sweeps_done`` (pattern) and ``final_state`` (pattern, site)."""
        return self._dataset({"overlap": ("pattern", self.overlaps),
                              "sweeps_done": ("pattern", self.sweeps_done),
                              "final_state": (("pattern", "site"), self.states)},
                             {"pattern": self.patterns, "site": np.arange(self.states.shape[1])},
                             temperature=self.temperature, corruption=self.corruption,
                             seed=self.seed)


def retrieve(model, temperature=0.0, corruption=0.0, sweeps=100, pattern_indices=None,
             seed=0):
    """Relax from a corrupted copy of each target pattern and measure the final overlap.

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
        The corruption uses ``derive(seed, "hopfield_corruption", N)``, the dynamics one
        stream per target, ``derive(seed, "hopfield", N, T, k)``.

    Returns
    -------
    Retrieval
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
    rng = generator(seed, "hopfield_corruption", model.n_units)
    start = model.patterns[idx].copy()
    flips = rng.random(start.shape) < c
    start[flips] *= -1
    states = stream_states(seed, ("hopfield", model.n_units, t), idx.size)
    done = np.empty(idx.size, dtype=np.int64)
    kernels.relax(model.weights, start, t, integer("sweeps", sweeps, 1), states, done)
    m = np.abs((start.astype(np.float64) * model.patterns[idx]).sum(axis=1)) / model.n_units
    return Retrieval(m, start, idx, done, t, c, seed)
