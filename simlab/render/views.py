"""Which views a Dataset gets, decided from the data alone, by rule (no plotting here).

:func:`views` turns a Dataset into a list of :class:`View` (plain arrays and labels) that
:mod:`simlab.render.plots` draws. The rules:

- The x axis of a curve is the variable's last dimension when that is numbered (a numeric
  coordinate, or none: the index), else the page's x dimension if the variable has it. The
  page's x is the curve axis of the most variables (or the Dataset's ``report_axis``).
- Every other dimension of at most ``MAX_OVERLAY`` values (a size, an instance, a schedule,
  a swept key), and every dimension with text labels (word classes), becomes overlaid
  series with a legend entry naming the dimension and value ("L = 8"); up to
  ``MAX_SERIES`` series (``MAX_CATEGORIES`` for one labelled dimension). Past that the
  later dimensions get a control instead: one selector per dimension for the whole page,
  which every view over that dimension follows (at most ``MAX_CHOICES`` combinations).
- A longer dimension (positions, sequences), or a dimension of more than 3 draws (reads,
  chains, resamples: ``RESAMPLE_DIMS``), of a float variable becomes a band: the median,
  and the 25-75% and 10-90% ranges over it. Two such dimensions: not drawn (the
  view list names it).
- ``<name>_err`` becomes error bars; ``<name>_lo`` / ``<name>_hi`` a shaded interval;
  ``<name>_exact`` and ``<name>_onsager`` reference curves; a variable whose ``drawn_with``
  attribute names another is drawn in that one's view.
- A 1-D variable over a dimension with text labels (word classes, algorithms, kernels)
  becomes labelled bars; a 1-D variable over a resampling dimension (``RESAMPLE_DIMS``)
  a histogram.
- ``city_x`` / ``city_y`` along ``city`` become closed tours.
- Points along x flagged by a boolean ``..._tail`` coordinate (kept only for an integral)
  are left out.
- A variable whose ``report_view`` attribute is ``"task"`` (spin snapshots, a dial's
  token probabilities) is drawn only by its task's own views (:class:`Dial`).
"""

from dataclasses import dataclass, field
from itertools import product

import numpy as np
import xarray as xr

X_DIMS = ("temperature", "sweep", "sweeps", "step", "record", "n")
COMPANIONS = ("_err", "_lo", "_hi", "_exact", "_onsager")
REFERENCES = {"_exact": "exact", "_onsager": "Onsager, L = inf"}
MAX_OVERLAY = 8  # a dimension with at most this many values is overlaid, else a band
MAX_SERIES = 12  # overlaid series per view
MAX_CATEGORIES = 24  # series per view when they are the values of one labelled dimension
MAX_POINTS = 200_000  # numbers per view; larger variables are left to the file
MAX_CHOICES = 64  # values (combinations) a view's controls choose among
# Dimensions whose values are draws of one quantity (reads, chains, resamples): a variable
# along one of them alone is a histogram, not a curve over the draw's index.
RESAMPLE_DIMS = ("read", "chain", "sample", "draw", "bootstrap", "resample", "jackknife",
                 "replicate", "sequence")
BAND = (0.1, 0.25, 0.5, 0.75, 0.9)


@dataclass
class Series:
    """One curve of a view: y against x, with what goes with it (arrays of x's length)."""

    label: str
    y: np.ndarray
    err: np.ndarray | None = None
    lo: np.ndarray | None = None  # a shaded interval (``_lo``/``_hi`` or 25-75% band)
    hi: np.ndarray | None = None
    outer: tuple | None = None  # (lo, hi): the 10-90% band
    references: list = field(default_factory=list)  # [(label, y, shared by all series)]
    key: dict = field(default_factory=dict)  # {dim: index} of this series
    x: np.ndarray | None = None  # the series' own x (sizes with their own energy levels)


