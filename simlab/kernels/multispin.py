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
from numba import njit, prange, types
from numba.cpython.unsafe.tuple import tuple_setitem
from numba.extending import intrinsic

from simlab.kernels.rng import next_double, next_uint64, to_double, xoshiro_step

ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_PRECISION = 53
_SCALE = float(2 ** _PRECISION)
_INV_SCALE = 1.0 / _SCALE


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


@intrinsic
def _ctpop(typingctx, x):
    """The number of set bits of a uint64 (LLVM's ctpop: one instruction where the CPU has
    it, and it vectorises)."""
    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])
    return types.uint64(types.uint64), codegen


@njit(cache=True)
def binomial_tables(table, no_flip, zero_bits, largest):
    """The independent mode's shortcut tables from ``table`` (see :func:`acceptance_table`).

    zero_bits[d, n, m] = ceil(2^53 (1 - p)^m): a 53-bit draw k flips none of the m replicas
    at level n exactly when k < zero_bits (the comparison ``k / 2^53 < (1 - p)^m`` in
    integers); largest[d, n]: the largest m with m p <= 1 (in float64), up to which the
    shortcut is taken. ``no_flip`` ((1 - p)^m, float64[D+1, D+1, 65]) is filled too.
    """
    no_flip_table(table, no_flip)
    for d in range(table.shape[0]):
        for n in range(d + 1):
            p = table[d, n]
            top = 0
            for m in range(1, no_flip.shape[2]):
                if np.float64(m) * p <= 1.0:
                    top = m
            largest[d, n] = top
            for m in range(no_flip.shape[2]):
                zero_bits[d, n, m] = np.uint64(np.ceil(no_flip[d, n, m] * _SCALE))


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
def _site(neighbours, signs, slots, i):
    """Site i's bond partners and signs as tuples of the table's width (``slots`` is a tuple
    of that length): values, not memory, so the loops over words that use them see rows
    that stores cannot change, load each row contiguously and vectorise."""
    rows = slots
    flips = slots
    for e in range(len(slots)):
        rows = tuple_setitem(rows, e, neighbours[i, e])
        flips = tuple_setitem(flips, e, np.int64(signs[i, e]))  # the same 64 bits
    return rows, flips


@njit(inline="always", cache=True)
def _counts(rows, flips, spins, i, w):
    """Bit-sliced count of the unsatisfied bonds of site i in word w (``rows``, ``flips``:
    :func:`_site`; the loop has a compile-time trip count)."""
    s = spins[i, w]
    c0 = c1 = c2 = c3 = np.uint64(0)
    for e in range(len(rows)):
        c0, c1, c2, c3 = _add(c0, c1, c2, c3, s ^ spins[rows[e], w] ^ np.uint64(flips[e]))
    return c0, c1, c2, c3


@njit(cache=True)
def _sweep_shared(neighbours, signs, degree, slots, table, spins, lo, hi, st):
    for i in range(degree.size):
        d = degree[i]
        r = next_double(st)
        level = 0
        for m in range(d + 1):
            level += r >= table[d, m]
        if level > d:
            continue  # no level accepts this draw
        rows, flips = _site(neighbours, signs, slots, i)
        for w in range(lo, hi):
            c0, c1, c2, c3 = _counts(rows, flips, spins, i, w)
            spins[i, w] ^= _at_least(c0, c1, c2, c3, level)


@njit(inline="always", cache=True)
def _level_mask(c0, c1, c2, c3, n):
    """Replicas whose bit-sliced count (c3 c2 c1 c0) equals n."""
    return ((c0 if n & 1 else ~c0) & (c1 if n & 2 else ~c1) & (c2 if n & 4 else ~c2)
            & (c3 if n & 8 else ~c3))


@njit(inline="always", cache=True)
def _binomial_count(u, m, p, none):
    """K ~ Binomial(m, p) by inversion from the uniform u (``none`` = (1 - p)^m)."""
    prob = none
    cdf = prob
    ratio = p / (1.0 - p)
    k = 0
    while u >= cdf and k < m:
        prob *= (m - k) / (k + 1.0) * ratio
        k += 1
        cdf += prob
    return k


