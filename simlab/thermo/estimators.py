"""Monte Carlo estimators of thermodynamic quantities, with jackknife errors over blocks.

From recorded energy (and magnetisation) series of independent chains: U, C, |M|, chi and the
Binder cumulant per unit, their bias-corrected jackknife errors over the pooled blocks of all
chains, integrated autocorrelation times and the Gelman-Rubin R-hat across chains.
"""

from typing import NamedTuple

import numpy as np

from simlab import stats
from simlab.errors import DataError
from simlab.kernels.moments import pooled_block_moments
from simlab.validation import temperatures


class Moment(NamedTuple):
    """(|x| or x) * scale raised to ``power``, for a series x of shape (T, chains, sweeps):
    its block means are computed in one pass (:mod:`simlab.kernels.moments`)."""

    series: np.ndarray
    scale: float
    power: int = 1
    absolute: bool = False

    def block_means(self, n_blocks):
        """Block means, chains' blocks pooled: shape (T, chains * n_blocks)."""
        x = np.asarray(self.series)
        if x.dtype not in (np.int32, np.int64, np.float64):
            x = x.astype(np.float64)
        if not 1 <= n_blocks <= x.shape[-1]:
            raise DataError(f"cannot cut {x.shape[-1]} samples into {n_blocks} blocks")
        out = np.empty((x.shape[0], x.shape[1] * n_blocks))
        pooled_block_moments(x, n_blocks, float(self.scale), int(self.power),
                             bool(self.absolute), out)
        return out


def energy_estimators(energy, n_units, temperature, n_blocks=16, extra=None):
    """U, C and their errors from recorded energies; the common core of the MC estimators.

    Parameters
    ----------
    energy : ndarray, shape (T, chains, sweeps)
        Total energy after each sweep.
    n_units : int
        N; results are per unit: e = E/N.
    temperature : array_like, shape (T,)
    n_blocks : int
        Blocks per chain; all chains' blocks are pooled for the jackknife.
    extra : dict, optional
        {name: (series (T, chains, sweeps) or a :class:`Moment` of one, estimator)} of
        further estimators; ``series`` entries are added to the block means under their name and ``estimator`` receives
        the dict of means (with ``e`` and ``e2``) and returns an array.

    Returns
    -------
    dict of ndarray, shape (T,)
        ``energy`` <e>, ``specific_heat`` N (<e^2> - <e>^2) / T^2, their ``_err``,
        ``tau_energy`` and ``tau_energy_err``, ``r_hat_energy`` (Gelman-Rubin across chains:
        values well above 1 mean the chains have not mixed and the estimates are biased),
        and the ``extra`` estimators with errors.
    """
    t = temperatures("temperature", temperature)
    energy = np.asarray(energy)
    if energy.ndim != 3 or energy.shape[0] != t.size:
        raise DataError(f"energy {energy.shape} must be (temperatures={t.size}, chains, "
                        "sweeps)")
    raw = {"e": Moment(energy, 1.0 / n_units), "e2": Moment(energy, 1.0 / n_units, 2)}
    estimators = {
        "energy": lambda b: b["e"],
        "specific_heat": lambda b: n_units * (b["e2"] - b["e"] ** 2) / t**2,
    }
    for name, (series, func) in (extra or {}).items():
        if series is not None:
            raw[name] = series
        if func is not None:
            estimators[name] = func
    for name, series in raw.items():
        shape = np.shape(series.series if isinstance(series, Moment) else series)
        if shape != energy.shape:
            raise DataError(f"series {name} has shape {shape}, energy {energy.shape}")
    blocks = {k: np.moveaxis(v.block_means(n_blocks) if isinstance(v, Moment)
                             else block_means_pooled(v, n_blocks), -1, 0)
              for k, v in raw.items()}
    out = {}
    for name, func in estimators.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name], out[name + "_err"] = stats.jackknife(func, blocks)
    per_unit = [energy[k] / n_units for k in range(t.size)]
    taus = np.array([stats.integrated_time(e) for e in per_unit])
    out["tau_energy"], out["tau_energy_err"] = taus[:, 0], taus[:, 1]
    out["r_hat_energy"] = np.array([stats.gelman_rubin(e) for e in per_unit])
    return out


def lattice_estimators(energy, magnetization, n_sites, temperature, n_blocks=16):
    """Thermodynamic estimators with jackknife errors from recorded lattice time series.

    Parameters
    ----------
    energy, magnetization : ndarray, shape (T, chains, sweeps)
        Total energy and total magnetisation after each sweep, per temperature and chain.
    n_sites : int
        Number of spins N.
    temperature : array_like, shape (T,)
    n_blocks : int
        Blocks per chain. All chains' blocks are pooled for the jackknife; the block length
        (sweeps // n_blocks) should exceed several integrated autocorrelation times, which
        are returned so this can be checked.

    Returns
    -------
    dict of ndarray, shape (T,)
        ``energy`` U/N = <e>; ``specific_heat`` C/N = N (<e^2> - <e>^2) / T^2;
        ``abs_magnetization`` <|m|>; ``susceptibility`` chi = N (<m^2> - <|m|>^2) / T;
        ``binder`` U_4 = 1 - <m^4> / (3 <m^2>^2); each with ``<name>_err``; and
        ``tau_energy``, ``tau_abs_magnetization`` (integrated autocorrelation times, sweeps)
        with their errors. Here e = E/N and m = M/N per sweep.
    """
    t = temperatures("temperature", temperature)
    mag = np.asarray(magnetization)
    out = energy_estimators(energy, n_sites, t, n_blocks, extra={
        "m": (Moment(mag, 1.0 / n_sites, 1, True), None),
        "m2": (Moment(mag, 1.0 / n_sites, 2), None),
        "m4": (Moment(mag, 1.0 / n_sites, 4), None),
        "abs_magnetization": (None, lambda b: b["m"]),
        "susceptibility": (None, lambda b: n_sites * (b["m2"] - b["m"] ** 2) / t),
        "binder": (None, lambda b: 1.0 - b["m4"] / (3.0 * b["m2"] ** 2)),
    })
    taus = np.array([stats.integrated_time(np.abs(mag[k]) / n_sites) for k in range(t.size)])
    out["tau_abs_magnetization"], out["tau_abs_magnetization_err"] = taus[:, 0], taus[:, 1]
    return out


def block_means_pooled(series, n_blocks):
    """Block means of each chain, chains' blocks pooled: (T, chains, n) -> (T, chains * n_blocks)."""
    b = stats.block_means(series, n_blocks)
    return b.reshape(*b.shape[:-2], -1)
