"""One self-contained HTML page per run: the Dataset's views, drawn with Bokeh.

:func:`write_report` renders ``templates/report.html.j2`` (Jinja2) with Bokeh's scripts,
the page's style and its data inline, so the page works opened from disk with no server and
no network (a Content-Security-Policy forbids every fetch). What is drawn is decided by
:mod:`simlab.render.views` from the Dataset alone and drawn by :mod:`simlab.render.plots`:
overlaid series with legends for short dimensions, bands over long ones, error bars,
shaded intervals and exact curves, bars per category, histograms of resamples, TSP tours.
The page also holds:

- *tokens*: compressed next-token spectra (:mod:`simlab.render.tokens`), shown as the token
  view: a position's top tokens, a log-scale temperature dial, and its thermodynamics
  recomputed in the page;
- *scalars*: 0-d numeric variables, in a table; *tables*: 1-D variables over a dimension
  that is not a curve axis (an algorithm, a spread measure), one table per dimension with a
  row per value and a column per variable (with its ``_err``); *texts*: text variables
  (generated examples per temperature, a fit's choice), a row per value of their first
  dimension;
- the run's attributes (task, seed, created, wall time, versions, config).

Pages stay under ``SIZE_BUDGET`` (``TOKEN_SIZE_BUDGET`` with a token view): past it the
largest views are left out and the page names them (they stay in the Dataset).
"""

import json
import math
from importlib.resources import files
from pathlib import Path

import numpy as np
import xarray as xr

from simlab.errors import DataError
from simlab.render import plots, views
from simlab.render.tokens import (
    MAX_POSITIONS,
    SPECTRA,
    has_spectra,
    token_payload,
    token_view,
)
from simlab.results import read, written_atomically

MAX_TABLE = 64  # rows of a table of 1-D variables over a category
MAX_TEXTS = 400  # strings of a text variable shown (generated examples, labels)
MAX_CHARS = 1200  # characters of one string shown
# The spectra arrays and their per-position companions belong to the token view.
SPECTRA_VARS = (*SPECTRA, "ranked_token_id", "stream_position", "token_id", "next_token_id",
                "top_token_id")
ATTRS = ("title", "task", "seed", "created", "wall_time_s", "simlab_version", "git_commit",
         "python_version", "numpy_version", "numba_version", "config")
SIZE_BUDGET = 3 * 2**20
TOKEN_SIZE_BUDGET = 5 * 2**20  # a page with a token view: the spectra fill what is left
MIN_POSITIONS = 160  # spectra a token view carries whatever the plots take


def _numbers(values):
    """An array as a list for JSON: None for NaN and +-inf (JSON has neither), integers as
    int, float32 values by their shortest float32 digits."""
    a = np.asarray(values)
    if a.dtype.kind in "iub":
        return [int(v) for v in a.ravel()]
    if a.dtype == np.float32:
        return [float(v) if v not in ("nan", "inf", "-inf") else None
                for v in a.ravel().astype(str)]
    return [None if not math.isfinite(v) else float(v)
            for v in a.astype(np.float64).ravel()]


def _describe(var):
    return {"long_name": str(var.attrs.get("long_name", "")),
            "units": str(var.attrs.get("units", "")),
            "missing_reason": str(var.attrs.get("missing_reason", ""))}


def _text(value, integer=False):
    """A number as the page prints it: integers as integers, else 6 significant digits."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "NaN"
    if integer or (isinstance(value, (int, np.integer))):
        return str(int(value))
    return f"{value:.6g}"


def _clip(text):
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1] + "…"


def _skip(ds):
    return SPECTRA_VARS if has_spectra(ds) else ()


def payload(ds, tokens=True):
    """What the page shows besides its plots, as JSON-ready Python objects: scalars, tables,
    the run's attributes and, with ``tokens``, the token view's data (every position up to
    MAX_POSITIONS; None without spectra)."""
    if not isinstance(ds, xr.Dataset):
        raise DataError(f"a report needs an xarray Dataset, not {type(ds).__name__}")
    skip = _skip(ds)
    x = views.x_dim(ds, skip)
    scalars, tables = [], {}
    for name, var in ds.data_vars.items():
        if var.ndim == 0 and np.issubdtype(var.dtype, np.number):
            value = _numbers([var.values])[0]
            scalars.append({"name": name, **_describe(var), "value": value,
                            "text": _text(value, np.issubdtype(var.dtype, np.integer))})
            continue
        if not views.drawable(ds, name, skip) or var.ndim != 1 or var.size > MAX_TABLE:
            continue
        dim = var.dims[0]
        if dim == x or (views._is_curve_axis(ds, dim) and dim not in views.RESAMPLE_DIMS
                        and not views._categorical(ds, dim)):
            continue  # a curve
        err = ds.get(name + "_err")
        err = err if err is not None and err.dims == var.dims else None
        integer = np.issubdtype(var.dtype, np.integer)
        values = _numbers(var.values)
        tables.setdefault(dim, []).append(
            {"name": name, **_describe(var), "values": values,
             "err": _numbers(err.values) if err is not None else None,
             "text": [_text(v, integer) + (f" ± {_text(e)}" if err is not None else "")
                      for v, e in zip(values, _numbers(err.values) if err is not None
                                      else values)]})
    texts = []  # text variables (generated examples, fit choices): a table of strings
    for name, var in ds.data_vars.items():
        if var.dtype.kind not in "OUS" or not 1 <= var.ndim <= 2 or name in skip \
                or var.size > MAX_TEXTS or var.attrs.get("report_view") == "task":
            continue
        rows_dim = var.dims[0]
        values = var.values.reshape(var.shape[0], -1)
        texts.append({"name": name, **_describe(var), "dim": rows_dim,
                      "rows": [(views.value_label(ds, rows_dim, k),
                                [_clip(str(v)) for v in values[k]])
                               for k in range(var.shape[0])]})
    attrs = {k: str(ds.attrs[k]) for k in ATTRS if k in ds.attrs}
    if "wall_time_s" in ds.attrs:
        attrs["wall_time_s"] = _text(float(ds.attrs["wall_time_s"]))
    return {"scalars": scalars, "texts": texts,
            "tables": [{"dim": d, "labels": [views.value_label(ds, d, k)
                                             for k in range(ds.sizes[d])], "columns": c}
                       for d, c in tables.items()],
            "attrs": attrs, "tokens": token_payload(ds) if tokens else None}


def _resources(model):
    """Bokeh's scripts, inline, for the bundles ``model`` uses (the widgets only if any)."""
    from bokeh.models import Widget
    from bokeh.resources import Resources

    bundles = ["bokeh"]
    if any(isinstance(m, Widget) for m in model.references()):
        bundles.append("bokeh-widgets")
    return Resources(mode="inline", components=bundles).render_js()


