"""Multibondic Wang-Landau walks: a flat histogram in the number of occupied bonds.

The state is a spin configuration with a set of occupied bonds, each joining two equal
spins (the Fortuin-Kasteleyn graph). Its weight depends only on the number b of occupied
bonds. A sweep visits every bond in order: a bond between equal spins has its occupation
toggled with probability min(1, g(b) / g(b')), b' = b +- 1 (the walk's current ln g), and
after every bond ln g(b) gets ln f and the histogram 1, as in a Wang-Landau walk in the
energy. Then every cluster of sites joined by occupied bonds takes a uniformly random spin
value (the Swendsen-Wang step, which leaves b and the occupied bonds' equal ends intact).
Janke & Kappler, Phys. Rev. Lett. 74, 212 (1995); with Wang-Landau weights, Yamaguchi &
Kawashima, Phys. Rev. E 65, 056710 (2002).

Spins are Ising values +-1 or Potts states 0 .. q - 1; ``ising`` picks the value set.
"""

import math

import numpy as np
from numba import njit, prange

from simlab.kernels.rng import to_double, xoshiro_step


@njit(inline="always", cache=True)
def _root(parent, i):
    """Root of i's tree in the union-find forest, halving the path on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@njit(cache=True)
def walk(spins, bond_i, bond_j, occupied, ising, q, b, lo, hi, ln_g, histogram, ln_f,
         one_over_t, levels, trials, n_sweeps, state, parent, value):
    """``n_sweeps`` multibondic sweeps of one walker (one bond sweep and one cluster step
    each).

    Parameters
    ----------
    spins : int8[N], modified in place
    bond_i, bond_j : int32[B], the sites of each bond
    occupied : bool[B], modified in place; occupied bonds join equal spins
    ising : bool
    q : int
    b : int64, occupied bonds now, in [lo, hi]
    lo, hi : int64, the walker's range of b
    ln_g : float64[B + 1], histogram : int64[B + 1], updated in place
    ln_f : float64, modification factor (unless ``one_over_t``)
    one_over_t : bool, ln f = levels / trials, set at the start of every sweep
    levels : float64, values of b in the range
    trials : int64, bond trials before this call
    n_sweeps : int
    state : uint64[4], advanced in place
    parent : int64[N], value : int8[N], work arrays

    Returns
    -------
    (int64, float64)
        b and ln f after the last trial.
    """
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    n_sites = spins.size
    for _ in range(n_sweeps):
        # Under 1/t, ln f is set once per sweep (within a sweep it would change by a
        # fraction B / trials of itself), sparing a division per trial.
        if one_over_t:
            ln_f = levels / (trials + 1)
        for e in range(bond_i.size):
            if spins[bond_i[e]] == spins[bond_j[e]]:
                b_new = b - 1 if occupied[e] else b + 1
                if lo <= b_new <= hi:
                    delta = ln_g[b] - ln_g[b_new]
                    accept = delta >= 0.0
                    if not accept:
                        u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                        accept = to_double(u) < math.exp(delta)
                    if accept:
                        occupied[e] = not occupied[e]
                        b = b_new
            trials += 1
            ln_g[b] += ln_f
            histogram[b] += 1
        for i in range(n_sites):
            parent[i] = i
        for e in range(bond_i.size):
            if occupied[e]:
                ri = _root(parent, bond_i[e])
                rj = _root(parent, bond_j[e])
                if ri != rj:
                    parent[ri] = rj
        for i in range(n_sites):
            if parent[i] == i:
                u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                if ising:
                    value[i] = 1 if (u >> np.uint64(63)) else -1
                else:
                    value[i] = np.int64(to_double(u) * q)
        for i in range(n_sites):
            spins[i] = value[_root(parent, i)]
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = s3
    return b, ln_f


@njit(parallel=True, cache=True)
def run_walkers(spins, bond_i, bond_j, occupied, ising, q, b, lo, hi, ln_g, histogram, ln_f,
                one_over_t, levels, trials, n_sweeps, states):
    """Advance every walker by ``n_sweeps[w]`` sweeps, in parallel over walkers.

    Parameters
    ----------
    spins : int8[W, N], occupied : bool[W, B]
    b, lo, hi : int64[W], ln_f : float64[W], one_over_t : bool[W], levels : float64[W],
    trials : int64[W], n_sweeps : int64[W], states : uint64[W, 4]
        Per walker; ``b``, ``ln_f`` and ``trials`` are updated in place.
    ln_g : float64[W, B + 1], histogram : int64[W, B + 1], updated in place
    """
    n_sites = spins.shape[1]
    for w in prange(spins.shape[0]):
        parent = np.empty(n_sites, dtype=np.int64)
        value = np.empty(n_sites, dtype=np.int8)
        new_b, f = walk(spins[w], bond_i, bond_j, occupied[w], ising, q, b[w], lo[w], hi[w],
                        ln_g[w], histogram[w], ln_f[w], one_over_t[w], levels[w], trials[w],
                        n_sweeps[w], states[w], parent, value)
        b[w] = new_b
        ln_f[w] = f
        trials[w] += n_sweeps[w] * bond_i.size
