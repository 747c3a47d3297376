"""One self-contained HTML page per run: the Dataset's curves, drawn in the browser.

:func:`write_report` renders ``templates/report.html.j2`` (Jinja2) with the page's script and
style inline and the data as a JSON payload, so the page works opened from disk with no
server and no network. :func:`payload` decides what the page shows, from the Dataset
alone:

- *panels*: every numeric variable, drawn along its last dimension (simlab's curve axis)
  when that is numbered (a numeric coordinate, or none: the index), else along the page's
  x dimension if it has it. The page's x, which the slider moves along, is the curve axis
  of the most variables (ties go to ``temperature``, ``sweep``, ``sweeps``, ``step``,
  ``record``, ``n`` in that order, then to the Dataset's order). Each other dimension (a size, a swept key of a merged sweep, a read)
  becomes a selector shared by all panels, except a dimension of more than ``MAX_SELECT``
  values (positions, sequences), over which the panel shows the median and the 25-75% and
  10-90% bands instead. A variable's ``<name>_err`` becomes its error bars and
  ``<name>_exact`` / ``<name>_onsager`` its reference curves, and a variable whose
  ``drawn_with`` attribute names a panel is drawn in that panel, one curve per value of its
  other dimensions; none of these are panels of their own. Panels hold at most
  ``MAX_VALUES`` numbers, and together at most ``PANEL_BUDGET`` characters: past that the
  largest are left out and the page names them.
- *tokens*: compressed next-token spectra (:mod:`simlab.render.tokens`), shown as the token
  view: a position's top tokens, a log-scale temperature dial, and its thermodynamics
  recomputed in the page.
- *tours*: ``city_x`` / ``city_y`` along ``city`` (a TSP task's best tours), drawn as
  closed paths.
- *scalars*: 0-d numeric variables, in a table; *tables*: 1-D variables over a dimension
  that is not a curve axis (an algorithm, a spread measure), one table per dimension with a
  row per value and a column per variable (with its ``_err``).
- the run's attributes (task, seed, created, wall time, versions, config).

Points along x flagged by a boolean ``..._tail`` coordinate (kept only for an integral) are
left out.

Values are stored with their full float64 digits (NaN as null, with the variable's
``missing_reason``); the page prints 6 significant digits.
"""

import json
import math
from importlib.resources import files
from pathlib import Path

import numpy as np
import xarray as xr

from simlab.errors import DataError
from simlab.render.tokens import SPECTRA, has_spectra, token_payload
from simlab.results import read, written_atomically

X_DIMS = ("temperature", "sweep", "sweeps", "step", "record", "n")
COMPANIONS = ("_err", "_exact", "_onsager")
MAX_VALUES = 200_000  # per panel: larger variables (chains, sites) are left to the file
MAX_SELECT = 64  # a dimension with more values is drawn as a band, not offered as a selector
BAND = (0.1, 0.25, 0.5, 0.75, 0.9)
# The spectra arrays and their per-position companions belong to the token view.
SPECTRA_VARS = (*SPECTRA, "ranked_token_id", "stream_position", "token_id", "next_token_id",
                "top_token_id")
ATTRS = ("title", "task", "seed", "created", "wall_time_s", "simlab_version", "git_commit",
         "python_version", "numpy_version", "numba_version", "config")
SIZE_BUDGET = 3 * 2**20
# What the panels may take of it: the token view carries up to ~1 MB of spectra.
PANEL_BUDGET = 3 * 2**20 // 2


def _numbers(values):
    """An array as a list for JSON: None for NaN and +-inf (JSON has neither), integers as
    int, float32 values by their shortest float32 digits (what the Dataset holds, in half
    the characters of their float64 expansion)."""
    a = np.asarray(values)
    if a.dtype.kind in "iub":
        return [int(v) for v in a.ravel()]
    if a.dtype == np.float32:
        return [float(v) if v not in ("nan", "inf", "-inf") else None
                for v in a.ravel().astype(str)]
    return [None if not math.isfinite(v) else float(v)
            for v in a.astype(np.float64).ravel()]


def _companion(ds, name):
    """Whether ``name`` is the error or reference curve of another variable of ``ds``, or is
    drawn in another variable's panel."""
    return ds[name].attrs.get("drawn_with") in ds or any(
        name.endswith(s) and name[: -len(s)] in ds for s in COMPANIONS)


def _curve_axis(ds, dim):
    """Whether ``dim`` can be a curve's x axis: >= 2 values, numbered (a numeric coordinate,
    or none: the index)."""
    return ds.sizes[dim] >= 2 and (dim not in ds.coords
                                   or np.issubdtype(ds[dim].dtype, np.number))


