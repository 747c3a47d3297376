"""Statistics of Monte Carlo time series: blocking, jackknife, autocorrelation, goodness of fit.

Conventions: a time series array has time on its last axis; several independent chains stack
on the axes before it. Blocks from all chains are pooled as independent samples, which holds
when the block length is several integrated autocorrelation times (the estimators report
both so the user can check).
"""

import numpy as np
import scipy.fft

from simlab.errors import DataError


def block_means(series, n_blocks):
    """Means of ``n_blocks`` consecutive equal blocks along the last axis.

    The first ``n % n_blocks`` samples are dropped so every block has the same length.

    Parameters
    ----------
    series : ndarray, shape (..., n)
    n_blocks : int, 1 <= n_blocks <= n

    Returns
    -------
    ndarray, shape (..., n_blocks), float64
    """
    series = np.asarray(series)
    n = series.shape[-1]
    if not 1 <= n_blocks <= n:
        raise DataError(f"cannot cut {n} samples into {n_blocks} blocks")
    length = n // n_blocks
    trimmed = series[..., n - length * n_blocks:]
    return trimmed.reshape(*series.shape[:-1], n_blocks, length).mean(axis=-1, dtype=np.float64)


def jackknife(estimator, blocks):
    """Bias-corrected jackknife estimate and standard error of a function of means.

    Parameters
    ----------
    estimator : callable
        Takes a dict of arrays of means (same keys as ``blocks``) and returns an array; it
        must broadcast over a leading axis.
    blocks : dict of ndarray, each shape (B, ...)
        Independent block means, blocks on axis 0 (B >= 2).

    Returns
    -------
    (ndarray, ndarray)
        Estimate and standard error, shape (...).
    """
    first = next(iter(blocks.values()))
    n = first.shape[0]
    if n < 2:
        raise DataError("the jackknife needs at least 2 blocks")
    full = estimator({k: v.mean(axis=0) for k, v in blocks.items()})
    leave_one_out = estimator({k: (v.sum(axis=0) - v) / (n - 1) for k, v in blocks.items()})
    mean_loo = leave_one_out.mean(axis=0)
    estimate = n * full - (n - 1) * mean_loo
    error = np.sqrt((n - 1) / n * ((leave_one_out - mean_loo) ** 2).sum(axis=0))
    return estimate, error


def autocovariance(series, pooled_mean=False):
    """Autocovariance along the last axis (FFT, biased 1/n normalisation), averaged over chains.

    Parameters
    ----------
    series : ndarray, shape (chains, n) or (n,)
    pooled_mean : bool
        Subtract the mean of all chains together instead of each chain's own. For
        independent chains of one equilibrium process this removes most of the bias of short
        chains: each chain's own mean absorbs about sigma^2 tau / n of the covariance at every
        lag, which lowers tau by about (2W + 1) tau / n over a window W.

    Returns
    -------
    ndarray, shape (n,)
    """
    x = np.atleast_2d(np.asarray(series, dtype=np.float64))
    n = x.shape[-1]
    x = x - (x.mean() if pooled_mean else x.mean(axis=-1, keepdims=True))
    size = scipy.fft.next_fast_len(2 * n - 1, real=True)  # >= 2n - 1: no wrap-around
    spectrum = scipy.fft.rfft(x, n=size, axis=-1, workers=-1)
    power = spectrum.real ** 2 + spectrum.imag ** 2
    acov = scipy.fft.irfft(power, n=size, axis=-1, workers=-1)[..., :n] / n
    return acov.reshape(-1, n).mean(axis=0)


def integrated_time(series, window_factor=5.0, pooled_mean=False):
    """Integrated autocorrelation time with Sokal's automatic window.

    tau = 1 + 2 sum_{t=1}^{W} rho(t), with W the smallest lag such that W >= c tau(W)
    (A. Sokal, "Monte Carlo methods in statistical mechanics", 1997). tau = 1 for
    uncorrelated samples; the error of a mean is sigma sqrt(tau / n).

    Parameters
    ----------
    series : ndarray, shape (chains, n) or (n,)
        The chains' autocorrelation functions are averaged before windowing.
    window_factor : float
        Sokal's c; 5 is standard for roughly exponential decay.
    pooled_mean : bool
        Centre every chain on the mean of all chains (see :func:`autocovariance`).

    Returns
    -------
    (float, float)
        tau and its statistical error sqrt(2 (2W + 1) / N) tau, N the total number of samples.
        A constant series gives (nan, nan).
    """
    x = np.atleast_2d(np.asarray(series, dtype=np.float64))
    acov = autocovariance(x, pooled_mean)
    if acov[0] <= 0:
        return float("nan"), float("nan")
    rho = acov / acov[0]
    taus = 2.0 * np.cumsum(rho) - 1.0
    lags = np.arange(len(taus))
    ok = lags >= window_factor * taus
    window = int(np.argmax(ok)) if ok.any() else len(taus) - 1
    tau = float(taus[window])
    return tau, tau * float(np.sqrt(2.0 * (2 * window + 1) / x.size))