def _plots(ds, budget, extra=(), tokens=None):
    """(Bokeh script, div, resources, names left out) for the views of ``ds`` (``extra``,
    a task's own views, first; the token view of ``tokens`` before all), leaving out the
    largest views until the three fit ``budget`` characters."""
    from bokeh.embed import components
    from bokeh.layouts import column

    view_list, left_out = views.views(ds, _skip(ds))
    view_list = plots.page_order(extra, view_list)
    while True:
        if not view_list and tokens is None:  # nothing to draw: no Bokeh on the page
            return "", "", "", left_out
        parts = plots.figures(view_list)
        if tokens is not None:
            parts.insert(0, token_view(tokens))
        root = column(*parts, sizing_mode="stretch_width")
        script, div = components(root)
        resources = _resources(root)
        if len(script) + len(div) + len(resources) <= budget or not view_list:
            return script, div, resources, left_out
        sizes = [sum(len(s.y) * (4 + (s.err is not None) + 2 * (s.lo is not None))
                     for s in v.series) for v in view_list]
        k = int(np.argmax(sizes))
        left_out.append(view_list.pop(k).name)


def _carried(ds, room):
    """The token view's data with as many evenly spaced positions as fit ``room``
    characters (at least MIN_POSITIONS), and what it says about the choice."""
    total = min(ds.sizes["position"], MAX_POSITIONS)
    sample = token_payload(ds, limit=min(total, 64))
    each = len(json.dumps(sample["positions"])) / max(len(sample["positions"]), 1)
    n = int(min(ds.sizes["position"], MAX_POSITIONS, max(MIN_POSITIONS, room // each)))
    tokens = token_payload(ds, limit=n)
    tokens.update(bytes_per_position=each, budget=TOKEN_SIZE_BUDGET,
                  max_positions=MAX_POSITIONS)
    return tokens


def render(ds, extra=()):
    """The report page of ``ds`` as one HTML string; ``extra``: the task's own views
    (:class:`simlab.render.views.View`), drawn first."""
    import jinja2

    data = payload(ds, tokens=False)  # the spectra carried depend on the plots' size
    spectra = has_spectra(ds)
    budget = (TOKEN_SIZE_BUDGET if spectra else SIZE_BUDGET) - 200_000  # text, tables
    tokens = None
    if spectra:  # the plots keep room for MIN_POSITIONS spectra
        reserve = _carried(ds, 0)
        script, div, resources, left_out = _plots(
            ds, budget - len(json.dumps(reserve)), extra, reserve)
        tokens = _carried(ds, budget - len(script) - len(div) - len(resources))
    else:
        script, div, resources, left_out = _plots(ds, budget, extra)
    templates = files("simlab.render") / "templates"
    env = jinja2.Environment(autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined)
    template = env.from_string((templates / "report.html.j2").read_text())
    # Inside <script> only "</" can end the element early.
    token_data = json.dumps({"tokens": tokens}, allow_nan=False,
                            separators=(",", ":")).replace("</", "<\\/")
    return template.render(title=ds.attrs.get("title", ds.attrs.get("task", "simlab run")),
                           style=(templates / "report.css").read_text(),
                           bokeh_resources=resources, bokeh_script=script, bokeh_div=div,
                           left_out=left_out, scalars=data["scalars"], texts=data["texts"],
                           tables=data["tables"], attrs=data["attrs"],
                           token_data=token_data, tokens=tokens is not None,
                           tokens_start=(templates / "tokens_start.js").read_text())


def write_report(ds, path, extra=()):
    """Write the report of ``ds`` (with the task's own views ``extra``) to ``path``
    atomically (temporary file, then rename).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    page = render(ds, extra)
    with written_atomically(path) as tmp:
        Path(tmp).write_text(page, encoding="utf-8")
    return path


def report_for(source, output=None, views_for=None):
    """``simlab report``: the report of a results file, or of the results file in a run
    folder (a sweep's ``merged.nc`` included), written beside it unless ``output`` is given;
    ``views_for(ds)`` gives the task's own views.
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
    return write_report(ds, target, views_for(ds) if views_for is not None else ())
