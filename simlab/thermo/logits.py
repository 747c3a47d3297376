"""Exact thermodynamics of token distributions: softmax(logits / T) with energies E = -logit.

The heavy lifting is in :mod:`simlab.kernels.softmax` (vectorised exp, two-pass moments, T*
by golden section); this module validates and converts the inputs (NumPy arrays of any real
dtype or torch tensors) and turns the moments into ln Z, F, U, S, C, dS/dT and varentropy.
"""

import numpy as np

from simlab.errors import ConfigError, DataError
from simlab.validation import integer, number, temperatures

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


def degeneracy_rows(degeneracy, rows, lead):
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


def raise_bad_rows(status, bad_index, lead):
    """Raise DataError naming the first row the kernel flagged (NaN, +inf, all masked)."""
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
    weights = degeneracy_rows(degeneracy, rows, lead)
    t = temperatures("temperature", temperature, allow_zero=True, allow_inf=True)
    with np.errstate(divide="ignore"):
        inv_t = 1.0 / t
    n_rows = rows.shape[0]
    moments = np.empty((n_rows, t.size, 3))
    top = np.empty(n_rows)
    status = np.empty(n_rows, dtype=np.int64)
    bad_index = np.empty(n_rows, dtype=np.int64)
    k.spectrum_moments(rows, weights, inv_t, moments, top, status, bad_index)
    raise_bad_rows(status, bad_index, lead)
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
    weights = degeneracy_rows(degeneracy, rows, lead)
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
    raise_bad_rows(status, bad_index, lead)
    at_edge = (t_star <= lo * (1 + 2 * rel_tol)) | (t_star >= hi * (1 - 2 * rel_tol))
    t_star[at_edge] = np.nan
    return t_star.reshape(lead), c_star.reshape(lead)


def check_logit_rows(rows, lead):
    """Raise DataError naming the first row with NaN, +inf or no finite logit."""
    from simlab.kernels import softmax as k

    status = np.empty(rows.shape[0], dtype=np.int64)
    bad_index = np.empty(rows.shape[0], dtype=np.int64)
    scratch = np.empty((rows.shape[0], 1, 3))
    k.spectrum_moments(rows, degeneracy_rows(None, rows, lead), np.ones(1), scratch,
                       np.empty(rows.shape[0]), status, bad_index)
    raise_bad_rows(status, bad_index, lead)


def row_thermodynamics(logits, temperature):
    """Exact thermodynamics of each row at its own temperature (one T per row).

    Parameters
    ----------
    logits : array_like or torch.Tensor, shape (P, V)
    temperature : array_like, shape (P,)
        T >= 0 per row (0 and inf are the exact limits).

    Returns
    -------
    dict of float64[P]
        ``log_z``, ``energy``, ``entropy`` (nats) and ``specific_heat``, as in
        :func:`logit_thermodynamics`, each row at its own T.
    """
    from simlab.kernels import softmax as k

    rows, lead = as_logit_rows(logits)
    t = temperatures("temperature", temperature, allow_zero=True, allow_inf=True)
    if t.size != rows.shape[0]:
        raise DataError(f"{t.size} temperatures for {rows.shape[0]} rows of logits")
    with np.errstate(divide="ignore"):
        inv_t = 1.0 / t
    out = np.empty((rows.shape[0], 3))
    top = np.empty(rows.shape[0])
    status = np.empty(rows.shape[0], dtype=np.int64)
    bad_index = np.empty(rows.shape[0], dtype=np.int64)
    k.row_moments(rows, inv_t, out, top, status, bad_index)
    raise_bad_rows(status, bad_index, lead)
    log_z_reduced, mu, var = out[:, 0], out[:, 1], out[:, 2]
    zero_t = t == 0
    with np.errstate(invalid="ignore", over="ignore"):
        return {
            "log_z": np.where(zero_t, np.inf, log_z_reduced + inv_t * top),
            "energy": -(top + mu),
            "entropy": np.where(zero_t, log_z_reduced, log_z_reduced - inv_t * mu),
            "specific_heat": np.where(zero_t | np.isinf(t), 0.0, var * inv_t**2),
        }


def temperature_for_entropy(logits, entropy, tol=1e-9, t_range=(1e-4, 1e4)):
    """The temperature at which each row's entropy equals ``entropy`` (nats).

    S(T) of softmax(z / T) rises monotonically from ln g (g tied maxima, T = 0) to ln V'
    (V' finite logits, T = inf); the solution is found by Newton's method in ln T (dS/d ln T
    = C) safeguarded by bisection, to |S - target| <= ``tol``.

    Parameters
    ----------
    logits : array_like or torch.Tensor, shape (P, V)
    entropy : float or array_like, shape (P,)
        Target entropy per row, nats.
    tol : float
    t_range : (float, float)
        Bracket of the search; a target reached only outside it is an error.

    Returns
    -------
    float64[P]
        T per row (0 or inf where the target is ln g or ln V').

    Raises
    ------
    ConfigError
        Naming the row, the target and its [ln g, ln V'] when the target is out of range.
    """
    from simlab.kernels import softmax as k

    rows, lead = as_logit_rows(logits)
    target = np.broadcast_to(np.asarray(entropy, dtype=np.float64), (rows.shape[0],)).copy()
    if not np.all(np.isfinite(target)):
        raise ConfigError("entropy", float(target[~np.isfinite(target)][0]), "finite targets")
    lo, hi = temperatures("t_range", t_range)
    tol = number("tol", tol, positive=True)
    out = np.empty(rows.shape[0])
    status = np.empty(rows.shape[0], dtype=np.int64)
    bad_index = np.empty(rows.shape[0], dtype=np.int64)
    k.solve_entropy(rows, target, np.log(lo), np.log(hi), tol, out, status, bad_index)
    scan = np.where((status == k.OUT_OF_RANGE) | (status == k.NOT_BRACKETED), k.OK, status)
    raise_bad_rows(scan, bad_index, lead)
    bad = np.flatnonzero(status != k.OK)
    if bad.size:
        row = int(bad[0])
        z = np.asarray(rows[row], dtype=np.float64)
        finite = z[np.isfinite(z)]
        s_min, s_max = np.log(np.sum(finite == finite.max())), np.log(finite.size)
        where = tuple(int(i) for i in np.unravel_index(row, lead)) if lead else ()
        if status[row] == k.OUT_OF_RANGE:
            raise ConfigError("entropy", float(target[row]),
                              f"an entropy in [ln g, ln V'] = [{s_min:.6g}, {s_max:.6g}] nats for "
                              f"the distribution at position {where}")
        raise ConfigError("entropy", float(target[row]),
                          f"an entropy reached for T in [{lo:g}, {hi:g}] at position {where}")
    return out.reshape(lead)