@njit(inline="always", cache=True)
def _at_least(c0, c1, c2, c3, level):
    """Replicas whose bit-sliced count (c3 c2 c1 c0) is >= level (0 <= level <= 15)."""
    l0 = ALL_ONES if level & 1 else np.uint64(0)
    l1 = ALL_ONES if level & 2 else np.uint64(0)
    l2 = ALL_ONES if level & 4 else np.uint64(0)
    l3 = ALL_ONES if level & 8 else np.uint64(0)
    greater = c3 & ~l3
    equal = ~(c3 ^ l3)
    greater |= equal & c2 & ~l2
    equal &= ~(c2 ^ l2)
    greater |= equal & c1 & ~l1
    equal &= ~(c1 ^ l1)
    greater |= equal & c0 & ~l0
    equal &= ~(c0 ^ l0)
    return greater | equal


#: Words run together in lock-step (a chunk), and the layout of their scratch ``lane``: field
#: f of word w at lane[f * CHUNK + w], so the compiler sees that the fields never overlap.
CHUNK = 16
_S0, _S1, _S2, _S3, _C0, _C1, _C2, _C3, _ACC, _UND, _DRAW, _COUNT, _SHORT, _PLANE = (
    f * CHUNK for f in range(14))
#: the energy count: a 4-plane counter (_E0.._E3), eight byte-wide counters per replica
#: (_B0.._B7); the replicas that improved on their best (_IMP)
_E0, _E1, _E2, _E3, _B0, _B1, _B2, _B3, _B4, _B5, _B6, _B7, _IMP = (
    f * CHUNK for f in range(14, 27))
LANE_FIELDS = 27


@njit(inline="always", cache=True)
def _step_if(lane, w, active):
    """Word w's next draw; its stream (lane fields S0..S3) advances only if ``active`` (a
    word with nothing left to decide draws nothing, so its stream does not depend on the
    words beside it)."""
    x, t0, t1, t2, t3 = xoshiro_step(lane[_S0 + w], lane[_S1 + w], lane[_S2 + w],
                                     lane[_S3 + w])
    lane[_S0 + w] = t0 if active else lane[_S0 + w]
    lane[_S1 + w] = t1 if active else lane[_S1 + w]
    lane[_S2 + w] = t2 if active else lane[_S2 + w]
    lane[_S3 + w] = t3 if active else lane[_S3 + w]
    return x


@njit(inline="always", cache=True)
def _pick(mask, m, k, lane, w):
    """k distinct replicas of ``mask`` (m of them), uniformly, with word w's stream."""
    flips = np.uint64(0)
    left = mask
    for j in range(k):
        pick = np.int64(to_double(_step_if(lane, w, True)) * (m - j))
        y = left
        for _ in range(pick):
            y &= y - np.uint64(1)
        bit = y & (~y + np.uint64(1))
        flips |= bit
        left &= ~bit
    return flips


@njit(cache=True)
def word_tables(betas, max_degree, heat_bath, tables):
    """Fill the tables of :func:`_sweep_words` for each inverse temperature of ``betas``.

    ``tables`` is :func:`new_tables`' tuple (table, bits, no_flip, zero_bits, largest,
    first_open, first_sure) with a leading axis of at least betas.size; entry t is built
    from betas[t]: see :func:`acceptance_table`, :func:`threshold_bits` and
    :func:`binomial_tables`, and for a site of d bonds the levels of count n that flip
    with 0 < p < 1 are first_open[t, d] <= n < first_sure[t, d] (p grows with n).
    """
    table, bits, no_flip, zero_bits, largest, first_open, first_sure = tables
    full = np.uint64(1) << np.uint64(_PRECISION)
    for t in range(betas.size):
        table[t] = acceptance_table(betas[t], max_degree, heat_bath)
        bits[t] = threshold_bits(table[t])
        binomial_tables(table[t], no_flip[t], zero_bits[t], largest[t])
        for d in range(max_degree + 1):
            lo = 0
            while lo <= d and bits[t, d, lo] == 0:
                lo += 1
            hi = lo
            while hi <= d and bits[t, d, hi] < full:
                hi += 1
            first_open[t, d] = lo
            first_sure[t, d] = hi


