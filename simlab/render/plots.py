"""Bokeh figures of :mod:`simlab.render.views`: the report page's plots and ``show`` in Jupyter.

Every curve view is one figure: overlaid series with a legend (click an entry to hide it),
error whiskers, shaded intervals and bands, reference curves drawn beneath the data,
hover tooltips with the stored values (6 significant digits, integers as integers),
zoom, pan and reset. Figures that share an x dimension share its range and a crosshair.
Each figure follows the page's width (``sizing_mode="stretch_width"``) and carries a
caption that says what it shows (its text alternative).
"""

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939")
REFERENCE = "#555555"  # a reference curve shared by every series
HEIGHT = 300
MAX_BINS = 60  # of a histogram
MAX_LABEL = 40  # characters of a legend entry (the caption names every series in full)
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"


def _many_colors():
    from bokeh.palettes import Category20

    return Category20[20]


def _clean(a):
    """float64 with NaN where the data have none to give (Bokeh draws gaps there)."""
    return np.asarray(a, dtype=np.float64)


def _fmt(integer):
    return "%d" if integer else "%.6g"


def series_tables(x, series):
    """The data of every source a curve view draws, keyed ("ref", k, j), ("outer", k) and
    ("main", k) for series k: what a control swaps when it picks another value."""
    tables = {}
    for k, s in enumerate(series):
        x = _clean(s.x if s.x is not None else x)
        for j, (_, ref, _) in enumerate(s.references):
            tables[("ref", k, j)] = {"x": x, "y": _clean(ref)}
        if s.outer is not None:
            tables[("outer", k)] = {"x": x, "lo": _clean(s.outer[0]), "hi": _clean(s.outer[1])}
        data = {"x": x, "y": _clean(s.y)}
        if s.lo is not None and s.hi is not None:
            data["lo"], data["hi"] = _clean(s.lo), _clean(s.hi)
        if s.err is not None:
            data["err"] = _clean(s.err)
            data["lower"], data["upper"] = data["y"] - data["err"], data["y"] + data["err"]
        tables[("main", k)] = data
    return tables


def _curve_figure(view, x_range, crosshair, log_y=False, sources=None, log_x=None):
    """A curve view's figure (``log_x``: None for the view's own x axis); ``sources`` (a
    dict, filled on first use) lets a second figure of the same view (its log-y or other-x
    twin) share the data instead of repeating it."""
    from bokeh.models import (
        Band,
        ColumnDataSource,
        CrosshairTool,
        HoverTool,
        Span,
        TeeHead,
        Whisker,
    )
    from bokeh.plotting import figure

    sources = {} if sources is None else sources
    tables = series_tables(view.x, view.series)

    def source(key, name=None):
        if key not in sources:
            sources[key] = ColumnDataSource(tables[key], **({"name": name} if name else {}))
        return sources[key]

    kwargs = {"x_range": x_range} if x_range is not None else {}
    fig = figure(height=HEIGHT, sizing_mode="stretch_width", tools=TOOLS,
                 title=view.title, x_axis_label=view.x_label, y_axis_label=view.y_label,
                 x_axis_type="log" if (view.log_x if log_x is None else log_x) else "linear",
                 y_axis_type="log" if log_y else "linear",
                 name=f"view-{view.name}" + ("-log" if log_y else "")
                 + ("-x" if log_x is not None else ""), **kwargs)
    hovered = []
    palette = PALETTE if len(view.series) <= len(PALETTE) else _many_colors()
    for k, s in enumerate(view.series):
        color = palette[k % len(palette)]
        legend = {"legend_label": s.label} if s.label else {}
        for j, (ref_label, _, shared) in enumerate(s.references):  # beneath the data
            fig.line("x", "y", source=source(("ref", k, j)),
                     line_color=REFERENCE if shared else color,
                     line_dash="dashed" if shared else "dotdash", line_width=2.5,
                     alpha=0.8, legend_label=(ref_label if shared
                                              else f"{s.label} {ref_label}".strip()))
        if s.outer is not None:
            fig.add_layout(Band(source=source(("outer", k)), base="x", lower="lo",
                                upper="hi", fill_color=color, fill_alpha=0.12, line_alpha=0))
        main = source(("main", k), f"data-{view.name}-{k}")
        if s.lo is not None and s.hi is not None:
            fig.add_layout(Band(source=main, base="x", lower="lo", upper="hi",
                                fill_color=color, fill_alpha=0.25, line_alpha=0))
        fig.line("x", "y", source=main, line_color=color, line_width=2, **legend)
        dots = fig.scatter("x", "y", source=main, color=color, size=5, **legend)
        if s.err is not None:
            fig.add_layout(Whisker(source=main, base="x", lower="lower", upper="upper",
                                   line_color=color, line_width=1.5,
                                   upper_head=TeeHead(size=6, line_color=color),
                                   lower_head=TeeHead(size=6, line_color=color)))
        hovered.append(dots)
    tips = [(view.x_label, f"@x{{{_fmt(False)}}}"),
            (view.title, f"@y{{{_fmt(view.integer)}}}")]
    formatters = {"@x": "printf", "@y": "printf"}
    if any(s.err is not None for s in view.series):
        tips.append(("± error", "@err{%.6g}"))
        formatters["@err"] = "printf"
    fig.add_tools(HoverTool(renderers=hovered, tooltips=tips, formatters=formatters))
    fig.add_tools(CrosshairTool(overlay=crosshair))
    for _, where in view.marks:  # named in the caption
        fig.add_layout(Span(location=float(where), dimension="height", line_dash="dashed",
                            line_color=REFERENCE, line_width=1.5))
    _legend_below(fig)
    return fig