@dataclass
class View:
    """One plot: its kind, what it shows and the numbers it draws.

    kind: "curves" (series against x), "bars" (values per category), "histogram" (values
    of a resampling dimension), "tour" (closed paths through x, y), "scatter" (points
    y against x, one per value of a dimension; a task's own view) or "text" (``html``,
    e.g. generated text coloured by word class; a task's own view).
    """

    kind: str
    name: str
    title: str
    y_label: str
    x_name: str = ""
    x_label: str = ""
    x: np.ndarray | None = None
    categories: list = field(default_factory=list)
    series: list = field(default_factory=list)
    integer: bool = False
    log_x: bool = False
    log_y: bool = False
    notes: list = field(default_factory=list)
    missing_reason: str = ""
    # Dimensions given a control instead of an overlay: [(dim, its symbol, value labels)];
    # choices[k]: the series at the k-th combination of their values (row-major).
    selectors: list = field(default_factory=list)
    choices: list = field(default_factory=list)
    marks: list = field(default_factory=list)  # [(label, x)]: vertical reference lines
    html: str = ""  # a view of kind "text": its markup (escaped text in styled spans)

    def describe(self):
        """A sentence saying what the view shows (its text alternative and caption)."""
        what = {"curves": f"{self.title} against {self.x_label}",
                "bars": f"{self.title} per {self.x_label}",
                "histogram": f"histogram of {self.title} over {self.x_label}",
                "tour": self.title,
                "scatter": f"{self.title}: {self.y_label} against {self.x_label}",
                "text": self.title}[self.kind]
        labels = [s.label for s in self.series if s.label]
        if labels:
            what += "; " + ", ".join(labels)
        return ". ".join(t[0].upper() + t[1:] for t in [what, *self.notes]) + "."


@dataclass
class Dial:
    """One temperature dial moving several pictures together (a task's own view).

    At dial position k (temperature ``values[k]``): the spin configuration ``image[k]``, the
    next-token probabilities ``bars[k]`` and a marker on every curve of ``panels`` at
    ``markers``' k-th value.

    Attributes
    ----------
    values : ndarray, shape (K,)
        The dial's temperatures, in the unit of ``label``.
    image : ndarray, shape (K, rows, cols), optional
        Spin configurations (+-1), one per dial position.
    bars : ndarray, shape (K, n), optional
        Probabilities of the n tokens ``bar_labels`` at each dial position.
    panels : list of (title, y_label, [(series label, x, y, markers)])
        Curves (x and y of one length, x in ``label``'s unit) with their value at each dial
        position (markers, shape (K,)).
    readouts : list of str, shape (K,)
        What the dial's position means, as text ("T = 2.289 J/k_B (T/T_peak = 0.998)").
    """

    name: str
    title: str
    label: str
    values: np.ndarray
    readouts: list
    image: np.ndarray | None = None
    image_title: str = ""
    bars: np.ndarray | None = None
    bar_labels: list = field(default_factory=list)
    bar_title: str = ""
    panels: list = field(default_factory=list)
    start: int = 0
    notes: list = field(default_factory=list)
    kind: str = "dial"
    log_x: bool = True
    series: list = field(default_factory=list)  # none: what the dial moves is above
    selectors: list = field(default_factory=list)  # none: it follows no page control
    missing_reason: str = ""

    def describe(self):
        """What the dial moves (the caption and text alternative)."""
        moved = ([self.image_title] if self.image is not None else []) + (
            [self.bar_title] if self.bars is not None else []) + [
            f"markers on {p[0]}" for p in self.panels]
        text = f"{self.title}: one dial, {self.label}, moves " + "; ".join(moved)
        return ". ".join(t[0].upper() + t[1:] for t in [text, *self.notes]) + "."


def markers(x, y, at, log=True):
    """y(x) at the dial's values ``at`` by interpolation (in ln x if ``log``); NaN outside
    the curve's finite range."""
    x, y, at = (np.asarray(a, dtype=np.float64) for a in (x, y, at))
    ok = np.isfinite(x) & np.isfinite(y) & ((x > 0) if log else True)
    if ok.sum() < 2:
        return np.full(at.shape, np.nan)
    f = np.log if log else (lambda v: v)
    order = np.argsort(x[ok])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.interp(f(at), f(x[ok][order]), y[ok][order], left=np.nan, right=np.nan)


def _is_curve_axis(ds, dim):
    return ds.sizes[dim] >= 2 and (dim not in ds.coords
                                   or np.issubdtype(ds[dim].dtype, np.number))


def _companion(ds, name):
    return ds[name].attrs.get("drawn_with") in ds or any(
        name.endswith(s) and name[: -len(s)] in ds for s in COMPANIONS)


def drawable(ds, name, skip=()):
    """Whether ``name`` gets a view of its own (numeric, not a companion of another)."""
    var = ds[name]
    return (var.ndim > 0 and np.issubdtype(var.dtype, np.number)
            and not _companion(ds, name) and "city" not in var.dims and name not in skip
            and var.attrs.get("report_view") != "task")


def x_dim(ds, skip=()):
    """The page's x dimension (see the module docstring); None if nothing is a curve."""
    chosen = ds.attrs.get("report_axis")
    if chosen in ds.dims and _is_curve_axis(ds, chosen):
        return chosen
    last = [v.dims[-1] for n, v in ds.data_vars.items()
            if drawable(ds, n, skip) and _is_curve_axis(ds, v.dims[-1])]
    if not last:
        return None
    dims = list(ds.dims)
    return max(set(last), key=lambda d: (last.count(d), -(
        X_DIMS.index(d) if d in X_DIMS else len(X_DIMS) + dims.index(d))))