@njit(cache=True)
def new_tables(n_tables, max_degree):
    """Empty tables for :func:`word_tables`."""
    size = max_degree + 1
    return (np.zeros((n_tables, size, size)), np.zeros((n_tables, size, size), np.uint64),
            np.ones((n_tables, size, size, 65)), np.zeros((n_tables, size, size, 65), np.uint64),
            np.zeros((n_tables, size, size), np.int64), np.zeros((n_tables, size), np.int64),
            np.zeros((n_tables, size), np.int64))


@njit(cache=True)
def _load_chunk(spins, word_states, lo, hi, lane):
    """Words lo..hi - 1 of ``spins`` as a contiguous copy (this thread's own), and their
    streams into the lane."""
    local = spins[:, lo:hi].copy()
    for w in range(hi - lo):
        for f, field in enumerate((_S0, _S1, _S2, _S3)):
            lane[field + w] = word_states[f, lo + w]
    return local


@njit(cache=True)
def _store_chunk(local, spins, word_states, lo, hi, lane):
    """Inverse of :func:`_load_chunk`."""
    spins[:, lo:hi] = local
    for w in range(hi - lo):
        for f, field in enumerate((_S0, _S1, _S2, _S3)):
            word_states[f, lo + w] = lane[field + w]


@njit(cache=True)
def _sweep_words(neighbours, signs, degree, slots, tables, which, spins, nw, lane, masks):
    """One independent-mode sweep of the nw <= CHUNK words of ``spins`` in lock-step, word w
    at the temperature of tables entry which[w] (:func:`word_tables`).

    Each loop over words has no inner loop of varying length and no branch that differs
    between words, so it vectorises; each word draws from its own stream (lane fields
    S0..S3) only what it needs, the same draws in the same order as when it runs alone.
    Per site, for each word with its open levels lo <= n < hi:

    1. count the unsatisfied bonds (bit-sliced) and flip the counts >= hi;
    2. per open level, the m replicas there: if m p <= 1, one draw decides whether none of
       them flips (probability (1 - p)^m, compared as 53-bit integers); the rare words where
       some do finish the binomial inversion with the same draw and pick the replicas;
    3. the other replicas compare their own uniform with p, one binary digit per draw from
       the most significant, while a word of the chunk has one undecided.

    ``spins``: the chunk's contiguous copy (:func:`_load_chunk`); which: int64[CHUNK];
    masks: uint64[(D + 1) * CHUNK], level n of word w at n * CHUNK + w.
    """
    table, bits, no_flip, zero_bits, largest, first_open, first_sure = tables
    low = np.uint64(64 - _PRECISION)
    max_degree = len(slots)
    # The levels open in some word of the chunk, per degree, and each word's entries laid
    # out by word (entry (d, n) of word w at (d (D + 1) + n) CHUNK + w), so the loops over
    # words read them contiguously instead of gathering through ``which``.
    size = max_degree + 1
    chunk_lo = np.full(size, size, dtype=np.int64)
    chunk_hi = np.zeros(size, dtype=np.int64)
    sure_level = np.zeros(size * CHUNK, dtype=np.int64)
    is_open = np.zeros(size * size * CHUNK, dtype=np.uint64)
    shortcut = np.zeros(size * size * CHUNK, dtype=np.int64)
    word_bits = np.zeros(size * size * CHUNK, dtype=np.uint64)
    for d in range(size):
        for w in range(CHUNK):
            t = which[w]
            if w < nw:
                chunk_lo[d] = min(chunk_lo[d], first_open[t, d])
                chunk_hi[d] = max(chunk_hi[d], first_sure[t, d])
            sure_level[d * CHUNK + w] = first_sure[t, d]
            for n in range(size):
                at = (d * size + n) * CHUNK + w
                is_open[at] = (ALL_ONES if first_open[t, d] <= n < first_sure[t, d]
                               else np.uint64(0))
                shortcut[at] = largest[t, d, n]
                word_bits[at] = bits[t, d, n]
    for i in range(degree.size):
        d = degree[i]
        rows, flips = _site(neighbours, signs, slots, i)
        for w in range(nw):
            c0, c1, c2, c3 = _counts(rows, flips, spins, i, w)
            lane[_C0 + w] = c0
            lane[_C1 + w] = c1
            lane[_C2 + w] = c2
            lane[_C3 + w] = c3
            hi = sure_level[d * CHUNK + w]
            sure = ALL_ONES if hi <= d else np.uint64(0)
            lane[_ACC + w] = _at_least(c0, c1, c2, c3, min(hi, 15)) & sure
            lane[_UND + w] = 0
        for n in range(chunk_lo[d], chunk_hi[d]):
            row = n * CHUNK
            entry = (d * size + n) * CHUNK
            for w in range(nw):
                mask = (_level_mask(lane[_C0 + w], lane[_C1 + w], lane[_C2 + w],
                                    lane[_C3 + w], n) & is_open[entry + w])
                m = np.int64(_ctpop(mask))
                short = (m > 0) & (m <= shortcut[entry + w])
                lane[_COUNT + w] = m
                lane[_SHORT + w] = short
                keep = np.uint64(0) if short else mask
                masks[row + w] = keep
                lane[_UND + w] |= keep
            for w in range(nw):
                lane[_DRAW + w] = _step_if(lane, w, lane[_SHORT + w] != 0) >> low
            # Which draws found flips: a table lookup per word, gathered into one word of
            # flags (a loop without stores, so it vectorises with the gather)
            pending = np.uint64(0)
            for w in range(nw):
                found = lane[_SHORT + w] & np.uint64(
                    lane[_DRAW + w] >= zero_bits[which[w], d, n, lane[_COUNT + w]])
                pending |= found << np.uint64(w)
            while pending:  # the rare words where some replicas flip: finish the inversion
                w = np.int64(_ctpop((pending & (~pending + np.uint64(1))) - np.uint64(1)))
                pending &= pending - np.uint64(1)
                t = which[w]
                mask = _level_mask(lane[_C0 + w], lane[_C1 + w], lane[_C2 + w],
                                   lane[_C3 + w], n)
                m = np.int64(lane[_COUNT + w])
                u = np.float64(lane[_DRAW + w]) * _INV_SCALE
                k = _binomial_count(u, m, table[t, d, n], no_flip[t, d, n, m])
                lane[_ACC + w] |= _pick(mask, m, k, lane, w)
        left = np.uint64(0)
        for w in range(nw):
            left |= lane[_UND + w]
        digit = _PRECISION - 1
        while left and digit >= 0:
            shift = np.uint64(digit)
            for w in range(nw):
                lane[_PLANE + w] = 0
            for n in range(chunk_lo[d], chunk_hi[d]):
                row = n * CHUNK
                entry = (d * size + n) * CHUNK
                for w in range(nw):
                    sel = np.uint64(0) - ((word_bits[entry + w] >> shift) & np.uint64(1))
                    lane[_PLANE + w] |= masks[row + w] & sel
            left = np.uint64(0)
            for w in range(nw):
                und = lane[_UND + w]
                plane = lane[_PLANE + w]
                x = _step_if(lane, w, und != 0)
                lane[_ACC + w] |= und & ~x & plane
                und &= ~(x ^ plane)
                lane[_UND + w] = und
                left |= und
            digit -= 1
        for w in range(nw):
            spins[i, w] ^= lane[_ACC + w]


