"""Replica-symmetric theory of the Hopfield model (Amit, Gutfreund & Sompolinsky 1985).

The retrieval state at load alpha and temperature T solves, with Dz the standard Gaussian
measure and beta = 1/T,

    m = int Dz tanh(beta (m + sqrt(alpha r) z))
    q = int Dz tanh(beta (m + sqrt(alpha r) z))^2
    r = q / (1 - beta (1 - q))^2

and at T = 0 (C = lim beta (1 - q))

    m = erf(m / sqrt(2 alpha r)),  C = sqrt(2 / (pi alpha r)) exp(-m^2 / (2 alpha r)),
    r = 1 / (1 - C)^2.

:func:`retrieval_overlap` iterates these from m = 1 and returns the retrieval overlap (0 when
the retrieval solution does not exist); :func:`critical_load` finds the largest alpha with a
retrieval solution at a temperature (alpha_c(0) = 0.1379).
"""

import numpy as np
from scipy.special import erf

from simlab.validation import number

# Dense trapezoid grids for the Gaussian averages: at low T the integrand is nearly a step of
# width T / sqrt(alpha r), which Gauss-Hermite nodes miss (they produce spurious small-m
# fixed points). 40,001 points on [-10, 10] resolve T down to about 0.02; above T = 0.2 the
# step is ten times wider and 4,001 points resolve it as well, ten times faster.
def _grid(n):
    nodes = np.linspace(-10.0, 10.0, n)
    weights = np.exp(-0.5 * nodes**2)
    return nodes, weights / weights.sum()


_FINE = _grid(40001)
_COARSE = _grid(4001)


def retrieval_overlap(alpha, temperature, iterations=20000, tol=1e-12):
    """Overlap m of the replica-symmetric retrieval solution (0 if it does not exist)."""
    a = number("alpha", alpha, positive=True)
    t = number("temperature", temperature, minimum=0.0)
    m, q, r = 1.0, 1.0, 1.0
    for _ in range(iterations):
        if t == 0:
            s = np.sqrt(2 * a * r)
            m_new = erf(m / s)
            c = np.sqrt(2 / (np.pi * a * r)) * np.exp(-m * m / (2 * a * r))
            if c >= 1:
                return 0.0
            r_new = 1 / (1 - c) ** 2
            q_new = 1.0
        else:
            nodes, weights = _FINE if t < 0.2 else _COARSE
            x = np.tanh((m + np.sqrt(a * r) * nodes) / t)
            m_new = float(weights @ x)
            q_new = float(weights @ x**2)
            denominator = 1 - (1 - q_new) / t
            if denominator <= 0:
                return 0.0
            r_new = q_new / denominator**2
        if abs(m_new - m) < tol and abs(r_new - r) < tol * max(1.0, r):
            m, q, r = m_new, q_new, r_new
            break
        m, q, r = 0.5 * (m + m_new), 0.5 * (q + q_new), 0.5 * (r + r_new)
    return float(m) if m > 1e-3 else 0.0


def critical_load(temperature, lo=1e-3, hi=0.2, tol=1e-5):
    """Largest alpha with a retrieval solution at ``temperature`` (bisection).

    For T >= 1 there is none at any load (as alpha -> 0, m = tanh(m / T) has m > 0 only
    for T < 1), so the answer is 0 without iterating.
    """
    t = number("temperature", temperature, minimum=0.0)
    if t >= 1.0 or retrieval_overlap(lo, t) == 0.0:
        return 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if retrieval_overlap(mid, t) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