def _drawable(ds, name, var):
    return (var.ndim and np.issubdtype(var.dtype, np.number) and not _companion(ds, name)
            and "city" not in var.dims
            and not (has_spectra(ds) and name in SPECTRA_VARS))


def _x_dim(ds):
    """The slider's dimension: the Dataset's ``report_axis`` attribute if it names a curve
    axis, else the curve axis that is the last dimension (the curve axis, by simlab's
    convention) of the most drawable variables; ties go to the order of X_DIMS, then of the
    Dataset. None if no variable ends in a curve axis."""
    chosen = ds.attrs.get("report_axis")
    if chosen in ds.dims and _curve_axis(ds, chosen):
        return chosen
    last = [v.dims[-1] for n, v in ds.data_vars.items()
            if _drawable(ds, n, v) and _curve_axis(ds, v.dims[-1])]
    if not last:
        return None
    dims = list(ds.dims)
    return max(set(last), key=lambda d: (last.count(d), -(
        X_DIMS.index(d) if d in X_DIMS else len(X_DIMS) + dims.index(d))))


def _tours(ds):
    """Closed paths to draw: ``city_x``, ``city_y`` along ``city`` (a TSP tour in visiting
    order, NaN-padded), one per value of their other dimensions; None without them."""
    if "city_x" not in ds or "city_y" not in ds or "city" not in ds["city_x"].dims:
        return None
    other = [d for d in ds["city_x"].dims if d != "city"]

    def rows(v):
        v = v.transpose(*other, "city")
        return [_numbers(row) for row in v.values.reshape(-1, v.sizes["city"])]

    return {"name": "best tour", "dims": other, "x": rows(ds["city_x"]),
            "y": rows(ds["city_y"].broadcast_like(ds["city_x"]))}


def _describe(var):
    return {"long_name": str(var.attrs.get("long_name", "")),
            "units": str(var.attrs.get("units", "")),
            "missing_reason": str(var.attrs.get("missing_reason", ""))}


def _labels(ds, dim):
    if dim in ds.coords:
        return [str(v) for v in ds[dim].values]
    return [str(i) for i in range(ds.sizes[dim])]


def _panel_x(ds, var, x):
    """The dimension a panel of ``var`` runs along: its last dimension if that is a curve
    axis, else the slider's dimension if ``var`` has it, else None (not drawn)."""
    last = var.dims[-1]
    if _curve_axis(ds, last):
        return last
    return x if x in var.dims else None


def _rows(v, other, x):
    v = v.transpose(*other, x)
    return [_numbers(row) for row in v.values.reshape(-1, v.sizes[x])]


def _panel(ds, name, x):
    var = ds[name]
    other = [d for d in var.dims if d != x]
    wide = [d for d in other if ds.sizes[d] > MAX_SELECT]
    if len(wide) > 1 or (wide and not np.issubdtype(var.dtype, np.floating)):
        return None  # quantiles of codes (token ids, classes) mean nothing
    panel = {"name": name, **_describe(var), "x": x}
    if wide:
        band, other = wide[0], [d for d in other if d != wide[0]]
        with np.errstate(all="ignore"):
            q = var.quantile(list(BAND), dim=band, skipna=True).drop_vars("quantile")
        if q.size > MAX_VALUES:
            return None
        rows = [_rows(q.isel(quantile=k), other, x) for k in range(len(BAND))]
        panel.update(dims=other, values=rows[2],
                     band={"dim": band, "n": int(ds.sizes[band]), "q": list(BAND),
                           "rows": rows})
    else:
        if var.size > MAX_VALUES:
            return None
        panel.update(dims=other, values=_rows(var, other, x))
        for suffix in COMPANIONS:
            companion = name + suffix
            if companion in ds and set(ds[companion].dims) <= set(var.dims):
                panel[suffix[1:]] = _rows(ds[companion].broadcast_like(var), other, x)
    extra = []
    for ref, v in ds.data_vars.items():
        if v.attrs.get("drawn_with") != name or x not in v.dims:
            continue
        rest = [d for d in v.dims if d != x]
        labels = [[f"{d} = {label}" for label in _labels(ds, d)] for d in rest]
        keys = np.array(np.meshgrid(*[range(len(lab)) for lab in labels], indexing="ij")
                        ).reshape(len(rest), -1).T if rest else [()]
        for key, row in zip(keys, _rows(v, rest, x)):
            extra.append({"label": ", ".join([str(v.attrs.get("long_name", ref))] + [
                labels[j][k] for j, k in enumerate(key)]), "values": row})
    if extra:
        panel["with"] = extra
    return panel