@njit(cache=True)
def _sweep_each(neighbours, signs, degree, slots, tables, which, spins, nw, lane, levels,
                masks):
    """The sweep of :func:`_sweep_words` word by word, each word's stream and counts in
    registers: the same draws in the same order, so the same result. Faster than the
    lock-step loops for a single word and when every level is open (heat bath), where the
    lock-step loops' passes over memory per level cost more than they save.

    levels: int64[D + 1] and masks: uint64[D + 1], scratch.
    """
    table, bits, no_flip, zero_bits, largest, first_open, first_sure = tables
    for i in range(degree.size):
        d = degree[i]
        rows, flips = _site(neighbours, signs, slots, i)
        for w in range(nw):
            t = which[w]
            c0, c1, c2, c3 = _counts(rows, flips, spins, i, w)
            hi = first_sure[t, d]
            accept = _at_least(c0, c1, c2, c3, min(hi, 15)) if hi <= d else np.uint64(0)
            lo = first_open[t, d]
            if lo >= hi:
                spins[i, w] ^= accept
                continue
            s0 = lane[_S0 + w]
            s1 = lane[_S1 + w]
            s2 = lane[_S2 + w]
            s3 = lane[_S3 + w]
            undecided = np.uint64(0)
            n_open = 0
            for n in range(lo, hi):
                mask = _level_mask(c0, c1, c2, c3, n)
                m = np.int64(_ctpop(mask))
                if m > 0 and m <= largest[t, d, n]:
                    u, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                    if (u >> np.uint64(64 - _PRECISION)) >= zero_bits[t, d, n, m]:
                        k = _binomial_count(to_double(u), m, table[t, d, n], no_flip[t, d, n, m])
                        left = mask
                        for j in range(k):
                            r, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                            y = left
                            for _ in range(np.int64(to_double(r) * (m - j))):
                                y &= y - np.uint64(1)
                            bit = y & (~y + np.uint64(1))
                            accept |= bit
                            left &= ~bit
                    mask = np.uint64(0)
                levels[n_open] = n
                masks[n_open] = mask
                n_open += 1
                undecided |= mask
            digit = _PRECISION - 1
            while undecided and digit >= 0:
                shift = np.uint64(digit)
                plane = np.uint64(0)
                for k in range(n_open):
                    if (bits[t, d, levels[k]] >> shift) & np.uint64(1):
                        plane |= masks[k]
                x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                accept |= undecided & ~x & plane
                undecided &= ~(x ^ plane)
                digit -= 1
            lane[_S0 + w] = s0
            lane[_S1 + w] = s1
            lane[_S2 + w] = s2
            lane[_S3 + w] = s3
            spins[i, w] ^= accept