def without_tails(ds, x):
    """``ds`` without the points along ``x`` that a boolean ``..._tail`` coordinate flags."""
    for name, coord in ds.coords.items():
        if x is not None and name.endswith("_tail") and coord.dims == (x,) \
                and coord.dtype == bool:
            ds = ds.isel({x: ~coord.values})
    return ds


def symbol(ds, dim):
    """How a dimension is named in a legend: its coordinate's ``symbol`` attribute, else its
    name."""
    return str(ds[dim].attrs.get("symbol", dim)) if dim in ds.coords else dim


def value_label(ds, dim, k):
    """The k-th value of ``dim`` as text: integers as integers, floats to 6 digits."""
    if dim not in ds.coords:
        return str(k)
    v = ds[dim].values[k]
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    return str(v.item() if hasattr(v, "item") else v)


def axis_label(ds, name, short=False):
    """'long name [units]' of a variable or coordinate (its name without a long name; its
    name if ``short``: the view's title carries the long name)."""
    if name not in ds.variables:
        return name
    attrs = ds[name].attrs
    text = name if short else str(attrs.get("long_name") or name)
    units = str(attrs.get("units", ""))
    return f"{text} [{units}]" if units and units != "1" else text


def _categorical(ds, dim):
    """Whether ``dim`` has text labels (word classes, algorithms): its values are overlaid
    as named series, never summarised as a band."""
    return dim in ds.coords and ds[dim].dtype.kind in "OUSb"


def _series_keys(ds, dims):
    """The overlaid combinations of ``dims`` (at most MAX_SERIES, MAX_CATEGORIES for one
    dimension with text labels) and a note on any left out."""
    ranges = [range(ds.sizes[d]) for d in dims]
    keys = list(product(*ranges))
    notes = []
    limit = MAX_CATEGORIES if len(dims) == 1 and _categorical(ds, dims[0]) else MAX_SERIES
    if len(keys) > limit:
        keys = keys[:limit]
        shown = {d: sorted({k[j] for k in keys}) for j, d in enumerate(dims)}
        for d, idx in shown.items():
            if len(idx) < ds.sizes[d]:
                notes.append(f"{len(idx)} of the {ds.sizes[d]} values of {d} shown "
                             "(all are in the dataset)")
    return keys, notes


def _label(ds, dims, key):
    return ", ".join(f"{symbol(ds, d)} = {value_label(ds, d, k)}" for d, k in zip(dims, key))


def _split_controls(ds, dims):
    """(overlaid, chosen): the dimensions overlaid as series and the ones given a control
    (a selector), so that a view overlays at most MAX_SERIES series."""
    limit = MAX_CATEGORIES if len(dims) == 1 and _categorical(ds, dims[0]) else MAX_SERIES
    if int(np.prod([ds.sizes[d] for d in dims])) <= limit:
        return list(dims), []
    overlay, n = [], 1
    for d in sorted(dims, key=lambda d: ds.sizes[d]):  # the fewest values overlaid first
        if n * ds.sizes[d] <= MAX_SERIES:
            overlay.append(d)
            n *= ds.sizes[d]
    if not overlay:  # one labelled dimension of too many values: its first ones, noted
        return list(dims), []
    return [d for d in dims if d in overlay], [d for d in dims if d not in overlay]


def _one_series(ds, name, x, overlay, sel, quantiles, drawn):
    """The series of ``name`` at ``sel`` (indices of every dimension but x), labelled by
    its overlaid dimensions; ``drawn`` holds the references already drawn in this view."""
    var = ds[name]
    label = _label(ds, overlay, [sel[d] for d in overlay])
    if quantiles is not None:
        rows = [quantiles.isel(quantile=k, **sel).transpose(x).values for k in range(len(BAND))]
        return Series(label, rows[2], lo=rows[1], hi=rows[3], outer=(rows[0], rows[4]),
                      key=sel)
    s = Series(label, var.isel(sel).transpose(x).values.astype(float), key=sel)
    for suffix, attr in (("_err", "err"), ("_lo", "lo"), ("_hi", "hi")):
        c = ds.get(name + suffix)
        if c is not None and set(c.dims) <= set(var.dims):
            setattr(s, attr, c.broadcast_like(var).isel(sel).transpose(x).values)
    for suffix, what in REFERENCES.items():
        c = ds.get(name + suffix)
        if c is None or x not in c.dims or not set(c.dims) <= set(var.dims):
            continue
        ref_sel = {d: k for d, k in sel.items() if d in c.dims}
        if (suffix, tuple(ref_sel.items())) in drawn:
            continue  # a reference without some overlaid dimension: drawn once
        drawn.add((suffix, tuple(ref_sel.items())))
        own = [d for d in overlay if d in c.dims]
        shared = len(own) < len(overlay)
        ref_label = " ".join(filter(None, [_label(ds, own, [sel[d] for d in own]), what])) \
            if shared else what
        s.references.append((ref_label, c.isel(ref_sel).transpose(x).values, shared))
    return s


