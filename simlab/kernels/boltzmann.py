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
def _group_moments(W, units, fields, beta, mean, second):
    """Exact moments of the units ``units`` (k of them) with the rest held fixed.

    ``fields[a]`` is the bias plus the field from the fixed units on unit ``units[a]``; the
    group's own couplings come from ``W``. Writes ``mean[a] = <s_a>`` and
    ``second[a, c] = <s_a s_c>`` (float64[k], float64[k, k]) and returns ln Z of the group.
    """
    k = units.size
    n_codes = 1 << k
    log_w = np.empty(n_codes)
    for code in range(n_codes):
        e = 0.0
        for a in range(k):
            if (code >> a) & 1:
                e -= fields[a]
                for c in range(a + 1, k):
                    if (code >> c) & 1:
                        e -= W[units[a], units[c]]
        log_w[code] = -beta * e
    top = log_w.max()
    z = 0.0
    mean[:] = 0.0
    second[:, :] = 0.0
    for code in range(n_codes):
        w = np.exp(log_w[code] - top)
        z += w
        for a in range(k):
            if (code >> a) & 1:
                mean[a] += w
                for c in range(k):
                    if (code >> c) & 1:
                        second[a, c] += w
    mean /= z
    second /= z
    return top + np.log(z)


@njit(cache=True)
def _exact_clamped(W, b, s, hidden, beta, pair, single):
    """Add the exact equilibrium co-occurrences with the visible units fixed in ``s``."""
    n = s.size
    k = hidden.size
    fields = np.empty(k)
    for a in range(k):
        f = b[hidden[a]]
        for j in range(hidden[0]):  # the visible units come first
            f += W[hidden[a], j] * s[j]
        fields[a] = f
    mean = np.empty(k)
    second = np.empty((k, k))
    _group_moments(W, hidden, fields, beta, mean, second)
    x = s.astype(np.float64)
    for a in range(k):
        x[hidden[a]] = mean[a]
    for i in range(n):
        single[i] += x[i]
        for j in range(n):
            pair[i, j] += x[i] * x[j]
    for a in range(k):
        for c in range(k):
            pair[hidden[a], hidden[c]] += second[a, c] - mean[a] * mean[c]


@njit(cache=True)
def _exact_free(W, b, n_in, beta, pair, single):
    """Add the exact equilibrium co-occurrences of the free-running encoder machine.

    The two visible groups are not coupled to each other, so given the hidden code h they are
    independent: ln P(h) = -beta E_H(h) + ln Z_V1(h) + ln Z_V2(h) - ln Z, and every moment is
    a sum over the 2^n_hidden codes of moments within one group.
    """
    n = b.size
    n_hidden = n - 2 * n_in
    groups = (np.arange(0, n_in), np.arange(n_in, 2 * n_in))
    n_codes = 1 << n_hidden
    log_p = np.empty(n_codes)
    means = np.empty((n_codes, 2, n_in))
    seconds = np.empty((n_codes, 2, n_in, n_in))
    h = np.zeros(n)
    fields = np.empty(n_in)
    for code in range(n_codes):
        e = 0.0
        for a in range(n_hidden):
            h[2 * n_in + a] = (code >> a) & 1
        for a in range(n_hidden):
            if h[2 * n_in + a]:
                e -= b[2 * n_in + a]
                for c in range(a + 1, n_hidden):
                    if h[2 * n_in + c]:
                        e -= W[2 * n_in + a, 2 * n_in + c]
        log_p[code] = -beta * e
        for g in range(2):
            units = groups[g]
            for a in range(n_in):
                f = b[units[a]]
                for c in range(n_hidden):
                    f += W[units[a], 2 * n_in + c] * h[2 * n_in + c]
                fields[a] = f
            log_p[code] += _group_moments(W, units, fields, beta, means[code, g],
                                          seconds[code, g])
    top = log_p.max()
    p = np.exp(log_p - top)
    p /= p.sum()
    x = np.empty(n)
    for code in range(n_codes):
        x[:n_in] = means[code, 0]
        x[n_in:2 * n_in] = means[code, 1]
        for a in range(n_hidden):
            x[2 * n_in + a] = (code >> a) & 1
        for i in range(n):
            single[i] += p[code] * x[i]
            for j in range(n):
                pair[i, j] += p[code] * x[i] * x[j]
        for g in range(2):
            for a in range(n_in):
                for c in range(n_in):
                    i = g * n_in + a
                    pair[i, g * n_in + c] += p[code] * (seconds[code, g, a, c]
                                                        - x[i] * x[g * n_in + c])


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


