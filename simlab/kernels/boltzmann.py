"""Gibbs sampling and Boltzmann learning for general Boltzmann machines ({0, 1} units).

A heat-bath update sets unit i on with probability 1 / (1 + exp(-f_i / T)),
f_i = sum_j W_ij s_j + b_i; units marked clamped are left alone. Sweeps visit units in order.

:func:`learn_encoder` runs the procedure of Ackley, Hinton & Sejnowski (1985) for encoder
problems, one run per random stream, in parallel over runs: each learning cycle estimates
the co-occurrences <s_i s_j> with the visible units clamped (noisily) to each pattern and
with the machine running free, both after an annealing schedule, then moves every weight
and bias by a fixed step in the direction of the difference. After every cycle it checks
exactly, by enumeration, whether the machine solves the task (see :func:`solved`).
"""

import numpy as np
from numba import njit, prange

from simlab.kernels.acceptance import heat_bath
from simlab.kernels.rng import next_double


@njit(cache=True)
def sweep(W, b, s, clamped, beta, state):
    """One sequential heat-bath sweep over the free units of state ``s`` (modified in place)."""
    n = s.size
    for i in range(n):
        if clamped[i]:
            continue
        f = b[i]
        for j in range(n):
            f += W[i, j] * s[j]
        # Heat bath: on with probability 1 / (1 + exp(-beta f)), the Glauber acceptance of
        # the move off -> on (dE = -f); no draw where |beta f| > 40 decides it in float64.
        s[i] = 1 if heat_bath(-(beta * f), state, 40.0) else 0


@njit(parallel=True, cache=True)
def sample_states(W, b, clamped, initial, temperature, burn_in, states, out):
    """Independent chains: start from ``initial`` (R, N), ``burn_in`` sweeps, return final states.

    Parameters
    ----------
    clamped : bool[N]
    initial : int8[R, N], the clamped units keep these values
    out : int8[R, N], written
    """
    beta = 1.0 / temperature
    for r in prange(initial.shape[0]):
        s = initial[r].copy()
        for _ in range(burn_in):
            sweep(W, b, s, clamped, beta, states[r])
        out[r, :] = s


@njit(cache=True)
def _anneal(W, b, s, clamped, temps, sweeps, state):
    for k in range(temps.size):
        beta = 1.0 / temps[k]
        for _ in range(sweeps[k]):
            sweep(W, b, s, clamped, beta, state)


@njit(cache=True)
def _phase(W, b, s, clamped, temps, sweeps, stat_temperature, stat_sweeps, state, pair, single):
    """Anneal the free units, then add the co-occurrences after each statistics sweep."""
    _anneal(W, b, s, clamped, temps, sweeps, state)
    for _ in range(stat_sweeps):
        sweep(W, b, s, clamped, 1.0 / stat_temperature, state)
        _accumulate(s, pair, single)


@njit(cache=True)
def _accumulate(s, pair, single):
    n = s.size
    for i in range(n):
        if s[i]:
            single[i] += 1.0
            for j in range(n):
                if s[j]:
                    pair[i, j] += 1.0


@njit(cache=True)
def min_energy_count(W, b, s, free_idx, n_free):
    """Lowest energy over all settings of the units ``free_idx`` (others fixed in ``s``),
    the number of settings reaching it, and the index of the first one."""
    best = np.inf
    count = 0
    arg = -1
    n = s.size
    for code in range(1 << n_free):
        for k in range(n_free):
            s[free_idx[k]] = (code >> (n_free - 1 - k)) & 1
        e = 0.0
        for i in range(n):
            if s[i]:
                e -= b[i]
                for j in range(i + 1, n):
                    if s[j]:
                        e -= W[i, j]
        if e < best - 1e-9:
            best = e
            count = 1
            arg = code
        elif abs(e - best) <= 1e-9:
            count += 1
    return best, count, arg


