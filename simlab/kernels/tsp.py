"""Simulated annealing of TSP tours with 2-opt and or-opt moves.

A tour is an int32 array of city indices (a permutation). Both move types have O(1) length
changes:

- 2-opt(i, j), 0 <= i < j < n, (i, j) != (0, n-1): remove edges (t_i, t_i+1), (t_j, t_j+1),
  reconnect by reversing t_i+1..t_j. dL = d(t_i, t_j) + d(t_i+1, t_j+1) - d(t_i, t_i+1)
  - d(t_j, t_j+1). Applied by reversing whichever of the two arcs is shorter.
- or-opt(i, m, p, rev): move the segment of m in {1, 2, 3} cities starting at position i
  (cyclically) between positions p and p+1 (outside the segment), reversed if ``rev``.

One sweep is n move attempts; each is 2-opt with probability ``p_two_opt``, else or-opt.
"""

import numpy as np
from numba import njit, prange

from simlab.kernels.acceptance import accept
from simlab.kernels.rng import next_below, next_double


@njit(cache=True)
def tour_length(dist, tour):
    """Length of a closed tour."""
    n = tour.size
    total = 0.0
    for k in range(n):
        total += dist[tour[k], tour[(k + 1) % n]]
    return total


@njit(cache=True)
def two_opt_delta(dist, tour, i, j):
    """Length change of the 2-opt move (i, j), i < j."""
    n = tour.size
    a, b = tour[i], tour[i + 1]
    c, d = tour[j], tour[(j + 1) % n]
    return dist[a, c] + dist[b, d] - dist[a, b] - dist[c, d]


@njit(cache=True)
def apply_two_opt(tour, i, j):
    """Apply 2-opt (i, j) in place, reversing the shorter of the two equivalent arcs."""
    n = tour.size
    inner = j - i
    if inner <= n - inner:
        lo, hi = i + 1, j
        while lo < hi:
            tour[lo], tour[hi] = tour[hi], tour[lo]
            lo += 1
            hi -= 1
    else:
        lo, hi = j + 1, i + n  # the arc j+1 .. i (cyclic): reversing it gives the same cycle
        while lo < hi:
            a, b = lo % n, hi % n
            tour[a], tour[b] = tour[b], tour[a]
            lo += 1
            hi -= 1


@njit(cache=True)
def or_opt_valid(n, i, m, p):
    """Whether moving the m-city segment at i to after position p is a real move."""
    if m >= n - 1:
        return False
    offset = (p - i) % n
    return offset >= m and offset != n - 1


@njit(cache=True)
def or_opt_delta(dist, tour, i, m, p, rev):
    """Length change of or-opt (i, m, p, rev); requires :func:`or_opt_valid`."""
    n = tour.size
    first, last = tour[i], tour[(i + m - 1) % n]
    prev, nxt = tour[(i - 1) % n], tour[(i + m) % n]
    x, y = tour[p], tour[(p + 1) % n]
    removed = dist[prev, first] + dist[last, nxt] - dist[prev, nxt]
    if rev:
        added = dist[x, last] + dist[first, y] - dist[x, y]
    else:
        added = dist[x, first] + dist[last, y] - dist[x, y]
    return added - removed


@njit(cache=True)
def apply_or_opt(tour, i, m, p, rev, buffer):
    """Apply or-opt (i, m, p, rev) in place; ``buffer`` is int32[n] scratch."""
    n = tour.size
    k = 0
    # Walk the cycle from the city after the segment; emit everything except the segment,
    # and insert the segment right after the city at position p.
    pos = (i + m) % n
    for _ in range(n - m):
        buffer[k] = tour[pos]
        k += 1
        if pos == p:
            for q in range(m):
                src = (i + (m - 1 - q)) % n if rev else (i + q) % n
                buffer[k] = tour[src]
                k += 1
        pos = (pos + 1) % n
    tour[:] = buffer


@njit(cache=True)
def random_two_opt(n, state):
    """A uniformly random valid 2-opt pair (i, j)."""
    while True:
        i = next_below(state, n - 1)
        j = next_below(state, n)
        if i > j:
            i, j = j, i
        if j - i >= 2 and not (i == 0 and j == n - 1):
            return i, j


@njit(parallel=True, cache=True)
def anneal_tours(dist, temperatures, sweeps_per_step, heat_bath, p_two_opt, states, tours,
                 best_tours, final_length, best_length, record_every, trajectory):
    """Anneal R independent random initial tours.

    Parameters
    ----------
    dist : float64[n, n]
    temperatures : float64[n_steps]
    states : uint64[R, 4]
    tours, best_tours : int32[R, n], written (final and best)
    final_length, best_length : float64[R], written
    record_every : int; trajectory : float64[R, n_records]
    """
    n_reads, n = tours.shape
    n_sweeps = temperatures.size * sweeps_per_step
    for r in prange(n_reads):
        st = states[r]
        tour = tours[r]
        for k in range(n):
            tour[k] = k
        for k in range(n - 1, 0, -1):  # Fisher-Yates
            q = next_below(st, k + 1)
            tour[k], tour[q] = tour[q], tour[k]
        buffer = np.empty(n, dtype=tour.dtype)
        length = tour_length(dist, tour)
        best = length
        best_tours[r, :] = tour
        rec = 0
        for t in range(n_sweeps):
            beta = 1.0 / temperatures[t // sweeps_per_step]
            for _ in range(n):
                if n < 5 or next_double(st) < p_two_opt:
                    i, j = random_two_opt(n, st)
                    dl = two_opt_delta(dist, tour, i, j)
                    if accept(beta * dl, heat_bath, st):
                        apply_two_opt(tour, i, j)
                        length += dl
                else:
                    m = 1 + next_below(st, 3)
                    i = next_below(st, n)
                    p = next_below(st, n)
                    if not or_opt_valid(n, i, m, p):
                        continue
                    rev = next_double(st) < 0.5
                    dl = or_opt_delta(dist, tour, i, m, p, rev)
                    if accept(beta * dl, heat_bath, st):
                        apply_or_opt(tour, i, m, p, rev, buffer)
                        length += dl
            if length < best - 1e-9:
                best = length
                best_tours[r, :] = tour
            if record_every > 0 and (t + 1) % record_every == 0:
                trajectory[r, rec] = length
                rec += 1
        final_length[r] = tour_length(dist, tour)
        best_length[r] = tour_length(dist, best_tours[r])
