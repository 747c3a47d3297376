"""Thermodynamics from energies.

Two kinds of input:

- a finite spectrum (all energies of a small system, a density of states, or the logits of a
  token distribution with E = -logit): exact ln Z, U, C, S, F by log-sum-exp
  (:func:`spectrum_thermodynamics`);
- Monte Carlo time series of energy and magnetisation: estimators with jackknife error bars
  over blocks and integrated autocorrelation times (:func:`lattice_estimators`), and the
  entropy by thermodynamic integration of C/T from infinite temperature
  (:func:`entropy_by_integration`).

Units: k_B = 1; entropy in nats.
"""

import numpy as np

from simlab import stats
from simlab.errors import ConfigError, DataError
from simlab.validation import integer, number, temperatures


def spectrum_thermodynamics(energies, temperature, degeneracy=None):
    """Exact thermodynamics of a finite spectrum at each temperature.

    Parameters
    ----------
    energies : array_like, shape (K,)
        Energy levels (finite).
    temperature : float or array_like, shape (T,)
        Temperatures > 0.
    degeneracy : array_like, shape (K,), optional
        Multiplicity g_k >= 0 of each level (a density of states); 1 if omitted.

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
    log_g = np.zeros_like(e) if degeneracy is None else np.log(
        np.asarray(degeneracy, dtype=np.float64).ravel())
    if log_g.shape != e.shape:
        raise DataError(f"degeneracy has {log_g.size} entries for {e.size} energy levels")
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
        {name: (series (T, chains, sweeps), estimator)} of further estimators; ``series``
        entries are added to the block means under their name and ``estimator`` receives
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
    e = np.asarray(energy, dtype=np.float64) / n_units
    if e.ndim != 3 or e.shape[0] != t.size:
        raise DataError(f"energy {e.shape} must be (temperatures={t.size}, chains, sweeps)")
    raw = {"e": e, "e2": e * e}
    estimators = {
        "energy": lambda b: b["e"],
        "specific_heat": lambda b: n_units * (b["e2"] - b["e"] ** 2) / t**2,
    }
    for name, (series, func) in (extra or {}).items():
        if series is not None:
            raw[name] = np.asarray(series, dtype=np.float64)
        if func is not None:
            estimators[name] = func
    for name, series in raw.items():
        if series.shape != e.shape:
            raise DataError(f"series {name} has shape {series.shape}, energy {e.shape}")
    blocks = {k: np.moveaxis(block_means_pooled(v, n_blocks), -1, 0) for k, v in raw.items()}
    out = {}
    for name, func in estimators.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name], out[name + "_err"] = stats.jackknife(func, blocks)
    taus = np.array([stats.integrated_time(e[k]) for k in range(t.size)])
    out["tau_energy"], out["tau_energy_err"] = taus[:, 0], taus[:, 1]
    out["r_hat_energy"] = np.array([stats.gelman_rubin(e[k]) for k in range(t.size)])
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
    m = np.abs(np.asarray(magnetization, dtype=np.float64)) / n_sites
    m2 = m * m
    out = energy_estimators(energy, n_sites, t, n_blocks, extra={
        "m": (m, None), "m2": (m2, None), "m4": (m2 * m2, None),
        "abs_magnetization": (None, lambda b: b["m"]),
        "susceptibility": (None, lambda b: n_sites * (b["m2"] - b["m"] ** 2) / t),
        "binder": (None, lambda b: 1.0 - b["m4"] / (3.0 * b["m2"] ** 2)),
    })
    taus = np.array([stats.integrated_time(m[k]) for k in range(t.size)])
    out["tau_abs_magnetization"], out["tau_abs_magnetization_err"] = taus[:, 0], taus[:, 1]
    return out


def block_means_pooled(series, n_blocks):
    """Block means of each chain, chains' blocks pooled: (T, chains, n) -> (T, chains * n_blocks)."""
    b = stats.block_means(series, n_blocks)
    return b.reshape(*b.shape[:-2], -1)


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


# --- Finite spectra given as logits (token distributions): E = -logit ------------------------

LOGIT_VARIABLES = ("log_z", "free_energy", "energy", "entropy", "entropy_bits", "perplexity",
                   "specific_heat", "entropy_derivative", "varentropy")


