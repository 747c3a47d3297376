"""Multibondic Wang-Landau walks: a flat histogram in the number of occupied bonds.

The state is a spin configuration with a set of occupied bonds, each joining two equal
spins (the Fortuin-Kasteleyn graph). Its weight depends only on the number b of occupied
bonds. A sweep visits every bond in order: a bond between equal spins has its occupation
toggled with probability min(1, g(b) / g(b')), b' = b +- 1, and after every bond ln g(b)
gets ln f and the histogram 1, as in a Wang-Landau walk in the energy (in the 1/t stage
g is read for the acceptance at the start of each sweep; see :func:`walk`). Then every
cluster of sites joined by occupied bonds takes a uniformly random spin
value (the Swendsen-Wang step, which leaves b and the occupied bonds' equal ends intact;
:func:`swendsen_wang_values`).
Janke & Kappler, Phys. Rev. Lett. 74, 212 (1995); with Wang-Landau weights, Yamaguchi &
Kawashima, Phys. Rev. E 65, 056710 (2002).

Spins are Ising values +-1 or Potts states 0 .. q - 1; ``ising`` picks the value set.
"""

import math

import numpy as np
from numba import njit, prange

from simlab.kernels.rng import to_double, xoshiro_step
from simlab.kernels.wang_landau import accept_log_ratio


@njit(cache=True, inline="always")
def swendsen_wang_values(spins, bond_i, bond_j, occupied, ising, q, parent, bonds, s0, s1, s2,
                         s3):
    """Give every cluster of sites joined by occupied bonds one uniformly random value.

    Clusters are found by union-find in which every tree points to a lower site, so each
    root is its cluster's lowest site. Taking the sites in increasing order, a site's root
    is then one step from its parent (``parent[parent[i]]``: the lower sites already point
    to their roots); a root takes a fresh random value and every other site its root's.
    The list of occupied bonds and the values are formed without branches on random data:
    a walk at L = 32 takes 13.9 ns per bond trial with this step and took 19.3 ns with a
    depth-first search (cluster step included, one walker, timed in the same session).

    Parameters
    ----------
    spins : int8[N], overwritten
    bond_i, bond_j : int32[B], occupied : bool[B]
    ising : bool, q : int
    parent : int64[N], bonds : int64[B]
        Work arrays.
    s0, s1, s2, s3 : uint64, the random state

    Returns
    -------
    (uint64, uint64, uint64, uint64)
        The advanced random state.
    """
    n_sites = spins.size
    for i in range(n_sites):
        parent[i] = i
    n_occupied = 0
    for e in range(bond_i.size):
        bonds[n_occupied] = e
        n_occupied += np.int64(occupied[e])
    for c in range(n_occupied):
        x, y = np.int64(bond_i[bonds[c]]), np.int64(bond_j[bonds[c]])
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        while parent[y] != y:
            parent[y] = parent[parent[y]]
            y = parent[y]
        parent[max(x, y)] = min(x, y)
    for i in range(n_sites):
        r = parent[parent[i]]
        parent[i] = r
        u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
        if ising:
            value = np.int8(1) if (u >> np.uint64(63)) else np.int8(-1)
        else:
            value = np.int8(to_double(u) * q)
        spins[i] = value if r == i else spins[r]
    return s0, s1, s2, s3


@njit(cache=True)
def walk(spins, bond_i, bond_j, occupied, ising, q, b, lo, hi, ln_g,
         histogram, ln_f, one_over_t, levels, trials, n_sweeps, state, parent, bonds, up, down,
         visits):
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
    parent : int64[N], bonds : int64[B], up, down : float64[B + 1], visits : int64[B + 1]
        Work arrays; ``visits`` all 0 on entry.

    Returns
    -------
    (int64, float64)
        b and ln f after the last trial.
    """
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    for _ in range(n_sweeps):
        if one_over_t:
            # ln f is set once per sweep (within a sweep it would change by a fraction
            # B / trials of itself); the acceptance probabilities are read from ln g as it
            # stands at the start of the sweep, and the sweep's visits are added to ln g at
            # its end. The trials then run without exponentials or a chain of dependences
            # through ln g (1.4 times faster), and ln g still gets ln f per trial. Before
            # the 1/t stage ln f is too large for that (B ln f per sweep would pile up on
            # the few values of b a sweep visits), and ln g is updated after every trial.
            ln_f = levels / (trials + 1)
            for k in range(lo, hi + 1):
                up[k] = math.exp(min(0.0, ln_g[k] - ln_g[k + 1])) if k < hi else 0.0
                down[k] = math.exp(min(0.0, ln_g[k] - ln_g[k - 1])) if k > lo else 0.0
            for e in range(bond_i.size):
                equal = np.int64(spins[bond_i[e]] == spins[bond_j[e]])
                was = np.int64(occupied[e])
                u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                p = down[b] if was else up[b]
                toggle = equal & np.int64(to_double(u) < p)
                occupied[e] = (was ^ toggle) != 0
                b += toggle * (1 - 2 * was)
                visits[b] += 1
            for k in range(lo, hi + 1):
                ln_g[k] += ln_f * visits[k]
                histogram[k] += visits[k]
                visits[k] = 0
        else:
            for e in range(bond_i.size):
                if spins[bond_i[e]] == spins[bond_j[e]]:
                    b_new = b - 1 if occupied[e] else b + 1
                    if lo <= b_new <= hi:
                        accept, s0, s1, s2, s3 = accept_log_ratio(ln_g[b] - ln_g[b_new],
                                                                  s0, s1, s2, s3)
                        if accept:
                            occupied[e] = not occupied[e]
                            b = b_new
                ln_g[b] += ln_f
                histogram[b] += 1
        trials += bond_i.size
        s0, s1, s2, s3 = swendsen_wang_values(spins, bond_i, bond_j, occupied, ising, q,
                                              parent, bonds, s0, s1, s2, s3)
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = s3
    return b, ln_f


@njit(parallel=True, cache=True)
def run_walkers(spins, bond_i, bond_j, occupied, ising, q, b, lo, hi,
                ln_g, histogram, ln_f, one_over_t, levels, trials, n_sweeps, states):
    """Advance every walker by ``n_sweeps[w]`` sweeps, in parallel over walkers.

    Parameters
    ----------
    spins : int8[W, N], occupied : bool[W, B]
    bond_i, bond_j : int32[B]
        The bonds, as in :func:`walk`.
    b, lo, hi : int64[W], ln_f : float64[W], one_over_t : bool[W], levels : float64[W],
    trials : int64[W], n_sweeps : int64[W], states : uint64[W, 4]
        Per walker; ``b``, ``ln_f`` and ``trials`` are updated in place.
    ln_g : float64[W, B + 1], histogram : int64[W, B + 1], updated in place
    """
    n_sites = spins.shape[1]
    for w in prange(spins.shape[0]):
        parent = np.empty(n_sites, dtype=np.int64)
        bonds = np.empty(bond_i.size, dtype=np.int64)
        up = np.zeros(ln_g.shape[1])
        down = np.zeros(ln_g.shape[1])
        visits = np.zeros(ln_g.shape[1], dtype=np.int64)
        new_b, f = walk(spins[w], bond_i, bond_j, occupied[w], ising, q,
                        b[w], lo[w], hi[w], ln_g[w], histogram[w], ln_f[w], one_over_t[w],
                        levels[w], trials[w], n_sweeps[w], states[w], parent, bonds, up, down,
                        visits)
        b[w] = new_b
        ln_f[w] = f
        trials[w] += n_sweeps[w] * bond_i.size
