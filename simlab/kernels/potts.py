"""Single-site Monte Carlo sweeps of the q-state Potts model on a lattice.

Spins hold the values 0 .. q-1. With n_k the number of the site's z neighbours in state k,
the site's energy in state k is -J n_k, and the two rules are

    Metropolis: propose one of the q - 1 other states uniformly, accept with
                min(1, exp(beta J (n_new - n_old))), looked up in acceptance[n_new - n_old + z];
    heat bath:  draw the new state k with probability proportional to exp(beta J n_k),
                weights[n] = exp(beta J (n - n_max)) with n_max = z (J > 0) or 0 (J < 0).

Both leave the Boltzmann distribution invariant site by site. The satisfied-bond count and
the occupation of each state are updated with integers on every change; the recorded order
parameter is M = q max_k N_k - N.
"""

import numpy as np
from numba import njit, prange

from simlab.kernels.rng import next_below, next_double

HEAT_BATH = 1


@njit(cache=True)
def sweep(spins, neighbours, q, table, rule, state, random_scan, occupation, local):
    """One sweep (N update attempts) of one chain.

    Parameters
    ----------
    spins : int8[N], modified in place
    neighbours : int32[N, z]
    q : int
    table : float64[2z + 1]
        Metropolis acceptance by n_new - n_old + z, or heat-bath weights by n (first z + 1).
    rule : int
        0 Metropolis, 1 heat bath.
    state : uint64[4], the chain's RNG state, advanced in place
    random_scan : bool
    occupation : int64[q], sites per state, updated in place
    local : int64[q], scratch

    Returns
    -------
    int64
        Change of the number of satisfied bonds.
    """
    n_sites, z = neighbours.shape
    d_bond = 0
    for k in range(n_sites):
        i = next_below(state, n_sites) if random_scan else k
        old = np.int64(spins[i])
        for s in range(q):
            local[s] = 0
        for k2 in range(z):
            local[spins[neighbours[i, k2]]] += 1
        if rule == HEAT_BATH:
            total = 0.0
            for s in range(q):
                total += table[local[s]]
            u = next_double(state) * total
            new = q - 1
            acc = 0.0
            for s in range(q):
                acc += table[local[s]]
                if u < acc:
                    new = s
                    break
        else:
            r = next_below(state, q - 1)
            new = r if r < old else r + 1
            p = table[local[new] - local[old] + z]
            if not (p >= 1.0 or next_double(state) < p):
                continue
        if new != old:
            spins[i] = new
            d_bond += local[new] - local[old]
            occupation[old] -= 1
            occupation[new] += 1
    return d_bond


@njit(cache=True)
def order_parameter(occupation, n_sites):
    """M = q max_k N_k - N from the occupation of each state."""
    return occupation.shape[0] * occupation.max() - n_sites


@njit(parallel=True, cache=True)
def run_chains(spins, neighbours, q, tables, rule, states, bond, mag, n_sweeps,
               random_scan, bond_series, mag_series, offset):
    """Advance independent Potts chains by ``n_sweeps`` sweeps each, in parallel over chains.

    Parameters
    ----------
    spins : int8[C, N], modified in place
    neighbours : int32[N, z]
    q : int
    tables : float64[C, 2z + 1], one per chain (its temperature); see :func:`sweep`
    rule : int
        0 Metropolis, 1 heat bath.
    states : uint64[C, 4], advanced in place
    bond, mag : int64[C], satisfied bonds and order parameter M, updated in place
    n_sweeps : int
    random_scan : bool
    bond_series, mag_series : int32[C, S]
        If S > 0, the values after sweep t are written at column ``offset + t``.
    offset : int
    """
    n_chains, n_sites = spins.shape
    record = bond_series.shape[1] > 0
    for c in prange(n_chains):
        occupation = np.zeros(q, dtype=np.int64)
        local = np.zeros(q, dtype=np.int64)
        for i in range(n_sites):
            occupation[spins[c, i]] += 1
        for t in range(n_sweeps):
            bond[c] += sweep(spins[c], neighbours, q, tables[c], rule, states[c], random_scan,
                             occupation, local)
            mag[c] = order_parameter(occupation, n_sites)
            if record:
                bond_series[c, offset + t] = bond[c]
                mag_series[c, offset + t] = mag[c]


@njit(parallel=True, cache=True)
def randomize(spins, q, states):
    """Set every site of every chain to a uniform state in 0 .. q-1 from the chain's stream.

    Parameters
    ----------
    spins : int8[C, N], overwritten
    q : int
    states : uint64[C, 4], advanced in place
    """
    for c in prange(spins.shape[0]):
        for i in range(spins.shape[1]):
            spins[c, i] = next_below(states[c], q)
