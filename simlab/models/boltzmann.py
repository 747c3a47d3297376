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


def rbm_exact_thermodynamics(params, temperature):
    """Exact ln Z, U, C, S, F of an RBM at each temperature, enumerating the smaller layer.

    With the smaller layer enumerated (at most 20 units), the other layer's units are
    independent given it: their mean and variance of the energy follow in closed form, and
    the totals from the laws of total expectation and variance.

    Returns
    -------
    dict of float64[T]
        Whole-machine ``log_z``, ``energy``, ``specific_heat`` (Var(E)/T^2), ``entropy``
        (nats) and ``free_energy``.
    """
    W, b, c = params.weights, params.visible_bias, params.hidden_bias
    if params.n_visible <= params.n_hidden:
        small, other_w, small_bias, other_bias = params.n_visible, W, b, c
    else:
        small, other_w, small_bias, other_bias = params.n_hidden, W.T, c, b
    if small > 20:
        raise ModelError(f"exact RBM thermodynamics enumerates the smaller layer; it has "
                         f"{small} units (at most 20)")
    states = all_binary_states(small).astype(np.float64)
    base = -states @ small_bias                     # energy part of the enumerated layer
    x = states @ other_w + other_bias               # fields on the other layer: E = base - x.o
    out = {k: [] for k in ("log_z", "energy", "specific_heat", "entropy", "free_energy")}
    for t in np.atleast_1d(np.asarray(temperature, dtype=np.float64)):
        p_on = 1.0 / (1.0 + np.exp(-x / t))
        log_w = -base / t + np.logaddexp(0.0, x / t).sum(axis=1)
        mean_e = base - (p_on * x).sum(axis=1)
        var_e = (p_on * (1 - p_on) * x**2).sum(axis=1)
        shift = log_w.max()
        weights = np.exp(log_w - shift)
        z = weights.sum()
        weights /= z
        u = weights @ mean_e
        var = weights @ (var_e + (mean_e - u) ** 2)
        log_z = shift + np.log(z)
        out["log_z"].append(log_z)
        out["energy"].append(u)
        out["specific_heat"].append(var / t**2)
        out["entropy"].append(log_z + u / t)
        out["free_energy"].append(-t * log_z)
    return {k: np.array(v) for k, v in out.items()}
