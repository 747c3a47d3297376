"""Next-token spectra over a corpus: from a live model, compressed, or from the bundled sample.

A *spectrum batch* is what the thermodynamics needs for a set of positions: the levels (the
logits, or a compressed stand-in with multiplicities) plus the token bookkeeping (which token
is at the position, which comes next, which the model ranks first).

Positions are scored in windows of ``context`` tokens spread evenly over the token stream;
only the last ``stride`` positions of each window are scored, so every scored position sees
at least ``context - stride`` tokens of context.

Compression (for the bundled sample): the ``top_k`` largest logits are kept exactly and the
rest become a histogram of width ``bin_width``. Measured against the live model on all 1,536
bundled positions at 40 temperatures in [0.05, 20] with top_k = 256, bin_width = 0.02:
max |dS| = 3.2e-4 nats, max |dC| / C = 1.5e-4 (C > 1e-3).
"""

from dataclasses import dataclass, fields, replace
from importlib.resources import files
from typing import List, NamedTuple, Optional

import numpy as np
import xarray as xr
from tqdm.auto import tqdm

from simlab.errors import DataError
from simlab.llm import memory
from simlab.validation import integer, number

BUNDLE_FILE = "smollm2_sample.nc"
SPLITS = ("corpus", "shuffled")
RANKED = 20  # most likely next tokens named per position (the report page's bars)
CONTEXT_TOKENS = 48  # tokens of context kept as text per position, the position's included


@dataclass
class SpectrumBatch:
    """Spectra of n positions.

    Attributes
    ----------
    position : int64[n]
        Index in the token stream of the last context token.
    token_id, next_token_id, top_token_id : int64[n]
        The token at the position, the actual next token, and the model's top-1 next token.
    levels : float32[n, L] or float64[n, L]
        Logits (L = vocabulary size) or compressed levels.
    degeneracy : float64[n, L] or None
        Multiplicity of each level (None: all 1).
    ranked_token_id : int64[n, RANKED] or None
        The most likely next tokens in decreasing order of logit (None: not known).
    compressed : dict or None
        The stored compressed form when the levels came from a bundle (see :func:`compress`).
    """

    position: np.ndarray
    token_id: np.ndarray
    next_token_id: np.ndarray
    top_token_id: np.ndarray
    levels: np.ndarray
    degeneracy: Optional[np.ndarray] = None
    ranked_token_id: Optional[np.ndarray] = None
    compressed: Optional[dict] = None

    def head(self, n):
        """The first ``n`` positions of the batch."""
        def cut(value):
            if isinstance(value, dict):
                return {k: v[:n] for k, v in value.items()}
            return None if value is None else value[:n]

        return replace(self, **{f.name: cut(getattr(self, f.name)) for f in fields(self)})

    def compact(self, top_k=256, bin_width=0.02):
        """The batch with its levels replaced by their compressed form (to keep many)."""
        return replace(self, levels=None, degeneracy=None,
                       compressed=self.compressed_spectra(top_k, bin_width))

    def compressed_spectra(self, top_k=256, bin_width=0.02):
        """The compressed spectra of the batch (:func:`compress`, plus ``bin_width``): as
        stored for bundled levels, else made from the levels."""
        if self.compressed is not None:
            return self.compressed
        return {**compress(self.levels, top_k, bin_width), "bin_width": bin_width}


class PositionText(NamedTuple):
    """Text of a batch's positions (lists of length n).

    ``token`` and ``next_token`` are the token at each position and the one after it;
    ``context`` the last ``CONTEXT_TOKENS`` tokens up to the position, decoded;
    ``ranked_token`` the text of ``ranked_token_id``. The last two are None when the source
    does not have them (a bundle made before they were stored).
    """

    token: List[str]
    next_token: List[str]
    context: Optional[List[str]] = None
    ranked_token: Optional[List[List[str]]] = None


