"""The token view of a report page: next-token distributions carried as compressed spectra.

A Dataset with ``top_logits`` (position, rank), ``tail_start`` (position), ``tail_counts``
(position, bin) and ``bin_width`` holds each position's next-token spectrum as the bundle
stores it (:func:`simlab.llm.spectra.compress`: the largest logits exactly, the rest as a
histogram). The page recomputes the thermodynamics from exactly these levels and
multiplicities, in float64 as :func:`simlab.thermo.logit_thermodynamics` does, in Bokeh
``CustomJS`` (``templates/tokens_math.js`` and ``tokens_view.js``). The binary arrays travel
as base64 (float32, and uint8 or uint16 counts, little-endian), so the page reads the very
numbers of the Dataset. The page carries every position that fits its size budget (evenly
spaced when not all fit) and says how many of how many, and why.
"""

import base64
from importlib.resources import files

import numpy as np

SPECTRA = ("top_logits", "tail_start", "tail_counts", "bin_width")
MAX_POSITIONS = 1024  # carried at most; fewer when the page's size budget says so
T_MIN, T_MAX, STEPS = -2, 2, 400  # the dial: log10 T from -2 to 2 in steps of 0.01
BARS = 20  # most likely tokens drawn
READOUTS = (
    ("T", "temperature T", "logit"), ("entropy_bits", "entropy H", "bits"),
    ("entropy", "entropy S = H in nats", "nats"), ("perplexity", "perplexity 2^H = e^S",
                                                    "tokens"),
    ("energy", "mean energy U = <E> = -<logit>", "logit"),
    ("free_energy", "free energy F = U - T S", "logit"),
    ("specific_heat", "specific heat C = Var(E)/T^2", "1"),
    ("entropy_derivative", "dS/dT = Var(E)/T^3", "1/logit"),
    ("peak_temperature", "T* (maximum of C)", "logit"), ("peak_specific_heat", "C(T*)", "1"))


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
        narrow = counts.size == 0 or counts.max() < 256  # one byte a count where it fits
        ranked = None
        if "ranked_token" in ds.variables:
            ranked = [str(t) for t in ds["ranked_token"].transpose("position", ...).values[i]]
        stream = ds["stream_position"].values[i] if "stream_position" in ds.variables else i
        positions.append({
            "index": int(i), "stream_position": int(stream),
            "split": _text(ds, "split", i), "token": _text(ds, "token", i),
            "next_token": _text(ds, "next_token", i), "context": _text(ds, "context", i),
            "ranked": ranked, "top": _b64(top[i], np.float32),
            "tail_start": float(start[i]),
            "tail": _b64(counts, np.uint8 if narrow else np.uint16),
            "tail_bytes": 1 if narrow else 2})
    return {"total": int(ds.sizes["position"]), "bin_width": float(ds["bin_width"]),
            "positions": positions}


def _t_label(t):
    """The dial's text for T (what a screen reader announces): 3 significant digits."""
    return "T = " + f"{t:#.3g}".rstrip(".")


def dial_labels():
    """The dial's values: T = 0 (greedy), STEPS + 1 temperatures from 10^T_MIN to 10^T_MAX
    evenly in log T, and T = inf (uniform)."""
    temps = 10.0 ** (T_MIN + (T_MAX - T_MIN) * np.arange(STEPS + 1) / STEPS)
    labels = ["T = 0 (greedy)", *map(_t_label, temps), "T = ∞ (uniform)"]
    assert len(set(labels)) == len(labels)
    return labels


