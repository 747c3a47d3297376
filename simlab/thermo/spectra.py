"""Exact thermodynamics of a finite spectrum: all levels of a small system or a density of states.

ln Z, U, C, S and F by log-sum-exp at each temperature (k_B = 1, entropy in nats).
"""

import numpy as np

from simlab.errors import DataError
from simlab.validation import temperatures


def spectrum_thermodynamics(energies, temperature, degeneracy=None, log_degeneracy=None):
    """Exact thermodynamics of a finite spectrum at each temperature.

    Parameters
    ----------
    energies : array_like, shape (K,)
        Energy levels (finite).
    temperature : float or array_like, shape (T,)
        Temperatures > 0.
    degeneracy : array_like, shape (K,), optional
        Multiplicity g_k >= 0 of each level (a density of states); 1 if omitted.
    log_degeneracy : array_like, shape (K,), optional
        ln g_k instead of ``degeneracy``, for densities of states beyond float64's range
        (-inf for an empty level).

    Returns
    -------
    dict of ndarray, shape (T,)
        ``log_z``, ``energy`` (U = <E>), ``specific_heat`` (Var(E)/T^2), ``entropy``
        (S = ln Z + U/T, nats) and ``free_energy`` (F = -T ln Z), all for the whole system.
    """
    e = np.asarray(energies, dtype=np.float64).ravel()
    if e.size == 0:
        raise DataError("the spectrum is empty: at least one energy level is needed")
    if not np.all(np.isfinite(e)):
        raise DataError("the spectrum contains a non-finite energy")
    if degeneracy is not None and log_degeneracy is not None:
        raise DataError("give degeneracy or log_degeneracy, not both")
    if log_degeneracy is not None:
        log_g = np.asarray(log_degeneracy, dtype=np.float64).ravel()
    elif degeneracy is not None:
        with np.errstate(divide="ignore"):
            log_g = np.log(np.asarray(degeneracy, dtype=np.float64).ravel())
    else:
        log_g = np.zeros_like(e)
    if log_g.shape != e.shape:
        raise DataError(f"degeneracy has {log_g.size} entries for {e.size} energy levels")
    if not np.any(np.isfinite(log_g)) or np.any(np.isnan(log_g)) or np.any(log_g == np.inf):
        raise DataError("the degeneracies must be finite or empty (g = 0), with one level "
                        "occupied at least")
    t = temperatures("temperature", temperature)
    shifted = e - e.min()
    w = log_g[None, :] - shifted[None, :] / t[:, None]
    w_max = w.max(axis=1, keepdims=True)
    p = np.exp(w - w_max)
    z = p.sum(axis=1, keepdims=True)
    p /= z
    log_z = (w_max + np.log(z))[:, 0] - e.min() / t
    u = p @ e
    var = np.einsum("tk,tk->t", p, (e[None, :] - u[:, None]) ** 2)
    return {
        "log_z": log_z,
        "energy": u,
        "specific_heat": var / t**2,
        "entropy": log_z + u / t,
        "free_energy": -t * log_z,
    }