@njit(cache=True)
def _sweep_independent(neighbours, signs, degree, slots, tables, which, spins, nw, lane,
                       masks, levels, level_masks, heat_bath):
    """One independent-mode sweep of a chunk: :func:`_sweep_each` for heat bath or up to four
    words (too few to fill the vector registers: 0.670 against 0.946 ns per update for 256
    reads in ``benchmarks/defaults.py``), else :func:`_sweep_words` (measured in
    ``benchmarks/multispin.py`` and ``benchmarks/ising_flips.py``); both give the same
    result."""
    if heat_bath or nw <= 4:
        _sweep_each(neighbours, signs, degree, slots, tables, which, spins, nw, lane, levels,
                    level_masks)
    else:
        _sweep_words(neighbours, signs, degree, slots, tables, which, spins, nw, lane, masks)


@njit(cache=True)
def unsatisfied_counts(bond_i, bond_j, bond_sign, spins, nw, lane, counts):
    """Per replica of the nw <= CHUNK words of ``spins``: the number of unsatisfied bonds
    among the bonds (bond_i[b], bond_j[b]) with signs bond_sign[b] (a field is a bond to
    row N, an up spin).

    The energy of a replica is c (2 U - B), B the number of bonds. Bonds are added
    bit-parallel in a 4-plane counter per word (up to 15; lane fields E0..E3), spread into
    eight byte-wide counters per replica (up to 255; B0..B7) and those into counts
    (int64[64 CHUNK], overwritten); the loops over words vectorise.
    """
    counts[:] = 0
    for f in range(_E0, _B7 + CHUNK, CHUNK):
        lane[f:f + nw] = 0
    n_bonds = bond_i.size
    spreads = 0
    for b in range(n_bonds):
        i = bond_i[b]
        j = bond_j[b]
        sign = bond_sign[b]
        for w in range(nw):
            c0, c1, c2, c3 = _add(lane[_E0 + w], lane[_E1 + w], lane[_E2 + w], lane[_E3 + w],
                                  spins[i, w] ^ spins[j, w] ^ sign)
            lane[_E0 + w] = c0
            lane[_E1 + w] = c1
            lane[_E2 + w] = c2
            lane[_E3 + w] = c3
        if b % 15 == 14 or b == n_bonds - 1:
            for w in range(nw):
                c0 = lane[_E0 + w]
                c1 = lane[_E1 + w]
                c2 = lane[_E2 + w]
                c3 = lane[_E3 + w]
                for k in range(8):
                    lane[_B0 + k * CHUNK + w] += _byte_planes(c0, c1, c2, c3, k)
                lane[_E0 + w] = 0
                lane[_E1 + w] = 0
                lane[_E2 + w] = 0
                lane[_E3 + w] = 0
            spreads += 1
            if spreads == 17 or b == n_bonds - 1:  # 17 x 15 = 255 per byte
                for w in range(nw):
                    for k in range(8):
                        a = lane[_B0 + k * CHUNK + w]
                        for j in range(8):
                            counts[64 * w + 8 * j + k] += np.int64(
                                (a >> np.uint64(8 * j)) & np.uint64(0xFF))
                        lane[_B0 + k * CHUNK + w] = 0
                spreads = 0