def binning_analysis(series, min_bins=128):
    """Error of the mean against bin size (the binning analysis of ALPS and Carlo.jl).

    Samples are averaged in bins of 2^k consecutive values (per chain); the error of the mean
    estimated from the bin means grows with k until bins are much longer than the
    autocorrelation time, then stays on a plateau. With tau = 1 + 2 sum_t rho(t) (the
    convention of :func:`integrated_time`), err_k^2 / err_0^2 -> tau on the plateau.

    Parameters
    ----------
    series : ndarray, shape (chains, n) or (n,)
    min_bins : int
        Bin sizes are doubled while every chain keeps at least this many bins.

    Returns
    -------
    dict
        ``bin_sizes`` (K,), ``errors`` (K,) of the mean at each size; ``error`` and ``tau``
        from the largest size; ``converged``: the last two errors agree within 5%
        (otherwise the plateau was not reached and the error is a lower bound).
    """
    x = np.atleast_2d(np.asarray(series, dtype=np.float64))
    n = x.shape[-1]
    if n < 2 * min_bins:
        raise DataError(f"binning needs at least {2 * min_bins} samples per chain, got {n}")
    sizes, errors = [], []
    size = 1
    while n // size >= min_bins:
        means = block_means(x, n // size).ravel()
        errors.append(float(means.std(ddof=1) / np.sqrt(means.size)))
        sizes.append(size)
        size *= 2
    errors = np.array(errors)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = float((errors[-1] / errors[0]) ** 2)
    converged = bool(len(errors) > 1 and abs(errors[-1] / errors[-2] - 1) < 0.05)
    return {"bin_sizes": np.array(sizes), "errors": errors, "error": float(errors[-1]),
            "tau": tau, "converged": converged}


def weighted_mean(values, errors):
    """Inverse-variance weighted mean of independent estimates, with a scale factor.

    Where the estimates scatter more than their errors (chi^2/dof > 1), the mean's error is
    multiplied by sqrt(chi^2/dof), as the Particle Data Group does for inconsistent
    measurements; it is never scaled down.

    Parameters
    ----------
    values, errors : array_like, shape (n,)
        Estimates and their standard errors (> 0).

    Returns
    -------
    (float, float, float)
        Mean, its standard error, and chi^2/dof of the estimates about the mean (NaN for
        one estimate).
    """
    values, errors = np.asarray(values, dtype=np.float64), np.asarray(errors, dtype=np.float64)
    w = 1.0 / errors**2
    mean = float((w * values).sum() / w.sum())
    chi2 = float((w * (values - mean) ** 2).sum() / (values.size - 1)) if values.size > 1 \
        else np.nan
    scale = np.sqrt(chi2) if chi2 > 1 else 1.0
    return mean, float(scale / np.sqrt(w.sum())), chi2


def weighted_line(x, y, sigma):
    """Slope, its standard error and chi^2/dof of y = a + b x weighted by 1/sigma^2.

    Points with a non-finite value or error are left out. The slope error is not inflated
    by chi^2; the fit quality is reported beside it.

    Parameters
    ----------
    x, y, sigma : ndarray, shape (n,)

    Returns
    -------
    (float, float, float)
        Slope, its standard error, chi^2 per degree of freedom (NaN with < 2 points).
    """
    ok = np.isfinite(y) & np.isfinite(sigma) & (sigma > 0)
    x, y, w = x[ok], y[ok], 1.0 / sigma[ok] ** 2
    if x.size < 2:
        return np.nan, np.nan, np.nan
    design = np.stack([np.ones_like(x), x], axis=1)
    cov = np.linalg.inv(design.T @ (design * w[:, None]))
    coef = cov @ (design.T @ (w * y))
    chi2 = float(((y - design @ coef) ** 2 * w).sum() / max(x.size - 2, 1))
    return float(coef[1]), float(np.sqrt(cov[1, 1])), chi2


def successive_slopes(x, y, sigma):
    """Slope of y against x between each point and the previous point with a finite y.

    Parameters
    ----------
    x, y, sigma : ndarray, shape (n,)
        sigma is the standard error of y; the slope's error combines the two points'.

    Returns
    -------
    (ndarray, ndarray), shape (n,) each
        Slope and its standard error at the later point of each pair; NaN at the first
        finite point and wherever y is not finite.
    """
    x, y, sigma = (np.asarray(a, dtype=np.float64) for a in (x, y, sigma))
    slope, err = np.full(x.size, np.nan), np.full(x.size, np.nan)
    ok = np.flatnonzero(np.isfinite(y))
    for a, b in zip(ok[:-1], ok[1:]):
        slope[b], err[b], _ = weighted_line(x[[a, b]], y[[a, b]], sigma[[a, b]])
    return slope, err


def chi_square_test(counts, probabilities, min_expected=5.0):
    """Pearson chi-square goodness of fit of observed counts to exact probabilities.

    Bins whose expected count is below ``min_expected`` are pooled into one bin (dropped if
    the pooled bin is still below it), so the chi-square approximation holds.

    Parameters
    ----------
    counts : array_like of int, shape (K,)
        Observed counts of K outcomes, from independent draws.
    probabilities : array_like, shape (K,)
        Exact probabilities (summing to 1).

    Returns
    -------
    (float, int, float)
        Statistic, degrees of freedom (number of bins used - 1) and p-value.
    """
    counts = np.asarray(counts, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    if counts.shape != p.shape:
        raise DataError(f"counts shape {counts.shape} != probabilities shape {p.shape}")
    if not np.isclose(p.sum(), 1.0, rtol=0, atol=1e-9):
        raise DataError(f"probabilities sum to {p.sum()!r}, not 1")
    total = counts.sum()
    expected = total * p
    large = expected >= min_expected
    obs = list(counts[large])
    exp = list(expected[large])
    if expected[~large].sum() >= min_expected:
        obs.append(counts[~large].sum())
        exp.append(expected[~large].sum())
    elif counts[~large].sum() > 0:
        # Pool too small for a chi-square term: fold it into the smallest kept bin.
        k = int(np.argmin(exp))
        obs[k] += counts[~large].sum()
        exp[k] += expected[~large].sum()
    obs = np.array(obs)
    exp = np.array(exp)
    statistic = float(((obs - exp) ** 2 / exp).sum())
    dof = len(obs) - 1
    from scipy import stats as scipy_stats  # imported here: it takes 0.8 s

    return statistic, dof, float(scipy_stats.chi2.sf(statistic, dof))


def auroc(scores, labels):
    """Area under the ROC curve with its DeLong standard error.

    AUROC = P(score of a random positive > score of a random negative) + P(tie) / 2,
    computed from midranks; the variance follows DeLong, DeLong & Clarke-Pearson
    (Biometrics 44, 837, 1988).

    Parameters
    ----------
    scores : array_like, shape (n,)
        Larger means "more likely positive".
    labels : array_like of bool, shape (n,)

    Returns
    -------
    (float, float)
        AUROC and its standard error.
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels).astype(bool)
    if s.shape != y.shape or s.ndim != 1:
        raise DataError(f"scores {s.shape} and labels {y.shape} must be 1-D of equal length")
    if not np.all(np.isfinite(s)):
        raise DataError("scores must be finite")
    pos, neg = s[y], s[~y]
    m, n = pos.size, neg.size
    if m == 0 or n == 0:
        raise DataError(f"AUROC needs both classes; got {m} positives and {n} negatives")
    from scipy import stats as scipy_stats  # imported here: it takes 0.8 s

    rank_all = scipy_stats.rankdata(np.concatenate([pos, neg]))
    rank_pos = scipy_stats.rankdata(pos)
    rank_neg = scipy_stats.rankdata(neg)
    auc = (rank_all[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (rank_all[:m] - rank_pos) / n          # per positive: fraction of negatives below
    v01 = 1.0 - (rank_all[m:] - rank_neg) / m    # per negative: fraction of positives above
    var = v10.var(ddof=1) / m + v01.var(ddof=1) / n if m > 1 and n > 1 else np.nan
    return float(auc), float(np.sqrt(var))


def gelman_rubin(series):
    """Potential scale reduction R-hat of several chains (Gelman & Rubin 1992).

    R-hat = sqrt(((n - 1)/n W + B/n) / W), W the mean within-chain variance and B/n the
    variance of the chain means. Near 1 when the chains sample the same distribution; well
    above 1 when they are stuck in different regions (then pooled estimators are biased and
    their error bars too small).

    Parameters
    ----------
    series : ndarray, shape (chains, n)

    Returns
    -------
    float
        R-hat (inf if every chain is constant but they differ; nan for a single chain).
    """
    x = np.asarray(series, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        return float("nan")
    n = x.shape[1]
    within = x.var(axis=1, ddof=1).mean()
    between_over_n = x.mean(axis=1).var(ddof=1)
    if within == 0:
        return 1.0 if between_over_n == 0 else float("inf")
    return float(np.sqrt(((n - 1) / n * within + between_over_n) / within))
