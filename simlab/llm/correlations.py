"""Observables of generated text: class fractions, correlations, repetition, perplexity.

A text is a sequence of class labels y_t (word classes, :mod:`simlab.llm.wordclasses`), with
indicators d(a, y_t) = [y_t = a]. Over many sequences generated under the same conditions:

- the **integrated correlation** of the class fractions m_a(N) = (1/N) sum_{t<N} d(a, y_t),
  tau_ab(N) = N (E[m_a m_b] - E[m_a] E[m_b]) (:func:`integrated_correlation`). If the
  correlations decay fast, tau stays finite as N grows; if they do not decay (a frozen,
  repetitive phase), tau grows like N; a power-law decay C ~ dt^-eta gives tau ~ N^(1-eta);
- its **growth exponent** d ln tau / d ln N (:func:`growth_exponent`), about 1 in an ordered
  phase and 0 in a disordered one, and the **critical temperature** where it crosses 1/2
  (:func:`critical_temperature`), with a bootstrap error over sequences;
- the **correlation function** C_ab(t, t+dt) = E[d(a,y_t) d(b,y_t+dt)] - E[d(a,y_t)]
  E[d(b,y_t+dt)], averaged over t (:func:`correlation_function`), and fits of a power law
  and of an exponential to its decay (:func:`fit_decay`);
- the **repetition rate**: the fraction of token n-grams that already occurred earlier in
  the same sequence (:func:`repetition_rate`).

Expectations are over sequences (with the unbiased 1/(S - 1) covariance), never over the
positions of one sequence, so a slow, non-stationary start is measured, not assumed away.
"""

import numpy as np

from simlab.errors import DataError
from simlab.rng import generator
from simlab.validation import integer


def _matrix(tags, n_classes, length=None):
    """int array (S, L) of the first ``length`` labels of sequences at least that long."""
    lengths = np.array([len(t) for t in tags])
    length = int(lengths.min()) if length is None else int(length)
    keep = [np.asarray(t[:length], dtype=np.int64) for t, n in zip(tags, lengths) if n >= length]
    if len(keep) < 2:
        raise DataError(f"fewer than 2 sequences have {length} labels")
    y = np.stack(keep)
    if y.min() < 0 or y.max() >= n_classes:
        raise DataError(f"labels must be class ids in 0..{n_classes - 1}")
    return y


def integrated_correlation(tags, lengths, n_classes):
    """tau_ab(N) = N Cov(m_a, m_b) over the sequences at least N long, for each N in
    ``lengths``.

    Returns
    -------
    float64[len(lengths), n_classes, n_classes]
        NaN for an N that fewer than 2 sequences reach.
    """
    m = fraction_table(tags, lengths, n_classes)
    out = np.full((len(lengths), n_classes, n_classes), np.nan)
    for k, n in enumerate(lengths):
        ok = np.isfinite(m[:, k, 0])
        if ok.sum() >= 2:
            out[k] = n * np.cov(m[ok, k], rowvar=False, ddof=1)
    return out


def correlation_function(tags, dt_max, n_classes, length=None):
    """C_aa(dt) for dt = 1..dt_max, averaged over positions t and the sequences.

    Uses the first ``length`` labels (default: the shortest sequence) of every sequence
    that long.

    Returns
    -------
    float64[dt_max, n_classes]
    """
    y = _matrix(tags, n_classes, length)
    dt_max = integer("dt_max", dt_max, 1, y.shape[1] - 1)
    d = np.stack([(y == a) for a in range(n_classes)], axis=-1).astype(np.float64)
    mean = d.mean(axis=0)                                    # (L, classes): E_s d(a, y_t)
    out = np.empty((dt_max, n_classes))
    for dt in range(1, dt_max + 1):
        joint = (d[:, :-dt] * d[:, dt:]).mean(axis=0)         # (L - dt, classes)
        out[dt - 1] = (joint - mean[:-dt] * mean[dt:]).mean(axis=0)
    return out


