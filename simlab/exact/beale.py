"""Exact density of states of the 2D Ising torus (Beale 1996).

The partition function of the n x m torus is a polynomial in x = exp(-2K), K = J/T:

    Z e^{-2NK} = P(x) = sum_k g_k x^{2k},

where g_k is the number of configurations with 2k unsatisfied bonds, i.e. energy
E = -J (2N - 4k). Beale (Phys. Rev. Lett. 76, 78, 1996) obtained the g_k from Kaufman's
formula. Here Kaufman's four products are written as functions of x that are analytic away
from x in {0, +-1} (for even n and m every square root pairs off):

    c_l = a - cos(pi l / n),  a = (1 + x^2)^2 / (2 x (1 - x^2))     [= cosh(gamma_l)]
    2 cosh(m gamma / 2) = 2 T_{m/2}(c),   2 sinh(m gamma / 2) = 2 sinh(gamma) U_{m/2-1}(c),

with the products of sinh(gamma_l) over the pairs l, 2n - l equal to c_l^2 - 1, and the two
unpaired angles exp(gamma_0) = (1 - x) / (x (1 + x)) (signed, as Kaufman's gamma_0) and
exp(gamma_n) = (1 + x) / (x (1 - x)). P is evaluated at the M = N + 1 points
x^2 = exp(i pi (2j + 1) / M) on the unit circle in Arb's ball arithmetic (python-flint), and
its coefficients are recovered by one discrete Fourier transform. On the unit circle the
transform is perfectly conditioned, and every coefficient comes out as a ball of radius
< 1/4 around a single integer, which is then that integer with certainty (the precision is
doubled until it is). The counts are checked to sum to 2^N.

References: P. D. Beale, Phys. Rev. Lett. 76, 78 (1996); B. Kaufman, Phys. Rev. 76, 1232
(1949).
"""

import math
from dataclasses import dataclass

import numpy as np

from simlab.errors import ConfigError, ModelError
from simlab.validation import integer


@dataclass(frozen=True)
class IsingDensityOfStates:
    """The exact number of configurations at each energy of an n x m Ising torus.

    Attributes
    ----------
    rows, cols : int
    energies : ndarray, shape (N + 1,), int64
        E / J = -2N + 4k for k = 0 .. N (every level a torus of even sides can reach, with
        g = 0 where it cannot, e.g. k = 1).
    counts : tuple of int, length N + 1
        g(E), exact Python integers (up to about 2^N).
    """

    rows: int
    cols: int
    energies: np.ndarray
    counts: tuple

    @property
    def log_counts(self):
        """ln g(E) as float64, shape (N + 1,); -inf where g = 0."""
        return np.array([math.log(g) if g else -np.inf for g in self.counts])


def _import_flint():
    try:
        import flint
    except ImportError as err:  # pragma: no cover - python-flint is a core dependency
        raise ImportError("the exact density of states needs python-flint: "
                          "pip install python-flint") from err
    return flint


def _polynomial_at(y_half, rows, cols, flint):
    """P(x) for x = y_half (an acb on the unit circle), Kaufman's products in x."""
    acb = flint.acb
    x = y_half
    one = acb(1)
    n, m = rows, cols
    a = (one + x * x) ** 2 / (2 * x * (one - x * x))
    half = m // 2
    z_cosh_odd = one
    z_sinh_odd = one
    z_cosh_even = one
    z_sinh_even = one
    for l in range(n + 1):
        # c_l = c_{2n-l}: the pairs l, 2n - l (0 < l < n) enter every product twice.
        c = a - acb(flint.arb.pi() * l / n).cos()
        t = 2 * c.chebyshev_t(half)
        u = 2 * c.chebyshev_u(half - 1)
        if 0 < l < n:
            t, u = t * t, u * u * (c * c - one)
        if l % 2:
            z_cosh_odd *= t
            z_sinh_odd *= u
        else:
            z_cosh_even *= t
            z_sinh_even *= u
    e0 = (one - x) / (x * (one + x))
    en = (one + x) / (x * (one - x))
    z_sinh_even *= (e0 - one / e0) / 2 * (en - one / en) / 2
    prefactor = ((one - x * x) / x) ** (n * m // 2)
    return x ** (n * m) * prefactor * (z_cosh_odd + z_sinh_odd + z_cosh_even + z_sinh_even) / 2


def ising_density_of_states(rows, cols=None):
    """Exact g(E) of the nearest-neighbour Ising model on a rows x cols torus.

    Parameters
    ----------
    rows, cols : int
        Even sides >= 2 (``cols`` defaults to ``rows``). Time grows as about N^2 log N:
        about 0.1 s at 16 x 16, a few seconds at 32 x 32 and minutes at 64 x 64.

    Returns
    -------
    IsingDensityOfStates
    """
    rows = integer("rows", rows, 2)
    cols = rows if cols is None else integer("cols", cols, 2)
    for key, value in (("rows", rows), ("cols", cols)):
        if value % 2:
            raise ConfigError(key, value, "an even side (Beale's products pair off for even "
                                          "sides only); enumerate odd lattices instead")
    flint = _import_flint()
    n_sites = rows * cols
    n_points = n_sites + 1
    precision = 2 * n_sites + 64
    old = flint.ctx.prec
    try:
        while True:
            flint.ctx.prec = precision
            counts = _coefficients(rows, cols, n_points, flint)
            if counts is not None:
                break
            precision *= 2
    finally:
        flint.ctx.prec = old
    if sum(counts) != 2**n_sites:
        raise ModelError(f"the density of states of the {rows}x{cols} torus sums to "
                         f"{sum(counts)}, not 2^{n_sites}")
    energies = -2 * n_sites + 4 * np.arange(n_points, dtype=np.int64)
    return IsingDensityOfStates(rows, cols, energies, tuple(counts))


def _coefficients(rows, cols, n_points, flint):
    """The integer coefficients g_k, or None if the balls are too wide at this precision."""
    acb, arb = flint.acb, flint.arb
    values = [None] * n_points
    for j in range((n_points + 1) // 2):
        angle = arb.pi() * (2 * j + 1) / (2 * n_points)   # x = exp(i angle), x^2 on the grid
        values[j] = _polynomial_at(acb(angle.cos(), angle.sin()), rows, cols, flint)
        values[n_points - 1 - j] = values[j].conjugate()   # real coefficients
    spectrum = acb.dft(values)
    counts = []
    for k, value in enumerate(spectrum):
        angle = -arb.pi() * k / n_points
        g = value * acb(angle.cos(), angle.sin()) / n_points
        rounded = g.real.unique_fmpz()
        if rounded is None or g.real.rad() > 0.25 or g.imag.rad() > 0.25 or \
                abs(g.imag.mid()) > 0.25:
            return None
        counts.append(int(rounded))
    return counts
