"""Histogram reweighting: single (Ferrenberg & Swendsen 1988) and multiple (1989), and the
specific-heat peak located on the reweighted curve."""

import numpy as np

from simlab.errors import DataError
from simlab.stats import integrated_time
from simlab.validation import temperatures as validated_temperatures


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


def _logsumexp(x, axis=None):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out.squeeze() if axis is None else np.squeeze(out, axis=axis)


def histogram_density_of_states(levels, counts, temperatures, inefficiency=None, tol=1e-10,
                                max_iterations=10_000):
    """Ferrenberg-Swendsen multiple-histogram estimate of ln g(E) (relative) from several runs.

    Solves the self-consistent equations (Ferrenberg & Swendsen, Phys. Rev. Lett. 63, 1195,
    1989)

        g(E) = sum_k H_k(E) / g_k  /  sum_k (n_k / g_k) exp(f_k - E / T_k),
        exp(-f_k) = sum_E g(E) exp(-E / T_k),

    with H_k the histogram of run k (n_k samples, statistical inefficiency g_k = its
    integrated autocorrelation time), in log space by fixed-point iteration.

    Parameters
    ----------
    levels : ndarray, shape (K,)
        Distinct energies sampled (by any run).
    counts : ndarray, shape (T, K)
        Histogram of each run.
    temperatures : ndarray, shape (T,)
    inefficiency : ndarray, shape (T,), optional
        g_k (1 if omitted).
    tol : float
        Stop when the free energies f_k change by less than this.

    Returns
    -------
    (ndarray, ndarray)
        ln g at ``levels`` (up to a constant; -inf where no run sampled the level) and the
        dimensionless free energies f_k, shape (T,).
    """
    beta = 1.0 / np.asarray(temperatures, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    g_k = np.ones(beta.size) if inefficiency is None else np.asarray(inefficiency, float)
    e = np.asarray(levels, dtype=np.float64) - np.mean(levels)
    with np.errstate(divide="ignore"):
        log_numerator = np.log((counts / g_k[:, None]).sum(axis=0))
        log_n = np.log(counts.sum(axis=1) / g_k)
    f = np.zeros(beta.size)
    for _ in range(max_iterations):
        log_denominator = _logsumexp(log_n[:, None] + f[:, None] - beta[:, None] * e[None, :],
                                     axis=0)
        log_g = log_numerator - log_denominator
        new_f = -_logsumexp(log_g[None, :] - beta[:, None] * e[None, :], axis=1)
        new_f -= new_f[0]
        if np.max(np.abs(new_f - f)) < tol:
            f = new_f
            break
        f = new_f
    log_g = log_numerator - _logsumexp(log_n[:, None] + f[:, None] - beta[:, None] * e[None, :],
                                       axis=0)
    return log_g + 0.0, f


def _moments(levels, log_g, temperature):
    """<E> and Var(E) at each temperature from a relative ln g (levels shifted for range)."""
    e = np.asarray(levels, dtype=np.float64)
    t = np.atleast_1d(np.asarray(temperature, dtype=np.float64))
    w = log_g[None, :] - (e[None, :] - e.mean()) / t[:, None]
    w = np.exp(w - w.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    mean = w @ e
    var = np.einsum("tk,tk->t", w, (e[None, :] - mean[:, None]) ** 2)
    return mean, var


class MultipleHistogram:
    """Multiple-histogram reweighting of energy series from runs at several temperatures,
    with jackknife errors over blocks.

    Parameters
    ----------
    energy : ndarray, shape (T, chains, sweeps)
        Total energies recorded at each temperature.
    temperatures : array_like, shape (T,)
    n_sites : int
        Results are per site.
    n_blocks : int
        Blocks per chain; jackknife sample b leaves out block b of every chain at every
        temperature.
    inefficiency : array_like, shape (T,), optional
        Integrated autocorrelation time of each run's energy (estimated if omitted).
    """

    def __init__(self, energy, temperatures, n_sites, n_blocks=16, inefficiency=None):
        self.temperatures = validated_temperatures("temperatures", temperatures)
        e = np.asarray(energy, dtype=np.float64)
        if e.ndim != 3 or e.shape[0] != self.temperatures.size:
            raise DataError(f"energy {e.shape} must be (temperatures="
                             f"{self.temperatures.size}, chains, sweeps)")
        n = e.shape[-1] // n_blocks * n_blocks
        self._trim = e.shape[-1] - n
        e = e[..., self._trim:]
        self.n_sites = n_sites
        self.levels, index = np.unique(e, return_inverse=True)
        index = index.reshape(e.shape[0], e.shape[1], n_blocks, n // n_blocks)
        self._index = index
        k = self.levels.size
        # counts[t, block, level], blocks pooled over chains
        self.block_counts = np.zeros((e.shape[0], n_blocks, k))
        for t in range(e.shape[0]):
            for b in range(n_blocks):
                self.block_counts[t, b] = np.bincount(index[t, :, b].ravel(), minlength=k)
        if inefficiency is None:
            inefficiency = [max(1.0, integrated_time(e[t])[0]) for t in range(e.shape[0])]
        self.inefficiency = np.nan_to_num(np.asarray(inefficiency, dtype=np.float64), nan=1.0)
        total = self.block_counts.sum(axis=1)
        self.log_g, self.free_energies = histogram_density_of_states(
            self.levels, total, self.temperatures, self.inefficiency)
        self._jackknife = [histogram_density_of_states(
            self.levels, total - self.block_counts[:, b], self.temperatures,
            self.inefficiency)[0] for b in range(n_blocks)]

    def _level_sums(self, series):
        """Sums of ``series`` per temperature, block and level: shape (T, blocks, K)."""
        x = np.asarray(series, dtype=np.float64)[..., self._trim:].reshape(self._index.shape)
        sums = np.zeros(self.block_counts.shape)
        k = self.levels.size
        for t in range(x.shape[0]):
            for b in range(x.shape[2]):
                sums[t, b] = np.bincount(self._index[t, :, b].ravel(),
                                         weights=x[t, :, b].ravel(), minlength=k)
        return sums

    def observables(self, series, temperatures, combine):
        """Reweighted function of averages of observables, with jackknife errors.

        Each observable's mean at level E is pooled over runs with the same weights as the
        histograms (sum_k S_k(E)/g_k over sum_k H_k(E)/g_k), then averaged with the
        Boltzmann weights g(E) exp(-E/T).

        Parameters
        ----------
        series : dict of ndarray, each shape (T, chains, sweeps)
            Observables recorded beside the energies.
        temperatures : array_like, shape (T',)
        combine : callable
            ``combine({name: <O>(T') array}) -> array``, e.g. a Binder cumulant.

        Returns
        -------
        (ndarray, ndarray)
            Value and jackknife error, shape (T',).
        """
        t = np.atleast_1d(np.asarray(temperatures, dtype=np.float64))
        sums = {name: self._level_sums(x) for name, x in series.items()}
        g = self.inefficiency[:, None]

        def value(counts, level_sums, log_g):
            weight = (counts / g).sum(axis=0)
            p = log_g[None, :] - (self.levels[None, :] - self.levels.mean()) / t[:, None]
            p = np.exp(p - p.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                means = {name: np.where(weight > 0, (s / g).sum(axis=0) / weight, 0.0)
                         for name, s in level_sums.items()}
            return combine({name: p @ m for name, m in means.items()})

        total = self.block_counts.sum(axis=1)
        totals = {name: s.sum(axis=1) for name, s in sums.items()}
        full = value(total, totals, self.log_g)
        loo = np.array([value(total - self.block_counts[:, b],
                              {name: totals[name] - sums[name][:, b] for name in sums},
                              self._jackknife[b])
                        for b in range(self.block_counts.shape[1])])
        n = loo.shape[0]
        err = np.sqrt((n - 1) / n * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0))
        return full, err

    def _with_error(self, func):
        full = func(self.log_g)
        loo = np.array([func(lg) for lg in self._jackknife])
        n = loo.shape[0]
        err = np.sqrt((n - 1) / n * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0))
        return full, err

    def thermodynamics(self, temperatures):
        """Energy and specific heat per site at any temperatures in the sampled range.

        Returns
        -------
        dict of ndarray, shape (T',)
            ``energy``, ``specific_heat`` and their ``_err`` (jackknife).
        """
        t = np.atleast_1d(np.asarray(temperatures, dtype=np.float64))
        u, u_err = self._with_error(lambda lg: _moments(self.levels, lg, t)[0] / self.n_sites)
        c, c_err = self._with_error(
            lambda lg: _moments(self.levels, lg, t)[1] / (t**2 * self.n_sites))
        return {"energy": u, "energy_err": u_err, "specific_heat": c, "specific_heat_err": c_err}

    def peak(self, window=None):
        """Temperature and height of the specific-heat maximum, with jackknife errors.

        Parameters
        ----------
        window : (float, float), optional
            Interval searched; the sampled range if omitted.

        Returns
        -------
        dict of float
            ``temperature``, ``temperature_err``, ``specific_heat``, ``specific_heat_err``,
            ``at_edge``.
        """
        from scipy.optimize import minimize_scalar

        lo, hi = window if window is not None else (self.temperatures.min(),
                                                     self.temperatures.max())
        grid = np.linspace(lo, hi, 201)

        def locate(lg):
            c = _moments(self.levels, lg, grid)[1] / (grid**2 * self.n_sites)
            i = int(np.argmax(c))
            a, b = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
            res = minimize_scalar(
                lambda x: -_moments(self.levels, lg, x)[1][0] / (x**2 * self.n_sites),
                bounds=(a, b), method="bounded", options={"xatol": 1e-8})
            return np.array([res.x, -res.fun])

        (t_peak, c_peak), (t_err, c_err) = self._with_error(locate)
        edge = min(t_peak - lo, hi - t_peak) < 1e-6 * (hi - lo)
        return {"temperature": float(t_peak), "temperature_err": float(t_err),
                "specific_heat": float(c_peak), "specific_heat_err": float(c_err),
                "at_edge": bool(edge)}
