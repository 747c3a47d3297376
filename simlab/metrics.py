"""Figures of merit for optimisation runs: residual energy, success probability, TTS99.

- residual energy: mean of (E - E_ground) over reads, with its standard error;
- success probability p_s: fraction of reads reaching the known optimum (within a tolerance),
  with a Wilson score interval;
- time to solution TTS_q = t_run * R, R = ceil(ln(1 - q) / ln(1 - p_s)) independent runs for
  success with probability q (0.99 by default); its interval follows from the interval of
  p_s because R is monotone in p_s. :func:`optimal_tts` minimises over a scan of run lengths
  and says when the minimum lies at an end of the scan.
"""

import numpy as np

from simlab.errors import DataError
from simlab.validation import integer, number


def wilson_interval(successes, trials, confidence=0.95):
    """Wilson score interval (lo, hi) of a binomial proportion; arrays broadcast."""
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if np.any(n <= 0) or np.any(k < 0) or np.any(k > n):
        raise DataError("successes must lie in 0..trials with trials > 0")
    from scipy import stats as scipy_stats  # imported here: it takes 0.8 s

    z = scipy_stats.norm.ppf(0.5 + confidence / 2)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def residual_energy(energies, ground_energy, per=1):
    """(mean, standard error) of (E - E_ground) / per over reads."""
    e = (np.asarray(energies, dtype=np.float64) - ground_energy) / per
    return float(e.mean()), float(e.std(ddof=1) / np.sqrt(e.size)) if e.size > 1 else np.nan


def success_probability(best_energies, target, tolerance=1e-9, confidence=0.95):
    """(p_s, lo, hi, successes): reads whose energy is within ``tolerance`` of ``target``."""
    e = np.asarray(best_energies, dtype=np.float64)
    k = int(np.sum(e <= target + tolerance * max(1.0, abs(target))))
    lo, hi = wilson_interval(k, e.size, confidence)
    return k / e.size, float(lo), float(hi), k


def repetitions(p_success, target=0.99):
    """R = ceil(ln(1 - target) / ln(1 - p)): inf for p = 0, 1 for p = 1."""
    p = np.asarray(p_success, dtype=np.float64)
    target = number("target", target)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.ceil(np.log1p(-target) / np.log1p(-np.clip(p, 0, 1)))
    return np.where(p >= 1, 1.0, np.where(p <= 0, np.inf, r))


def tts(successes, trials, run_time, target=0.99, confidence=0.95):
    """(TTS, lo, hi) for ``successes`` of ``trials`` runs each taking ``run_time``."""
    p = np.asarray(successes, dtype=np.float64) / np.asarray(trials, dtype=np.float64)
    lo, hi = wilson_interval(successes, trials, confidence)
    rt = np.asarray(run_time, dtype=np.float64)
    return (rt * repetitions(p, target), rt * repetitions(hi, target),
            rt * repetitions(lo, target))


def optimal_tts(run_lengths, successes, trials, time_per_unit=1.0, target=0.99):
    """Minimise TTS over a scan of run lengths (e.g. sweeps per read).

    Parameters
    ----------
    run_lengths : array_like, shape (K,)
        Increasing run lengths scanned.
    successes, trials : array_like, shape (K,)
    time_per_unit : float
        Time of one unit of run length (1 gives TTS in run-length units, e.g. sweeps).

    Returns
    -------
    dict
        ``tts``, ``tts_lo``, ``tts_hi`` (arrays), ``best_index``, ``best_run_length``,
        ``best_tts``, and ``at_edge`` (True if the minimum is the first or last point,
        so the true optimum may lie outside the scan; with several points tied at inf, no
        optimum exists in the scan and ``best_index`` is -1).
    """
    lengths = np.asarray(run_lengths, dtype=np.float64)
    if lengths.ndim != 1 or lengths.size == 0 or np.any(np.diff(lengths) <= 0):
        raise DataError("run_lengths must be a non-empty increasing sequence")
    integer("trials", int(np.min(trials)), 1)
    value, lo, hi = tts(successes, trials, lengths * time_per_unit, target)
    if not np.any(np.isfinite(value)):
        return {"tts": value, "tts_lo": lo, "tts_hi": hi, "best_index": -1,
                "best_run_length": np.nan, "best_tts": np.inf, "at_edge": True}
    k = int(np.argmin(value))
    return {"tts": value, "tts_lo": lo, "tts_hi": hi, "best_index": k,
            "best_run_length": float(lengths[k]), "best_tts": float(value[k]),
            "at_edge": k in (0, lengths.size - 1)}