def token_view(tokens):
    """The token view's Bokeh layout (``templates/tokens_start.js`` fills it when the page
    loads by choosing the first position).

    Parameters
    ----------
    tokens : dict
        :func:`token_payload`'s result; the page carries it (or another choice of positions
        from the same Dataset) as JSON in ``#payload``, read when the page loads.

    Returns
    -------
    bokeh.models.LayoutDOM
        The view; one ``CustomJS`` callback serves every widget in it: the position list,
        previous/next, the search box, the dial and its T = 0 / inf buttons.
    """
    from bokeh.layouts import column, row
    from bokeh.models import (
        Button,
        CategoricalSlider,
        ColumnDataSource,
        CustomJS,
        Div,
        FactorRange,
        HoverTool,
        Select,
        Span,
        TextInput,
    )
    from bokeh.plotting import figure

    note = Div(text="<h2>Next-token distributions at temperature T</h2>",
               sizing_mode="stretch_width", name="tok-note")  # the page adds the counts
    select = Select(title="position", options=[], name="tok-position", width=260)
    prev = Button(label="← previous", name="tok-prev", width=100)
    nxt = Button(label="next →", name="tok-next", width=100)
    search = TextInput(title="search the context text", name="tok-search", width=220)
    matches = Div(text="", name="tok-matches")
    context = Div(text="", sizing_mode="stretch_width", name="tok-context")
    labels = dial_labels()
    dial = CategoricalSlider(categories=labels, value=labels[1 + STEPS // 2],
                             title="temperature (log scale)", sizing_mode="stretch_width",
                             name="tok-dial")
    zero = Button(label="T = 0", name="tok-zero", width=70)
    inf = Button(label="T = ∞", name="tok-inf", width=70)
    bars = ColumnDataSource({"label": [], "p": []}, name="tok-bars")
    bars_range = FactorRange(factors=[f"{k + 1}." for k in range(BARS)])
    bar_fig = figure(height=420, min_width=300, sizing_mode="stretch_width",
                     y_range=bars_range, x_range=(0, 1), toolbar_location=None, tools="",
                     title=f"The {BARS} most likely tokens: probability at T",
                     x_axis_label="probability", name="tok-bars-figure")
    bar_fig.hbar(y="label", right="p", height=0.8, source=bars, color="#1f77b4")
    bar_fig.add_tools(HoverTool(tooltips=[("token", "@label"), ("p", "@p{%.6g}")],
                                formatters={"@p": "printf"}))
    bar_text = Div(text="", name="tok-bars-text", sizing_mode="stretch_width",
                   styles={"color": "#555", "font-size": "0.85em"})
    readouts = Div(text="", name="tok-readouts", sizing_mode="stretch_width")
    grid = 10.0 ** np.linspace(T_MIN, T_MAX, 161)
    curve = ColumnDataSource({"x": grid, "s": np.zeros_like(grid), "c": np.zeros_like(grid)},
                             name="tok-curve")
    marker = ColumnDataSource({"x": [1.0, 1.0], "y": [0.0, 0.0]}, name="tok-marker")
    curves = figure(height=280, sizing_mode="stretch_width", x_axis_type="log",
                    title="S(T) / S(∞) and C(T) / C(T*) of this position",
                    x_axis_label="T [logit]", y_axis_label="fraction", tools="save",
                    toolbar_location=None, name="tok-curves")
    curves.line("x", "s", source=curve, color="#1f77b4", line_width=2, legend_label="S / S(∞)")
    curves.line("x", "c", source=curve, color="#d62728", line_width=2,
                legend_label="C / C(T*)")
    curves.scatter("x", "y", source=marker, size=9, color="black")
    tstar = Span(dimension="height", line_dash="dashed", line_color="#888", name="tok-tstar",
                 location=None)
    curves.add_layout(tstar)
    curves.legend.location = "top_left"
    templates = files("simlab.render") / "templates"
    code = (templates / "tokens_math.js").read_text() + (
        templates / "tokens_view.js").read_text()
    callback = CustomJS(args=dict(
        select=select, prev=prev, next=nxt, search=search, matches=matches, context=context,
        dial=dial, zero=zero, inf=inf, bars=bars, bars_range=bars_range, bar_text=bar_text,
        readouts=readouts, curve=curve, marker=marker, tstar=tstar, note=note,
        T_MIN=T_MIN, T_MAX=T_MAX,
        STEPS=STEPS, ROWS=[list(r) for r in READOUTS]), code=code)
    select.js_on_change("value", callback)
    search.js_on_change("value_input", callback)
    dial.js_on_change("value", callback)
    for button in (prev, nxt, zero, inf):
        button.js_on_click(callback)
    wrap = {"sizing_mode": "stretch_width", "styles": {"flex-wrap": "wrap"}}
    layout = column(note, row(prev, select, nxt, search, matches, **wrap), context,
                    row(zero, dial, inf, **wrap), readouts, bar_fig, bar_text,
                    curves, sizing_mode="stretch_width", name="tokens")
    return layout
