"""Multi-spin coded single-spin updates: 64 replicas of an Ising model per 64-bit word.

Bit ``r`` of ``spins[i, w]`` is spin i of replica 64 w + r (0: s = +1, 1: s = -1). Every
coupling is +-c and every field is 0 or +-c for one scale c > 0, so a bond (i, j) is
unsatisfied in a replica exactly where the bit ``spins[i, w] ^ spins[j, w] ^ sign`` is set
(``sign`` = all ones for J < 0), and a field acts as a bond to a fixed up spin. With d bonds
at site i (the field counted as one) of which n are unsatisfied, flipping s_i changes the
energy by 2 c (d - 2 n), so the acceptance probability of a replica depends only on n.

A site update counts, bit-parallel, how many of its bonds are unsatisfied (a bit-sliced
counter, one plane per binary digit of n) in every word, then flips the replicas whose draw
falls below their acceptance probability (in the shared mode the loop over words is
innermost and free of branches, so the compiler vectorises it):

- shared mode (``independent=False``, the annealing mode of the fast codes): one uniform r
  per site, from one stream, decides for every replica of the run: a replica flips iff
  n >= m*, the smallest level whose probability exceeds r. Every replica follows the exact
  single-spin chain, but all replicas share their random numbers, so they are correlated
  (two replicas that meet stay together). Each thread replays the shared stream.
- independent mode: every replica flips independently with its own probability, so
  replicas are independent chains with the law of the scalar kernels. Per word and level
  (the m replicas with the same count, flip probability p): if m p <= 1 the number of flips
  is drawn from Binomial(m, p) by inversion and that many distinct replicas are chosen
  uniformly (usually one draw, K = 0); otherwise each replica compares its own uniform
  (53 random bits, the resolution of :func:`simlab.kernels.rng.next_double`) with p, one
  binary digit per 64-bit draw from the most significant, while some replica is undecided
  (about log2(m) + 1 draws).

In both modes word w's result depends only on its start and the streams, not on how many
words run beside it or on the thread count. Sweeps visit sites in index order.

:func:`anneal_words` runs every word through a schedule; :func:`sample_words` runs each word
at its own temperature in the independent mode and records, after every sweep, each
replica's bond sum and magnetisation, counted bit-parallel by :func:`replica_sums`.
"""

import numpy as np
from numba import njit, prange

from simlab.kernels.rng import next_double, next_uint64, to_double, xoshiro_step

ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_PRECISION = 53
_SCALE = float(2 ** _PRECISION)


@njit(cache=True)
def acceptance_table(beta, max_degree, heat_bath):
    """Acceptance probability of a flip at a site with d bonds of which n are unsatisfied.

    Returns float64[max_degree + 1, max_degree + 1], entry [d, n] (n <= d): Metropolis
    min(1, exp(-beta dE)) or heat bath 1 / (1 + exp(beta dE)), dE = 2 (d - 2 n) in units of
    the coupling scale (``beta`` already includes it).
    """
    table = np.zeros((max_degree + 1, max_degree + 1))
    for d in range(max_degree + 1):
        for n in range(d + 1):
            de = 2.0 * (d - 2 * n)
            if heat_bath:
                x = beta * de
                table[d, n] = 1.0 / (1.0 + np.exp(x)) if x < 700.0 else 0.0
            else:
                table[d, n] = 1.0 if de <= 0 else np.exp(-beta * de)
    return table


@njit(cache=True)
def threshold_bits(table):
    """uint64 versions of ``table``: ceil(p 2^53), so a uniform k / 2^53 (k a 53-bit
    integer, as :func:`simlab.kernels.rng.next_double` draws) is below p exactly when
    k < ceil(p 2^53); p = 1 gives 2^53."""
    out = np.zeros(table.shape, dtype=np.uint64)
    for d in range(table.shape[0]):
        for n in range(table.shape[1]):
            out[d, n] = np.uint64(np.ceil(table[d, n] * _SCALE))
    return out


@njit(cache=True)
def no_flip_table(table, out):
    """out[d, n, m] = (1 - table[d, n])^m for m = 0..64, the chance that none of m replicas
    at level n flips (the independent mode's binomial shortcut)."""
    for d in range(table.shape[0]):
        for n in range(d + 1):
            rate = np.log1p(-table[d, n]) if table[d, n] < 1.0 else -np.inf
            for m in range(out.shape[2]):
                out[d, n, m] = np.exp(m * rate) if m > 0 else 1.0


