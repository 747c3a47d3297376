"""Single-histogram reweighting (Ferrenberg & Swendsen 1988) and the specific-heat peak."""

import numpy as np


def energy_histograms(energy, n_blocks):
    """Histograms of sampled energies per block, for reweighting with jackknife errors.

    Parameters
    ----------
    energy : ndarray, shape (chains, sweeps)
        Total energies sampled at one temperature.
    n_blocks : int
        Blocks per chain.

    Returns
    -------
    (ndarray, ndarray)
        Distinct energy levels, shape (K,), and counts per pooled block, shape
        (chains * n_blocks, K).
    """
    e = np.asarray(energy, dtype=np.float64)
    n = e.shape[-1] // n_blocks * n_blocks
    e = e[..., e.shape[-1] - n:].reshape(-1, n // n_blocks)  # (blocks, length)
    levels, index = np.unique(e, return_inverse=True)
    index = index.reshape(e.shape)
    counts = np.zeros((e.shape[0], levels.size))
    for b in range(e.shape[0]):
        counts[b] = np.bincount(index[b], minlength=levels.size)
    return levels, counts


def reweighted_specific_heat(levels, counts, sampled_temperature, temperature, n_sites):
    """Specific heat per site at ``temperature`` from a histogram sampled at another one.

    Single-histogram reweighting (Ferrenberg & Swendsen 1988): each sampled level E gets the
    weight counts(E) exp(-(1/T - 1/T0) E). Reliable while |1/T - 1/T0| times the energy's
    standard deviation is of order 1 or less.

    Parameters
    ----------
    levels : ndarray, shape (K,)
    counts : ndarray, shape (..., K)
    sampled_temperature, temperature : float

    Returns
    -------
    ndarray, shape (...)
    """
    shift = (1.0 / sampled_temperature - 1.0 / temperature) * (levels - levels.mean())
    with np.errstate(divide="ignore"):
        log_w = np.log(counts) + shift
    log_w -= log_w.max(axis=-1, keepdims=True)
    w = np.exp(log_w)
    w /= w.sum(axis=-1, keepdims=True)
    mean = w @ levels
    var = np.einsum("...k,...k->...", w, (levels - mean[..., None]) ** 2)
    return var / (temperature**2 * n_sites)


def specific_heat_peak(energy, sampled_temperature, window, n_sites, n_blocks=16):
    """Locate the maximum of C(T) near a sampled temperature by reweighting, with errors.

    Parameters
    ----------
    energy : ndarray, shape (chains, sweeps)
        Total energies sampled at ``sampled_temperature``.
    window : (float, float)
        Temperature interval searched (keep it inside the reweighting range).
    n_sites : int
    n_blocks : int
        Blocks per chain for the jackknife.

    Returns
    -------
    dict of float
        ``temperature``, ``temperature_err``, ``specific_heat``, ``specific_heat_err`` and
        ``at_edge`` (True if the maximum is at an end of ``window``).
    """
    from scipy.optimize import minimize_scalar

    levels, counts = energy_histograms(energy, n_blocks)
    total = counts.sum(axis=0)
    lo, hi = window
    xtol = 1e-7 * sampled_temperature

    def peak(c):
        res = minimize_scalar(
            lambda t: -reweighted_specific_heat(levels, c, sampled_temperature, t, n_sites),
            bounds=(lo, hi), method="bounded", options={"xatol": xtol})
        return res.x, -res.fun

    t_peak, c_peak = peak(total)
    loo = np.array([peak(total - counts[b]) for b in range(counts.shape[0])])
    n = counts.shape[0]
    err = np.sqrt((n - 1) / n * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0))
    edge = min(t_peak - lo, hi - t_peak) < 10 * xtol
    return {"temperature": float(t_peak), "temperature_err": float(err[0]),
            "specific_heat": float(c_peak), "specific_heat_err": float(err[1]),
            "at_edge": bool(edge)}