def plan_windows(n_tokens, n_positions, context, stride):
    """Start indices of windows over the token stream and the (context, stride) used.

    Each window [s, s + context) scores its last ``stride`` positions, all of which have a
    next token. If the corpus holds more than ``n_positions`` such positions, the windows are
    spread evenly and never overlap in what they score. Otherwise they tile the corpus:
    starts at multiples of ``stride`` plus a last window ending at the final token, so every
    position from ``context - stride`` to ``n_tokens - 2`` is scored. The last window may
    overlap the one before it; :func:`model_batches` drops the repeated positions.
    """
    n_tokens = integer("number of corpus tokens", n_tokens, 2)
    n_positions = integer("llm.positions", n_positions, 1)
    context = min(integer("llm.context", context, 2), n_tokens - 1)
    stride = min(integer("llm.stride", stride, 1), context)
    last_start = n_tokens - 1 - context
    n_windows = -(-n_positions // stride)
    if n_windows * stride >= last_start + stride:
        starts = np.arange(0, last_start + 1, stride, dtype=np.int64)
        if starts[-1] != last_start:
            starts = np.append(starts, last_start)
        return starts, context, stride
    n_windows = max(1, min(n_windows, last_start // stride + 1))
    starts = np.round(np.linspace(0, last_start, n_windows)).astype(np.int64)
    return starts, context, stride


def model_batches(lm, token_ids, starts, context, stride, batch_size, progress=False,
                  desc="logits", memory_mb=None):
    """Yield a :class:`SpectrumBatch` of live logits per group of windows: ``batch_size``
    windows, or fewer when ``memory_mb`` (:func:`simlab.llm.memory.windows_per_batch`) holds
    fewer. The logits are upcast to float32 exactly (from bfloat16 or float16) and moved to
    the CPU; the thermodynamics of the batch is computed from them in float64."""
    import torch

    ids = np.asarray(token_ids, dtype=np.int64)
    batch_size = integer("llm.batch_size", batch_size, 1)
    if memory_mb is not None:
        batch_size = memory.windows_per_batch(memory_mb, stride, lm.vocab_size, lm.dtype,
                                              batch_size)
    bar = tqdm(total=len(starts), disable=not progress, unit="window", desc=desc, leave=False)
    scored_up_to = -1
    for b in range(0, len(starts), batch_size):
        group = starts[b:b + batch_size]
        window = np.stack([ids[s:s + context] for s in group])
        with torch.inference_mode():
            logits = lm.model(lm.inputs(window), logits_to_keep=stride).logits
        logits = logits.to(torch.float32).cpu().numpy().reshape(-1, logits.shape[-1])
        position = (group[:, None] + np.arange(context - stride, context)[None, :]).ravel()
        # A tiling's last window repeats positions already scored (in this batch or before).
        seen = np.maximum.accumulate(np.concatenate([[scored_up_to], position]))[:-1]
        new = position > seen
        if not new.all():  # a copy only when the tiling repeated positions
            position, logits = position[new], logits[new]
        scored_up_to = position.max()
        yield SpectrumBatch(position=position, token_id=ids[position],
                            next_token_id=ids[position + 1],
                            top_token_id=logits.argmax(axis=1).astype(np.int64),
                            levels=logits, ranked_token_id=ranked_ids(logits))
        bar.update(len(group))
    bar.close()


def _row_chunks(n_rows, width):
    """Slices of at most ``memory.CHUNK_LOGITS // width`` rows covering ``n_rows``: the
    working copies of a per-row computation stay that small whatever the batch."""
    step = max(1, memory.CHUNK_LOGITS // max(1, width))
    return [slice(i, min(i + step, n_rows)) for i in range(0, n_rows, step)]


def ranked_ids(logits, k=RANKED):
    """Indices of the ``k`` largest logits per row, in decreasing order (ties: lower index
    first), int64[n, k]."""
    n, width = logits.shape
    k = min(k, width)
    out = np.empty((n, k), dtype=np.int64)
    for rows in _row_chunks(n, width):
        part = np.argpartition(-logits[rows], k - 1, axis=1)[:, :k]
        values = np.take_along_axis(logits[rows], part, axis=1)
        order = np.lexsort((part, -values), axis=1)
        out[rows] = np.take_along_axis(part, order, axis=1)
    return out


def compress(levels, top_k=256, bin_width=0.02):
    """Top ``top_k`` logits exactly, the rest as a histogram of width ``bin_width``.

    Parameters
    ----------
    levels : float[n, V], finite

    Returns
    -------
    dict
        ``top_logits`` float32[n, top_k] in decreasing order, ``tail_start`` float64[n] (left
        edge of the first bin), ``tail_counts`` uint16[n, B].
    """
    levels = np.asarray(levels)
    n, width = levels.shape
    top_k = integer("llm.top_k", top_k, 1, width - 1)
    bin_width = number("llm.bin_width", bin_width, positive=True)
    if not all(np.isfinite(levels[rows]).all() for rows in _row_chunks(n, width)):
        raise DataError("only finite logits can be compressed")
    top = np.empty((n, top_k), dtype=np.float32)
    start = np.empty(n)
    bins = []
    for rows in _row_chunks(n, width):  # the sorted and float64 copies of a few rows at once
        order = np.sort(levels[rows], axis=1)[:, ::-1]
        top[rows] = order[:, :top_k]
        rest = order[:, top_k:].astype(np.float64)
        start[rows] = rest.min(axis=1)
        rest -= start[rows, None]
        rest /= bin_width
        bins += [np.bincount(np.floor(row).astype(np.int64)) for row in rest]
    counts = np.zeros((n, max(b.size for b in bins)), dtype=np.uint16)
    for i, b in enumerate(bins):
        counts[i, :b.size] = b
    return {"top_logits": top, "tail_start": start, "tail_counts": counts}


def decompress(top_logits, tail_start, tail_counts, bin_width):
    """Levels and multiplicities of compressed spectra (bin centres for the tail).

    Returns
    -------
    (float64[n, K + B], float64[n, K + B])
    """
    top = np.asarray(top_logits, dtype=np.float64)
    counts = np.asarray(tail_counts, dtype=np.float64)
    centres = np.asarray(tail_start)[:, None] + (np.arange(counts.shape[1]) + 0.5) * bin_width
    levels = np.concatenate([top, centres], axis=1)
    degeneracy = np.concatenate([np.ones_like(top), counts], axis=1)
    return levels, degeneracy


def bundle_path():
    """Path of the bundled sample of SmolLM2 spectra shipped with simlab."""
    return files("simlab.data") / BUNDLE_FILE


#: What a spectra bundle holds: variable -> (dims, dtype kinds allowed).
BUNDLE_VARIABLES = {
    "top_logits": (("position", "rank"), "f"), "tail_start": (("position",), "f"),
    "tail_counts": (("position", "bin"), "iu"), "split": (("position",), "OUS"),
    "stream_position": (("position",), "iu"), "token_id": (("position",), "iu"),
    "next_token_id": (("position",), "iu"), "top_token_id": (("position",), "iu"),
}
BUNDLE_ATTRIBUTES = ("model", "model_revision", "corpus")


def load_bundle(path=None):
    """The bundled sample (or another bundle file) as a Dataset (see :func:`build_bundle`).

    Raises
    ------
    DataError
        Naming the file and what is wrong: unreadable, not a simlab dataset, or not a
        spectra bundle (a variable missing or of the wrong shape or type, non-finite logits,
        negative counts, an unknown split, a bin width that is not a positive number).
    """
    from simlab import results

    path = path or bundle_path()
    ds = results.load(path)
    try:
        check_bundle(ds)
    except DataError as exc:
        raise DataError(f"{path} is not a spectra bundle: {exc}") from None
    return ds


def check_bundle(ds):
    """Raise DataError unless ``ds`` has the structure :func:`build_bundle` writes."""
    for name, (dims, kinds) in BUNDLE_VARIABLES.items():
        if name not in ds.variables:
            raise DataError(f"no variable {name!r}")
        if ds[name].dims != dims or ds[name].dtype.kind not in kinds:
            raise DataError(f"{name!r} has dims {ds[name].dims} and dtype {ds[name].dtype}; "
                            f"expected dims {dims}")
    missing = [a for a in BUNDLE_ATTRIBUTES if a not in ds.attrs]
    if missing:
        raise DataError(f"no attribute {missing[0]!r}")
    if ds.sizes["position"] == 0 or ds.sizes["rank"] == 0:
        raise DataError("no positions or no ranked logits")
    width = ds["bin_width"] if "bin_width" in ds else ds.attrs.get("bin_width")
    try:
        width = float(width)
    except (TypeError, ValueError):
        width = float("nan")
    if not (np.isfinite(width) and width > 0):
        raise DataError(f"bin_width {width} is not a positive number")
    if not (np.all(np.isfinite(ds["top_logits"].values))
            and np.all(np.isfinite(ds["tail_start"].values))):
        raise DataError("logits are not all finite")
    if np.any(ds["tail_counts"].values < 0):
        raise DataError("negative tail counts")
    unknown = set(map(str, ds["split"].values)) - set(SPLITS)
    if unknown:
        raise DataError(f"unknown split {sorted(unknown)[0]!r} (allowed: {', '.join(SPLITS)})")


def _split_part(ds, split, n_positions):
    if split not in SPLITS:
        raise DataError(f"split={split!r} is not one of {', '.join(SPLITS)}")
    sub = ds.isel(position=np.flatnonzero(ds["split"].values == split))
    if n_positions is not None:
        sub = sub.isel(position=slice(0, n_positions))
    return sub


def bundle_batches(ds, split, n_positions=None, batch_size=256):
    """Yield :class:`SpectrumBatch` objects of one split ("corpus" or "shuffled") of a bundle."""
    sub = _split_part(ds, split, n_positions)
    width = float(ds["bin_width"]) if "bin_width" in ds else float(ds.attrs["bin_width"])
    for b in range(0, sub.sizes["position"], batch_size):
        part = sub.isel(position=slice(b, b + batch_size))
        stored = {k: part[k].values for k in ("top_logits", "tail_start", "tail_counts")}
        levels, degeneracy = decompress(stored["top_logits"], stored["tail_start"],
                                        stored["tail_counts"], width)
        yield SpectrumBatch(position=part["stream_position"].values,
                            token_id=part["token_id"].values,
                            next_token_id=part["next_token_id"].values,
                            top_token_id=part["top_token_id"].values,
                            levels=levels, degeneracy=degeneracy,
                            ranked_token_id=part["ranked_token_id"].values
                            if "ranked_token_id" in part else None,
                            compressed={**stored, "bin_width": width})


def bundle_strings(ds, split, n_positions=None):
    """The :class:`PositionText` of a bundle split (context and ranked tokens None when the
    bundle does not hold them)."""
    sub = _split_part(ds, split, n_positions)

    def texts(name):
        return [str(t) for t in sub[name].values] if name in sub else None

    ranked = [[str(t) for t in row] for row in sub["ranked_token"].values] \
        if "ranked_token" in sub else None
    return PositionText(texts("token"), texts("next_token"), texts("context"), ranked)


def spectra_variables(parts, top_k=256, bin_width=0.02):
    """Dataset variables of compressed spectra and their text, along ``position``.

    Parameters
    ----------
    parts : iterable of (SpectrumBatch, PositionText)
        Each batch is compressed as it arrives (:meth:`SpectrumBatch.compressed_spectra`), so
        only compressed spectra are held.
    top_k, bin_width : see :func:`compress` (for live levels).

    Returns
    -------
    dict
        name -> (dims, values): ``top_logits`` (position, rank), ``tail_start``,
        ``tail_counts`` (position, bin; zero-padded to a common number of bins), ``bin_width``
        (scalar), ``stream_position``, ``token_id``, ``next_token_id``, ``top_token_id``,
        ``token``, ``next_token``, and when every batch has them ``context`` and
        ``ranked_token_id`` / ``ranked_token`` (position, ranked).
    """
    rows, widths, n = {}, set(), 0
    for batch, text in parts:
        c = batch.compressed_spectra(top_k, bin_width)
        widths.add(float(c["bin_width"]))
        n += len(batch.position)
        values = {key: c[key] for key in ("top_logits", "tail_start", "tail_counts")}
        values.update(stream_position=batch.position, token_id=batch.token_id,
                      next_token_id=batch.next_token_id, top_token_id=batch.top_token_id,
                      ranked_token_id=batch.ranked_token_id)
        values.update({key: None if getattr(text, key) is None
                       else np.array(getattr(text, key), dtype=object)
                       for key in PositionText._fields})
        for key, value in values.items():
            if value is not None:
                rows.setdefault(key, []).append(value)
    if len(widths) != 1:
        raise DataError(f"spectra compressed with bin widths {sorted(widths)}; expected one")
    n_bins = max(c.shape[1] for c in rows["tail_counts"])
    rows["tail_counts"] = [np.pad(c, ((0, 0), (0, n_bins - c.shape[1])))
                           for c in rows["tail_counts"]]
    dims = {"top_logits": ("position", "rank"), "tail_counts": ("position", "bin"),
            "ranked_token_id": ("position", "ranked"), "ranked_token": ("position", "ranked")}
    out = {k: (dims.get(k, ("position",)), np.concatenate(v)) for k, v in rows.items()
           if sum(len(x) for x in v) == n}
    out["bin_width"] = ((), widths.pop())
    return out


def build_bundle(splits, top_k=256, bin_width=0.02):
    """Compressed bundle Dataset from live spectra.

    Parameters
    ----------
    splits : list of (str, iterable of (SpectrumBatch, PositionText))
        Per split ("corpus", "shuffled"): its batches with their text.
    top_k, bin_width : see :func:`compress`.

    Returns
    -------
    xarray.Dataset
        :func:`spectra_variables` of all splits, plus ``split`` per position.
    """
    names = []

    def tagged(split, batches):
        for batch, text in batches:
            names.append(np.full(len(batch.position), split, dtype=object))
            yield batch, text

    variables = spectra_variables(
        (part for split, batches in splits for part in tagged(split, batches)), top_k, bin_width)
    variables["split"] = (("position",), np.concatenate(names))
    return xr.Dataset(variables, coords={"position": np.arange(len(variables["split"][1]))})


#: Meanings of the bundle's variables.
BUNDLE_META = {
    "position": ("index of the stored position", "1"),
    "top_logits": ("largest logits of the position, decreasing", "logit"),
    "tail_start": ("left edge of the first histogram bin of the remaining logits", "logit"),
    "tail_counts": ("histogram of the remaining logits (bins of width bin_width)", "1"),
    "stream_position": ("index of the position in its token stream", "1"),
    "token_id": ("token at the position", "1"),
    "next_token_id": ("actual next token", "1"),
    "top_token_id": ("model's most likely next token", "1"),
    "split": ("corpus: text order; shuffled: the same tokens in random order", "1"),
    "token": ("text of the token at the position", "1"),
    "next_token": ("text of the actual next token", "1"),
    "bin_width": ("width of the histogram bins of the tail", "logit"),
    "ranked_token_id": ("most likely next tokens, in decreasing order of logit", "1"),
    "ranked_token": ("text of the most likely next tokens", "1"),
    "context": (f"the last {CONTEXT_TOKENS} tokens up to the position, as text", "1"),
}