@njit(inline="always", cache=True)
def _byte_planes(c0, c1, c2, c3, k):
    """Replica 8 j + k's count (c3 c2 c1 c0) in byte j."""
    shift = np.uint64(k)
    return (((c0 >> shift) & _BYTE_ONES) + (((c1 >> shift) & _BYTE_ONES) << np.uint64(1))
            + (((c2 >> shift) & _BYTE_ONES) << np.uint64(2))
            + (((c3 >> shift) & _BYTE_ONES) << np.uint64(3)))


@njit(cache=True)
def keep_best(spins, nw, lane, counts, best_counts, best_spins):
    """Where a replica's count is below its best, make it the best (count and state).

    counts : int64[64 CHUNK]; best_counts : int64[64 nw]; best_spins : uint64[N, nw]
    (this chunk's columns).
    """
    any_better = np.uint64(0)
    for w in range(nw):
        better = np.uint64(0)
        for r in range(64):
            c = counts[64 * w + r]
            if c < best_counts[64 * w + r]:
                best_counts[64 * w + r] = c
                better |= np.uint64(1) << np.uint64(r)
        lane[_IMP + w] = better
        any_better |= better
    if any_better:
        for i in range(best_spins.shape[0]):
            for w in range(nw):
                keep = lane[_IMP + w]
                best_spins[i, w] = (best_spins[i, w] & ~keep) | (spins[i, w] & keep)


@njit(cache=True)
def _private(n, dtype):
    """Zeros of length n inside a larger buffer, at least 128 bytes from its ends: scratch
    that one thread writes on every site would otherwise share cache lines with another
    thread's (false sharing serialises the threads). The slice is contiguous (layout C), so
    the loops over it can be vectorised."""
    pad = 16
    return np.zeros(n + 2 * pad, dtype=dtype)[pad:pad + n]