def _spans_decade(arrays):
    """Whether the finite values of ``arrays`` are all positive and span a factor of 10 or
    more (then that axis gets a log or linear twin)."""
    values = np.concatenate([_clean(a).ravel() for a in arrays]) if arrays else np.array([])
    values = values[np.isfinite(values)]
    return bool(values.size and values.min() > 0 and values.max() >= 10 * values.min())


def _legend_below(fig):
    """The legend under the plot (it hides no data), two columns, click to hide."""
    if not fig.legend:
        return
    legend = fig.legend[0]
    fig.center = [m for m in fig.center if m is not legend]
    fig.add_layout(legend, "below")
    # the data's entries first, then the reference curves (drawn first, beneath the data)
    legend.items = sorted(legend.items, key=lambda item: any(
        getattr(r.glyph, "line_dash", None) for r in item.renderers))
    from bokeh.core.properties import value

    for item in legend.items:  # a legend wider than a phone would scroll the page sideways
        text = item.label.value or ""
        if len(text) > MAX_LABEL:
            item.label = value(text[:MAX_LABEL - 1] + "…")
    longest = max(len(item.label.value or "") for item in legend.items)
    legend.ncols = 2 if len(legend.items) > 1 and longest <= 18 else 1  # fits 420 px
    if legend.ncols == 2:  # columns apart: a label never runs into the next
        legend.label_width = 7 * longest + 12
    legend.location = "top_left"
    rows = -(-len(legend.items) // legend.ncols)
    fig.height += 20 * rows + 10  # the plot keeps its height
    legend.click_policy = "hide"
    legend.label_text_font_size = "9pt"
    legend.spacing = 0
    legend.padding = 4
    legend.border_line_alpha = 0


def _bar_figure(view):
    from bokeh.models import ColumnDataSource, HoverTool, Whisker
    from bokeh.plotting import figure

    s = view.series[0]
    data = {"x": view.categories, "y": _clean(s.y)}
    if s.err is not None:
        data["lower"], data["upper"] = data["y"] - _clean(s.err), data["y"] + _clean(s.err)
    source = ColumnDataSource(data, name=f"data-{view.name}-0")
    fig = figure(x_range=view.categories, height=HEIGHT, sizing_mode="stretch_width",
                 tools="save,reset", title=view.title, y_axis_label=view.y_label,
                 x_axis_label=view.x_label, name=f"view-{view.name}")
    fig.vbar(x="x", top="y", width=0.8, source=source, color=PALETTE[0])
    if s.err is not None:
        fig.add_layout(Whisker(source=source, base="x", lower="lower", upper="upper"))
    fig.add_tools(HoverTool(tooltips=[(view.x_label, "@x"),
                                      (view.title, f"@y{{{_fmt(view.integer)}}}")],
                            formatters={"@y": "printf"}))
    if len(view.categories) > 6:
        fig.xaxis.major_label_orientation = 0.8
    return fig


def _histogram_figure(view):
    from bokeh.models import ColumnDataSource
    from bokeh.plotting import figure

    values = _clean(view.series[0].y)
    values = values[np.isfinite(values)]
    if values.size:
        edges = np.histogram_bin_edges(values, bins="auto")
        if edges.size > MAX_BINS + 1:  # a heavy tail makes "auto" choose thousands of bins
            edges = np.histogram_bin_edges(values, bins=MAX_BINS)
        counts, edges = np.histogram(values, bins=edges)
    else:
        counts, edges = np.array([]), np.array([0.0, 1.0])
    fig = figure(height=HEIGHT, sizing_mode="stretch_width", tools=TOOLS,
                 title=f"{view.title}: distribution", x_axis_label=view.x_label,
                 y_axis_label="count", name=f"view-{view.name}")
    source = ColumnDataSource({"left": edges[:-1], "right": edges[1:], "top": counts},
                              name=f"data-{view.name}-0")
    fig.quad(left="left", right="right", top="top", bottom=0, source=source,
             fill_color=PALETTE[0], line_color="white")
    return fig


def _scatter_figure(view):
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    axis = {True: "log", False: "linear"}
    fig = figure(height=HEIGHT + 60, sizing_mode="stretch_width", tools=TOOLS,
                 title=view.title, x_axis_label=view.x_label, y_axis_label=view.y_label,
                 x_axis_type=axis[view.log_x], y_axis_type=axis[view.log_y],
                 name=f"view-{view.name}")
    s = view.series[0]
    for label, (grid, curve), _ in s.references:
        fig.line(_clean(grid), _clean(curve), line_color=REFERENCE, line_dash="dashed",
                 line_width=2, legend_label=label)
    source = ColumnDataSource({"x": _clean(view.x), "y": _clean(s.y)},
                              name=f"data-{view.name}-0")
    dots = fig.scatter("x", "y", source=source, size=5, alpha=0.5, color=PALETTE[0])
    fig.add_tools(HoverTool(renderers=[dots], tooltips=[
        (view.x_label, "@x{%.6g}"), (view.y_label, "@y{%.6g}")],
        formatters={"@x": "printf", "@y": "printf"}))
    _legend_below(fig)
    return fig


def _tour_figure(view):
    from bokeh.plotting import figure

    fig = figure(height=400, sizing_mode="stretch_width", tools=TOOLS, title=view.title,
                 x_axis_label="x", y_axis_label="y", match_aspect=True,
                 name=f"view-{view.name}")
    for k, s in enumerate(view.series):
        color = PALETTE[k % len(PALETTE)]
        legend = {"legend_label": s.label} if s.label else {}
        xs, ys = np.append(s.lo, s.lo[:1]), np.append(s.y, s.y[:1])  # closed
        fig.line(xs, ys, line_color=color, line_width=1.5, **legend)
        fig.scatter(s.lo, s.y, color=color, size=4, **legend)
    _legend_below(fig)
    return fig


DIAL_JS = """
const k = categories.indexOf(slider.value);
if (k < 0) return;
if (image !== null) image.data = {image: [frames[k]]};
if (bars !== null) bars.data = {label: bars.data.label, p: probabilities[k]};
for (let i = 0; i < marks.length; i++) {
  marks[i].data = {x: [at[k]], y: [marker_y[i][k]]};
}
"""


def token_label(rank, token, width=20):
    """A token as a bar's label: rank, then the quoted text with spaces shown as "·" and
    newlines as "\\n" (whitespace tokens stay visible and distinct)."""
    text = repr(str(token))[1:-1].replace(" ", "·")
    return f"{rank + 1}. '{text}'"[:width]


def _dial_figure(dial):
    """The dial (a categorical slider whose values read "T = ... unit", so a screen reader
    announces the temperature), and beside it what it moves: the spins, the token bars and
    a marker on every curve; CustomJS swaps the k-th stored frame in."""
    from bokeh.layouts import column, row
    from bokeh.models import CategoricalSlider, ColumnDataSource, CustomJS, HoverTool
    from bokeh.plotting import figure

    k0 = dial.start
    labels = list(dial.readouts)
    slider = CategoricalSlider(categories=labels, value=labels[k0], title=dial.label,
                               sizing_mode="stretch_width", name=f"dial-{dial.name}")
    pictures, args = [], {"slider": slider, "categories": labels, "image": None,
                          "bars": None, "frames": [], "probabilities": []}
    if dial.image is not None:
        frames = [np.asarray(f, dtype=np.int8) for f in dial.image]
        rows, cols = frames[0].shape
        image = ColumnDataSource({"image": [frames[k0]]}, name=f"image-{dial.name}")
        side = 256
        fig = figure(frame_width=side, frame_height=side * rows // cols,
                     title=dial.image_title, tools="save",
                     x_range=(0, cols), y_range=(0, rows), match_aspect=True,
                     name=f"spins-{dial.name}", toolbar_location=None)
        fig.image(image="image", x=0, y=0, dw=cols, dh=rows, source=image,
                  palette=("#1d3557", "#f1faee"), level="image")
        fig.axis.visible = False
        fig.grid.visible = False
        pictures.append(fig)
        args.update(image=image, frames=frames)
    if dial.bars is not None:
        p = np.asarray(dial.bars, dtype=np.float64)
        names = [token_label(k, t) for k, t in enumerate(dial.bar_labels)]
        bars = ColumnDataSource({"label": names, "p": p[k0]}, name=f"bars-{dial.name}")
        fig = figure(height=300, width=400, y_range=list(reversed(names)), x_range=(0, 1),
                     title=dial.bar_title,
                     x_axis_label="probability", tools="save", toolbar_location=None,
                     name=f"tokens-{dial.name}")
        fig.hbar(y="label", right="p", height=0.8, source=bars, color=PALETTE[0])
        fig.add_tools(HoverTool(tooltips=[("token", "@label"), ("p", "@p{%.6g}")],
                                formatters={"@p": "printf"}))
        pictures.append(fig)
        args.update(bars=bars, probabilities=[list(map(float, r)) for r in p])
    marks, marker_y, panels = [], [], []
    for title, y_label, series in dial.panels:
        fig = figure(height=HEIGHT, sizing_mode="stretch_width", tools=TOOLS, title=title,
                     x_axis_label=dial.label, y_axis_label=y_label,
                     x_axis_type="log" if dial.log_x else "linear", name=f"panel-{title}")
        for j, (label, x, y, at) in enumerate(series):
            color = PALETTE[j % len(PALETTE)]
            fig.line(_clean(x), _clean(y), line_color=color, line_width=2, legend_label=label)
            at = _clean(at)
            mark = ColumnDataSource({"x": [float(dial.values[k0])], "y": [at[k0]]})
            fig.scatter("x", "y", source=mark, size=12, marker="circle", fill_color=color,
                        line_color="black", legend_label=label)
            marks.append(mark)
            marker_y.append([None if not np.isfinite(v) else float(v) for v in at])
        _legend_below(fig)
        panels.append(fig)
    args.update(marks=marks, marker_y=marker_y, at=[float(v) for v in dial.values])
    slider.js_on_change("value", CustomJS(args=args, code=DIAL_JS))
    pictures = row(*pictures, styles={"flex-wrap": "wrap", "gap": "1.5em"})
    return column(slider, pictures,
                  *panels, sizing_mode="stretch_width", name=f"box-dial-{dial.name}")


CONTROL_JS = """
let k = 0;
for (let i = 0; i < selects.length; i++) {
  k = k * selects[i].options.length + selects[i].options.indexOf(selects[i].value);
}
for (let i = 0; i < sources.length; i++) sources[i].data = tables[i][k];
"""


def _controls(view_list):
    """One selector per dimension that some view chooses along (not overlaid): {dim:
    Select}, in order of first use."""
    from bokeh.models import Select

    controls = {}
    for view in view_list:
        for dim, name, labels in view.selectors:
            if dim not in controls:
                controls[dim] = Select(title=name, options=list(labels), value=labels[0],
                                       name=f"control-{dim}", width=200)
    return controls


def _follow(view, sources, controls):
    """Make the view's sources follow the page's controls: each control's change puts in
    the data of the chosen combination (CustomJS over the stored tables)."""
    from bokeh.models import CustomJS

    keys = list(sources)
    tables = [[series_tables(view.x, series)[key] for series in view.choices] for key in keys]
    selects = [controls[dim] for dim, _, _ in view.selectors]
    callback = CustomJS(args={"selects": selects, "sources": [sources[k] for k in keys],
                              "tables": tables}, code=CONTROL_JS)
    for select in selects:
        select.js_on_change("value", callback)


def figures(view_list):
    """One Bokeh layout per view (a figure and its caption), in order, after a row with one
    control per dimension that views choose along.

    Returns
    -------
    list of bokeh.models.LayoutDOM
    """
    from bokeh.layouts import column, row
    from bokeh.models import DataRange1d, Div, Span

    shared = {}
    controls = _controls(view_list)
    out = [row(*controls.values(), name="controls", styles={"flex-wrap": "wrap"})] \
        if controls else []
    for view in view_list:
        if view.kind == "dial":
            fig = _dial_figure(view)
        elif view.kind == "curves":
            if view.x_name not in shared:
                shared[view.x_name] = (DataRange1d(), Span(dimension="height",
                                                           line_dash="dotted"))
            x_range, crosshair = shared[view.x_name]
            sources = {}
            fig = _curve_figure(view, x_range, crosshair, sources=sources)
            tabs = []  # the same data on other axes, one click away
            if _spans_decade([s.y for s in view.series]):
                tabs.append(("log y", _curve_figure(view, x_range, crosshair, log_y=True,
                                                    sources=sources)))
            if _spans_decade([s.x if s.x is not None else view.x for s in view.series]):
                tabs.append(("linear x" if view.log_x else "log x", _curve_figure(
                    view, None, crosshair, sources=sources, log_x=not view.log_x)))
            if tabs:
                from bokeh.models import TabPanel, Tabs

                fig = Tabs(tabs=[TabPanel(child=fig, title="linear y")]
                           + [TabPanel(child=f, title=t) for t, f in tabs],
                           sizing_mode="stretch_width", name=f"tabs-{view.name}")
            if view.selectors:
                _follow(view, sources, controls)
        elif view.kind == "bars":
            fig = _bar_figure(view)
        elif view.kind == "histogram":
            fig = _histogram_figure(view)
        elif view.kind == "scatter":
            fig = _scatter_figure(view)
        elif view.kind == "text":
            fig = Div(text=view.html, sizing_mode="stretch_width", name=f"view-{view.name}")
        else:
            fig = _tour_figure(view)
        caption = view.describe()
        if view.missing_reason and any(np.isnan(_clean(s.y)).any() for s in view.series):
            caption += f" Gaps are NaN: {view.missing_reason}."
        shown = {d for d, _, _ in view.selectors} | {
            d for s in view.series for d in s.key}
        ignored = [d for d in controls if d not in shown]
        if ignored:
            caption += f" Does not depend on the control for {', '.join(ignored)}."
        div = Div(text=_escape(caption), sizing_mode="stretch_width",
                  name=f"caption-{view.name}",
                  styles={"color": "#555", "font-size": "0.85em", "margin-bottom": "1.2em"})
        out.append(column(fig, div, sizing_mode="stretch_width", name=f"box-{view.name}"))
    return out


def class_colors(names):
    """{class name: colour} for word classes (18 universal part-of-speech tags): dark
    colours only, readable as text on white."""
    from bokeh.palettes import Category10, Category20b, Category20c

    palette = (*Category10[10], *Category20b[20][0::4], *Category20c[20][0:12:4])
    return {name: palette[k % len(palette)] for k, name in enumerate(names)}


def coloured_text(text, starts, classes, names):
    """``text`` as HTML with each word in its class's colour (its class named on hover).

    Parameters
    ----------
    text : str
    starts : int[W]
        Character offset of each word (a tagger's spans).
    classes : int[W]
        Class index of each word into ``names``.
    names : sequence of str
    """
    colors = class_colors(names)
    bounds = list(starts) + [len(text)]
    out = [_escape(text[:bounds[0]])]
    for k, c in enumerate(classes):
        piece = text[bounds[k]:bounds[k + 1]]
        name = names[int(c)]
        out.append(f"<span title='{name}' style='color:{colors[name]}'>{_escape(piece)}"
                   "</span>")
    return "".join(out)


def class_key(names):
    """A legend of the word-class colours, as HTML."""
    colors = class_colors(names)
    return " ".join(f"<span style='color:{colors[n]};white-space:nowrap'>■ {n}</span>"
                    for n in names)


def _escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def page_order(extra, generic):
    """The views of a page: a task's own plots first, then the Dataset's, then the task's
    text views (generated examples) after every plot."""
    return ([v for v in extra if v.kind != "text"] + list(generic)
            + [v for v in extra if v.kind == "text"])


def layout(ds, skip=(), extra=()):
    """All views of ``ds`` with a task's own ``extra`` views (:func:`page_order`) as one
    Bokeh column (what :func:`show` displays)."""
    from bokeh.layouts import column

    from simlab.render.views import views

    return column(*figures(page_order(extra, views(ds, skip)[0])),
                  sizing_mode="stretch_width")


def show(ds, extra=()):
    """Display the report's views of ``ds`` (an xarray Dataset) in a Jupyter notebook, with
    Bokeh's resources loaded inline (no network); ``extra``: a task's own views."""
    from bokeh.io import output_notebook
    from bokeh.io import show as bokeh_show
    from bokeh.resources import INLINE

    output_notebook(resources=INLINE, hide_banner=True)
    bokeh_show(layout(ds, extra=extra))
