"""Ising model on a periodic square lattice.

Sites are numbered row-major, ``i = r * cols + c``. The energy of a configuration s in {-1, +1}^N is

    E(s) = -J sum_<ij> s_i s_j - h sum_i s_i,

the first sum over the 2N nearest-neighbour bonds of the torus (each bond once).
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from simlab.validation import integer, number


@dataclass(frozen=True)
class IsingLattice:
    """Nearest-neighbour Ising model on a ``rows x cols`` torus.

    Parameters
    ----------
    rows, cols : int
        Lattice dimensions, each >= 2. ``cols`` defaults to ``rows``.
    coupling : float
        J (energy units); J > 0 is ferromagnetic.
    field : float
        h (energy units per spin).

    Attributes
    ----------
    neighbours : ndarray, shape (N, 4), int32
        Right, left, down and up neighbours of each site.
    """

    rows: int
    cols: int = None
    coupling: float = 1.0
    field: float = 0.0
    neighbours: np.ndarray = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        cols = self.rows if self.cols is None else self.cols
        object.__setattr__(self, "rows", integer("rows", self.rows, 2))
        object.__setattr__(self, "cols", integer("cols", cols, 2))
        object.__setattr__(self, "coupling", number("coupling", self.coupling))
        object.__setattr__(self, "field", number("field", self.field))
        r, c = np.divmod(np.arange(self.n_sites), self.cols)
        right = r * self.cols + (c + 1) % self.cols
        left = r * self.cols + (c - 1) % self.cols
        down = ((r + 1) % self.rows) * self.cols + c
        up = ((r - 1) % self.rows) * self.cols + c
        table = np.stack([right, left, down, up], axis=1).astype(np.int32)
        table.setflags(write=False)
        object.__setattr__(self, "neighbours", table)

    @property
    def n_sites(self):
        """Number of spins N = rows * cols."""
        return self.rows * self.cols

    @property
    def n_bonds(self):
        """Number of nearest-neighbour bonds, 2N on the torus."""
        return 2 * self.n_sites

    def bond_sum(self, spins):
        """sum_<ij> s_i s_j for configurations of shape (..., N); int64 array of shape (...)."""
        s = np.asarray(spins, dtype=np.int64)
        return (s * s[..., self.neighbours[:, 0]]).sum(-1) + (s * s[..., self.neighbours[:, 2]]).sum(-1)

    def energy(self, spins):
        """E(s) for configurations of shape (..., N); float64 array of shape (...)."""
        s = np.asarray(spins)
        return -self.coupling * self.bond_sum(s) - self.field * s.sum(-1, dtype=np.int64)