def _curves(ds, name, x):
    var = ds[name]
    other = [d for d in var.dims if d != x]
    wide = [d for d in other if not _categorical(ds, d) and (
        ds.sizes[d] > MAX_OVERLAY or (d in RESAMPLE_DIMS and ds.sizes[d] > 3))]
    if len(wide) > 1 or (wide and not np.issubdtype(var.dtype, np.floating)):
        return None
    band = wide[0] if wide else None
    overlay, chosen = _split_controls(ds, [d for d in other if d != band])
    keys, notes = _series_keys(ds, overlay)
    choices = list(product(*[range(ds.sizes[d]) for d in chosen]))
    if len(choices) > MAX_CHOICES or len(keys) * len(choices) * ds.sizes[x] * (
            len(BAND) if band else 1) > MAX_POINTS:
        return None
    xv = ds[x].values if x in ds.coords else np.arange(ds.sizes[x])
    view = View("curves", name, str(var.attrs.get("long_name") or name),
                axis_label(ds, name, short=True), x_name=x, x_label=axis_label(ds, x), x=xv,
                integer=np.issubdtype(var.dtype, np.integer),
                missing_reason=str(var.attrs.get("missing_reason", "")), notes=notes,
                selectors=[(d, symbol(ds, d), [value_label(ds, d, k)
                                               for k in range(ds.sizes[d])]) for d in chosen])
    positive = np.issubdtype(np.asarray(xv).dtype, np.number) and np.all(np.asarray(xv) > 0)
    view.log_x = bool(positive and xv.max() / xv.min() >= 100)
    quantiles = None
    if band:
        with np.errstate(all="ignore"):
            quantiles = var.quantile(list(BAND), dim=band, skipna=True)
        view.notes.append(f"line: median over the {ds.sizes[band]} values of {band}; shaded: "
                          "25-75% and 10-90% of them")
    for choice in choices:
        fixed = dict(zip(chosen, choice))
        drawn = set()
        view.choices.append([_one_series(ds, name, x, overlay,
                                         {**fixed, **dict(zip(overlay, key))}, quantiles,
                                         drawn) for key in keys])
    view.series = view.choices[0]
    for ref, v in ds.data_vars.items():  # curves that a task draws in this view
        if v.attrs.get("drawn_with") != name or x not in v.dims:
            continue
        rest = [d for d in v.dims if d != x]
        for key in product(*[range(ds.sizes[d]) for d in rest]):
            name_shown = v.attrs.get("short_name") or v.attrs.get("long_name", ref)
            label = ", ".join([str(name_shown)] + ([_label(ds, rest, key)] if rest else []))
            for series in view.choices:
                series.append(Series(label, v.isel(dict(zip(rest, key))).values))
    if any(s.err is not None for s in view.series):
        view.notes.append(_error_note([s for c in view.choices for s in c]))
    if chosen:
        view.notes.append("follows the control" + "s" * (len(chosen) > 1) + " for "
                          + ", ".join(chosen) + " above the plots")
    return view


def _error_note(series):
    """How large the error bars are relative to the data's range (small ones are hidden by
    the markers)."""
    err = np.concatenate([np.abs(s.err[np.isfinite(s.err)]) for s in series
                          if s.err is not None])
    ys = np.concatenate([s.y[np.isfinite(s.y)] for s in series])
    if err.size == 0 or ys.size == 0:
        return "error bars: one standard error (none finite)"
    span = float(np.ptp(ys)) or float(np.max(np.abs(ys))) or 1.0
    return (f"error bars: one standard error, up to {err.max():.3g} "
            f"({100 * err.max() / span:.2g}% of the range drawn)")


