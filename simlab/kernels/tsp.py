"""Simulated annealing of TSP tours with 2-opt and or-opt moves.

A tour is an int32 array of city indices (a permutation). Both move types have O(1) length
changes:

- 2-opt(i, j), 0 <= i < j < n, (i, j) != (0, n-1): remove edges (t_i, t_i+1), (t_j, t_j+1),
  reconnect by reversing t_i+1..t_j. dL = d(t_i, t_j) + d(t_i+1, t_j+1) - d(t_i, t_i+1)
  - d(t_j, t_j+1). Applied by reversing whichever of the two arcs is shorter.
- or-opt(i, m, p, rev): move the segment of m in {1, 2, 3} cities starting at position i
  (cyclically) between positions p and p+1 (outside the segment), reversed if ``rev``.

One sweep is n move attempts; each is 2-opt with probability ``p_two_opt``, else or-opt.

:func:`anneal_tours` draws the positions of a move uniformly (every move can be proposed, the
proposal is symmetric, and at fixed T the tours follow the Boltzmann law: held to it by the
sampler contract). :func:`anneal_tours_near` draws candidate moves from k-nearest-neighbour
lists, as large-instance codes do (a city a and a near city c; the 2-opt move that makes
(a, c) an edge, or the or-opt move that puts the segment starting at a next to c), so almost
every attempt is a plausible improvement. Its proposal is not symmetric, so at fixed T its
tours do not follow the Boltzmann law exactly: it is a minimiser, not a sampler.
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


@njit(inline="always", cache=True)
def _random_tour(tour, st):
    """Overwrite ``tour`` with a uniformly random permutation (Fisher-Yates) from ``st``."""
    for k in range(tour.size):
        tour[k] = k
    for k in range(tour.size - 1, 0, -1):
        q = next_below(st, k + 1)
        tour[k], tour[q] = tour[q], tour[k]


@njit(inline="always", cache=True)
def _end_of_sweep(tour, length, best, best_tour, t, record_every, trajectory, rec):
    """Keep the best tour and record the length every ``record_every`` sweeps after sweep
    t; returns the updated (best, rec)."""
    if length < best - 1e-9:
        best = length
        best_tour[:] = tour
    if record_every > 0 and (t + 1) % record_every == 0:
        trajectory[rec] = length
        rec += 1
    return best, rec


@njit(parallel=True, cache=True, nogil=True)
def anneal_tours(dist, temperatures, sweeps_per_step, heat_bath, p_two_opt, states, tours,
                 best_tours, final_length, best_length, record_every, trajectory, done):
    """Anneal R independent random initial tours.

    Parameters
    ----------
    dist : float64[n, n]
    temperatures : float64[n_steps]
    states : uint64[R, 4]
    tours, best_tours : int32[R, n], written (final and best)
    final_length, best_length : float64[R], written
    record_every : int; trajectory : float64[R, n_records]
    done : int64[R], written while the kernel runs: the sweeps each read has finished (a
        caller's thread polls it for a progress bar; the kernel releases the GIL)
    """
    n_reads, n = tours.shape
    n_sweeps = temperatures.size * sweeps_per_step
    for r in prange(n_reads):
        st = states[r]
        tour = tours[r]
        _random_tour(tour, st)
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
            best, rec = _end_of_sweep(tour, length, best, best_tours[r], t, record_every,
                                      trajectory[r], rec)
            done[r] = t + 1
        final_length[r] = tour_length(dist, tour)
        best_length[r] = tour_length(dist, best_tours[r])


@njit(cache=True)
def _reverse_with_positions(tour, pos, i, j):
    """Reverse tour[i+1 .. j] (2-opt (i, j), i < j) or the equivalent complementary arc,
    whichever is shorter, keeping pos[city] = index in tour."""
    n = tour.size
    inner = j - i
    if inner <= n - inner:
        lo, hi = i + 1, j
    else:
        lo, hi = j + 1, i + n
    while lo < hi:
        a, b = lo % n, hi % n
        ca, cb = tour[a], tour[b]
        tour[a], tour[b] = cb, ca
        pos[cb] = a
        pos[ca] = b
        lo += 1
        hi -= 1


@njit(cache=True)
def _move_segment(tour, pos, i, m, p, rev):
    """Apply or-opt (i, m, p, rev) by shifting the cities between the segment and the
    insertion point (the shorter way round the cycle), keeping ``pos``: O(distance)."""
    n = tour.size
    s0, s1, s2 = tour[i], tour[(i + 1) % n], tour[(i + 2) % n]
    forward = (p - i) % n - m + 1  # cities after the segment up to and including p
    backward = n - m - forward      # cities before the segment down to p + 1
    if forward <= backward:
        # shift the forward cities back by m, then place the segment after them
        for q in range(forward):
            src = (i + m + q) % n
            dst = (i + q) % n
            tour[dst] = tour[src]
            pos[tour[dst]] = dst
        start = (i + forward) % n
    else:
        # shift the backward cities (p+1 .. i-1) forward by m, segment goes before them
        for q in range(backward):
            src = (i - 1 - q) % n
            dst = (i + m - 1 - q) % n
            tour[dst] = tour[src]
            pos[tour[dst]] = dst
        start = (i - backward) % n
    for q in range(m):
        k = m - 1 - q if rev else q
        city = s0 if k == 0 else (s1 if k == 1 else s2)
        idx = (start + q) % n
        tour[idx] = city
        pos[city] = idx


@njit(parallel=True, cache=True, nogil=True)
def anneal_tours_near(dist, near, temperatures, sweeps_per_step, heat_bath, p_two_opt, states,
                      tours, best_tours, final_length, best_length, record_every, trajectory,
                      done):
    """:func:`anneal_tours` with candidate moves from nearest-neighbour lists.

    Each attempt draws a city a and one of its k nearest cities c. 2-opt (probability
    ``p_two_opt``): with probability 1/2 the move removing the edges after a and after c
    (adding (a, c) and their successors' edge), else the one removing the edges before them.
    Or-opt: the segment of m in {1, 2, 3} cities starting at a is moved to just after or
    just before c, reversed or not with probability 1/2. Invalid draws count as rejected
    attempts.

    Parameters
    ----------
    near : int32[n, k], the k nearest other cities of each city (n >= 8)
    (the rest as in :func:`anneal_tours`)
    """
    n_reads, n = tours.shape
    k_near = near.shape[1]
    n_sweeps = temperatures.size * sweeps_per_step
    for r in prange(n_reads):
        st = states[r]
        tour = tours[r]
        _random_tour(tour, st)
        pos = np.empty(n, dtype=np.int64)
        for k in range(n):
            pos[tour[k]] = k
        length = tour_length(dist, tour)
        best = length
        best_tours[r, :] = tour
        rec = 0
        for t in range(n_sweeps):
            beta = 1.0 / temperatures[t // sweeps_per_step]
            for _ in range(n):
                a = next_below(st, n)
                c = near[a, next_below(st, k_near)]
                if next_double(st) < p_two_opt:
                    i, j = pos[a], pos[c]
                    if next_double(st) < 0.5:  # the edges before a and c instead
                        i = (i - 1) % n
                        j = (j - 1) % n
                    if i > j:
                        i, j = j, i
                    if j - i < 2 or (i == 0 and j == n - 1):
                        continue
                    dl = two_opt_delta(dist, tour, i, j)
                    if accept(beta * dl, heat_bath, st):
                        _reverse_with_positions(tour, pos, i, j)
                        length += dl
                else:
                    m = 1 + next_below(st, 3)
                    i = pos[a]
                    p = pos[c] if next_double(st) < 0.5 else (pos[c] - 1) % n
                    rev = next_double(st) < 0.5
                    if not or_opt_valid(n, i, m, p):
                        continue
                    dl = or_opt_delta(dist, tour, i, m, p, rev)
                    if accept(beta * dl, heat_bath, st):
                        _move_segment(tour, pos, i, m, p, rev)
                        length += dl
            best, rec = _end_of_sweep(tour, length, best, best_tours[r], t, record_every,
                                      trajectory[r], rec)
            done[r] = t + 1
        final_length[r] = tour_length(dist, tour)
        best_length[r] = tour_length(dist, best_tours[r])