def as_logit_rows(logits):
    """Logits as a C-contiguous float32 or float64 array of shape (P, V), and the lead shape.

    Accepts NumPy arrays of any real dtype and torch tensors (float16 and bfloat16 are
    widened to float32 exactly). Accumulation is always in float64 in the kernels.
    """
    if type(logits).__module__.startswith("torch"):
        import torch

        t = logits.detach().cpu()
        if t.dtype in (torch.float16, torch.bfloat16):
            t = t.to(torch.float32)
        logits = t.numpy()
    a = np.asarray(logits)
    if a.dtype.kind not in "fiu":
        raise DataError(f"logits must be real numbers, got dtype {a.dtype}")
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float32 if a.dtype == np.float16 else np.float64)
    if a.ndim == 0 or a.shape[-1] == 0:
        raise DataError(f"logits of shape {a.shape} have an empty vocabulary (last axis)")
    lead = a.shape[:-1]
    return np.ascontiguousarray(a.reshape(-1, a.shape[-1])), lead


def _degeneracy_rows(degeneracy, rows, lead):
    """Multiplicities as float64 (P, V); all ones (a zero-stride view) when not given."""
    if degeneracy is None:
        return np.broadcast_to(np.ones(rows.shape[1]), rows.shape)
    g = np.asarray(degeneracy, dtype=np.float64)
    if g.shape != (*lead, rows.shape[1]):
        raise DataError(f"degeneracy shape {g.shape} differs from logits shape "
                        f"{(*lead, rows.shape[1])}")
    if not np.all(np.isfinite(g)) or np.any(g < 0):
        raise DataError("degeneracy must be finite and >= 0")
    return np.ascontiguousarray(g.reshape(rows.shape))


def _raise_bad_rows(status, bad_index, lead):
    from simlab.kernels import softmax as k

    bad = np.flatnonzero(status != k.OK)
    if bad.size == 0:
        return
    row = int(bad[0])
    where = np.unravel_index(row, lead) if lead else ()
    position = tuple(int(i) for i in where)
    code = int(status[row])
    if code == k.ALL_MASKED:
        raise DataError(f"logits at position {position} are all -inf (masked): "
                        "no state has non-zero probability")
    what = "NaN" if code == k.NAN else "+inf"
    raise DataError(f"logits contain {what} at position {position}, vocabulary index "
                    f"{int(bad_index[row])}; only finite values and -inf (masked) are allowed")


def logit_thermodynamics(logits, temperature, degeneracy=None):
    """Exact thermodynamics of softmax(logits / T) as a Boltzmann distribution, E = -logit.

    Parameters
    ----------
    logits : array_like or torch.Tensor, shape (..., V)
        Any real dtype (float16/bfloat16/float32/float64); accumulated in float64. ``-inf``
        marks masked states, which are excluded; NaN and ``+inf`` are errors.
    temperature : float or array_like, shape (K,)
        T >= 0; T = 0 and T = inf give the exact limits.
    degeneracy : array_like, shape (..., V), optional
        Multiplicity g >= 0 of each level (a histogram of logits); g = 0 masks the entry.

    Returns
    -------
    dict of ndarray, each shape (..., K)
        ``log_z`` ln Z = ln sum exp(z/T) (inf at T = 0); ``free_energy`` F = -T ln Z;
        ``energy`` U = <E> = -<z>; ``entropy`` S = -sum p ln p (nats), ``entropy_bits``
        S / ln 2; ``perplexity`` e^S; ``specific_heat`` C = Var(E)/T^2;
        ``entropy_derivative`` dS/dT = Var(E)/T^3; ``varentropy`` Var(-ln p) = C (nats^2).
        Limits: S(0) = ln g (g tied maxima), S(inf) = ln V' (V' finite logits), C = 0 at both.

    Raises
    ------
    DataError
        For NaN or +inf logits (naming the position and vocabulary index), a row of only
        -inf, or an empty vocabulary.
    ConfigError
        For a negative or NaN temperature.
    """
    from simlab.kernels import softmax as k

    rows, lead = as_logit_rows(logits)
    weights = _degeneracy_rows(degeneracy, rows, lead)
    t = temperatures("temperature", temperature, allow_zero=True, allow_inf=True)
    with np.errstate(divide="ignore"):
        inv_t = 1.0 / t
    n_rows = rows.shape[0]
    moments = np.empty((n_rows, t.size, 3))
    top = np.empty(n_rows)
    status = np.empty(n_rows, dtype=np.int64)
    bad_index = np.empty(n_rows, dtype=np.int64)
    k.spectrum_moments(rows, weights, inv_t, moments, top, status, bad_index)
    _raise_bad_rows(status, bad_index, lead)
    log_z_reduced, mu, var = moments[..., 0], moments[..., 1], moments[..., 2]
    top = top[:, None]
    zero_t = t == 0
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        scaled_top = np.where(zero_t, np.sign(top) * np.inf, inv_t * top)
        scaled_top = np.where(np.isinf(inv_t) & (top == 0), 0.0, scaled_top)
        log_z = np.where(np.isinf(inv_t) & (top == 0), np.inf, log_z_reduced + scaled_top)
        entropy = np.where(zero_t, log_z_reduced, log_z_reduced - inv_t * mu)
        c = np.where(zero_t | np.isinf(t), 0.0, var * inv_t**2)
        out = {
            "log_z": log_z,
            "free_energy": np.where(zero_t, -top, -t * log_z_reduced - top),
            "energy": -(top + mu),
            "entropy": entropy,
            "entropy_bits": entropy / np.log(2.0),
            "perplexity": np.exp(entropy),
            "specific_heat": c,
            "entropy_derivative": np.where(zero_t | np.isinf(t), 0.0, c * inv_t),
            "varentropy": c,
        }
    return {name: v.reshape(*lead, t.size) for name, v in out.items()}


