"""Cluster updates of ferromagnetic Ising and Potts lattices: Wolff and Swendsen-Wang.

Both place a bond between equal neighbours with probability p = 1 - exp(-beta J_eff), with
J_eff = 2J for Ising spins (+-1) and J for Potts states (0 .. q-1) (Fortuin-Kasteleyn), and
then give clusters new values:

    Wolff (1989): grow one cluster from a uniformly random site and move it to a uniformly
                  chosen other value (Ising: flip it);
    Swendsen-Wang (1987): cut the whole lattice into clusters (union-find) and give each
                  cluster a uniformly random value among all q (Ising: flip with prob. 1/2).

Both satisfy detailed balance for J > 0 and no field. The satisfied-bond count (Potts) or
bond sum sum s_i s_j (Ising), and the order parameter (Ising: M = sum s; Potts:
q max_k N_k - N), are recomputed after every sweep, which costs about one more pass over
the lattice.
"""

import numpy as np
from numba import njit, prange

from simlab.kernels.rng import next_below, next_double

WOLFF = 0
SWENDSEN_WANG = 1


@njit(inline="always", cache=True)
def _other_value(old, ising, q, state):
    if ising:
        return -old
    r = next_below(state, q - 1)
    return r if r < old else r + 1


@njit(cache=True)
def wolff_cluster(spins, neighbours, p_add, ising, q, state, stack):
    """Grow one Wolff cluster from a random site and move it to another value.

    Parameters
    ----------
    spins : int8[N], modified in place
    neighbours : int32[N, z]
    p_add : float64, bond probability
    ising : bool
        Spins are +-1 (else Potts states 0 .. q-1).
    q : int
    state : uint64[4], advanced in place
    stack : int32[N], scratch

    Returns
    -------
    int64
        Size of the cluster.
    """
    n_sites, z = neighbours.shape
    seed = next_below(state, n_sites)
    old = np.int64(spins[seed])
    new = _other_value(old, ising, q, state)
    spins[seed] = new       # a site already moved is never added again (it differs from old)
    stack[0] = seed
    top = 1
    size = 1
    while top > 0:
        top -= 1
        i = stack[top]
        for k in range(z):
            j = neighbours[i, k]
            if spins[j] == old and next_double(state) < p_add:
                spins[j] = new
                stack[top] = j
                top += 1
                size += 1
    return size


@njit(inline="always", cache=True)
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:   # path compression
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


@njit(cache=True)
def swendsen_wang(spins, neighbours, p_add, ising, q, state, parent, value):
    """One Swendsen-Wang update of the whole lattice.

    Bonds are tried along the right (column 0) and down (column 2) neighbour of every site,
    so each bond of the torus once. Clusters are labelled by union-find; each root draws a
    new value, in the order of the sites.

    Parameters
    ----------
    spins : int8[N], modified in place
    neighbours : int32[N, 4]
    p_add : float64
    ising : bool
    q : int
    state : uint64[4], advanced in place
    parent : int32[N], value : int8[N], scratch

    Returns
    -------
    int64
        Number of clusters.
    """
    n_sites = spins.shape[0]
    for i in range(n_sites):
        parent[i] = i
    for i in range(n_sites):
        for k in (0, 2):
            j = neighbours[i, k]
            if spins[i] == spins[j] and next_double(state) < p_add:
                a = _find(parent, i)
                b = _find(parent, j)
                if a != b:
                    if a < b:
                        parent[b] = a
                    else:
                        parent[a] = b
    n_clusters = 0
    for i in range(n_sites):
        root = _find(parent, i)
        if root == i:
            n_clusters += 1
            if ising:
                value[i] = 1 if next_double(state) < 0.5 else -1
            else:
                value[i] = next_below(state, q)
        spins[i] = value[root]
    return n_clusters


@njit(cache=True)
def lattice_sums(spins, neighbours, ising, q):
    """(bond sum, order parameter) of one configuration: Ising (sum s_i s_j, sum s_i), Potts
    (satisfied bonds, q max_k N_k - N)."""
    n_sites = spins.shape[0]
    bond = 0
    if ising:
        mag = 0
        for i in range(n_sites):
            s = np.int64(spins[i])
            bond += s * (spins[neighbours[i, 0]] + spins[neighbours[i, 2]])
            mag += s
        return bond, mag
    occupation = np.zeros(q, dtype=np.int64)
    for i in range(n_sites):
        s = spins[i]
        bond += (s == spins[neighbours[i, 0]]) + (s == spins[neighbours[i, 2]])
        occupation[s] += 1
    return bond, q * occupation.max() - n_sites


@njit(parallel=True, cache=True)
def run_chains(spins, neighbours, p_add, ising, q, algorithm, clusters_per_sweep, states,
               bond, mag, n_sweeps, bond_series, mag_series, offset, work):
    """Advance independent chains by ``n_sweeps`` cluster sweeps each, parallel over chains.

    A Swendsen-Wang sweep is one update of the whole lattice; a Wolff sweep is
    ``clusters_per_sweep[c]`` single-cluster updates, or, where that is 0, as many clusters
    as it takes to move at least N sites (used during thermalisation only: a data-dependent
    number of steps does not leave the Boltzmann law invariant).

    Parameters
    ----------
    spins : int8[C, N], modified in place
    neighbours : int32[N, 4]
    p_add : float64[C], bond probability per chain (its temperature)
    ising : bool
    q : int
    algorithm : int
        :data:`WOLFF` or :data:`SWENDSEN_WANG`.
    clusters_per_sweep : int64[C]
    states : uint64[C, 4], advanced in place
    bond, mag : int64[C], set after every sweep
    n_sweeps : int
    bond_series, mag_series : int32[C, S]
        If S > 0, the values after sweep t are written at column ``offset + t``.
    offset : int
    work : int64[C, 2], accumulated (clusters built, sites moved), updated in place
    """
    n_chains, n_sites = spins.shape
    record = bond_series.shape[1] > 0
    for c in prange(n_chains):
        stack = np.empty(n_sites, dtype=np.int32)
        value = np.empty(n_sites, dtype=np.int8)
        for t in range(n_sweeps):
            if algorithm == SWENDSEN_WANG:
                work[c, 0] += swendsen_wang(spins[c], neighbours, p_add[c], ising, q,
                                            states[c], stack, value)
                work[c, 1] += n_sites
            else:
                moved = 0
                built = 0
                while (clusters_per_sweep[c] > 0 and built < clusters_per_sweep[c]) or \
                        (clusters_per_sweep[c] == 0 and moved < n_sites):
                    moved += wolff_cluster(spins[c], neighbours, p_add[c], ising, q,
                                           states[c], stack)
                    built += 1
                work[c, 0] += built
                work[c, 1] += moved
            b, m = lattice_sums(spins[c], neighbours, ising, q)
            bond[c] = b
            mag[c] = m
            if record:
                bond_series[c, offset + t] = b
                mag_series[c, offset + t] = m