@njit(inline="always", cache=True)
def _add(c0, c1, c2, c3, x):
    """Add the bits of x to the bit-sliced counter (c3 c2 c1 c0), counts up to 15."""
    t = c0 & x
    c0 ^= x
    u = c1 & t
    c1 ^= t
    v = c2 & u
    c2 ^= u
    c3 |= v
    return c0, c1, c2, c3


@njit(inline="always", cache=True)
def _counts(neighbours, signs, slots, spins, i, w):
    """Bit-sliced count of the unsatisfied bonds of site i in word w. ``slots`` is a tuple
    whose length is the table's width, so the loop has a compile-time trip count and the
    callers' loops over words vectorise."""
    s = spins[i, w]
    c0 = c1 = c2 = c3 = np.uint64(0)
    for e in range(len(slots)):
        c0, c1, c2, c3 = _add(c0, c1, c2, c3, s ^ spins[neighbours[i, e], w] ^ signs[i, e])
    return c0, c1, c2, c3


@njit(inline="always", cache=True)
def _sweep_shared(neighbours, signs, degree, slots, table, spins, lo, hi, st):
    for i in range(degree.size):
        d = degree[i]
        r = next_double(st)
        level = 0
        for m in range(d + 1):
            level += r >= table[d, m]
        if level > d:
            continue  # no level accepts this draw
        l0 = ALL_ONES if level & 1 else np.uint64(0)
        l1 = ALL_ONES if level & 2 else np.uint64(0)
        l2 = ALL_ONES if level & 4 else np.uint64(0)
        l3 = ALL_ONES if level & 8 else np.uint64(0)
        for w in range(lo, hi):
            c0, c1, c2, c3 = _counts(neighbours, signs, slots, spins, i, w)
            # count >= level, compared bit-sliced from the most significant digit
            greater = c3 & ~l3
            equal = ~(c3 ^ l3)
            greater |= equal & c2 & ~l2
            equal &= ~(c2 ^ l2)
            greater |= equal & c1 & ~l1
            equal &= ~(c1 ^ l1)
            greater |= equal & c0 & ~l0
            equal &= ~(c0 ^ l0)
            spins[i, w] ^= greater | equal


@njit(inline="always", cache=True)
def _level_mask(c0, c1, c2, c3, n):
    """Replicas whose bit-sliced count (c3 c2 c1 c0) equals n."""
    return ((c0 if n & 1 else ~c0) & (c1 if n & 2 else ~c1) & (c2 if n & 4 else ~c2)
            & (c3 if n & 8 else ~c3))


