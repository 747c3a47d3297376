"""A vectorisable exp for non-positive arguments (Numba has no SIMD exp without SVML).

exp(x) = 2^k exp(r), k = round(x / ln 2) (by adding and subtracting 1.5 * 2^52), r = x - k ln 2
split in two parts (Cody-Waite), exp(r) by its degree-12 Taylor polynomial on
|r| <= ln 2 / 2 (truncation < 2e-16), and 2^k assembled from the integer bits of the rounding
sum. Every step is branch-free, so LLVM vectorises the loop.
Arguments below -708 return exp(-708) ~ 3e-308 instead of underflowing; callers use it
for Boltzmann weights relative to the largest one (= 1), where that difference is invisible.
Measured max relative error against numpy.exp on [-708, 0]: 3e-16.

The ``reassoc`` fast-math flag is left out on purpose: it would let LLVM merge the two parts
of ln 2 and lose about 5 digits for large |x|.
"""

import numpy as np
from numba import njit

EXP_FLAGS = {"nnan", "ninf", "nsz", "arcp", "contract", "afn"}
_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 rounded to 32 significant bits: k * _LN2_HI is exact
_LN2_LO = 1.9082149292705877e-10
_FLOOR = -708.0
_ROUND = 6755399441055744.0  # 1.5 * 2^52: x + _ROUND - _ROUND rounds x to an integer


@njit(fastmath=EXP_FLAGS, inline="always", cache=True)
def _exp_reduced(r):
    p = 2.08767569878681e-09
    p = p * r + 2.505210838544172e-08
    p = p * r + 2.755731922398589e-07
    p = p * r + 2.7557319223985893e-06
    p = p * r + 2.48015873015873e-05
    p = p * r + 0.0001984126984126984
    p = p * r + 0.001388888888888889
    p = p * r + 0.008333333333333333
    p = p * r + 0.041666666666666664
    p = p * r + 0.16666666666666666
    p = p * r + 0.5
    p = p * r + 1.0
    return p * r + 1.0


@njit(inline="always", cache=True)
def power_bits(shifted_bits):
    """The bits of 2^k from the bits of k + _ROUND (a float64 whose low mantissa bits hold k
    in two's complement): every bit of _ROUND sits at 51 or above, so shifting by 52 leaves
    exactly (k + 1023) << 52. Integer shifts vectorise on AVX2, unlike float64 -> int64
    conversions, which it lacks."""
    return (shifted_bits + 1023) << 52


@njit(inline="always", cache=True)
def exp_split(x):
    """exp(x) for -708 <= x <= 0 as (mantissa, shifted): exp(x) = mantissa * 2^k, k held in
    the bits of ``shifted`` (turn them into 2^k with :func:`power_bits`). Inline it into a
    loop of a function compiled with EXP_FLAGS (inlining keeps the caller's flags only)."""
    shifted = x * _LOG2E + _ROUND
    k = shifted - _ROUND
    return _exp_reduced((x - k * _LN2_HI) - k * _LN2_LO), shifted


@njit(fastmath=EXP_FLAGS, cache=True)
def exp_scaled(values, scale, out, bits):
    """out[i] = exp(scale * values[i]) for scale * values[i] <= 0.

    Parameters
    ----------
    values : float64[n]
    scale : float
    out : float64[n], written
    bits : int64[n], scratch
    """
    rounded = bits.view(np.float64)
    for i in range(values.size):
        out[i], rounded[i] = exp_split(max(scale * values[i], _FLOOR))
    for i in range(values.size):
        bits[i] = power_bits(bits[i])
    powers = bits.view(np.float64)
    for i in range(values.size):
        out[i] *= powers[i]
