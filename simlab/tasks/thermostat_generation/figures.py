"""Figures and report of the thermostat_generation task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, qualitative, save, title
from simlab.tasks.common import text_figures as panels


def _palette(ds):
    base = qualitative("tab10")
    return [base[k % len(base)] for k in range(ds.sizes["control"])]


def controls(ds, path):
    """tau(N) and C(dt) per control, and the summary observables side by side."""
    fig, axes = new_figure(2, 2, size=(13, 10))
    palette = _palette(ds)
    panels.tau_panel(axes[0, 0], ds, "control", palette)
    panels.correlation_panel(axes[0, 1], ds, "control", palette)
    x = np.arange(ds.sizes["control"])
    labels = [str(v) for v in ds["control"].values]
    ax = axes[1, 0]
    ax.bar(x - 0.2, ds["growth_exponent"], 0.4, yerr=ds["growth_exponent_err"], color=palette,
           capsize=3, label="growth exponent of τ(N)")
    ax.bar(x + 0.2, ds["repetition_rate"], 0.4, yerr=ds["repetition_rate_err"], color=palette,
           alpha=0.45, hatch="//", capsize=3, label="repetition rate (4-grams)")
    ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("solid: growth exponent  ·  hatched: repetition rate")
    ax.grid(alpha=0.3, axis="y")
    ax = axes[1, 1]
    ax.errorbar(ds["mean_entropy"], ds["perplexity"], xerr=ds["mean_entropy_err"],
                yerr=ds["perplexity_err"], fmt="none", ecolor="0.5", capsize=2)
    for color, label, k in zip(palette, labels, x):
        ax.scatter(float(ds["mean_entropy"][k]), float(ds["perplexity"][k]), color=color, s=40,
                   label=label, zorder=3)
    ax.set_yscale("log")
    ax.set_xlabel("mean entropy of the sampled distributions  [nats]")
    ax.set_ylabel("perplexity of the text under the model at T = 1")
    ax.legend(fontsize=7.5)
    ax.grid(alpha=0.3, which="both")
    fig.suptitle(title(ds), fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def trajectories(ds, path):
    """Temperature and entropy of each step (means over sequences) per control."""
    fig, (ax_t, ax_s) = new_figure(1, 2, size=(13, 5))
    palette = _palette(ds)
    panels.by_step_panel(ax_t, ds, "control", "temperature_by_step",
                         "sampling temperature (finite steps)", palette)
    ax_t.set_yscale("log")
    panels.by_step_panel(ax_s, ds, "control", "entropy_by_step",
                         "entropy of the sampled distribution  [nats]", palette)
    ax_s.legend(fontsize=7.5, ncol=2)
    fig.suptitle("what each control does step by step", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def summary(ds):
    """One line per control."""
    lines = panels.report_header(ds, "control")
    lines.append(f"{'control':>16} growth ± err   repeat ± err  ppl(T=1)   S      <T>  T=0/inf")
    for k, label in enumerate(ds["control"].values):
        d = ds.isel(control=k)
        lines.append(
            f"{str(label):>16} {float(d['growth_exponent']):6.3f} ± "
            f"{float(d['growth_exponent_err']):.3f}  {float(d['repetition_rate']):.3f} ± "
            f"{float(d['repetition_rate_err']):.3f} {float(d['perplexity']):9.1f} "
            f"{float(d['mean_entropy']):5.2f} {float(d['mean_sampling_temperature']):6.2f} "
            f"{float(d['extreme_temperature_fraction']):7.3f}")
    return "\n".join(lines)