def fit_decay(dt, c, floor=0.0):
    """Least-squares fits of ln C to a power law (ln A - alpha ln dt) and an exponential
    (ln A - dt / xi) over the points with C > ``floor``.

    Returns
    -------
    dict
        ``power_exponent`` alpha, ``correlation_length`` xi, the residual sums of squares of
        ln C (``power_rss``, ``exponential_rss``), ``better`` ("power" or "exponential")
        and ``points``; NaN and "none" with fewer than 3 usable points.
    """
    dt = np.asarray(dt, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    ok = np.isfinite(c) & (c > floor) & (dt > 0)
    out = {"power_exponent": np.nan, "correlation_length": np.nan, "power_rss": np.nan,
           "exponential_rss": np.nan, "better": "none", "points": int(ok.sum())}
    if ok.sum() < 3:
        return out
    x, y = dt[ok], np.log(c[ok])
    p = np.polyfit(np.log(x), y, 1)
    e = np.polyfit(x, y, 1)
    out["power_rss"] = float(np.sum((np.polyval(p, np.log(x)) - y) ** 2))
    out["exponential_rss"] = float(np.sum((np.polyval(e, x) - y) ** 2))
    out["power_exponent"] = float(-p[0])
    out["correlation_length"] = float(-1.0 / e[0]) if e[0] < 0 else np.inf
    out["better"] = "power" if out["power_rss"] < out["exponential_rss"] else "exponential"
    return out


def growth_exponent(lengths, tau):
    """Slope of ln tau against ln N (least squares over the finite, positive points)."""
    n = np.asarray(lengths, dtype=np.float64)
    t = np.asarray(tau, dtype=np.float64)
    ok = np.isfinite(t) & (t > 0)
    if ok.sum() < 2:
        return np.nan
    return float(np.polyfit(np.log(n[ok]), np.log(t[ok]), 1)[0])


def critical_temperature(temperatures, exponents, level=0.5):
    """The temperature where the growth exponent first falls through ``level`` (ascending T,
    linear interpolation), or NaN if it never does."""
    t = np.asarray(temperatures, dtype=np.float64)
    s = np.asarray(exponents, dtype=np.float64)
    order = np.argsort(t)
    t, s = t[order], s[order]
    for k in range(1, t.size):
        if s[k - 1] >= level > s[k]:
            return float(t[k - 1] + (level - s[k - 1]) * (t[k] - t[k - 1]) / (s[k] - s[k - 1]))
    return np.nan


def total_tau(tags, lengths, n_classes):
    """The trace sum_a tau_aa(N) for each N: float64[len(lengths)]."""
    return tau_from_fractions(fraction_table(tags, lengths, n_classes), lengths).sum(axis=-1)


def crossing_draws(temperatures, exponent_draws, level=0.5):
    """:func:`critical_temperature` of each resample: exponent_draws is (T, resamples)."""
    draws = np.asarray(exponent_draws, dtype=np.float64)
    return np.array([critical_temperature(temperatures, draws[:, r], level)
                     for r in range(draws.shape[1])])


def spread(draws):
    """Standard deviation (ddof 1) of the finite draws; NaN with fewer than two."""
    finite = np.asarray(draws, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(np.std(finite, ddof=1)) if finite.size > 1 else np.nan


def fraction_table(tags, lengths, n_classes):
    """Class fractions m_a(N) of every sequence for every N: float64[S, len(lengths), classes],
    NaN where a sequence is shorter than N."""
    lengths = [integer("N", n, 1) for n in lengths]
    out = np.full((len(tags), len(lengths), n_classes), np.nan)
    for i, seq in enumerate(tags):
        seq = np.asarray(seq, dtype=np.int64)
        if seq.size and (seq.min() < 0 or seq.max() >= n_classes):
            raise DataError(f"labels must be class ids in 0..{n_classes - 1}")
        for k, n in enumerate(lengths):
            if seq.size >= n:
                out[i, k] = np.bincount(seq[:n], minlength=n_classes) / n
    return out


def tau_from_fractions(fractions, lengths, rows=None):
    """Diagonal tau_aa(N) = N Var(m_a(N)) from :func:`fraction_table` output (rows: the
    sequences to use, repeats allowed): float64[len(lengths), classes], NaN where fewer than
    2 sequences reach N."""
    m = fractions if rows is None else fractions[rows]
    out = np.full(m.shape[1:], np.nan)
    for k, n in enumerate(lengths):
        ok = np.isfinite(m[:, k, 0])
        if ok.sum() >= 2:
            out[k] = n * np.var(m[ok, k], axis=0, ddof=1)
    return out


def bootstrap_tau(tags, lengths, n_classes, resamples, seed, key=()):
    """tau_aa(N) of the data and of ``resamples`` resamples of its sequences (with
    replacement, stream ``derive(seed, "bootstrap", *key, r)``).

    Returns
    -------
    (float64[len(lengths), classes], float64[resamples, len(lengths), classes])
    """
    m = fraction_table(tags, lengths, n_classes)
    central = tau_from_fractions(m, lengths)
    out = np.empty((integer("resamples", resamples, 2), *central.shape))
    for r in range(out.shape[0]):
        rows = generator(seed, "bootstrap", *key, r).integers(0, len(tags), len(tags))
        out[r] = tau_from_fractions(m, lengths, rows)
    return central, out


def bootstrap_critical_temperature(tags_by_temperature, temperatures, lengths, n_classes,
                                   resamples=200, seed=0, level=0.5):
    """T_c from resampled sequences: (T_c of the data, bootstrap std, the resampled T_c).

    Each resample draws, at every temperature T, as many sequences as there are, with
    replacement (``derive(seed, "bootstrap", T, resample)``), independently across T.
    """
    central, growth = [], []
    for t, tags in zip(temperatures, tags_by_temperature):
        c, d = bootstrap_tau(tags, lengths, n_classes, resamples, seed, (float(t),))
        central.append(growth_exponent(lengths, c.sum(axis=-1)))
        growth.append([growth_exponent(lengths, x) for x in d.sum(axis=-1)])
    values = crossing_draws(temperatures, growth, level)
    return critical_temperature(temperatures, central, level), spread(values), values


def repetition_rate(tokens, n=4):
    """Fraction of the n-grams of each sequence that already occurred earlier in it.

    Parameters
    ----------
    tokens : int array (S, L) or list of 1-D arrays

    Returns
    -------
    float64[S]
    """
    n = integer("n", n, 1)
    out = []
    for seq in tokens:
        seq = np.asarray(seq)
        grams = [tuple(seq[i:i + n]) for i in range(len(seq) - n + 1)]
        seen, repeats = set(), 0
        for g in grams:
            repeats += g in seen
            seen.add(g)
        out.append(repeats / len(grams) if grams else np.nan)
    return np.array(out)
