"""Per-position thermodynamics of next-token distributions as a Dataset.

Each position's next-token distribution at temperature T is the Boltzmann distribution of
E = -logit. The Dataset has dims (position, temperature) and holds, besides the thermodynamic
variables of :func:`simlab.thermo.logit_thermodynamics`, the probability of the top token,
the specific-heat maximum T* and C(T*) (golden-section search to 1e-6 relative), the top-1
correctness, and two measures of the spread of the top logits.
"""

import numpy as np
import xarray as xr

from simlab import results
from simlab.thermo import (
    LOGIT_VARIABLES,
    logit_specific_heat_peak,
    logit_thermodynamics,
)

#: Meanings of the token-distribution variables (energies in logit units, k_B = 1).
TOKEN_META = {
    "log_z": ("log partition function ln Z = ln sum_i exp(z_i / T)", "1"),
    "free_energy": ("free energy F = -T ln Z", "logit"),
    "energy": ("mean energy U = <E> = -<z>", "logit"),
    "entropy": ("entropy S = -sum p ln p of the next-token distribution", "nats"),
    "entropy_bits": ("entropy in bits S / ln 2", "bits"),
    "perplexity": ("perplexity exp(S)", "tokens"),
    "specific_heat": ("specific heat C = Var(E) / T^2", "1"),
    "entropy_derivative": ("dS/dT = Var(E) / T^3", "1/logit"),
    "varentropy": ("varentropy Var(-ln p) = C", "nats^2"),
    "max_probability": ("probability of the most likely token", "1"),
    "entropy_max": ("entropy at T = infinity, ln V' (V' unmasked tokens)", "nats"),
    "peak_temperature": ("temperature T* of the maximum of C(T)", "logit"),
    "peak_specific_heat": ("maximum of C(T)", "1"),
    "temperature": ("temperature T (softmax of logits / T)", "logit"),
    "position": ("index of the scored position in this dataset", "1"),
    "stream_position": ("index of the position in the corpus token stream", "1"),
    "token_id": ("token at the position", "1"),
    "next_token_id": ("actual next token", "1"),
    "top_token_id": ("model's most likely next token", "1"),
    "token": ("text of the token at the position", "1"),
    "next_token": ("text of the actual next token", "1"),
    "correct": ("1 if the top-1 token is the actual next token", "1"),
    "top_logit_gap": ("gap z_1 - z_2 between the two largest logits", "logit"),
    "top_logit_spread": ("standard deviation of the 10 largest logits", "logit"),
    "logit_std": ("standard deviation of all unmasked logits", "logit"),
}


def _top_logits(levels, degeneracy, k=10):
    """The k largest logits per row, counting multiplicities, in decreasing order."""
    levels = np.asarray(levels, dtype=np.float64)
    part = np.argpartition(levels, -k, axis=1)[:, -k:] if degeneracy is None else \
        np.argsort(levels, axis=1)[:, ::-1]
    top = np.take_along_axis(levels, part, axis=1)
    order = np.argsort(top, axis=1)[:, ::-1]
    top = np.take_along_axis(top, order, axis=1)
    if degeneracy is None:
        return top
    g = np.take_along_axis(np.take_along_axis(degeneracy, part, axis=1), order, axis=1)
    out = np.empty((levels.shape[0], k))
    for i in range(levels.shape[0]):
        needed = int(np.searchsorted(np.cumsum(g[i]), k)) + 1
        out[i] = np.repeat(top[i, :needed], g[i, :needed].astype(np.int64))[:k]
    return out


def thermo_limit_entropy(batch):
    """ln V' per position: the entropy at T = inf (V' = number of unmasked states)."""
    if batch.degeneracy is None:
        return np.log(np.isfinite(np.asarray(batch.levels)).sum(axis=1).astype(np.float64))
    return np.log(np.where(np.isfinite(batch.levels), batch.degeneracy, 0.0).sum(axis=1))


def logit_std(batch):
    """Standard deviation of all unmasked logits per position (with multiplicities)."""
    levels = np.asarray(batch.levels, dtype=np.float64)
    g = np.isfinite(levels).astype(np.float64) if batch.degeneracy is None else \
        np.where(np.isfinite(levels), batch.degeneracy, 0.0)
    z = np.where(g > 0, levels, 0.0)
    total = g.sum(axis=1)
    mean = (g * z).sum(axis=1) / total
    return np.sqrt((g * (z - mean[:, None]) ** 2).sum(axis=1) / total)