def _within_budget(panels):
    """The panels, leaving out the largest until their JSON fits ``PANEL_BUDGET``, and the
    names left out (the page lists them: they stay in the Dataset)."""
    sizes = [len(json.dumps(p, separators=(",", ":"))) for p in panels]
    dropped = set()
    for i in sorted(range(len(panels)), key=lambda i: -sizes[i]):
        if sum(sizes) - sum(sizes[j] for j in dropped) <= PANEL_BUDGET:
            break
        dropped.add(i)
    return ([p for i, p in enumerate(panels) if i not in dropped],
            [panels[i]["name"] for i in sorted(dropped)])


def payload(ds):
    """What the page shows, as JSON-ready Python objects (see the module docstring)."""
    if not isinstance(ds, xr.Dataset):
        raise DataError(f"a report needs an xarray Dataset, not {type(ds).__name__}")
    x = _x_dim(ds)
    if x is not None:
        # Points a task keeps only for an integral (a boolean "..._tail" coordinate along x,
        # e.g. the ising_sweep's high-T entropy points) are not drawn.
        for name, coord in ds.coords.items():
            if name.endswith("_tail") and coord.dims == (x,) and coord.dtype == bool:
                ds = ds.isel({x: ~coord.values})
    panels, scalars, tables = [], [], {}
    for name, var in ds.data_vars.items():
        if var.ndim == 0 and np.issubdtype(var.dtype, np.number):
            scalars.append({"name": name, **_describe(var), "value": _numbers([var.values])[0]})
            continue
        if not _drawable(ds, name, var):
            continue
        axis = _panel_x(ds, var, x)
        if axis is None:
            if var.ndim == 1 and var.size <= MAX_SELECT:  # per category: a table column
                tables.setdefault(var.dims[0], []).append(
                    {"name": name, **_describe(var), "values": _numbers(var.values),
                     "err": _numbers(ds[name + "_err"].values)
                     if name + "_err" in ds and ds[name + "_err"].dims == var.dims else None})
            continue
        panel = _panel(ds, name, axis)
        if panel is not None:
            panels.append(panel)
    # The slider's curves first (C(T) before per-size summaries), otherwise Dataset order.
    panels.sort(key=lambda p: p["x"] != x)
    panels, omitted = _within_budget(panels)
    attrs = {k: str(ds.attrs[k]) for k in ATTRS if k in ds.attrs}
    tours = _tours(ds)
    used = {d for p in panels for d in p["dims"]} | set(tours["dims"] if tours else [])
    dims = sorted(used, key=list(ds.dims).index)
    axes = {d: {"name": d, "values": _numbers(ds[d].values), **_describe(ds[d])}
            for d in {p["x"] for p in panels}}
    return {"x": axes.get(x, {"name": "", "values": []}), "axes": axes,
            "selectors": [{"dim": d, "labels": _labels(ds, d)} for d in dims],
            "panels": panels, "omitted": omitted, "tours": tours, "scalars": scalars,
            "tables": [{"dim": d, "labels": _labels(ds, d), "columns": c}
                       for d, c in tables.items()],
            "attrs": attrs, "tokens": token_payload(ds)}


def render(ds):
    """The report page of ``ds`` as one HTML string."""
    import jinja2

    templates = files("simlab.render") / "templates"
    env = jinja2.Environment(autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined)
    template = env.from_string((templates / "report.html.j2").read_text())
    data = json.dumps(payload(ds), allow_nan=False, separators=(",", ":"))
    # Inside <script> only "</" can end the element early.
    data = data.replace("</", "<\\/")
    return template.render(title=ds.attrs.get("title", ds.attrs.get("task", "simlab run")),
                           style=(templates / "report.css").read_text(),
                           script=(templates / "report.js").read_text(),
                           tokens_script=(templates / "tokens.js").read_text(), data=data)


def write_report(ds, path):
    """Write the report of ``ds`` to ``path`` atomically (temporary file, then rename).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    page = render(ds)
    with written_atomically(path) as tmp:
        Path(tmp).write_text(page, encoding="utf-8")
    return path


def report_for(source, output=None):
    """``simlab report``: the report of a results file, or of the results file in a run
    folder (a sweep's ``merged.nc`` included), written beside it unless ``output`` is given.
    """
    source = Path(source)
    if source.is_dir():
        found = [source / n for n in ("results.nc", "merged.nc") if (source / n).is_file()]
        if not found:
            raise DataError(f"{source}: no results.nc or merged.nc in this folder")
        source = found[0]
    ds = read(source)
    target = Path(output) if output else source.with_name(
        "report.html" if source.name == "results.nc" else source.stem + ".html")
    return write_report(ds, target)
