"""Exact thermodynamics of finite spectra (token distributions) and sampling from them.

A row of logits z (length V) at temperature T is the Boltzmann distribution of energies
E = -z: p_i = g_i exp(z_i / T) / Z, with multiplicities g_i >= 0 (all 1 for plain logits; a
histogram of logits has its counts). Rows are processed in parallel. Per row the finite
logits with g > 0 are compacted into d = z - max(z) <= 0 (``-inf`` or g = 0 entries are
masked states and drop out), and for each inverse temperature b = 1/T

    Z' = sum g exp(b d),  mu = <d>,  var = <(d - mu)^2>     (two passes, centred),

from which ln Z = b max + ln Z', U = -(max + mu), S = ln Z' - b mu, C = b^2 var. Working
with d keeps S free of the cancellation of b * max terms for logits up to 1e6 in magnitude.
b = 0 (T = inf) and b = inf (T = 0) are exact limits.

Status codes per row: 0 ok, 1 NaN, 2 +inf, 3 no finite logit; ``bad_index`` is the first
offending vocabulary index; :func:`solve_entropy` adds 4 (target outside [ln g, ln V']) and 5
(not reached inside the temperature bracket).
"""

import math

import numpy as np
from numba import njit, prange

from simlab.kernels.rng import next_double
from simlab.kernels.vexp import exp_scaled

OK, NAN, POS_INF, ALL_MASKED, OUT_OF_RANGE, NOT_BRACKETED = 0, 1, 2, 3, 4, 5

# Output columns of spectrum_moments.
LOG_Z_REDUCED, MEAN_D, VAR_D = 0, 1, 2


@njit(cache=True)
def scan_row(row, weight, d, g):
    """Validate a row, compact its finite logits with weight > 0 into d = z - max and g.

    Returns
    -------
    (status, bad_index, n_kept, max, tied_weight)
    """
    top = -np.inf
    for i in range(row.size):
        v = row[i]
        if v != v:
            return NAN, i, 0, 0.0, 0.0
        if v == np.inf:
            return POS_INF, i, 0, 0.0, 0.0
        if v > top and weight[i] > 0:
            top = v
    if top == -np.inf:
        return ALL_MASKED, 0, 0, 0.0, 0.0
    n = 0
    ties = 0.0
    for i in range(row.size):
        v = row[i]
        if v > -np.inf and weight[i] > 0:
            d[n] = np.float64(v) - np.float64(top)
            g[n] = weight[i]
            if v == top:
                ties += weight[i]
            n += 1
    return OK, 0, n, np.float64(top), ties


@njit(cache=True)
def prepare_row(logits, weights, p, status, bad_index):
    """Scan row ``p`` into fresh buffers and record its status.

    Returns
    -------
    (n_kept, max, tied_weight, d, g, w, bits)
        Buffers of the row's width: compacted d = z - max and weights g (first ``n_kept``
        entries valid), and scratch w and bits for :func:`moments`.
    """
    width = logits.shape[1]
    d = np.empty(width)
    g = np.empty(width)
    st, bad, n, mx, ties = scan_row(logits[p], weights[p], d, g)
    status[p] = st
    bad_index[p] = bad
    return n, mx, ties, d, g, np.empty(width), np.empty(width, dtype=np.int64)


@njit(fastmath=True, cache=True)
def moments(d, g, b, w, bits):
    """(ln Z', mu, var) of the weights g exp(b d) over d (finite b > 0)."""
    exp_scaled(d, b, w, bits)
    z = 0.0
    s1 = 0.0
    for i in range(d.size):
        w[i] *= g[i]
        z += w[i]
        s1 += w[i] * d[i]
    mu = s1 / z
    s2 = 0.0
    for i in range(d.size):
        t = d[i] - mu
        s2 += w[i] * t * t
    return math.log(z), mu, s2 / z


@njit(cache=True)
def _limits_at(d, g, ties, b):
    """(ln Z', mu, var) at b = 0 (weights g) or b = inf (only the tied maxima)."""
    if b == 0.0:
        total = 0.0
        mu = 0.0
        for i in range(d.size):
            total += g[i]
            mu += g[i] * d[i]
        mu /= total
        var = 0.0
        for i in range(d.size):
            var += g[i] * (d[i] - mu) ** 2
        return math.log(total), mu, var / total
    return math.log(ties), 0.0, 0.0


