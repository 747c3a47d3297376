"""The token view of a report page: next-token distributions carried as compressed spectra.

A Dataset with ``top_logits`` (position, rank), ``tail_start`` (position), ``tail_counts``
(position, bin) and ``bin_width`` holds each position's next-token spectrum as the bundle
stores it (:func:`simlab.llm.spectra.compress`: the largest logits exactly, the rest as a
histogram). The page recomputes the thermodynamics from exactly these levels and
multiplicities, in float64 as :func:`simlab.thermo.logit_thermodynamics` does. The binary
arrays travel as base64 (float32 and uint16, little-endian), so the page reads the very
numbers of the Dataset; at most ``MAX_POSITIONS`` evenly spaced positions are carried, and
the page says how many of how many.
"""

import base64

import numpy as np

SPECTRA = ("top_logits", "tail_start", "tail_counts", "bin_width")
MAX_POSITIONS = 160


def has_spectra(ds):
    """Whether ``ds`` carries compressed next-token spectra along ``position``."""
    return all(name in ds for name in SPECTRA) and "position" in ds["top_logits"].dims


def _b64(values, dtype):
    return base64.b64encode(np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder(
        "<")).tobytes()).decode("ascii")


def _text(ds, name, i):
    return str(ds[name].values[i]) if name in ds.variables else None


def chosen_positions(n, limit=MAX_POSITIONS):
    """Indices of at most ``limit`` positions spread evenly over ``n``."""
    return np.unique(np.round(np.linspace(0, n - 1, min(n, limit))).astype(np.int64))


def token_payload(ds, limit=MAX_POSITIONS):
    """The token view's data: per carried position its spectrum and text (None without
    spectra).

    Returns
    -------
    dict or None
        ``total`` positions in the Dataset, ``bin_width``, and ``positions``: a list of
        {index, stream_position, split, token, next_token, context, ranked (list of str or
        None), top (base64 float32, decreasing), tail_start, tail (base64 uint16, trailing
        empty bins dropped)}.
    """
    if not has_spectra(ds):
        return None
    top = ds["top_logits"].transpose("position", ...).values
    tail = ds["tail_counts"].transpose("position", ...).values
    start = ds["tail_start"].values
    positions = []
    for i in chosen_positions(ds.sizes["position"], limit):
        used = np.flatnonzero(tail[i])
        counts = tail[i, : used[-1] + 1] if used.size else tail[i, :0]
        ranked = None
        if "ranked_token" in ds.variables:
            ranked = [str(t) for t in ds["ranked_token"].transpose("position", ...).values[i]]
        stream = ds["stream_position"].values[i] if "stream_position" in ds.variables else i
        positions.append({
            "index": int(i), "stream_position": int(stream),
            "split": _text(ds, "split", i), "token": _text(ds, "token", i),
            "next_token": _text(ds, "next_token", i), "context": _text(ds, "context", i),
            "ranked": ranked, "top": _b64(top[i], np.float32),
            "tail_start": float(start[i]), "tail": _b64(counts, np.uint16)})
    return {"total": int(ds.sizes["position"]), "bin_width": float(ds["bin_width"]),
            "positions": positions}