def batch_variables(batch, temperatures, rescaled_temperatures=None, peaks=True):
    """All per-position variables of one :class:`~simlab.llm.spectra.SpectrumBatch`.

    With ``rescaled_temperatures`` x, also S and C at T = x T* of each position
    (``entropy_rescaled``, ``specific_heat_rescaled``), computed exactly as the
    thermodynamics of logits / T* at T = x (S and C are invariant under that joint scaling).
    ``peaks=False`` skips the search for T* (nan) when it is not needed.
    """
    thermo = logit_thermodynamics(batch.levels, temperatures, degeneracy=batch.degeneracy)
    if peaks:
        t_star, c_star = logit_specific_heat_peak(batch.levels, degeneracy=batch.degeneracy)
    else:
        t_star = c_star = np.full(len(batch.position), np.nan)
    top = _top_logits(batch.levels, batch.degeneracy)
    with np.errstate(over="ignore"):
        max_probability = np.exp(top[:, :1] / temperatures[None, :] - thermo["log_z"])
    extra = {}
    if rescaled_temperatures is not None:
        scale = np.where(np.isfinite(t_star), t_star, 1.0)[:, None]
        rescaled = logit_thermodynamics(np.asarray(batch.levels, dtype=np.float64) / scale,
                                        rescaled_temperatures, degeneracy=batch.degeneracy)
        bad = ~np.isfinite(t_star)[:, None]
        extra = {f"{name}_rescaled": np.where(bad, np.nan, rescaled[name])
                 for name in ("entropy", "specific_heat")}
    return {
        **thermo,
        **extra,
        "max_probability": max_probability,
        "entropy_max": thermo_limit_entropy(batch),
        "peak_temperature": t_star,
        "peak_specific_heat": c_star,
        "top_logit_gap": top[:, 0] - top[:, 1],
        "top_logit_spread": top.std(axis=1),
        "logit_std": logit_std(batch),
        "correct": (batch.top_token_id == batch.next_token_id).astype(np.int8),
        "stream_position": batch.position,
        "token_id": batch.token_id,
        "next_token_id": batch.next_token_id,
        "top_token_id": batch.top_token_id,
    }


def warm_up():
    """Compile the spectrum kernels (plain and with multiplicities) on tiny inputs."""
    z = np.array([[0.0, -1.0, -2.0]])
    logit_thermodynamics(z, [0.5, 1.0])
    logit_thermodynamics(z, [0.5, 1.0], degeneracy=np.ones_like(z))
    logit_specific_heat_peak(z)
    logit_specific_heat_peak(z, degeneracy=np.ones_like(z))


def token_dataset(parts, temperatures, rescaled_temperatures=None, strings=None, attrs=None):
    """Dataset (position, temperature) from the outputs of :func:`batch_variables`.

    Parameters
    ----------
    parts : list of dict
        :func:`batch_variables` of consecutive batches.
    temperatures : ndarray, shape (K,)
    rescaled_temperatures : ndarray, shape (R,), optional
        The x grid of the ``*_rescaled`` variables (dim ``rescaled_temperature``).
    strings : (list of str, list of str), optional
        Text of the token and of the next token per position, stored as coordinates.
    attrs : dict, optional
        Dataset attributes (model name, revision, corpus, ...).
    """
    data = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    n = len(data["correct"])
    variables = {}
    for name, values in data.items():
        if values.ndim == 1:
            dims = ("position",)
        else:
            dims = ("position", "rescaled_temperature" if name.endswith("_rescaled")
                    else "temperature")
        variables[name] = (dims, values)
    coords = {"position": np.arange(n), "temperature": temperatures}
    if rescaled_temperatures is not None:
        coords["rescaled_temperature"] = rescaled_temperatures
    ds = xr.Dataset(variables, coords=coords)
    for name in ("token_id", "next_token_id", "top_token_id", "stream_position"):
        ds = ds.set_coords(name)
    if strings is not None:
        ds = ds.assign_coords(token=("position", np.array(strings[0], dtype=object)),
                              next_token=("position", np.array(strings[1], dtype=object)))
    ds.attrs.update(attrs or {})
    return results.annotate(ds, TOKEN_META)


__all__ = ["LOGIT_VARIABLES", "TOKEN_META", "batch_variables", "token_dataset"]


def typical_position_bars(batch, text, rescaled_temperatures, n=10):
    """The next-token probabilities of a typical position at T = x T*, for a dial.

    The position is the one of ``batch`` whose T* (the temperature of its C maximum) is the
    median of the batch's finite T*; its probabilities are exact (ln Z over all levels).

    Parameters
    ----------
    batch : SpectrumBatch
    text : PositionText
        The batch's strings (ranked tokens and context; None entries allowed).
    rescaled_temperatures : array_like, shape (K,)
        x = T / T*, > 0.
    n : int
        Tokens shown, the most likely first.

    Returns
    -------
    dict or None
        ``probability`` (K, n), ``token`` (n strings), ``peak_temperature`` T* [logit],
        ``position`` (index in the token stream), ``context`` (str or None); None if no
        position has a finite T*.
    """
    t_star, _ = logit_specific_heat_peak(batch.levels, degeneracy=batch.degeneracy)
    finite = np.flatnonzero(np.isfinite(t_star))
    if finite.size == 0:
        return None
    i = int(finite[np.argsort(t_star[finite])[finite.size // 2]])
    levels = np.asarray(batch.levels[i:i + 1], dtype=np.float64)
    degeneracy = None if batch.degeneracy is None else batch.degeneracy[i:i + 1]
    temps = np.asarray(rescaled_temperatures, dtype=np.float64) * t_star[i]
    log_z = logit_thermodynamics(levels, temps, degeneracy=degeneracy)["log_z"][0]
    top = _top_logits(levels, degeneracy, n)[0]
    probability = np.exp(top[None, :] / temps[:, None] - log_z[:, None])
    ranked = text.ranked_token[i][:n] if text.ranked_token is not None else None
    tokens = list(ranked) if ranked is not None and len(ranked) == n else \
        [f"rank {k + 1}" for k in range(n)]
    return {"probability": probability, "token": tokens,
            "peak_temperature": float(t_star[i]), "position": int(batch.position[i]),
            "context": text.context[i] if text.context is not None else None}