@njit(parallel=True, cache=True)
def spectrum_moments(logits, weights, inv_t, out, top, status, bad_index):
    """Per row and temperature: ln Z', mu, var (see module docstring).

    Parameters
    ----------
    logits : float32[P, V] or float64[P, V]
    weights : float64[P, V], multiplicities g >= 0
    inv_t : float64[K], 1/T in [0, inf]
    out : float64[P, K, 3], written
    top : float64[P], written: max finite logit
    status, bad_index : int64[P], written
    """
    for p in prange(logits.shape[0]):
        n, mx, ties, d, g, w, bits = prepare_row(logits, weights, p, status, bad_index)
        top[p] = mx
        if status[p] != OK:
            continue
        dv = d[:n]
        gv = g[:n]
        for k in range(inv_t.size):
            b = inv_t[k]
            if b == 0.0 or b == np.inf:
                r = _limits_at(dv, gv, ties, b)
            else:
                r = moments(dv, gv, b, w[:n], bits[:n])
            out[p, k, 0] = r[0]
            out[p, k, 1] = r[1]
            out[p, k, 2] = r[2]


@njit(cache=True)
def _log_c(dv, gv, log_t, w, bits):
    b = math.exp(-log_t)
    var = moments(dv, gv, b, w, bits)[2]
    return math.log(var) + 2.0 * math.log(b) if var > 0 else -np.inf


@njit(parallel=True, cache=True)
def specific_heat_peaks(logits, weights, log_t_grid, rel_tol, out_t, out_c, status, bad_index):
    """Temperature T* of the global maximum of C(T) = var / T^2 per row, and C(T*).

    The maximum is bracketed on ``log_t_grid`` (ln T, increasing) and refined by golden-section
    search in ln T until the bracket is narrower than ``rel_tol`` relative. Rows whose
    C is zero everywhere (one finite logit, or all equal) get T* = nan, C = 0.
    """
    n_grid = log_t_grid.size
    inv_phi = (math.sqrt(5.0) - 1.0) / 2.0
    for p in prange(logits.shape[0]):
        n, mx, ties, d, g, w, bits = prepare_row(logits, weights, p, status, bad_index)
        out_t[p] = np.nan
        out_c[p] = 0.0
        if status[p] != OK:
            continue
        dv = d[:n]
        gv = g[:n]
        wv = w[:n]
        bv = bits[:n]
        best = -np.inf
        j = -1
        for j_ in range(n_grid):
            v = _log_c(dv, gv, log_t_grid[j_], wv, bv)
            if v > best:
                best = v
                j = j_
        if j < 0:
            continue
        lo = log_t_grid[max(j - 1, 0)]
        hi = log_t_grid[min(j + 1, n_grid - 1)]
        x1 = hi - inv_phi * (hi - lo)
        x2 = lo + inv_phi * (hi - lo)
        f1 = _log_c(dv, gv, x1, wv, bv)
        f2 = _log_c(dv, gv, x2, wv, bv)
        while hi - lo > rel_tol:
            if f1 < f2:
                lo = x1
                x1 = x2
                f1 = f2
                x2 = lo + inv_phi * (hi - lo)
                f2 = _log_c(dv, gv, x2, wv, bv)
            else:
                hi = x2
                x2 = x1
                f2 = f1
                x1 = hi - inv_phi * (hi - lo)
                f1 = _log_c(dv, gv, x1, wv, bv)
        x = 0.5 * (lo + hi)
        out_t[p] = math.exp(x)
        out_c[p] = math.exp(_log_c(dv, gv, x, wv, bv))


@njit(cache=True)
def cumulative_weights(row, b, d, w, bits, cdf):
    """Fill ``cdf`` with the cumulative Boltzmann weights of ``row`` at inverse temperature
    ``b`` (masked entries add nothing) and return the total. d, w, bits: scratch."""
    width = row.size
    top = -np.inf
    for i in range(width):
        if row[i] > top:
            top = row[i]
    for i in range(width):
        # Masked entries get d = 0 here but are skipped in the cumulative sum.
        d[i] = np.float64(row[i]) - np.float64(top) if row[i] > -np.inf else 0.0
    if b == np.inf:      # T = 0: uniform over the tied maxima
        for i in range(width):
            w[i] = 1.0 if d[i] == 0.0 else 0.0
    elif b == 0.0:       # T = inf: uniform over the finite entries
        for i in range(width):
            w[i] = 1.0
    else:
        exp_scaled(d, b, w, bits)
    acc = 0.0
    for i in range(width):
        if row[i] > -np.inf:
            acc += w[i]
        cdf[i] = acc
    return acc


@njit(cache=True)
def search(cdf, u):
    """The first index whose cumulative weight exceeds u (binary search)."""
    lo, hi = 0, cdf.size - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cdf[mid] > u:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(parallel=True, cache=True)
def sample_tokens(logits, inv_t, states, out):
    """Draw tokens from p(T) for each (row, temperature) by inverse-CDF sampling.

    Parameters
    ----------
    logits : float[P, V], validated (finite or -inf, at least one finite per row)
    inv_t : float64[K], in [0, inf]
    states : uint64[P * K, 4], one RNG stream per (row, temperature)
    out : int64[P, K, S], written: vocabulary indices
    """
    n_rows, width = logits.shape
    n_t = inv_t.size
    for job in prange(n_rows * n_t):
        p = job // n_t
        k = job % n_t
        d = np.empty(width)
        w = np.empty(width)
        bits = np.empty(width, dtype=np.int64)
        cdf = np.empty(width)
        acc = cumulative_weights(logits[p], inv_t[k], d, w, bits, cdf)
        for s in range(out.shape[2]):
            out[p, k, s] = search(cdf, next_double(states[job]) * acc)


