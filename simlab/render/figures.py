"""Shared helpers for figures drawn from Datasets.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot), so drawing
them never selects a backend, opens a window or changes the user's matplotlib state: the
PNG is written by matplotlib's own Agg canvas, and an interactive session keeps whatever
backend matplotlib's rules chose.
"""

from pathlib import Path

import numpy as np


def new_figure(rows=1, cols=1, size=(8.0, 4.5), **kwargs):
    """A (Figure, axes) pair; ``axes`` is a numpy array when rows * cols > 1."""
    from matplotlib.figure import Figure  # imported when drawing: the command starts faster

    fig = Figure(figsize=size)
    axes = fig.subplots(rows, cols, **kwargs)
    return fig, axes


def save(fig, path, dpi=130):
    """Write ``fig`` to ``path`` atomically (folders created; a failed write leaves no
    partial image) and return the path. The format follows the suffix."""
    from simlab.results import written_atomically

    path = Path(path)
    with written_atomically(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", dpi=dpi, bbox_inches="tight")
    return path


def colors(name, n, start=0.0, stop=0.85):
    """``n`` colours evenly spaced along the colormap ``name``, shape (n, 4)."""
    import matplotlib

    return matplotlib.colormaps[name](np.linspace(start, stop, max(int(n), 1)))


def qualitative(name="tab10"):
    """The colours of a qualitative colormap (a tuple of RGB triples)."""
    import matplotlib

    return matplotlib.colormaps[name].colors


def log_ticks(ax, values, candidates=(0.5, 1, 1.5, 2, 3, 4, 6, 10, 20, 50, 100)):
    """Readable tick labels on a log x axis for the range of ``values``."""
    values = np.asarray(values, dtype=np.float64)
    ticks = [x for x in candidates if values.min() <= x <= values.max()]
    ax.set_xticks(ticks, [f"{x:g}" for x in ticks])
    ax.minorticks_off()


def plain_log_labels(axis):
    """Tick labels of a log-scaled matplotlib axis as plain numbers ("2", "0.5", "1000")
    instead of "2x10^0"."""
    from matplotlib.ticker import FuncFormatter

    def minor(v, _):  # 2 and 5 times a power of ten only: the others would crowd
        leading = v / 10 ** np.floor(np.log10(v)) if v > 0 else 0
        return f"{v:g}" if np.isclose(leading, 2) or np.isclose(leading, 5) else ""

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(FuncFormatter(minor))


def title(ds):
    """The Dataset's title attribute, or an empty string."""
    return ds.attrs.get("title", "")


def quantile_band(ax, x, curves, color, label):
    """Median line with 25-75% and 10-90% bands of ``curves`` (rows) at each x."""
    q = np.nanquantile(curves, [0.1, 0.25, 0.5, 0.75, 0.9], axis=0)
    ax.fill_between(x, q[0], q[4], color=color, alpha=0.15, lw=0, label=f"{label} 10-90%")
    ax.fill_between(x, q[1], q[3], color=color, alpha=0.3, lw=0, label=f"{label} 25-75%")
    ax.plot(x, q[2], color=color, lw=2, label=f"{label} median")
