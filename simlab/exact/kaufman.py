"""Exact partition function of the 2D Ising model on a finite n x m torus (Kaufman 1949).

With K = J/T and the angles theta_l = pi l / n, Kaufman's eigenvalues are

    cosh(gamma_l) = cosh(2K) coth(2K) - cos(theta_l),   l = 1 .. 2n - 1,
    gamma_0 = 2K + ln tanh K                              (signed: < 0 above T_c),

and, with x_l = m gamma_l / 2,

    Z = 1/2 (2 sinh 2K)^(nm/2) [ prod_odd 2cosh x_l + prod_odd 2sinh x_l
                                + prod_even 2cosh x_l + prod_even 2sinh x_l ],

the products running over the n odd and the n even values of l in 0 .. 2n - 1. The four
products are carried as (log scale, value, first and second K-derivative) so that ln Z, the
energy and the specific heat follow from analytic derivatives without overflow for any
lattice size and without numerical differentiation. The sign change of the gamma_0 factor
across T_c is carried exactly.

References: B. Kaufman, Phys. Rev. 76, 1232 (1949); A. E. Ferdinand and M. E. Fisher,
Phys. Rev. 185, 832 (1969).
"""

import numpy as np

from simlab.errors import ConfigError
from simlab.validation import integer, number, temperatures


def _validated(rows, cols, temperature, coupling):
    rows = integer("rows", rows, 2)
    cols = integer("cols", cols, 2)
    shape = np.shape(temperature)
    temperature = temperatures("temperature", np.ravel(temperature)).reshape(shape)
    coupling = number("coupling", coupling, nonzero=True)
    if coupling < 0 and (rows % 2 or cols % 2):
        raise ConfigError(
            "coupling", coupling,
            "a negative (antiferromagnetic) coupling needs even rows and cols on a torus",
        )
    return rows, cols, temperature, coupling


def _log_terms(x, dx, ddx, kind):
    """ln prod |f(x_l)| over the last axis and its first two K-derivatives.

    ``kind`` is "cosh" or "sinh" for f = 2cosh or 2sinh; x may be negative (x != 0 for sinh).
    """
    ax = np.abs(x)
    e = np.exp(-2.0 * ax)
    if kind == "cosh":
        log_f = ax + np.log1p(e)
        ratio = np.tanh(x)                      # f'/f
        curvature = 1.0 - ratio**2              # (f'/f)' / x'^2 = sech^2
    else:
        log_f = ax + np.log1p(-e)
        ratio = 1.0 / np.tanh(x)                # coth
        curvature = 1.0 - ratio**2              # -csch^2
    d1 = ratio * dx
    d2 = curvature * dx**2 + ratio * ddx
    return log_f.sum(-1), d1.sum(-1), d2.sum(-1)


def _eigenvalues(K, rows, cols):
    """x_l = m gamma_l / 2 and its K-derivatives, shape (..., 2n); column 0 is gamma_0."""
    K = K[..., None]
    s2 = np.sinh(2 * K)
    c2 = np.cosh(2 * K)
    c = c2 * c2 / s2
    dc = 2 * c2 * (1 - 1 / s2**2)
    ddc = 4 * s2 - 4 / s2 + 8 * c2**2 / s2**3
    theta = np.pi * np.arange(1, 2 * rows) / rows
    cosh_g = c - np.cos(theta)
    g = np.arccosh(cosh_g)
    sinh_g = np.sqrt((cosh_g - 1) * (cosh_g + 1))
    dg = dc / sinh_g
    ddg = (ddc - cosh_g * dg**2) / sinh_g
    g0 = 2 * K + np.log(np.tanh(K))
    dg0 = 2 + 2 / s2
    ddg0 = -4 * c2 / s2**2
    half_m = 0.5 * cols
    x = half_m * np.concatenate([g0, g], axis=-1)
    dx = half_m * np.concatenate([np.broadcast_to(dg0, g0.shape), dg], axis=-1)
    ddx = half_m * np.concatenate([ddg0, ddg], axis=-1)
    return x, dx, ddx