@njit(cache=True)
def solved(W, b, patterns, n_in, n_hidden):
    """Whether an encoder machine solves its task at zero temperature.

    Units are ordered input group (n_in), output group (n_in), hidden (n_hidden). Solved
    means: (1) with both visible groups clamped to each pattern, the lowest-energy hidden
    code is unique, and the codes of all patterns differ; (2) with only the input group
    clamped, the unique lowest-energy setting of hidden and output units has the output
    group equal to the pattern.
    """
    n = W.shape[0]
    n_vis = 2 * n_in
    hidden_idx = np.arange(n_vis, n)
    out_hidden_idx = np.arange(n_in, n)
    codes = np.empty(patterns.shape[0], dtype=np.int64)
    s = np.zeros(n, dtype=np.int8)
    for p in range(patterns.shape[0]):
        for i in range(n_vis):
            s[i] = patterns[p, i]
        _, count, arg = min_energy_count(W, b, s, hidden_idx, n_hidden)
        if count != 1:
            return False
        codes[p] = arg
        for q in range(p):
            if codes[q] == arg:
                return False
        for i in range(n_in):
            s[i] = patterns[p, i]
        _, count, arg = min_energy_count(W, b, s, out_hidden_idx, n - n_in)
        if count != 1:
            return False
        for k in range(n_in):  # output units are the leading bits of the free code
            if ((arg >> (n - n_in - 1 - k)) & 1) != patterns[p, n_in + k]:
                return False
    return True


@njit(parallel=True, cache=True)
def learn_encoder(mask, patterns, n_in, n_hidden, temps, sweeps, stat_temperature,
                  stat_sweeps, flip_on_off, flip_off_on, step, max_cycles, states,
                  out_cycles, out_weights, out_biases):
    """Run Boltzmann learning on an encoder task, once per stream, until solved.

    Parameters
    ----------
    mask : bool[N, N], connectivity
    patterns : int8[P, 2 * n_in], visible patterns (input group then output group)
    temps, sweeps : float64[K], int64[K], annealing schedule before statistics
    stat_temperature : float; stat_sweeps : int
        Co-occurrences are counted after each of ``stat_sweeps`` sweeps at this temperature.
    flip_on_off, flip_off_on : float
        Noisy clamping: a unit that should be on is clamped off with probability
        ``flip_on_off`` (and the reverse), drawn anew for every presentation.
    step : float, weight change per cycle (sign of the co-occurrence difference)
    max_cycles : int
    states : uint64[R, 4]
    out_cycles : int64[R], written: cycles until solved, or -1
    out_weights : float64[R, N, N]; out_biases : float64[R, N], written
    """
    n = mask.shape[0]
    n_vis = 2 * n_in
    n_pat = patterns.shape[0]
    for r in prange(states.shape[0]):
        st = states[r]
        W = np.zeros((n, n))
        b = np.zeros(n)
        s = np.zeros(n, dtype=np.int8)
        clamp_vis = np.zeros(n, dtype=np.bool_)
        clamp_vis[:n_vis] = True
        clamp_none = np.zeros(n, dtype=np.bool_)
        out_cycles[r] = -1
        for cycle in range(1, max_cycles + 1):
            plus = np.zeros((n, n))
            plus1 = np.zeros(n)
            minus = np.zeros((n, n))
            minus1 = np.zeros(n)
            for p in range(n_pat):
                for i in range(n):
                    if i < n_vis:
                        on = patterns[p, i] == 1
                        u = next_double(st)
                        s[i] = (0 if u < flip_on_off else 1) if on else (1 if u < flip_off_on else 0)
                    else:
                        s[i] = 1 if next_double(st) < 0.5 else 0
                _phase(W, b, s, clamp_vis, temps, sweeps, stat_temperature, stat_sweeps, st,
                       plus, plus1)
                for i in range(n):
                    s[i] = 1 if next_double(st) < 0.5 else 0
                _phase(W, b, s, clamp_none, temps, sweeps, stat_temperature, stat_sweeps, st,
                       minus, minus1)
            for i in range(n):
                d = plus1[i] - minus1[i]
                b[i] += step if d > 0 else (-step if d < 0 else 0.0)
                for j in range(i + 1, n):
                    if mask[i, j]:
                        d = plus[i, j] - minus[i, j]
                        w = step if d > 0 else (-step if d < 0 else 0.0)
                        W[i, j] += w
                        W[j, i] += w
            if solved(W, b, patterns, n_in, n_hidden):
                out_cycles[r] = cycle
                break
        out_weights[r] = W
        out_biases[r] = b
