"""Thermodynamics from the density of states in the number of occupied bonds.

In the Fortuin-Kasteleyn representation a configuration is a spin state with a set of
occupied bonds, each between equal spins. With G(b) the number of such pairs having b
occupied bonds, out of B bonds in all,

    Potts (E = -J sum delta):   Z = sum_b G(b) v^b,              v = e^(J/T) - 1,
    Ising (E = -J sum s s):     Z = e^(-B J/T) sum_b G(b) v^b,   v = e^(2J/T) - 1,

since e^(c K delta) = 1 + v delta with K = J/T and c = 1 (Potts) or 2 (Ising, up to the
factor e^(-K) per bond). G(b) = sum_E g(E) C(n(E), b), n(E) the equal-spin bonds at
energy E, so G follows from g(E) exactly (:func:`bond_log_counts`).
"""

import numpy as np
from scipy.special import gammaln, logsumexp

from simlab.errors import ConfigError
from simlab.validation import temperatures as validated_temperatures


def bond_log_counts(energy_log_counts, satisfied, n_bonds):
    """ln G(b) for b = 0 .. B from ln g(E): G(b) = sum_E g(E) C(n(E), b).

    Parameters
    ----------
    energy_log_counts : array_like, shape (K,)
        ln g at each energy level (-inf where g = 0).
    satisfied : array_like of int, shape (K,)
        Equal-spin bonds n(E) at each level.
    n_bonds : int
        B.

    Returns
    -------
    ndarray, shape (B + 1,)
    """
    log_g = np.asarray(energy_log_counts, dtype=np.float64)
    n = np.asarray(satisfied, dtype=np.int64)
    keep = np.isfinite(log_g)
    log_g, n = log_g[keep], n[keep]
    b = np.arange(n_bonds + 1)
    with np.errstate(invalid="ignore"):
        log_choose = np.where(b[None, :] <= n[:, None],
                              gammaln(n[:, None] + 1.0) - gammaln(b[None, :] + 1.0)
                              - gammaln(np.maximum(n[:, None] - b[None, :], 0) + 1.0),
                              -np.inf)
    return logsumexp(log_g[:, None] + log_choose, axis=0)


def bond_thermodynamics(occupied, log_counts, temperatures, *, n_bonds, ising, coupling=1.0):
    """U, C, S and F (totals, not per site) from ln G(b).

    Parameters
    ----------
    occupied : array_like of int, shape (M,)
        Values of b where G is known.
    log_counts : array_like, shape (M,)
        ln G(b) there (up to a constant, which shifts S and F only).
    temperatures : array_like, shape (T,)
        Temperatures > 0 (units of J/k_B).
    n_bonds : int
        B, all bonds of the lattice.
    ising : bool
        Ising (E = -J sum s s) or Potts (E = -J sum delta).
    coupling : float
        J > 0.

    Returns
    -------
    dict of ndarray, shape (T,)
        ``energy``, ``specific_heat``, ``entropy``, ``free_energy``, ``log_z``.

    Notes
    -----
    With beta = 1/T and d ln v / d beta = c J (1 + v) / v,

        U = a J B - c J (1 + v) / v <b>,
        C = (c J / T)^2 (1 + v) / v^2 [(1 + v) Var(b) - <b>],

    a = 1, c = 2 for Ising and a = 0, c = 1 for Potts; moments of b under G(b) v^b.
    """
    if not coupling > 0:
        raise ConfigError("coupling", coupling, "J > 0 (the bond representation is "
                                                "ferromagnetic)")
    temps = validated_temperatures("temperatures", temperatures)
    b = np.asarray(occupied, dtype=np.float64)
    log_counts = np.asarray(log_counts, dtype=np.float64)
    a, c = (1.0, 2.0) if ising else (0.0, 1.0)
    k = coupling / temps
    v = np.expm1(c * k)
    log_w = log_counts[None, :] + b[None, :] * np.log(v)[:, None]
    log_sum = logsumexp(log_w, axis=1)
    p = np.exp(log_w - log_sum[:, None])
    mean = p @ b
    var = p @ (b * b) - mean ** 2
    log_z = -a * k * n_bonds + log_sum
    energy = a * coupling * n_bonds - c * coupling * (1 + v) / v * mean
    heat = (c * k) ** 2 * (1 + v) / v ** 2 * ((1 + v) * var - mean)
    return {"energy": energy, "specific_heat": heat, "entropy": log_z + energy / temps,
            "free_energy": -temps * log_z, "log_z": log_z}
