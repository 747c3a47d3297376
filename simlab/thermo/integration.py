"""Entropy by thermodynamic integration of C/T from infinite temperature."""

import numpy as np

from simlab.errors import DataError
from simlab.validation import temperatures


def entropy_by_integration(temperature, specific_heat, specific_heat_err=None,
                           entropy_at_infinity=np.log(2.0)):
    """Entropy per site by integrating C/T from infinite temperature down a temperature grid.

    With beta = 1/T, dS/dbeta = -C/beta, so

        S(beta_k) = S(0) - int_0^{beta_k} C(beta) / beta dbeta.

    The integrand f = C/beta vanishes at beta = 0 for any finite system (C ~ beta^2 Var_0(E)),
    so the point (0, 0) is added and f is integrated through a not-a-knot cubic spline in
    beta. The integral is linear in the data, so independent errors of C propagate exactly.

    The truncation error is estimated as the difference from a monotone (PCHIP)
    interpolant through the same points, a heuristic: on exact 2D Ising data (L = 8 to 128)
    it was within a factor 5 of the true error in most cases, but now and then 5x smaller.

    Grid requirement: the spacing must be small in beta wherever f bends, which means both
    near a specific-heat peak and at low temperature (a spacing of 0.2 in T at T = 1 is
    0.2 in beta). Measured on Kaufman's exact C for L = 8 to 64: the default grid of the
    Ising sweep (36 points in 1 <= T <= 4 with 16 in 1.97 <= T <= 2.57 and 4 in beta
    between 0 and 1/4) gives |S error| < 5e-4 per spin; extending the same spacing down to
    T = 0.5 gives 0.08.

    Parameters
    ----------
    temperature : array_like, shape (K,)
        Distinct temperatures > 0, in any order.
    specific_heat : array_like, shape (K,)
        C per site at those temperatures.
    specific_heat_err : array_like, shape (K,), optional
        Independent standard errors of C (independent runs per temperature).
    entropy_at_infinity : float
        S per site at T = inf (ln 2 for Ising spins, ln q for q-state spins).

    Returns
    -------
    dict of ndarray, shape (K,), in the input order
        ``entropy``, ``entropy_err`` (statistical, propagated from C errors) and
        ``entropy_quadrature_err`` (estimated truncation error).
    """
    from scipy.interpolate import CubicSpline, PchipInterpolator

    t = temperatures("temperature", temperature)
    c = np.asarray(specific_heat, dtype=np.float64)
    c_err = np.zeros_like(c) if specific_heat_err is None else np.asarray(
        specific_heat_err, dtype=np.float64)
    if c.shape != t.shape or c_err.shape != t.shape:
        raise DataError(f"specific_heat {c.shape} and its error {c_err.shape} must match "
                        f"temperature {t.shape}")
    if not np.all(np.isfinite(c)):
        raise DataError("specific_heat contains NaN or inf; cannot integrate")
    if np.unique(t).size != t.size:
        raise DataError("temperatures must be distinct for the entropy integral")
    order = np.argsort(1.0 / t)  # increasing beta
    beta = np.concatenate([[0.0], 1.0 / t[order]])
    f = np.concatenate([[0.0], c[order] * t[order]])
    f_err = np.concatenate([[0.0], c_err[order] * t[order]])
    # weights[k, j] = integral from 0 to beta_k of the spline through the unit vector e_j.
    basis = CubicSpline(beta, np.eye(beta.size), axis=0)
    weights = np.stack([basis.integrate(0.0, b) for b in beta[1:]])
    entropy = entropy_at_infinity - weights @ f
    entropy_err = np.sqrt((weights**2) @ (f_err**2))
    monotone = PchipInterpolator(beta, f)
    alternative = entropy_at_infinity - np.array([monotone.integrate(0.0, b) for b in beta[1:]])
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return {
        "entropy": entropy[inverse],
        "entropy_err": entropy_err[inverse],
        "entropy_quadrature_err": np.abs(entropy - alternative)[inverse],
    }