def _log_partition_and_derivatives(K, rows, cols):
    """ln Z and its first two derivatives with respect to K (> 0), arrays shaped like K.

    Each of the four products is a term exp(scale) * a * exp(b) where exp(b) is a product of
    factors that never vanish (handled by log-derivatives b1, b2) and ``a`` is the gamma_0
    factor kept in linear form (a, a', a'') only where it may vanish (the 2 sinh(x_0) factor
    close to T_c). The second derivative is accumulated in centred form, so that neither the
    low-temperature limit (tiny variance) nor T_c (a -> 0) loses precision.
    """
    x, dx, ddx = _eigenvalues(K, rows, cols)
    ones = np.ones_like(K)
    zeros = np.zeros_like(K)
    terms = []  # (scale, a, da, dda, b1, b2)
    for kind in ("cosh", "sinh"):
        sl = slice(1, None, 2)
        log_p, b1, b2 = _log_terms(x[..., sl], dx[..., sl], ddx[..., sl], kind)
        terms.append((log_p, ones, zeros, zeros, b1, b2))
    sl = slice(2, None, 2)
    x0, dx0, ddx0 = x[..., 0], dx[..., 0], ddx[..., 0]
    for kind in ("cosh", "sinh"):
        log_rest, b1, b2 = _log_terms(x[..., sl], dx[..., sl], ddx[..., sl], kind)
        log_0, c1, c2 = _log_terms(x0[..., None], dx0[..., None], ddx0[..., None], kind)
        sign0 = np.where(x0 >= 0, 1.0, -1.0) if kind == "sinh" else ones
        linear = (kind == "sinh") & (np.abs(x0) < 0.1)
        a0 = np.abs(x0)
        e0 = np.exp(-2.0 * a0)
        lin_a = sign0 * (1.0 - e0)                  # 2 sinh(x0) e^-|x0|
        lin_da = (1.0 + e0) * dx0
        lin_dda = lin_a * dx0**2 + (1.0 + e0) * ddx0
        terms.append((
            log_rest + np.where(linear, a0, log_0),
            np.where(linear, lin_a, sign0),
            np.where(linear, lin_da, 0.0),
            np.where(linear, lin_dda, 0.0),
            b1 + np.where(linear, 0.0, c1),
            b2 + np.where(linear, 0.0, c2),
        ))
    scale = np.max([t[0] for t in terms], axis=0)
    weights = [np.exp(t[0] - scale) for t in terms]
    s0 = sum(w * t[1] for w, t in zip(weights, terms))
    mean_d1 = sum(w * (t[2] + t[1] * t[4]) for w, t in zip(weights, terms)) / s0
    centred = sum(
        w * (a * b2 + dda + 2.0 * da * (b1 - mean_d1) + a * (b1 - mean_d1) ** 2)
        for w, (_, a, da, dda, b1, b2) in zip(weights, terms)
    ) / s0
    n_sites = rows * cols
    sinh2k = np.sinh(2 * K)
    log_z = np.log(0.5) + 0.5 * n_sites * np.log(2 * sinh2k) + scale + np.log(s0)
    d1 = n_sites / np.tanh(2 * K) + mean_d1
    d2 = -2 * n_sites / sinh2k**2 + centred
    return log_z, d1, d2


def kaufman(rows, cols, temperature, coupling=1.0):
    """Exact thermodynamics of the zero-field Ising model on a rows x cols torus.

    Parameters
    ----------
    rows, cols : int
        Lattice dimensions n and m, each >= 2 (periodic in both directions).
    temperature : float or array_like, shape (T,)
        Temperatures in units of J/k_B, > 0.
    coupling : float
        Nearest-neighbour coupling J (energy E = -J sum_<ij> s_i s_j). Negative J requires
        even rows and cols (the lattice is then bipartite and Z(-J) = Z(J)).

    Returns
    -------
    dict of ndarray, each shaped like ``temperature``
        ``log_z`` (ln Z of the whole lattice), and per spin: ``energy`` U/N, ``specific_heat``
        C/N = Var(E)/(N T^2), ``entropy`` S/N (nats), ``free_energy`` F/N = -T ln Z / N.
    """
    rows, cols, temperature, coupling = _validated(rows, cols, temperature, coupling)
    K = np.abs(coupling) / temperature
    log_z, d1, d2 = _log_partition_and_derivatives(K, rows, cols)
    n_sites = rows * cols
    d1 = d1 * np.sign(coupling)  # ln Z depends on |K| only (bipartite symmetry)
    K_signed = coupling / temperature
    return {
        "log_z": log_z,
        "energy": -coupling * d1 / n_sites,
        "specific_heat": K**2 * d2 / n_sites,
        "entropy": (log_z - K_signed * d1) / n_sites,
        "free_energy": -temperature * log_z / n_sites,
    }


def specific_heat_peak(rows, cols, coupling=1.0, bracket=(1.5, 3.5), xtol=1e-10):
    """Temperature and height of the maximum of the exact specific heat per spin.

    Returns
    -------
    (float, float)
        ``(T_max, c_max)``, located by Brent's bounded maximiser within ``bracket``.
    """
    from scipy.optimize import minimize_scalar

    result = minimize_scalar(
        lambda t: -kaufman(rows, cols, t, coupling)["specific_heat"],
        bounds=bracket, method="bounded", options={"xatol": xtol},
    )
    return float(result.x), float(-result.fun)
