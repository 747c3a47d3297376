"""Ising and q-state Potts models on a periodic square lattice.

Sites are numbered row-major, ``i = r * cols + c``; the sums run over the 2N
nearest-neighbour bonds of the torus (each bond once). The energies are

    Ising, s in {-1, +1}^N:      E(s) = -J sum_<ij> s_i s_j - h sum_i s_i,
    Potts, s in {0..q-1}^N:      E(s) = -J sum_<ij> delta(s_i, s_j).

Since delta(s_i, s_j) = (1 + s_i s_j) / 2 for two states, q = 2 Potts with coupling J is
Ising with coupling J / 2, its energy shifted by -J N (2N bonds times -J / 2).
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from simlab.validation import integer, number


def torus_neighbours(rows, cols):
    """Right, left, down and up neighbours of each site of a rows x cols torus.

    Returns
    -------
    ndarray, shape (rows * cols, 4), int32, read-only
    """
    r, c = np.divmod(np.arange(rows * cols), cols)
    right = r * cols + (c + 1) % cols
    left = r * cols + (c - 1) % cols
    down = ((r + 1) % rows) * cols + c
    up = ((r - 1) % rows) * cols + c
    table = np.stack([right, left, down, up], axis=1).astype(np.int32)
    table.setflags(write=False)
    return table


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
        object.__setattr__(self, "neighbours", torus_neighbours(self.rows, self.cols))

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

    def energy_from_sums(self, bond_sum, magnetization):
        """E = -J bond_sum - h M from recorded sums (arrays of any equal shape), float64."""
        return (-self.coupling * np.asarray(bond_sum, dtype=np.float64)
                - self.field * np.asarray(magnetization, dtype=np.float64))

    @property
    def seed_key(self):
        """What the model's chains are keyed by in :func:`simlab.rng.derive`."""
        return ("IsingLattice", self.rows, self.cols, self.coupling, self.field)

    @property
    def states(self):
        """The spin values, in the order of :func:`simlab.exact.enumerate.all_states`."""
        return (-1, 1)


@dataclass(frozen=True)
class PottsLattice:
    """Nearest-neighbour q-state Potts model on a ``rows x cols`` torus.

    Parameters
    ----------
    rows, cols : int
        Lattice dimensions, each >= 2. ``cols`` defaults to ``rows``.
    q : int
        Number of states per site, 2 <= q <= 127 (stored as int8 values 0 .. q-1).
    coupling : float
        J (energy units); J > 0 is ferromagnetic. The infinite lattice orders at
        T_c = J / ln(1 + sqrt(q)), continuously for q <= 4 and first order for q > 4.

    Attributes
    ----------
    neighbours : ndarray, shape (N, 4), int32
        Right, left, down and up neighbours of each site.
    """

    rows: int
    cols: int = None
    q: int = 3
    coupling: float = 1.0
    neighbours: np.ndarray = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        cols = self.rows if self.cols is None else self.cols
        object.__setattr__(self, "rows", integer("rows", self.rows, 2))
        object.__setattr__(self, "cols", integer("cols", cols, 2))
        object.__setattr__(self, "q", integer("q", self.q, 2, 127))
        object.__setattr__(self, "coupling", number("coupling", self.coupling))
        object.__setattr__(self, "neighbours", torus_neighbours(self.rows, self.cols))

    field = 0.0

    @property
    def n_sites(self):
        """Number of sites N = rows * cols."""
        return self.rows * self.cols

    @property
    def n_bonds(self):
        """Number of nearest-neighbour bonds, 2N on the torus."""
        return 2 * self.n_sites

    @property
    def critical_temperature(self):
        """T_c = J / ln(1 + sqrt(q)) of the infinite lattice (Baxter 1973)."""
        return self.coupling / np.log1p(np.sqrt(self.q))

    def bond_sum(self, spins):
        """Satisfied bonds sum_<ij> delta(s_i, s_j) for states of shape (..., N); int64 (...)."""
        s = np.asarray(spins)
        return ((s == s[..., self.neighbours[:, 0]]).sum(-1, dtype=np.int64)
                + (s == s[..., self.neighbours[:, 2]]).sum(-1, dtype=np.int64))

    def order_parameter_sum(self, spins):
        """M = q max_k N_k - N for states of shape (..., N), N_k the sites in state k; int64.

        M / (N (q - 1)) is the usual Potts order parameter in [0, 1]; for q = 2 M = |sum s|.
        """
        s = np.asarray(spins)
        counts = np.stack([(s == k).sum(-1, dtype=np.int64) for k in range(self.q)], -1)
        return self.q * counts.max(-1) - self.n_sites

    def energy(self, spins):
        """E(s) = -J sum delta(s_i, s_j) for states of shape (..., N); float64 (...)."""
        return -self.coupling * self.bond_sum(spins).astype(np.float64)

    def energy_from_sums(self, bond_sum, magnetization):
        """E = -J bond_sum from recorded sums (the order parameter does not enter), float64."""
        return -self.coupling * np.asarray(bond_sum, dtype=np.float64)

    @property
    def seed_key(self):
        """What the model's chains are keyed by in :func:`simlab.rng.derive`."""
        return ("PottsLattice", self.rows, self.cols, self.q, self.coupling)

    @property
    def states(self):
        """The site values 0 .. q-1."""
        return tuple(range(self.q))
