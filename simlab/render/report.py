"""One self-contained HTML page per run: the Dataset's curves, drawn in the browser.

:func:`write_report` renders ``templates/report.html.j2`` (Jinja2) with the page's script and
style inline and the data as a JSON payload, so the page works opened from disk with no
server and no network. :func:`payload` decides what the page shows, from the Dataset
alone:

- *panels*: every numeric variable along the x dimension (the numeric dimension coordinate
  that is the last dimension of the most variables; ties go to ``temperature``, ``sweep``,
  ``sweeps``, ``step``, ``record``, ``n`` in that order) of at most ``MAX_VALUES`` values. Each other dimension (a size, a swept key of a merged sweep, a
  read) becomes a selector shared by all panels. A variable's ``<name>_err`` becomes its
  error bars and ``<name>_exact`` / ``<name>_onsager`` its reference curves; those are not
  panels of their own.
- *tours*: ``city_x`` / ``city_y`` along ``city`` (a TSP task's best tours), drawn as
  closed paths.
- *scalars*: 0-d numeric variables, in a table.
- the run's attributes (task, seed, created, wall time, versions, config).

Points along x flagged by a boolean ``..._tail`` coordinate (kept only for an integral) are
left out.

Values are stored with their full float64 digits (NaN as null, with the variable's
``missing_reason``); the page prints 6 significant digits.
"""

import json
import math
import os
from importlib.resources import files
from pathlib import Path

import numpy as np
import xarray as xr

from simlab.errors import DataError
from simlab.results import ENGINE, temporary_beside

X_DIMS = ("temperature", "sweep", "sweeps", "step", "record", "n")
COMPANIONS = ("_err", "_exact", "_onsager")
MAX_VALUES = 200_000  # per panel: larger variables (chains, sites) are left to the file
ATTRS = ("title", "task", "seed", "created", "wall_time_s", "simlab_version", "git_commit",
         "python_version", "numpy_version", "numba_version", "config")
SIZE_BUDGET = 3 * 2**20


def _numbers(values):
    """A float64 array as a list with None for NaN and +-inf (JSON has neither)."""
    return [None if not math.isfinite(v) else float(v)
            for v in np.asarray(values, dtype=np.float64).ravel()]


def _companion(ds, name):
    """Whether ``name`` is the error or reference curve of another variable of ``ds``."""
    return any(name.endswith(s) and name[: -len(s)] in ds for s in COMPANIONS)


def _x_dim(ds):
    """The dimension most curves run along: of the dimensions with a numeric coordinate of
    length >= 2, the one that is the last dimension (the curve axis, by simlab's convention)
    of the most numeric variables (companions and tours aside); ties go to the order of
    X_DIMS, then of the Dataset."""
    candidates = [d for d in ds.dims if d in ds.coords and ds.sizes[d] >= 2
                  and np.issubdtype(ds[d].dtype, np.number)]
    if not candidates:
        return None
    last = [v.dims[-1] for n, v in ds.data_vars.items()
            if v.ndim and np.issubdtype(v.dtype, np.number) and not _companion(ds, n)
            and "city" not in v.dims and v.size <= MAX_VALUES]
    order = {d: (X_DIMS.index(d) if d in X_DIMS else len(X_DIMS) + i)
             for i, d in enumerate(candidates)}
    return max(candidates, key=lambda d: (last.count(d), -order[d]))


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


def _panel(ds, name, x):
    var = ds[name]
    other = [d for d in var.dims if d != x]
    if var.size > MAX_VALUES:
        return None

    def rows(v):
        v = v.transpose(*other, x)
        return [_numbers(row) for row in v.values.reshape(-1, v.sizes[x])]

    panel = {"name": name, **_describe(var), "dims": other, "values": rows(var)}
    for suffix in COMPANIONS:
        companion = name + suffix
        if companion in ds and set(ds[companion].dims) <= set(var.dims):
            panel[suffix[1:]] = rows(ds[companion].broadcast_like(var))
    return panel


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
    panels, scalars = [], []
    for name, var in ds.data_vars.items():
        if not np.issubdtype(var.dtype, np.number):
            continue
        if var.ndim == 0:
            scalars.append({"name": name, **_describe(var), "value": _numbers([var.values])[0]})
            continue
        if x is None or x not in var.dims or _companion(ds, name):
            continue
        panel = _panel(ds, name, x)
        if panel is not None:
            panels.append(panel)
    attrs = {k: str(ds.attrs[k]) for k in ATTRS if k in ds.attrs}
    tours = _tours(ds)
    used = {d for p in panels for d in p["dims"]} | set(tours["dims"] if tours else [])
    dims = sorted(used, key=list(ds.dims).index)
    return {"x": {"name": x or "", "values": _numbers(ds[x].values) if x else [],
                  **(_describe(ds[x]) if x else {})},
            "selectors": [{"dim": d, "labels": _labels(ds, d)} for d in dims],
            "panels": panels, "tours": tours, "scalars": scalars, "attrs": attrs}


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
                           script=(templates / "report.js").read_text(), data=data)


def write_report(ds, path):
    """Write the report of ``ds`` to ``path`` atomically (temporary file, then rename).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    page = render(ds)
    tmp = temporary_beside(path)
    try:
        Path(tmp).write_text(page, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
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
    if not source.is_file():
        raise DataError(f"{source}: no such file")
    try:
        with xr.open_dataset(source, engine=ENGINE) as ds:
            ds = ds.load()
    except (OSError, ValueError) as exc:
        raise DataError(f"{source}: not a NetCDF dataset simlab can read ({exc})") from exc
    target = Path(output) if output else source.with_name(
        "report.html" if source.name == "results.nc" else source.stem + ".html")
    return write_report(ds, target)
