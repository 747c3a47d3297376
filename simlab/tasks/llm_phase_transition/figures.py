"""Figures and report of the llm_phase_transition task, from its Dataset only."""

import numpy as np

from simlab.render.figures import colors, new_figure, plain_log_labels, qualitative, save, title
from simlab.tasks.common import text_figures as panels


def tau_growth(ds, path):
    """tau(N) per temperature (left) and its growth exponent against T with T_c (right)."""
    fig, (ax_tau, ax_g) = new_figure(1, 2, size=(13, 5))
    panels.tau_panel(ax_tau, ds, "temperature")
    t = ds["temperature"].values
    ax_g.errorbar(t, ds["growth_exponent"], ds["growth_exponent_err"], marker="o", ms=4,
                  capsize=3, color="tab:purple", label="d ln τ / d ln N")
    level = float(ds["critical_level"])
    ax_g.axhline(level, color="0.5", ls=":", lw=1, label=f"level {level:g}")
    tc, err = float(ds["critical_temperature"]), float(ds["critical_temperature_err"])
    if np.isfinite(tc):
        ax_g.axvline(tc, color="k", lw=1.2, label=f"T$_c$ = {tc:.3f} ± {err:.3f}")
        if np.isfinite(err):
            ax_g.axvspan(tc - err, tc + err, color="k", alpha=0.1, lw=0)
    ax_g.axvline(1.0, color="tab:green", ls="--", lw=1,
                 label="T$_c$ ≈ 1 reported for GPT-2, Pythia")
    ax_g.set_xlabel("sampling temperature T")
    ax_g.set_ylabel("growth exponent of τ(N)")
    ax_g.grid(alpha=0.3)
    ax_g.legend(fontsize=8)
    fig.suptitle(title(ds), fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def correlations(ds, path):
    """C(dt) per temperature (left) and PROPN's share of C(1) and the fitted exponents (right)."""
    fig, (ax_c, ax_f) = new_figure(1, 2, size=(13, 5))
    panels.correlation_panel(ax_c, ds, "temperature")
    t = ds["temperature"].values
    ax_f.plot(t, ds["power_exponent"], marker="o", label="power-law exponent α")
    ax_f.set_xlabel("sampling temperature T")
    ax_f.set_ylabel("α of C(dt) ~ dt$^{-α}$")
    ax_f.grid(alpha=0.3)
    right = ax_f.twinx()
    xi = ds["correlation_length"].values
    right.plot(t, np.where(np.isfinite(xi), xi, np.nan), marker="s", color="tab:orange",
               label="exponential ξ")
    right.set_yscale("log")
    right.set_ylabel("correlation length ξ  [" + ds.attrs.get("unit", "token") + "s]")
    better = ds["better_fit"].values
    for x, kind in zip(t, better):
        ax_f.annotate(str(kind)[:3], (x, 0), xycoords=("data", "axes fraction"), fontsize=7,
                      ha="center", va="bottom")
    ax_f.legend(loc="upper left", fontsize=8)
    right.legend(loc="upper right", fontsize=8)
    fig.suptitle("correlation of word classes at distance dt (better fit marked per T)",
                 fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def text_thermodynamics(ds, path):
    """Exact S, C and Fisher information of the sampled distributions against T, repetition
    and perplexity against T, and the slow approach of S to its stationary value."""
    fig, axes = new_figure(2, 2, size=(12, 9))
    t = ds["temperature"].values
    ax = axes[0, 0]
    ax.errorbar(t, ds["mean_specific_heat"], ds["mean_specific_heat_err"], marker="o",
                capsize=2, label="mean C")
    ax.errorbar(t, ds["fisher_information"], ds["fisher_information_err"], marker="s",
                capsize=2, label="mean C / T² (Fisher information)")
    ax.set_xlabel("sampling temperature T")
    ax.set_ylabel("exact, along the generated text")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    ax.errorbar(t, ds["mean_entropy"], ds["mean_entropy_err"], marker="o", capsize=2,
                color="tab:green")
    ax.set_xlabel("sampling temperature T")
    ax.set_ylabel("mean entropy S  [nats]")
    ax = axes[1, 0]
    ax.errorbar(t, ds["repetition_rate"], ds["repetition_rate_err"], marker="o", capsize=2,
                color="tab:red", label="repeated 4-grams")
    ax.set_xlabel("sampling temperature T")
    ax.set_ylabel("repetition rate")
    right = ax.twinx()
    right.errorbar(t, ds["perplexity"], ds["perplexity_err"], marker="s", capsize=2,
                   color="tab:gray", label="perplexity at T = 1")
    right.set_yscale("log")
    right.set_ylabel("perplexity under the model at T = 1")
    ax.legend(loc="upper center", fontsize=8)
    right.legend(loc="upper right", fontsize=8)
    panels.by_step_panel(axes[1, 1], ds, "temperature", "entropy_by_step",
                         "entropy S of step  [nats]")
    axes[1, 1].legend(fontsize=6.5, ncol=2)
    for a in axes.flat:
        a.grid(alpha=0.3)
    for a in (axes[0, 0], axes[0, 1], axes[1, 0]):
        if np.isfinite(float(ds["critical_temperature"])):
            a.axvline(float(ds["critical_temperature"]), color="k", lw=1, ls=":")
    fig.suptitle("thermodynamics of the sampled next-token distributions (dotted: T$_c$ of τ)",
                 fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def side_by_side(ds, path):
    """tau(N)/N of the text and <m^2> = chi T / L^2 of the Ising model against T / T_c."""
    fig, (ax_l, ax_i) = new_figure(1, 2, size=(13, 5), sharey=False)
    tc = float(ds["critical_temperature"])
    scale = tc if np.isfinite(tc) else 1.0
    x = ds["temperature"].values / scale
    for color, n in zip(colors("viridis", ds.sizes["length"], 0.0, 0.85), ds["length"].values):
        d = ds.sel(length=n)
        ax_l.errorbar(x, d["tau_total"] / n, d["tau_total_err"] / n, color=color, marker="o",
                      ms=3, capsize=2, label=f"N = {n}")
    ax_l.set_ylabel("τ(N) / N = Σ$_a$ Var(m$_a$)")
    ax_l.set_xlabel("T / T$_c$" if np.isfinite(tc) else "T  (no T$_c$ found: unscaled)")
    ax_l.set_title(f"language model ({ds.attrs.get('unit', 'token')} classes), "
                   f"T$_c$ = {tc:.3f}", fontsize=9)
    xr_ = ds["reduced_temperature"].values
    for color, L in zip(colors("viridis", ds.sizes["size"], 0.0, 0.85), ds["size"].values):
        d = ds.sel(size=L)
        ax_i.errorbar(xr_, d["ising_m2"], d["ising_m2_err"], color=color, marker="o", ms=3,
                      capsize=2, label=f"L = {L} (N = {L * L} spins)")
    ax_i.set_ylabel("<m²> = χ T / L²")
    ax_i.set_xlabel("T / T$_c$  (Onsager)")
    ax_i.set_title("2D Ising model, Metropolis", fontsize=9)
    for a in (ax_l, ax_i):
        a.axvline(1.0, color="0.5", ls=":", lw=1)
        a.grid(alpha=0.3)
        a.legend(fontsize=7.5)
    fig.suptitle("Both order parameters' fluctuations per unit size against T / T$_c$: "
                 "flat in the ordered phase, vanishing with size above T$_c$", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def summary(ds):
    """T_c, the fits and the thermodynamic signals, one line each."""
    tc, err = float(ds["critical_temperature"]), float(ds["critical_temperature_err"])
    lines = panels.report_header(ds, "temperature")
    value = f"{tc:.3f} ± {err:.3f}" if np.isfinite(tc) else \
        f"NaN ({ds['critical_temperature'].attrs.get('missing_reason', 'no crossing')})"
    lines.append(f"T_c (growth exponent of tau(N) through {float(ds['critical_level']):g}): "
                 f"{value}  (GPT-2 small, Pythia-160m: about 1)")
    draws = ds["critical_temperature_draws"].values
    draws = draws[np.isfinite(draws)]
    if draws.size:
        q = np.quantile(draws, [0.025, 0.16, 0.5, 0.84, 0.975])
        lines.append(f"  {draws.size} bootstrap resamples: median {q[2]:.3f}, 16-84% "
                     f"[{q[1]:.3f}, {q[3]:.3f}], 2.5-97.5% [{q[0]:.3f}, {q[4]:.3f}]")
    lines.append(f"entropy drift along the text changes sign at T = "
                 f"{float(ds['drift_temperature']):.3f} ± {float(ds['drift_temperature_err']):.3f}")
    lines.append(f"largest mean C at T = {float(ds['specific_heat_peak_temperature']):g}, "
                 f"largest Fisher information C/T^2 at T = "
                 f"{float(ds['fisher_peak_temperature']):g}")
    lines.append("   T   growth ± err    fit   alpha     xi  repeat  ppl(T=1)   S     C  drift")
    for k, t in enumerate(ds["temperature"].values):
        d = ds.isel(temperature=k)
        lines.append(
            f"{t:5.2f} {float(d['growth_exponent']):6.3f} ± {float(d['growth_exponent_err']):.3f}"
            f" {str(d['better_fit'].values)[:5]:>5} {float(d['power_exponent']):6.2f} "
            f"{float(d['correlation_length']):6.1f} {float(d['repetition_rate']):6.3f} "
            f"{float(d['perplexity']):9.1f} {float(d['mean_entropy']):5.2f} "
            f"{float(d['mean_specific_heat']):5.2f} {float(d['entropy_drift']):+6.2f}")
    return "\n".join(lines)


def model_comparison(ds, path):
    """A sweep over ``generation.model`` collected into one Dataset (dim ``model``): the
    growth exponent of tau(N) against T with each model's T_c (left), tau(N) at the
    temperature nearest T = 1 (middle), and the mean specific heat C(T) along the text
    (right), one colour per model; the legend below gives each T_c, or why it is NaN."""
    import textwrap

    fig, (ax_g, ax_tau, ax_c) = new_figure(1, 3, size=(16, 6.2))
    models = [str(m) for m in ds["model"].values]
    t = ds["temperature"].values
    level = float(np.nanmax(ds["critical_level"].values))
    near_one = int(np.argmin(np.abs(t - 1.0)))
    palette = qualitative()
    handles = []
    for k, name in enumerate(models):
        colour = palette[k % len(palette)]
        one = ds.sel(model=name)
        handles.append(ax_g.errorbar(t, one["growth_exponent"], one["growth_exponent_err"],
                                     marker="o", ms=4, capsize=3, color=colour,
                                     label=textwrap.fill(_model_label(one, name), 110)))
        tc = float(one["critical_temperature"])
        if np.isfinite(tc):
            ax_g.axvline(tc, color=colour, lw=1.2, ls="--")
        ax_tau.errorbar(one["length"], one["tau_total"].isel(temperature=near_one),
                        one["tau_total_err"].isel(temperature=near_one), marker="o", ms=4,
                        capsize=3, color=colour)
        ax_c.plot(t, one["mean_specific_heat"], marker="o", ms=4, color=colour)
    ax_g.axhline(level, color="0.5", ls=":", lw=1)
    ax_g.annotate(f"level {level:g} (defines T$_c$)", (t[0], level), fontsize=8, color="0.4",
                  xytext=(2, 3), textcoords="offset points")
    ax_g.set_xlabel("sampling temperature T")
    ax_g.set_ylabel("growth exponent of τ(N)  (dashed: T$_c$)")
    ax_tau.set_xscale("log")
    ax_tau.set_yscale("log")
    plain_log_labels(ax_tau.xaxis)
    plain_log_labels(ax_tau.yaxis)
    ax_tau.set_xlabel("text length N  [" + ds.attrs.get("unit", "token") + "s]")
    ax_tau.set_ylabel(f"τ(N) at T = {t[near_one]:g}")
    ax_c.set_xlabel("sampling temperature T")
    ax_c.set_ylabel("mean specific heat C of the sampled distributions")
    for ax in (ax_g, ax_tau, ax_c):
        ax.grid(alpha=0.3)
    fig.legend(handles=handles, loc="lower center", fontsize=9, frameon=False)
    fig.suptitle("generated text of each model: where the frozen phase ends", fontsize=10)
    fig.tight_layout(rect=(0, 0.06 + 0.045 * len(models), 1, 1))
    return save(fig, path)


def short_model_name(name):
    """The last part of a model's path or Hugging Face id (``random:`` kept)."""
    prefix = "random:" if name.startswith("random:") else ""
    return prefix + name[len(prefix):].rstrip("/").rsplit("/", 1)[-1]


def _model_label(one, name):
    tc, err = float(one["critical_temperature"]), float(one["critical_temperature_err"])
    short = short_model_name(name)
    if np.isfinite(tc):
        return f"{short}: T$_c$ = {tc:.2f} ± {err:.2f}"
    reason = one["critical_temperature"].attrs.get("missing_reason", "")
    return f"{short}: T$_c$ = NaN" + (f" ({reason})" if reason else "")
