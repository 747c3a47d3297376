"""xoshiro256** random streams for Numba kernels.

One stream is a ``uint64[4]`` state row; a batch of independent chains holds a ``(n, 4)``
array and each chain advances only its own row, so results do not depend on how chains are
spread over threads. States are seeded by :func:`simlab.rng.stream_states` from
``numpy.random.SeedSequence``; kernels never seed themselves.

Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators",
ACM TOMS 47 (2021).
"""

import numpy as np
from numba import njit

_U5 = np.uint64(5)
_U7 = np.uint64(7)
_U9 = np.uint64(9)
_U11 = np.uint64(11)
_U17 = np.uint64(17)
_U45 = np.uint64(45)
_U64_MINUS_7 = np.uint64(57)
_U64_MINUS_45 = np.uint64(19)
_INV_2_53 = 1.0 / 9007199254740992.0


@njit(inline="always", cache=True)
def xoshiro_step(s0, s1, s2, s3):
    """One xoshiro256** step on a state held in four scalars: (output, s0, s1, s2, s3).

    For kernels that keep a stream in registers; :func:`next_uint64` is the same step on a
    ``uint64[4]`` row.
    """
    x = s1 * _U5
    result = ((x << _U7) | (x >> _U64_MINUS_7)) * _U9
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _U45) | (s3 >> _U64_MINUS_45)
    return result, s0, s1, s2, s3


@njit(inline="always", cache=True)
def next_uint64(state):
    """Advance ``state`` (uint64[4], modified in place) and return the next 64-bit output."""
    result, s0, s1, s2, s3 = xoshiro_step(state[0], state[1], state[2], state[3])
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = s3
    return result


@njit(inline="always", cache=True)
def to_double(u):
    """The uniform float64 in [0, 1) that :func:`next_double` makes of the output ``u``."""
    return np.float64(u >> _U11) * _INV_2_53


@njit(inline="always", cache=True)
def next_double(state):
    """Uniform float64 in [0, 1) with 53 random bits; advances ``state`` in place."""
    return to_double(next_uint64(state))


@njit(inline="always", cache=True)
def next_below(state, n):
    """Uniform integer in [0, n) for 1 <= n < 2**53 (multiply-shift on 53 random bits)."""
    return np.int64(next_double(state) * n)