@njit(parallel=True, cache=True, nogil=True)
def anneal_words(neighbours, signs, degree, slots, betas, sweeps_per_step, heat_bath,
                 independent, shared_state, word_states, spins, n_blocks, bond_i, bond_j,
                 bond_sign, check_every, record_every, trajectory, best_counts, best_spins,
                 done):
    """Run every word of replicas through the schedule, keeping each replica's best state.

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
    bond_i, bond_j : int64[B]; bond_sign : uint64[B]
        Every bond once (fields as bonds to row N) with its sign, for the energy counts.
    check_every : int
        Count every replica's unsatisfied bonds (:func:`unsatisfied_counts`) after every
        ``check_every``-th sweep and after the last; where a count is below the replica's
        best, that state becomes its best.
    record_every : int, a multiple of ``check_every`` (0: record nothing)
    trajectory : int64[64 K, T]
        Column t gets the counts after sweep (t + 1) ``record_every``.
    best_counts : int64[64 K], start with a value above any count; the best counts
    best_spins : uint64[N, K], the best states
    done : int64[n_blocks], written while the kernel runs: the sweeps each block's words
        have finished, summed over its words (a caller's thread polls it for a progress bar;
        the kernel releases the GIL)
    """
    k = spins.shape[1]
    max_degree = len(slots)
    n_sites = neighbours.shape[0]
    total = 0
    for step in range(betas.size):
        total += sweeps_per_step[step]
    for b in prange(n_blocks):
        block_lo = b * k // n_blocks
        block_hi = (b + 1) * k // n_blocks
        # Scratch of this thread, padded: threads writing neighbouring cache lines would
        # serialise (false sharing).
        lane = _private(LANE_FIELDS * CHUNK, np.uint64)
        masks = _private((max_degree + 1) * CHUNK, np.uint64)
        levels = _private(max_degree + 1, np.int64)
        level_masks = _private(max_degree + 1, np.uint64)
        tables = new_tables(1, max_degree)
        which = np.zeros(CHUNK, dtype=np.int64)  # every word at the schedule's temperature
        counts = _private(64 * CHUNK, np.int64)
        # The block's words run in chunks of at most CHUNK, each through the whole schedule
        # (the words are independent; each chunk replays the shared stream).
        for lo in range(block_lo, block_hi, CHUNK):
            hi = min(lo + CHUNK, block_hi)
            nw = hi - lo
            local = _load_chunk(spins, word_states, lo, hi, lane)
            st = shared_state.copy()
            best = best_spins[:, lo:hi].copy()
            sweep = 0
            for step in range(betas.size):
                word_tables(betas[step:step + 1], max_degree, heat_bath, tables)
                for _ in range(sweeps_per_step[step]):
                    if independent:
                        _sweep_independent(neighbours, signs, degree, slots, tables, which,
                                           local, nw, lane, masks, levels, level_masks,
                                           heat_bath)
                    else:
                        _sweep_shared(neighbours, signs, degree, slots, tables[0][0], local,
                                      0, nw, st)
                    sweep += 1
                    done[b] += nw
                    if sweep % check_every == 0 or sweep == total:
                        unsatisfied_counts(bond_i, bond_j, bond_sign, local, nw, lane, counts)
                        keep_best(local[:n_sites], nw, lane, counts,
                                  best_counts[64 * lo:64 * hi], best)
                        if record_every > 0 and sweep % record_every == 0:
                            column = sweep // record_every - 1
                            for r in range(64 * nw):
                                trajectory[64 * lo + r, column] = counts[r]
            _store_chunk(local, spins, word_states, lo, hi, lane)
            best_spins[:, lo:hi] = best


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
def sample_words(neighbours, signs, degree, slots, betas, word_table, heat_bath, word_states,
                 spins, bond_slots, n_sweeps, bond_series, mag_series, offset, n_blocks):
    """Equilibrium sampling in the independent mode: word w at inverse temperature
    betas[word_table[w]].

    Every replica is an independent chain with the law of the scalar sequential-scan kernel
    (see the module docstring). Blocks of words run in parallel, each in chunks of up to
    CHUNK words in lock-step (:func:`_sweep_words`); word w depends only on its start and its
    stream, not on the blocks, the chunks or the thread count.

    Parameters
    ----------
    neighbours, signs, degree, slots : as in :func:`anneal_words`
    betas : float64[T], inverse temperatures times the coupling scale
    word_table : int64[K], the temperature of each word (an index into ``betas``)
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
    n_blocks : int, blocks of words run in parallel (results do not depend on it)
    """
    n_sites = spins.shape[0] - 1
    n_bonds = n_sites * bond_slots.size
    max_degree = len(slots)
    record = bond_series.shape[1] > 0
    k = spins.shape[1]
    tables = new_tables(betas.size, max_degree)
    word_tables(betas, max_degree, heat_bath, tables)
    for b in prange(n_blocks):
        block_lo = b * k // n_blocks
        block_hi = (b + 1) * k // n_blocks
        lane = _private(LANE_FIELDS * CHUNK, np.uint64)
        masks = _private((max_degree + 1) * CHUNK, np.uint64)
        levels = _private(max_degree + 1, np.int64)
        level_masks = _private(max_degree + 1, np.uint64)
        which = np.zeros(CHUNK, dtype=np.int64)
        disagree = _private(64, np.int64)
        down = _private(64, np.int64)
        acc = _private(8, np.uint64)
        acc_down = _private(8, np.uint64)
        for lo in range(block_lo, block_hi, CHUNK):
            hi = min(lo + CHUNK, block_hi)
            nw = hi - lo
            local = _load_chunk(spins, word_states, lo, hi, lane)
            for w in range(nw):
                which[w] = word_table[lo + w]
            for t in range(n_sweeps):
                _sweep_independent(neighbours, signs, degree, slots, tables, which, local, nw,
                                   lane, masks, levels, level_masks, heat_bath)
                if record:
                    for w in range(nw):
                        replica_sums(local, w, neighbours, bond_slots, disagree, down, acc,
                                     acc_down)
                        for r in range(64):
                            bond_series[64 * (lo + w) + r, offset + t] = (n_bonds
                                                                          - 2 * disagree[r])
                            mag_series[64 * (lo + w) + r, offset + t] = n_sites - 2 * down[r]
            _store_chunk(local, spins, word_states, lo, hi, lane)
