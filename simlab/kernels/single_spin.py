"""Single-spin-flip Monte Carlo sweeps on lattices with uniform couplings.

Both Metropolis and heat-bath (Gibbs) updates of a two-state spin are "flip spin i with
probability p(s_i, n_i)", where n_i is the sum of the z neighbouring spins; the rule only
changes the table p (built by :func:`simlab.rules.flip_probability_table`):

    Metropolis: p = min(1, exp(-dE/T)),   heat bath: p = 1 / (1 + exp(dE/T)),
    dE = 2 s_i (J n_i + h).

Tables are indexed ``[(s_i + 1) // 2, (n_i + z) // 2]``. A sweep is N update attempts,
either at sites 0..N-1 in order (sequential scan) or at N uniformly random sites (random
scan). Both leave the Boltzmann distribution invariant, but sequential Metropolis is not
always irreducible: zero-cost flips are always accepted, and on small tori some
configurations then cycle deterministically (see :mod:`simlab.exact.markov`). The bond sum
sum_<ij> s_i s_j and the magnetisation are updated exactly with integers on every flip.
"""

import numpy as np
from numba import njit, prange

from simlab.kernels.rng import next_below, next_double


@njit(cache=True)
def sweep(spins, neighbours, flip_probability, state, random_scan):
    """One sweep (N update attempts) of one chain.

    Parameters
    ----------
    spins : int8[N], modified in place
    neighbours : int32[N, z]
    flip_probability : float64[2, z + 1]
    state : uint64[4], the chain's RNG state, advanced in place
    random_scan : bool
        Attempt N uniformly random sites instead of sites 0..N-1 in order.

    Returns
    -------
    (int64, int64)
        Change of the bond sum and of the magnetisation.
    """
    n_sites, z = neighbours.shape
    d_bond = 0
    d_mag = 0
    for k in range(n_sites):
        i = next_below(state, n_sites) if random_scan else k
        s = np.int64(spins[i])
        nb = np.int64(0)
        for k in range(z):
            nb += spins[neighbours[i, k]]
        p = flip_probability[(s + 1) >> 1, (nb + z) >> 1]
        if p >= 1.0 or next_double(state) < p:
            spins[i] = -s
            d_bond -= 2 * s * nb
            d_mag -= 2 * s
    return d_bond, d_mag


@njit(parallel=True, cache=True)
def run_chains(spins, neighbours, flip_probability, states, bond, mag, n_sweeps,
               random_scan, bond_series, mag_series, offset):
    """Advance independent chains by ``n_sweeps`` sweeps each, in parallel over chains.

    Parameters
    ----------
    spins : int8[C, N], modified in place
    neighbours : int32[N, z]
    flip_probability : float64[C, 2, z + 1], one table per chain (its temperature)
    states : uint64[C, 4], RNG state per chain, advanced in place
    bond, mag : int64[C], running bond sum and magnetisation, updated in place
    n_sweeps : int
    random_scan : bool
    bond_series, mag_series : int32[C, S]
        If S > 0, the values after sweep t are written at column ``offset + t``.
    offset : int
    """
    n_chains = spins.shape[0]
    record = bond_series.shape[1] > 0
    for c in prange(n_chains):
        for t in range(n_sweeps):
            d_bond, d_mag = sweep(spins[c], neighbours, flip_probability[c], states[c],
                                  random_scan)
            bond[c] += d_bond
            mag[c] += d_mag
            if record:
                bond_series[c, offset + t] = bond[c]
                mag_series[c, offset + t] = mag[c]


@njit(parallel=True, cache=True)
def randomize(spins, states):
    """Set every spin of every chain to +-1 with probability 1/2, from the chain's own stream.

    Parameters
    ----------
    spins : int8[C, N], overwritten
    states : uint64[C, 4], advanced in place
    """
    for c in prange(spins.shape[0]):
        for i in range(spins.shape[1]):
            spins[c, i] = 1 if next_double(states[c]) < 0.5 else -1