@njit(cache=True)
def _change(difference, count, step, proportional):
    """Parameter change for a co-occurrence difference summed over ``count`` presentations."""
    if proportional:
        return step * difference / count
    return step if difference > 0 else (-step if difference < 0 else 0.0)


@njit(parallel=True, cache=True, nogil=True)
def learn_encoder(mask, patterns, n_in, n_hidden, temps, sweeps, stat_temperature,
                  stat_sweeps, flip_on_off, flip_off_on, step, max_cycles, statistics,
                  proportional, initial_spread, states, out_cycles, out_weights, out_biases,
                  done):
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
    statistics : int
        0: both phases sampled (1985); 1: the free phase exact by enumeration; 2: both exact
        (the clamped phase given each noisy presentation). Exact phases skip the annealing.
    proportional : bool
        False: every parameter moves by +-step with the sign of the difference (1985);
        True: by step times the difference of the co-occurrence probabilities (the gradient).
    initial_spread : float
        Weights start uniform in [-initial_spread, initial_spread] (biases at 0). Exact
        statistics need a spread > 0: from equal weights nothing distinguishes the hidden units.
    states : uint64[R, 4]
    out_cycles : int64[R], written: cycles until solved, or -1
    out_weights : float64[R, N, N]; out_biases : float64[R, N], written
    done : int64[R], written while the kernel runs: the cycles each run has done, and
        ``max_cycles`` once it has stopped (a caller's thread polls it for a progress bar;
        the kernel releases the GIL)
    """
    n = mask.shape[0]
    n_vis = 2 * n_in
    n_pat = patterns.shape[0]
    hidden = np.arange(n_vis, n)
    beta = 1.0 / stat_temperature
    # Presentations counted per cycle: stat_sweeps per pattern sampled, one per pattern exact.
    count = n_pat * (1 if statistics == 2 else stat_sweeps)
    for r in prange(states.shape[0]):
        st = states[r]
        W = np.zeros((n, n))
        if initial_spread > 0:
            for i in range(n):
                for j in range(i + 1, n):
                    if mask[i, j]:
                        W[i, j] = initial_spread * (2.0 * next_double(st) - 1.0)
                        W[j, i] = W[i, j]
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
                if statistics == 2:
                    _exact_clamped(W, b, s, hidden, beta, plus, plus1)
                else:
                    _phase(W, b, s, clamp_vis, temps, sweeps, stat_temperature, stat_sweeps,
                           st, plus, plus1)
                if statistics == 0:
                    for i in range(n):
                        s[i] = 1 if next_double(st) < 0.5 else 0
                    _phase(W, b, s, clamp_none, temps, sweeps, stat_temperature, stat_sweeps,
                           st, minus, minus1)
            if statistics != 0:
                # The exact free phase is an expectation; scale it to the presentations the
                # clamped sums count.
                _exact_free(W, b, n_in, beta, minus, minus1)
                minus *= count
                minus1 *= count
            for i in range(n):
                b[i] += _change(plus1[i] - minus1[i], count, step, proportional)
                for j in range(i + 1, n):
                    if mask[i, j]:
                        w = _change(plus[i, j] - minus[i, j], count, step, proportional)
                        W[i, j] += w
                        W[j, i] += w
            done[r] = cycle
            if solved(W, b, patterns, n_in, n_hidden):
                out_cycles[r] = cycle
                break
        done[r] = max_cycles
        out_weights[r] = W
        out_biases[r] = b
