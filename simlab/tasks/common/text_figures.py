"""Figure panels of generated-text Datasets (:mod:`simlab.tasks.common.generated`), shared by
the tasks that generate text; they read only the Dataset, along its control dimension."""

import numpy as np

from simlab.render.figures import colors


def control_labels(ds, dim):
    """Legend labels of the elements of ``dim``."""
    return [f"T = {v:g}" if dim == "temperature" else str(v) for v in ds[dim].values]


def tau_panel(ax, ds, dim, palette=None):
    """tau_total(N) against N with bootstrap errors, one line per control; N^1 for reference."""
    from matplotlib.ticker import NullLocator

    n = ds["length"].values
    palette = colors("coolwarm", ds.sizes[dim], 0.0, 1.0) if palette is None else palette
    for color, label, k in zip(palette, control_labels(ds, dim), range(ds.sizes[dim])):
        d = ds.isel({dim: k})
        ax.errorbar(n, d["tau_total"], d["tau_total_err"], color=color, marker="o", ms=3,
                    lw=1.2, capsize=2, label=label)
    top = np.nanmax(ds["tau_total"].values)
    ax.plot(n, top * n / n[-1], color="0.4", ls="--", lw=1, label="∝ N (frozen)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(n, [str(int(x)) for x in n])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("length N  [" + ds.attrs.get("unit", "token") + "s]")
    ax.set_ylabel("τ(N) = N Σ$_a$ Var(m$_a$)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, ncol=2)


def correlation_panel(ax, ds, dim, palette=None):
    """C(dt) = sum_a C_aa(dt) against dt on log axes (points with C > 0), one line per control."""
    dt = ds["dt"].values
    palette = colors("coolwarm", ds.sizes[dim], 0.0, 1.0) if palette is None else palette
    for color, label, k in zip(palette, control_labels(ds, dim), range(ds.sizes[dim])):
        c = ds["correlation"].isel({dim: k}).values
        ok = c > 0
        fit = ds.isel({dim: k})
        kind = str(fit["better_fit"].values)
        detail = (f"α = {float(fit['power_exponent']):.2f}" if kind == "power" else
                  f"ξ = {float(fit['correlation_length']):.1f}" if kind == "exponential" else "-")
        ax.plot(dt[ok], c[ok], color=color, marker=".", ms=3, lw=1,
                label=f"{label}: {kind} ({detail})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("lag dt  [" + ds.attrs.get("unit", "token") + "s]")
    ax.set_ylabel("C(dt) = Σ$_a$ C$_{aa}$(t, t+dt)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=6.5, ncol=1)


def by_step_panel(ax, ds, dim, variable, ylabel, palette=None, window=16):
    """A per-step mean (over sequences) against the step, smoothed over ``window`` steps."""
    palette = colors("coolwarm", ds.sizes[dim], 0.0, 1.0) if palette is None else palette
    step = ds["step"].values
    kernel = np.ones(window) / window
    for color, label, k in zip(palette, control_labels(ds, dim), range(ds.sizes[dim])):
        y = ds[variable].isel({dim: k}).values
        smooth = np.convolve(y, kernel, mode="valid")
        ax.plot(step[window - 1:], smooth, color=color, lw=1.1, label=label)
    ax.set_xlabel(f"step (running mean over {window})")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


def class_panel(ax, ds, dim, top=8):
    """Fractions of the most frequent classes, per control (stacked bars)."""
    freq = ds["class_frequency"].values
    order = np.argsort(freq.sum(axis=0))[::-1][:top]
    names = ds["class_name"].values
    x = np.arange(ds.sizes[dim])
    bottom = np.zeros(x.size)
    for color, j in zip(colors("tab20", top, 0.0, 1.0), order):
        ax.bar(x, freq[:, j], bottom=bottom, color=color, label=str(names[j]))
        bottom += freq[:, j]
    ax.set_xticks(x, control_labels(ds, dim), rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("fraction of " + ds.attrs.get("unit", "token") + "s")
    ax.legend(fontsize=6.5, ncol=2, loc="lower right")


def report_header(ds, per):
    """The first lines of a generated-text report: source, tagger, sizes, generation speed."""
    lines = [f"{ds.attrs['model']} ({ds.attrs['source']}), tagger {ds.attrs['tagger']}, "
             f"{ds.sizes['sequence']} sequences x {ds.sizes['step']} tokens per {per}, "
             f"unit {ds.attrs.get('unit', 'token')}"]
    if "tokens_per_second" in ds and np.isfinite(float(ds["tokens_per_second"])):
        run = "generation" if ds.attrs["source"] == "live model" else \
            "generation (the live run that wrote the bundle)"
        lines.append(f"{run}: {float(ds['generation_seconds']):.0f} s, "
                     f"{float(ds['tokens_per_second']):.0f} tokens/s")
    return lines
