"""Small explicit energy landscapes: states, energies and a neighbour graph.

A Metropolis walker proposes one of ``max_degree`` neighbour slots uniformly; slots beyond a
state's degree propose staying put. The proposal is therefore symmetric and the walk at fixed
T has the Boltzmann distribution as its stationary law, whatever the degrees.
"""

from dataclasses import dataclass
from typing import Optional

import numpy as np

from simlab.errors import ModelError
from simlab.rng import generator
from simlab.validation import number


@dataclass(frozen=True)
class Landscape:
    """States 0..n-1 with energies and a symmetric neighbour graph (CSR).

    Attributes
    ----------
    energies : float64[n]
    indptr : int64[n + 1]
    indices : int32[2m]
    names : tuple of str, optional
    """

    energies: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    names: Optional[tuple] = None

    @property
    def n_states(self):
        """Number of states."""
        return self.energies.size

    @property
    def max_degree(self):
        """Largest number of neighbours of a state (the number of proposal slots)."""
        return int(np.diff(self.indptr).max())

    @property
    def ground_states(self):
        """Indices of the global minima."""
        return np.flatnonzero(self.energies == self.energies.min())


def from_edges(energies, edges, names=None):
    """Build a connected :class:`Landscape` from energies and undirected edges (a, b)."""
    e = np.asarray(energies, dtype=np.float64)
    n = e.size
    if n < 2 or not np.all(np.isfinite(e)):
        raise ModelError("a landscape needs at least 2 states with finite energies")
    pairs = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if pairs.size == 0 or pairs.min() < 0 or pairs.max() >= n or np.any(pairs[:, 0] == pairs[:, 1]):
        raise ModelError(f"edges must join distinct states in 0..{n - 1}")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    if np.unique(rows * n + cols).size != rows.size:
        raise ModelError("an edge appears more than once")
    order = np.lexsort((cols, rows))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    indptr = np.cumsum(indptr)
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    adjacency = csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    if connected_components(adjacency, directed=False)[0] != 1:
        raise ModelError("the neighbour graph must be connected")
    return Landscape(e, indptr, cols[order].astype(np.int32),
                     None if names is None else tuple(names))


def hajek_landscape(depth=1.0, base=1.0):
    """A - B - C: a local minimum A (E = base), a barrier B (E = base + depth), the global
    minimum C (E = 0).

    The deepest non-global local minimum is A, of depth d* = ``depth`` (the height of the
    barrier above it), so Hajek's theorem says a logarithmic schedule c / ln(k + k0) ends in
    C with probability -> 1 iff c >= depth.
    """
    d = number("depth", depth, positive=True)
    b = number("base", base, positive=True)
    return from_edges([b, b + d, 0.0], [(0, 1), (1, 2)], names=("A", "B", "C"))


def random_landscape(n_states, n_edges, seed=0, scale=1.0):
    """A random connected landscape: a random spanning tree plus extra edges, normal energies."""
    rng = generator(seed, "random_landscape", n_states, n_edges)
    order = rng.permutation(n_states)
    tree = [(order[k], order[rng.integers(0, k)]) for k in range(1, n_states)]
    extra = set()
    while len(extra) < max(0, n_edges - len(tree)):
        a, b = rng.integers(0, n_states, 2)
        if a != b and (a, b) not in extra and (b, a) not in extra \
                and (a, b) not in tree and (b, a) not in tree:
            extra.add((int(a), int(b)))
    return from_edges(rng.standard_normal(n_states) * scale, tree + sorted(extra))
