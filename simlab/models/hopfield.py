"""Hopfield networks with Hebbian storage.

Units s_i in {-1, +1}; P stored patterns xi (P, N); weights W = (1/N) sum_mu xi^mu xi^mu^T with
zero diagonal; energy E(s) = -1/2 s.W.s. The overlap with pattern mu is m = |s . xi^mu| / N.
The load is alpha = P / N; retrieval breaks down near alpha_c = 0.138 at T = 0 (Amit,
Gutfreund & Sompolinsky 1985, replica symmetric 0.1379).
"""

from dataclasses import dataclass

import numpy as np

from simlab.errors import ModelError
from simlab.rng import generator
from simlab.validation import integer


@dataclass(frozen=True)
class Hopfield:
    """Patterns and Hebbian weights.

    Attributes
    ----------
    patterns : int8[P, N]
    weights : float64[N, N]
    """

    patterns: np.ndarray
    weights: np.ndarray

    @property
    def n_units(self):
        return self.patterns.shape[1]

    @property
    def load(self):
        """alpha = P / N."""
        return self.patterns.shape[0] / self.patterns.shape[1]

    def energy(self, states):
        """E(s) = -1/2 s.W.s for states (..., N)."""
        s = np.asarray(states, dtype=np.float64)
        return -0.5 * np.einsum("...i,ij,...j->...", s, self.weights, s)

    def overlaps(self, states):
        """m_mu = |s . xi_mu| / N, shape (..., P)."""
        s = np.asarray(states, dtype=np.float64)
        return np.abs(s @ self.patterns.T.astype(np.float64)) / self.n_units


def hebbian(patterns):
    """Store ``patterns`` (P, N) of +-1 values with the Hebb rule."""
    xi = np.asarray(patterns)
    if xi.ndim != 2 or not np.all(np.isin(xi, (-1, 1))):
        raise ModelError("patterns must be a (P, N) array of -1 and +1")
    x = xi.astype(np.float64)
    W = x.T @ x / xi.shape[1]
    np.fill_diagonal(W, 0.0)
    return Hopfield(xi.astype(np.int8), W)


def random_patterns(n_patterns, n_units, seed=0):
    """P independent unbiased +-1 patterns of N units, int8 (P, N)."""
    rng = generator(seed, "hopfield_patterns", n_patterns, n_units)
    return rng.choice(np.array([-1, 1], dtype=np.int8),
                      size=(integer("n_patterns", n_patterns, 1), integer("n_units", n_units, 2)))
