"""Boltzmann machines: general (any symmetric connectivity) and restricted (bipartite).

Units are binary, s_i in {0, 1}. Energies:

- general:    E(s) = - sum_{i<j} W_ij s_i s_j - sum_i b_i s_i      (W symmetric, zero diagonal;
  a zero entry of the ``mask`` means "not connected")
- restricted: E(v, h) = - v.W.h - b.v - c.h

At temperature T the machine's distribution is exp(-E/T) / Z(T). Exact enumeration is offered
for small machines: all 2^N states of a general BM (N <= 20), and for an RBM the smaller layer
(<= 20 units) with the other summed analytically.
"""

from dataclasses import dataclass

import numpy as np

from simlab.errors import ModelError
from simlab.validation import integer


@dataclass
class BoltzmannMachine:
    """A general Boltzmann machine with ``n_visible`` visible units first, then hidden ones.

    Attributes
    ----------
    weights : float64[N, N], symmetric, zero diagonal
    biases : float64[N]
    mask : bool[N, N], which pairs are connected (symmetric, False on the diagonal)
    n_visible : int
    """

    weights: np.ndarray
    biases: np.ndarray
    mask: np.ndarray
    n_visible: int

    def __post_init__(self):
        W = np.asarray(self.weights, dtype=np.float64)
        n = W.shape[0]
        if W.shape != (n, n) or not np.allclose(W, W.T) or np.any(np.diag(W) != 0):
            raise ModelError("weights must be a symmetric square matrix with a zero diagonal")
        mask = np.asarray(self.mask, dtype=bool)
        if mask.shape != (n, n) or not np.array_equal(mask, mask.T) or mask.diagonal().any():
            raise ModelError("mask must be symmetric with a False diagonal")
        if np.any(W[~mask] != 0):
            raise ModelError("weights of unconnected pairs (mask False) must be zero")
        b = np.asarray(self.biases, dtype=np.float64)
        if b.shape != (n,):
            raise ModelError(f"biases must have {n} entries")
        self.weights, self.biases, self.mask = W, b, mask
        self.n_visible = integer("n_visible", self.n_visible, 0, n)

    @property
    def n_units(self):
        """Total number of units N."""
        return self.biases.size

    def energy(self, states, temperature=1.0):
        """E(s) for states of shape (..., N) (0/1); temperature is not used (kept for symmetry)."""
        s = np.asarray(states, dtype=np.float64)
        return -0.5 * np.einsum("...i,ij,...j->...", s, self.weights, s) - s @ self.biases


def layered_mask(groups, connect):
    """Connectivity mask from unit groups.

    Parameters
    ----------
    groups : dict {name: size}, in unit order
    connect : iterable of (name, name)
        Pairs of groups to connect fully; (g, g) connects a group internally.
    """
    offsets, start = {}, 0
    for name, size in groups.items():
        offsets[name] = slice(start, start + integer(f"groups.{name}", size, 1))
        start += size
    mask = np.zeros((start, start), dtype=bool)
    for a, b in connect:
        mask[offsets[a], offsets[b]] = True
        mask[offsets[b], offsets[a]] = True
    np.fill_diagonal(mask, False)
    return mask, offsets


def all_binary_states(n):
    """All 2^n states of n {0, 1} units, shape (2^n, n), int8 (first unit most significant)."""
    n = integer("n", n, 0, 20)
    return ((np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(np.int8)


def exact_distribution(machine, temperature=1.0):
    """Probabilities of all 2^N states of a general BM (N <= 20), in the order of
    :func:`all_binary_states`."""
    e = machine.energy(all_binary_states(machine.n_units)) / temperature
    w = np.exp(-(e - e.min()))
    return w / w.sum()


@dataclass
class RBMParameters:
    """Weights (n_visible, n_hidden) and biases of a restricted Boltzmann machine."""

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray

    @property
    def n_visible(self):
        return self.visible_bias.size

    @property
    def n_hidden(self):
        return self.hidden_bias.size

    def energy(self, v, h):
        """E(v, h) for arrays (..., n_visible) and (..., n_hidden)."""
        v = np.asarray(v, dtype=np.float64)
        h = np.asarray(h, dtype=np.float64)
        return -np.einsum("...i,ij,...j->...", v, self.weights, h) - v @ self.visible_bias \
            - h @ self.hidden_bias

    def free_energy(self, v, temperature=1.0):
        """F(v) = -T ln sum_h exp(-E(v, h)/T), shape (...)."""
        v = np.asarray(v, dtype=np.float64)
        x = (v @ self.weights + self.hidden_bias) / temperature
        return -v @ self.visible_bias - temperature * np.logaddexp(0.0, x).sum(-1)