@njit(inline="always", cache=True)
def _popcount(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    pairs = np.uint64(0x3333333333333333)
    x = (x & pairs) + ((x >> np.uint64(2)) & pairs)
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(inline="always", cache=True)
def _uniform(s0, s1, s2, s3):
    u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
    return to_double(u), s0, s1, s2, s3


@njit(inline="always", cache=True)
def _binomial_flips(mask, m, p, none, s0, s1, s2, s3):
    """Each of the m replicas in ``mask`` flips independently with probability p: draw the
    number of flips K ~ Binomial(m, p) by inversion, then K distinct replicas uniformly
    (given K, every set of K replicas is equally likely). For small m p this costs one draw
    where the bit-by-bit comparison costs about log2(m) + 1. ``none`` = (1 - p)^m."""
    u, s0, s1, s2, s3 = _uniform(s0, s1, s2, s3)
    prob = none
    cdf = prob
    ratio = p / (1.0 - p)
    k = 0
    while u >= cdf and k < m:
        prob *= (m - k) / (k + 1.0) * ratio
        k += 1
        cdf += prob
    flips = np.uint64(0)
    left = mask
    for j in range(k):
        r, s0, s1, s2, s3 = _uniform(s0, s1, s2, s3)
        pick = np.int64(r * (m - j))
        x = left
        for _ in range(pick):
            x &= x - np.uint64(1)
        bit = x & (~x + np.uint64(1))
        flips |= bit
        left &= ~bit
    return flips, s0, s1, s2, s3


@njit(inline="always", cache=True)
def _sweep_independent(neighbours, signs, degree, slots, table, bits, no_flip, spins, lo, hi,
                       s, undecided_levels, masks):
    full = np.uint64(1) << np.uint64(_PRECISION)
    for i in range(degree.size):
        d = degree[i]
        # The levels left to chance (0 < p < 1); p = 1 flips outright, p = 0 never.
        n_open = 0
        for n in range(d + 1):
            if bits[d, n] > 0 and bits[d, n] < full:
                undecided_levels[n_open] = n
                n_open += 1
        for w in range(lo, hi):
            c0, c1, c2, c3 = _counts(neighbours, signs, slots, spins, i, w)
            accept = np.uint64(0)
            for n in range(d + 1):
                if bits[d, n] >= full:
                    accept |= _level_mask(c0, c1, c2, c3, n)
            if n_open == 0:
                spins[i, w] ^= accept
                continue
            # The word's own stream, advanced only by what this word needs, so its draws do
            # not depend on the other words.
            s0 = s[0, w]
            s1 = s[1, w]
            s2 = s[2, w]
            s3 = s[3, w]
            undecided = np.uint64(0)
            for k in range(n_open):
                mask = _level_mask(c0, c1, c2, c3, undecided_levels[k])
                m = _popcount(mask)
                p = table[d, undecided_levels[k]]
                if m > 0 and m * p <= 1.0:
                    flips, s0, s1, s2, s3 = _binomial_flips(mask, m, p,
                                                            no_flip[d, undecided_levels[k], m],
                                                            s0, s1, s2, s3)
                    accept |= flips
                    mask = np.uint64(0)
                masks[k] = mask
                undecided |= mask
            # The rest: each replica's uniform, one binary digit per draw from the most
            # significant, against its level's threshold.
            t = _PRECISION - 1
            while undecided and t >= 0:
                shift = np.uint64(t)
                plane = np.uint64(0)
                for k in range(n_open):
                    if (bits[d, undecided_levels[k]] >> shift) & np.uint64(1):
                        plane |= masks[k]
                u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                accept |= undecided & ~u & plane
                undecided &= ~(u ^ plane)
                t -= 1
            s[0, w] = s0
            s[1, w] = s1
            s[2, w] = s2
            s[3, w] = s3
            spins[i, w] ^= accept


@njit(cache=True)
def _private(a):
    """A copy of the 2D array ``a`` inside a larger buffer, at least 128 bytes from the
    buffer's ends and with rows 128 bytes apart at least: small arrays that one thread
    writes on every site would otherwise share cache lines with another thread's (false
    sharing serialises the threads)."""
    pad = 16
    buf = np.zeros((a.shape[0], a.shape[1] + 2 * pad), dtype=a.dtype)
    view = buf[:, pad:pad + a.shape[1]]
    view[:] = a
    return view


@njit(parallel=True, cache=True)
def anneal_words(neighbours, signs, degree, slots, betas, sweeps_per_step, heat_bath,
                 independent, shared_state, word_states, spins, n_blocks):
    """Run every word of replicas through the schedule.

    Parameters
    ----------
    neighbours : int64[N, D]
        Bond partners of each site, padded to the width D: a field is a bond to the row N of
        ``spins`` (always 0, an up spin), an unused slot points at the site itself (a bond
        that is never unsatisfied).
    signs : uint64[N, D], all ones where the coupling (or field) is negative, else 0
    degree : int64[N], bonds plus field at each site (<= D <= 15)
    slots : tuple of D ints (only its length is used)
    betas : float64[S], inverse temperatures times the coupling scale c
    sweeps_per_step : int64[S]
    heat_bath, independent : bool, see the module docstring
    shared_state : uint64[4], the stream of the shared mode (every block replays a copy)
    word_states : uint64[4, K], one stream per word for the independent mode (advanced)
    spins : uint64[N + 1, K], start and result; row N must be 0
    n_blocks : int, blocks of words run in parallel (results do not depend on it)
    """
    k = spins.shape[1]
    max_degree = len(slots)
    for b in prange(n_blocks):
        lo = b * k // n_blocks
        hi = (b + 1) * k // n_blocks
        # Each thread works on its own contiguous copy of its words and streams: threads
        # writing neighbouring words of one row would share cache lines.
        local = spins[:, lo:hi].copy()
        local_states = _private(word_states[:, lo:hi])
        st = shared_state.copy()
        undecided_levels = _private(np.zeros((1, max_degree + 1), dtype=np.int64))[0]
        masks = _private(np.zeros((1, max_degree + 1), dtype=np.uint64))[0]
        no_flip = np.ones((max_degree + 1, max_degree + 1, 65))
        for step in range(betas.size):
            table = acceptance_table(betas[step], max_degree, heat_bath)
            bits = threshold_bits(table)
            if independent:
                no_flip_table(table, no_flip)
            for _ in range(sweeps_per_step[step]):
                if independent:
                    _sweep_independent(neighbours, signs, degree, slots, table, bits, no_flip,
                                       local, 0, hi - lo, local_states, undecided_levels, masks)
                else:
                    _sweep_shared(neighbours, signs, degree, slots, table, local, 0, hi - lo,
                                  st)
        spins[:, lo:hi] = local
        word_states[:, lo:hi] = local_states


@njit(parallel=True, cache=True)
def random_words(word_states, spins):
    """Fill spins (uint64[N, K]) with random bits, column w from stream word_states[w]."""
    for w in prange(spins.shape[1]):
        st = word_states[w]
        for i in range(spins.shape[0]):
            spins[i, w] = next_uint64(st)


@njit(parallel=True, cache=True)
def unpack(spins, n_replicas, out):
    """Spins of the first ``n_replicas`` replicas as int8 +-1: out[r, i], shape (R, N)."""
    for r in prange(n_replicas):
        w = r // 64
        shift = np.uint64(r % 64)
        for i in range(spins.shape[0]):
            out[r, i] = 1 - 2 * np.int8((spins[i, w] >> shift) & np.uint64(1))


@njit(parallel=True, cache=True)
def pack(replica_spins, spins):
    """Inverse of :func:`unpack`: int8 +-1 (R, N) into uint64 (N, ceil(R / 64)); unused
    bits 0."""
    n_rep, n = replica_spins.shape
    for w in prange(spins.shape[1]):
        for i in range(n):
            word = np.uint64(0)
            for b in range(64):
                r = 64 * w + b
                if r < n_rep and replica_spins[r, i] < 0:
                    word |= np.uint64(1) << np.uint64(b)
            spins[i, w] = word


_BYTE_ONES = np.uint64(0x0101010101010101)


@njit(inline="always", cache=True)
def _spread(acc, c0, c1, c2, c3):
    """Add the bit-sliced counter (c3 c2 c1 c0) to eight byte-wide counters per replica:
    replica 8 j + k in byte j of acc[k]."""
    for k in range(8):
        shift = np.uint64(k)
        acc[k] += (((c0 >> shift) & _BYTE_ONES)
                   + (((c1 >> shift) & _BYTE_ONES) << np.uint64(1))
                   + (((c2 >> shift) & _BYTE_ONES) << np.uint64(2))
                   + (((c3 >> shift) & _BYTE_ONES) << np.uint64(3)))


@njit(inline="always", cache=True)
def _flush(acc, counts):
    """Move the byte counters of ``acc`` into counts[64] and clear them."""
    for k in range(8):
        a = acc[k]
        for j in range(8):
            counts[8 * j + k] += np.int64((a >> np.uint64(8 * j)) & np.uint64(0xFF))
        acc[k] = np.uint64(0)


@njit(cache=True)
def replica_sums(spins, w, neighbours, bond_slots, disagree, down, acc, acc_down):
    """Per replica of word w: bonds whose two spins differ, and spins down.

    Words are summed bit-parallel in 4-plane counters (up to 15 words), which are spread into
    byte-wide counters (up to 255) and those into int64.

    Parameters
    ----------
    spins : uint64[N + 1, K]
    w : int
    neighbours : int[N, D]
    bond_slots : int64[b], b <= 15
        The bonds counted are (i, neighbours[i, e]) for e in ``bond_slots`` (each bond once:
        right and down on a lattice).
    disagree, down : int64[64], overwritten
    acc, acc_down : uint64[8], scratch
    """
    disagree[:] = 0
    down[:] = 0
    acc[:] = 0
    acc_down[:] = 0
    n_slots = bond_slots.size
    per_plane = 15 // n_slots  # sites per 4-plane counter
    per_byte = 255 // (per_plane * n_slots)  # 4-plane counters per byte counter
    c0 = c1 = c2 = c3 = d0 = d1 = d2 = d3 = np.uint64(0)
    sites = planes = 0
    for i in range(spins.shape[0] - 1):
        s = spins[i, w]
        for e in range(n_slots):
            c0, c1, c2, c3 = _add(c0, c1, c2, c3, s ^ spins[neighbours[i, bond_slots[e]], w])
        d0, d1, d2, d3 = _add(d0, d1, d2, d3, s)
        sites += 1
        if sites == per_plane:
            _spread(acc, c0, c1, c2, c3)
            _spread(acc_down, d0, d1, d2, d3)
            c0 = c1 = c2 = c3 = d0 = d1 = d2 = d3 = np.uint64(0)
            sites = 0
            planes += 1
            if planes == per_byte:
                _flush(acc, disagree)
                _flush(acc_down, down)
                planes = 0
    _spread(acc, c0, c1, c2, c3)
    _spread(acc_down, d0, d1, d2, d3)
    _flush(acc, disagree)
    _flush(acc_down, down)


@njit(parallel=True, cache=True)
def sample_words(neighbours, signs, degree, slots, word_betas, heat_bath, word_states, spins,
                 bond_slots, n_sweeps, bond_series, mag_series, offset):
    """Equilibrium sampling in the independent mode: word w at its own inverse temperature.

    Every replica is an independent chain with the law of the scalar sequential-scan kernel
    (see the module docstring); words run in parallel and each depends only on its start and
    its stream.

    Parameters
    ----------
    neighbours, signs, degree, slots : as in :func:`anneal_words`
    word_betas : float64[K], inverse temperature of each word times the coupling scale
    heat_bath : bool
    word_states : uint64[4, K], advanced in place
    spins : uint64[N + 1, K], advanced in place; row N must be 0
    bond_slots : int64[b], the bonds of the recorded bond sum: (i, neighbours[i, e]) for e
        in ``bond_slots``, B = N b of them
    n_sweeps : int
    bond_series, mag_series : int32[64 K, S]
        If S > 0, row 64 w + r gets replica r of word w after sweep t at column
        ``offset + t``: the bond sum B - 2 (bonds whose spins differ) and the magnetisation
        N - 2 (spins down); couplings' signs do not enter.
    offset : int
    """
    n_sites = spins.shape[0] - 1
    n_bonds = n_sites * bond_slots.size
    max_degree = len(slots)
    record = bond_series.shape[1] > 0
    for w in prange(spins.shape[1]):
        local = spins[:, w:w + 1].copy()
        local_states = _private(word_states[:, w:w + 1])
        undecided_levels = _private(np.zeros((1, max_degree + 1), dtype=np.int64))[0]
        masks = _private(np.zeros((1, max_degree + 1), dtype=np.uint64))[0]
        table = acceptance_table(word_betas[w], max_degree, heat_bath)
        bits = threshold_bits(table)
        no_flip = np.ones((max_degree + 1, max_degree + 1, 65))
        no_flip_table(table, no_flip)
        disagree = _private(np.zeros((1, 64), dtype=np.int64))[0]
        down = _private(np.zeros((1, 64), dtype=np.int64))[0]
        acc = _private(np.zeros((1, 8), dtype=np.uint64))[0]
        acc_down = _private(np.zeros((1, 8), dtype=np.uint64))[0]
        for t in range(n_sweeps):
            _sweep_independent(neighbours, signs, degree, slots, table, bits, no_flip, local,
                               0, 1, local_states, undecided_levels, masks)
            if record:
                replica_sums(local, 0, neighbours, bond_slots, disagree, down, acc, acc_down)
                for r in range(64):
                    bond_series[64 * w + r, offset + t] = n_bonds - 2 * disagree[r]
                    mag_series[64 * w + r, offset + t] = n_sites - 2 * down[r]
        spins[:, w] = local[:, 0]
        word_states[:, w] = local_states[:, 0]