@njit(parallel=True, cache=True)
def sample_rows(logits, inv_t, states, out):
    """One token per row from p(T_row), each row with its own temperature and stream.

    Parameters
    ----------
    logits : float[P, V], validated
    inv_t : float64[P], in [0, inf]
    states : uint64[P, 4], advanced in place (one draw each)
    out : int64[P], written
    """
    n_rows, width = logits.shape
    for p in prange(n_rows):
        d = np.empty(width)
        w = np.empty(width)
        bits = np.empty(width, dtype=np.int64)
        cdf = np.empty(width)
        acc = cumulative_weights(logits[p], inv_t[p], d, w, bits, cdf)
        out[p] = search(cdf, next_double(states[p]) * acc)


@njit(parallel=True, cache=True)
def row_moments(logits, inv_t, out, top, status, bad_index):
    """Per row at its own inverse temperature: ln Z', mu, var (see the module docstring).

    Parameters
    ----------
    logits : float32[P, V] or float64[P, V]
    inv_t : float64[P], in [0, inf]
    out : float64[P, 3], written; top : float64[P], written
    status, bad_index : int64[P], written
    """
    ones = np.ones(logits.shape[1])
    for p in prange(logits.shape[0]):
        d = np.empty(logits.shape[1])
        g = np.empty(logits.shape[1])
        st, bad, n, mx, ties = scan_row(logits[p], ones, d, g)
        status[p] = st
        bad_index[p] = bad
        top[p] = mx
        if st != OK:
            continue
        b = inv_t[p]
        if b == 0.0 or b == np.inf:
            r = _limits_at(d[:n], g[:n], ties, b)
        else:
            r = moments(d[:n], g[:n], b, np.empty(n), np.empty(n, dtype=np.int64))
        out[p, 0] = r[0]
        out[p, 1] = r[1]
        out[p, 2] = r[2]


@njit(cache=True)
def _entropy_at(dv, gv, log_t, w, bits):
    """(S, C) of the weights g exp(d / T) at T = exp(log_t)."""
    b = math.exp(-log_t)
    log_z, mu, var = moments(dv, gv, b, w, bits)
    return log_z - b * mu, var * b * b


@njit(parallel=True, cache=True)
def solve_entropy(logits, target, log_t_lo, log_t_hi, tol, out_t, status, bad_index):
    """Temperature at which each row's entropy equals ``target[row]`` (nats).

    S(T) rises from ln g (g tied maxima, T = 0) to ln V' (V' finite logits, T = inf), with
    dS/d ln T = C >= 0. Safeguarded Newton in ln T inside a bisection bracket
    [log_t_lo, log_t_hi], until |S - target| <= tol. Targets equal to ln g or ln V' give
    T = 0 or inf. Status: OK, or OUT_OF_RANGE (target outside [ln g, ln V']), or
    NOT_BRACKETED (inside, but not reached within the bracket), or a scan status.
    """
    ones = np.ones(logits.shape[1])
    for p in prange(logits.shape[0]):
        width = logits.shape[1]
        d = np.empty(width)
        g = np.empty(width)
        st, bad, n, mx, ties = scan_row(logits[p], ones, d, g)
        status[p] = st
        bad_index[p] = bad
        out_t[p] = np.nan
        if st != OK:
            continue
        s_min = math.log(ties)
        s_max = math.log(float(n))
        s_star = target[p]
        if s_star < s_min - tol or s_star > s_max + tol:
            status[p] = OUT_OF_RANGE
            continue
        if abs(s_star - s_min) <= tol:
            out_t[p] = 0.0
            continue
        if abs(s_star - s_max) <= tol:
            out_t[p] = np.inf
            continue
        dv = d[:n]
        gv = g[:n]
        w = np.empty(n)
        bits = np.empty(n, dtype=np.int64)
        lo = log_t_lo
        hi = log_t_hi
        x = 0.5 * (lo + hi)
        done = False
        for _ in range(200):
            s, c = _entropy_at(dv, gv, x, w, bits)
            if abs(s - s_star) <= tol:
                done = True
                break
            if s < s_star:
                lo = x
            else:
                hi = x
            step = (s - s_star) / c if c > 0.0 else np.inf
            x_new = x - step
            if not (lo < x_new < hi):
                x_new = 0.5 * (lo + hi)
            if hi - lo < 1e-15:
                break
            x = x_new
        if done:
            out_t[p] = math.exp(x)
        else:
            status[p] = NOT_BRACKETED