def logit_specific_heat_peak(logits, t_range=(1e-4, 1e4), grid_points=97, rel_tol=1e-6,
                             degeneracy=None):
    """Temperature T* of the maximum of C(T) for each distribution, and C(T*).

    The global maximum on a logarithmic grid of ``grid_points`` temperatures over
    ``t_range`` is bracketed by its neighbours and refined by golden-section search in ln T
    until the bracket is narrower than ``rel_tol`` relative (1e-6 by default).

    Parameters
    ----------
    logits : array_like or torch.Tensor, shape (..., V)
    t_range : (float, float)
        Search interval; a maximum at its edge returns T* = nan.
    degeneracy : array_like, shape (..., V), optional
        Multiplicities, as in :func:`logit_thermodynamics`.

    Returns
    -------
    (ndarray, ndarray)
        T* and C(T*), each shape (...). Rows with C = 0 at every T (a single finite
        logit, or all equal) give T* = nan and C = 0.
    """
    from simlab.kernels import softmax as k

    rows, lead = as_logit_rows(logits)
    weights = _degeneracy_rows(degeneracy, rows, lead)
    lo, hi = temperatures("t_range", t_range)
    if not lo < hi:
        raise ConfigError("t_range", t_range, "two temperatures (low, high) with low < high")
    grid = np.linspace(np.log(lo), np.log(hi), integer("grid_points", grid_points, 3))
    rel_tol = number("rel_tol", rel_tol, positive=True)
    n_rows = rows.shape[0]
    t_star = np.empty(n_rows)
    c_star = np.empty(n_rows)
    status = np.empty(n_rows, dtype=np.int64)
    bad_index = np.empty(n_rows, dtype=np.int64)
    k.specific_heat_peaks(rows, weights, grid, rel_tol, t_star, c_star, status, bad_index)
    _raise_bad_rows(status, bad_index, lead)
    at_edge = (t_star <= lo * (1 + 2 * rel_tol)) | (t_star >= hi * (1 - 2 * rel_tol))
    t_star[at_edge] = np.nan
    return t_star.reshape(lead), c_star.reshape(lead)


def sample_from_logits(logits, temperature, n_samples, seed=0):
    """Draw token indices from softmax(logits / T) with a seeded Numba sampler.

    Parameters
    ----------
    logits : array_like or torch.Tensor, shape (..., V)
    temperature : float or array_like, shape (K,)
        T >= 0 (T = 0: uniform over the tied maxima; T = inf: uniform over finite logits).
    n_samples : int
    seed : int
        Row r at temperature T uses the stream SeedSequence(seed, spawn_key=("tokens", r, T)).

    Returns
    -------
    ndarray, shape (..., K, n_samples), int64
    """
    from simlab.kernels import softmax as k
    from simlab.rng import stream_states

    rows, lead = as_logit_rows(logits)
    t = temperatures("temperature", temperature, allow_zero=True, allow_inf=True)
    n_samples = integer("n_samples", n_samples, 1)
    status = np.empty(rows.shape[0], dtype=np.int64)
    bad_index = np.empty(rows.shape[0], dtype=np.int64)
    scratch = np.empty((rows.shape[0], 1, 3))
    k.spectrum_moments(rows, _degeneracy_rows(None, rows, lead), np.ones(1), scratch,
                       np.empty(rows.shape[0]), status, bad_index)
    _raise_bad_rows(status, bad_index, lead)
    states = np.concatenate([stream_states(seed, ("tokens", r, float(tk)), 1)
                             for r in range(rows.shape[0]) for tk in t])
    with np.errstate(divide="ignore"):
        inv_t = 1.0 / t
    out = np.empty((rows.shape[0], t.size, n_samples), dtype=np.int64)
    k.sample_tokens(rows, inv_t, states, out)
    return out.reshape(*lead, t.size, n_samples)
