"""Wang-Landau random walks in the energy of Ising and Potts lattices.

A walker proposes a single-site change (Ising: flip; Potts: one of the q - 1 other states,
uniformly) and accepts it with min(1, g(E_old) / g(E_new)) if the new energy lies in its
window of levels, then adds ln f to ln g and 1 to the histogram at its (new or old) level.
Energies are carried as the integer bond sum b (Ising: sum s_i s_j; Potts: satisfied bonds);
the level index is k = (top - b) // step, so k = 0 is the ground state.

With ``one_over_t`` the modification factor is ln f = levels / trials at every trial
(Belardinelli & Pereyra, Phys. Rev. E 75, 046701, 2007), ``levels`` being the number of
energy levels of the walker's window and ``trials`` the walker's trials so far.
"""

import math

import numpy as np
from numba import njit, prange

from simlab.kernels.rng import next_double, to_double, xoshiro_step


@njit(inline="always", cache=True)
def propose(spins, neighbours, ising, q, s0, s1, s2, s3):
    """A random site, its proposed new value and the change of the bond sum.

    Ising: flip; Potts: one of the q - 1 other states, uniformly. The stream is carried in
    four scalars (see :func:`simlab.kernels.rng.xoshiro_step`) and returned advanced.

    Returns
    -------
    (int64, int64, int64, uint64, uint64, uint64, uint64)
        Site, new value, change of the bond sum, and the stream.
    """
    n_sites, z = neighbours.shape
    u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
    i = np.int64(to_double(u) * n_sites)
    s = np.int64(spins[i])
    if ising:
        nb = np.int64(0)
        for k in range(z):
            nb += spins[neighbours[i, k]]
        return i, -s, -2 * s * nb, s0, s1, s2, s3
    u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
    r = np.int64(to_double(u) * (q - 1))
    new = r if r < s else r + 1
    d_bond = np.int64(0)
    for k in range(z):
        v = spins[neighbours[i, k]]
        d_bond += (v == new) - (v == s)
    return i, new, d_bond, s0, s1, s2, s3


@njit(inline="always", cache=True)
def accept_log_ratio(delta, s0, s1, s2, s3):
    """Accept with probability min(1, e^delta), drawing from the stream (held in four
    scalars) only when delta < 0: (accepted, s0, s1, s2, s3)."""
    if delta >= 0.0:
        return True, s0, s1, s2, s3
    u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
    return to_double(u) < math.exp(delta), s0, s1, s2, s3


@njit(cache=True)
def walk(spins, neighbours, ising, q, bond, top, step, lo, hi, ln_g, histogram, ln_f,
         one_over_t, levels, trials, n_steps, state):
    """``n_steps`` Wang-Landau trials of one walker.

    Parameters
    ----------
    spins : int8[N], modified in place
    neighbours : int32[N, z]
    ising : bool
    q : int
    bond : int64, the current bond sum
    top, step : int64, level k = (top - bond) // step; step a power of 2
    lo, hi : int64, the walker's window of levels [lo, hi]
    ln_g : float64[K], histogram : int64[K], updated in place
    ln_f : float64, modification factor (unless ``one_over_t``)
    one_over_t : bool
    levels : float64, levels in the window (for ln f = levels / trials)
    trials : int64, trials before this call
    n_steps : int
    state : uint64[4], advanced in place

    Returns
    -------
    (int64, float64)
        The bond sum and ln f after the last trial.
    """
    # The stream lives in registers for the loop (storing it back after every draw cost
    # half of the time per trial), and the level moves by -d_bond / step, a shift: every
    # change of the bond sum is a whole number of level steps, and step is 1 or 4.
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    k_old = (top - bond) // step
    shift = np.int64(0)
    while (np.int64(1) << shift) < step:
        shift += 1
    for _ in range(n_steps):
        i, new, d_bond, s0, s1, s2, s3 = propose(spins, neighbours, ising, q, s0, s1, s2, s3)
        k_new = k_old - (d_bond >> shift)
        if lo <= k_new <= hi:
            accept, s0, s1, s2, s3 = accept_log_ratio(ln_g[k_old] - ln_g[k_new],
                                                      s0, s1, s2, s3)
            if accept:
                spins[i] = new
                bond += d_bond
                k_old = k_new
        trials += 1
        if one_over_t:
            ln_f = levels / trials
        ln_g[k_old] += ln_f
        histogram[k_old] += 1
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = s3
    return bond, ln_f


@njit(parallel=True, cache=True)
def run_walkers(spins, neighbours, ising, q, bond, top, step, lo, hi, ln_g, histogram, ln_f,
                one_over_t, levels, trials, n_steps, states):
    """Advance every walker by ``n_steps[w]`` trials, in parallel over walkers.

    Parameters
    ----------
    spins : int8[W, N]
    bond : int64[W], lo, hi : int64[W], ln_f : float64[W], one_over_t : bool[W],
    levels : float64[W], trials : int64[W], n_steps : int64[W], states : uint64[W, 4]
        Per walker; ``bond``, ``ln_f`` and ``trials`` are updated in place.
    ln_g : float64[W, K], histogram : int64[W, K], updated in place
    """
    for w in prange(spins.shape[0]):
        b, f = walk(spins[w], neighbours, ising, q, bond[w], top, step, lo[w], hi[w], ln_g[w],
                    histogram[w], ln_f[w], one_over_t[w], levels[w], trials[w], n_steps[w],
                    states[w])
        bond[w] = b
        ln_f[w] = f
        trials[w] += n_steps[w]


@njit(cache=True)
def enter_window(spins, neighbours, ising, q, bond, top, step, lo, hi, max_steps, state):
    """Move a configuration into the window of levels [lo, hi] by a biased random walk.

    A change toward the window (or staying in place) is always taken, one away from it with
    probability 1/4, so the walk drifts to the window without freezing in a local minimum.

    Returns
    -------
    (int64, bool)
        The bond sum, and whether the window was reached within ``max_steps`` trials.
    """
    for _ in range(max_steps):
        k = (top - bond) // step
        if lo <= k <= hi:
            return bond, True
        i, new, d_bond, s0, s1, s2, s3 = propose(spins, neighbours, ising, q, state[0],
                                                  state[1], state[2], state[3])
        state[0] = s0
        state[1] = s1
        state[2] = s2
        state[3] = s3
        k_new = (top - bond - d_bond) // step
        toward = (k_new >= k) if k < lo else (k_new <= k)
        if toward or next_double(state) < 0.25:
            spins[i] = new
            bond += d_bond
    k = (top - bond) // step
    return bond, lo <= k <= hi