def _bars(ds, name):
    var = ds[name]
    dim = var.dims[0]
    view = View("bars", name, str(var.attrs.get("long_name") or name),
                axis_label(ds, name, short=True),
                x_name=dim, x_label=dim, categories=[value_label(ds, dim, k)
                                                     for k in range(ds.sizes[dim])],
                integer=np.issubdtype(var.dtype, np.integer),
                missing_reason=str(var.attrs.get("missing_reason", "")))
    s = Series("", var.values.astype(float))
    err = ds.get(name + "_err")
    if err is not None and err.dims == var.dims:
        s.err = err.values
    view.series.append(s)
    return view


def _histogram(ds, name):
    """The histogram of a resample variable (None when no value is finite: nothing to draw,
    and the page lists it as left out)."""
    var = ds[name]
    if not np.isfinite(var.values.astype(float)).any():
        return None
    view = View("histogram", name, str(var.attrs.get("long_name") or name),
                "count", x_name=var.dims[0], x_label=axis_label(ds, name))
    view.series.append(Series("", var.values.astype(float)))
    view.notes.append(f"{var.size} values of {var.dims[0]}")
    return view


def _tours(ds):
    """One tour view per value of the tours' other dimensions (instances have their own
    coordinates: overlaid, their scales would not match)."""
    if "city_x" not in ds or "city_y" not in ds or "city" not in ds["city_x"].dims:
        return []
    cx = ds["city_x"]
    cy = ds["city_y"].broadcast_like(cx)
    other = [d for d in cx.dims if d != "city"]
    keys, notes = _series_keys(ds, other)
    out = []
    for key in keys:
        sel = dict(zip(other, key))
        label = _label(ds, other, key)
        xs, ys = cx.isel(sel).values, cy.isel(sel).values
        keep = np.isfinite(xs) & np.isfinite(ys)
        name = "tour" + "".join(f"-{k}" for k in key)
        view = View("tour", name, "best tour" + (f", {label}" if label else ""), "y",
                    x_label="x", notes=[f"{int(keep.sum())} cities"] + notes)
        s = Series("", ys[keep], key=sel)
        s.lo = xs[keep]  # the tour's x coordinates (a view of kind "tour" reads them here)
        view.series.append(s)
        out.append(view)
    return out


def scatter(ds, x_name, y_name, title, note="", fit=None, log=True):
    """A task's scatter view: ``y_name`` against ``x_name`` (1-D variables over the same
    dimension), the points where both are finite (and positive on log axes).

    Parameters
    ----------
    fit : (label, callable), optional
        A curve y = f(x) drawn through the points' range (a fitted relation).
    """
    x, y = ds[x_name].values.astype(float), ds[y_name].values.astype(float)
    ok = np.isfinite(x) & np.isfinite(y) & ((x > 0) & (y > 0) if log else True)
    view = View("scatter", f"{y_name}_vs_{x_name}", title, axis_label(ds, y_name),
                x_name=x_name, x_label=axis_label(ds, x_name), x=x[ok], log_x=log,
                log_y=log, notes=[f"{int(ok.sum())} of {x.size} {ds[x_name].dims[0]} values "
                                  "with both finite" + (" and positive" if log else "")]
                + ([note] if note else []))
    series = Series("", y[ok])
    if fit is not None and ok.any():
        grid = np.geomspace(x[ok].min(), x[ok].max(), 50) if log else np.linspace(
            x[ok].min(), x[ok].max(), 50)
        series.references.append((fit[0], (grid, fit[1](grid)), True))
    view.series.append(series)
    return view


def views(ds, skip=()):
    """The views of ``ds`` in page order, and the names of variables left undrawn.

    Parameters
    ----------
    ds : xarray.Dataset
    skip : names drawn elsewhere (the token view's arrays)

    Returns
    -------
    (list of View, list of str)
    """
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"views need an xarray Dataset, not {type(ds).__name__}")
    x = x_dim(ds, skip)
    ds = without_tails(ds, x)
    out, left_out = [], []
    for name, var in ds.data_vars.items():
        if not drawable(ds, name, skip):
            continue
        last = var.dims[-1]
        axis = last if _is_curve_axis(ds, last) and last not in RESAMPLE_DIMS else (
            x if x in var.dims and x not in RESAMPLE_DIMS else None)
        if var.ndim == 1 and last in RESAMPLE_DIMS:
            view = _histogram(ds, name)
        elif axis is not None:
            view = _curves(ds, name, axis)
        elif var.ndim == 1 and _categorical(ds, last):
            view = _bars(ds, name)
        else:
            view = None
        if view is None:
            left_out.append(name)
        else:
            out.append(view)
    # The page's x first (C(T) before per-size summaries), otherwise Dataset order.
    out.sort(key=lambda v: v.kind != "curves" or v.x_name != x)
    out.extend(_tours(ds))
    return out, left_out
