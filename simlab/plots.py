"""Figures drawn from simlab Datasets only (never from live objects)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simlab.exact.onsager import CRITICAL_TEMPERATURE  # noqa: E402

PANELS = (
    ("specific_heat", "specific heat per spin  C/N  [$k_B$]"),
    ("entropy", "entropy per spin  S/N  [$k_B$, nats]"),
    ("energy", "energy per spin  U/N  [J]"),
    ("abs_magnetization", r"magnetisation per spin  $\langle|M|\rangle/N$"),
)


def _save(fig, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return path


def lattice_thermodynamics(ds, path):
    """C, S, U and |M| against T per size: Monte Carlo with error bars, exact as lines.

    Expects dims (size, temperature) and the variables of the Ising sweep; ``*_exact``
    (Kaufman, finite lattice) and ``*_onsager`` (infinite lattice) are drawn when present.
    """
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, ds.sizes["size"]))
    t_max = float(ds.attrs.get("plot_temperature_max", ds["temperature"].max()))
    ds = ds.sel(temperature=ds["temperature"] <= t_max)
    t = ds["temperature"].values
    for ax, (name, label) in zip(axes.ravel(), PANELS):
        for color, L in zip(colors, ds["size"].values):
            d = ds.sel(size=L)
            err = d[name + "_err"].values
            if name == "entropy" and "entropy_quadrature_err" in d:
                err = np.hypot(err, d["entropy_quadrature_err"].values)
            ax.errorbar(t, d[name].values, yerr=err, fmt="o", ms=3.5, color=color,
                        capsize=2, lw=1, label=f"L = {L} Monte Carlo")
            if name + "_exact" in d:
                ax.plot(t, d[name + "_exact"].values, "-", color=color, lw=1.2,
                        label=f"L = {L} exact (Kaufman)")
        if name + "_onsager" in ds:
            ax.plot(t, ds[name + "_onsager"].values, "--", color="0.4", lw=1,
                    label="L = ∞ (Onsager)")
        ax.axvline(CRITICAL_TEMPERATURE, color="0.7", lw=0.8, ls=":")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("temperature  T  [J/$k_B$]")
    axes[1, 0].legend(fontsize=8, ncol=2, loc="upper left")
    fig.suptitle(ds.attrs.get("title", ""))
    fig.tight_layout()
    return _save(fig, path)


def deviations(ds, path):
    """(Monte Carlo - exact) / sigma for U, C and S against T per size, with +-2 and +-4 bands."""
    names = [n for n in ("energy", "specific_heat", "entropy") if n + "_z" in ds]
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, ds.sizes["size"]))
    for ax, name in zip(axes, names):
        ax.axhspan(-4, 4, color="0.93")
        ax.axhspan(-2, 2, color="0.85")
        for color, L in zip(colors, ds["size"].values):
            ax.plot(ds["temperature"], ds[name + "_z"].sel(size=L), "o-", ms=3, lw=0.8,
                    color=color, label=f"L = {L}")
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(ds[name].attrs.get("long_name", name), fontsize=9)
        ax.set_xlabel("temperature  T  [J/$k_B$]")
        ax.set_xscale("log")
        t = ds["temperature"].values
        ticks = [x for x in (0.5, 1, 1.5, 2, 3, 4, 6, 10, 20, 50, 100) if t.min() <= x <= t.max()]
        ax.set_xticks(ticks, [f"{x:g}" for x in ticks])
        ax.minorticks_off()
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("(Monte Carlo − exact) / σ")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


def _band(ax, x, curves, color, label):
    """Median line with 25-75% and 10-90% bands of curves (rows) over positions."""
    q = np.nanquantile(curves, [0.1, 0.25, 0.5, 0.75, 0.9], axis=0)
    ax.fill_between(x, q[0], q[4], color=color, alpha=0.15, lw=0, label=f"{label} 10-90%")
    ax.fill_between(x, q[1], q[3], color=color, alpha=0.3, lw=0, label=f"{label} 25-75%")
    ax.plot(x, q[2], color=color, lw=2, label=f"{label} median")


def llm_vs_ising(ds, path):
    """S(T) and C(T) of token distributions (bands over positions) beside the Ising model.

    Top row: against raw T; middle row: against T / T_peak; bottom: histogram of T* and
    T* against the top-logit gap.
    """
    fig, axes = plt.subplots(3, 2, figsize=(12, 13))
    colors = plt.cm.plasma(np.linspace(0.15, 0.75, ds.sizes["size"]))
    token_color = "tab:blue"
    s_max = ds["entropy_max"].values[:, None]
    for row, (xname, suffix, xlabel) in enumerate((
            ("temperature", "", "temperature T  [logit units; J/$k_B$ for Ising]"),
            ("rescaled_temperature", "_rescaled", "rescaled temperature  T / T$_{peak}$"))):
        x = ds[xname].values
        ax_c, ax_s = axes[row]
        _band(ax_c, x, ds["specific_heat" + suffix].values, token_color, "tokens")
        _band(ax_s, x, ds["entropy" + suffix].values / s_max, token_color, "tokens")
        for color, L in zip(colors, ds["size"].values):
            d = ds.sel(size=L)
            ax_c.plot(x, d["ising_specific_heat" + suffix], color=color, lw=1.3,
                      label=f"Ising L = {L} (per spin)")
            ax_s.plot(x, d["ising_entropy" + suffix] / np.log(2.0), color=color, lw=1.3,
                      label=f"Ising L = {L}")
        ax_c.set_ylabel("specific heat  C = Var(E)/T$^2$  [$k_B$; per spin for Ising]")
        ax_s.set_ylabel("normalised entropy  S / S(T=∞)")
        for ax in (ax_c, ax_s):
            ax.set_xscale("log")
            ax.set_xlabel(xlabel)
            ax.grid(alpha=0.3, which="both")
        if row == 1:
            for ax in (ax_c, ax_s):
                ax.axvline(1.0, color="0.5", ls=":", lw=1)
    axes[0, 0].legend(fontsize=7.5, loc="upper left")
    t_star = ds["peak_temperature"].values
    ok = np.isfinite(t_star)
    ax = axes[2, 0]
    bins = np.geomspace(np.nanmin(t_star[ok]) * 0.9, np.nanmax(t_star[ok]) * 1.1, 40)
    ax.hist(t_star[ok], bins=bins, color=token_color, alpha=0.8)
    ax.axvline(np.median(t_star[ok]), color="k", ls="--", lw=1,
               label=f"median T* = {np.median(t_star[ok]):.3f}")
    ax.set_xscale("log")
    ax.set_xlabel("T* of each position's next-token distribution  [logit units]")
    ax.set_ylabel("positions")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[2, 1]
    gap = ds["top_logit_gap"].values
    good = ok & (gap > 0)
    ax.scatter(gap[good], t_star[good], s=6, alpha=0.4, color=token_color, label="positions")
    g = np.geomspace(gap[good].min(), gap[good].max(), 50)
    a = ds.attrs
    ax.plot(g, np.exp(a["peak_vs_top_logit_gap_intercept"]) * g ** a["peak_vs_top_logit_gap_slope"],
            "k-", lw=1.2, label=f"fit: slope {a['peak_vs_top_logit_gap_slope']:.2f}, "
            f"r = {a['peak_vs_top_logit_gap_pearson_r']:.2f}")
    ax.plot(g, g / 2.39936, "r--", lw=1, label="two-level system: T* = gap / 2.399")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(t_star[good].min() / 1.3, t_star[good].max() * 1.3)
    ax.set_title(f"r(ln T*, ln top-10 spread) = {a['peak_vs_top_logit_spread_pearson_r']:.2f}; "
                 f"r(ln T*, ln std of all logits) = {a['peak_vs_top_logit_std_pearson_r']:.2f}",
                 fontsize=9)
    ax.set_xlabel("gap between the two largest logits  z$_1$ − z$_2$")
    ax.set_ylabel("T*")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.suptitle(ds.attrs.get("title", ""), y=0.995)
    fig.tight_layout()
    return _save(fig, path)


def surprise_convergence(ds, path):
    """Running mean of the sampled surprise against H(T) with its 95% band, per temperature."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    n = ds["step"].values
    colors = plt.cm.viridis(np.linspace(0.0, 0.8, ds.sizes["sample_temperature"]))
    for color, t in zip(colors, ds["sample_temperature"].values):
        d = ds.sel(sample_temperature=t)
        h, sd = float(d["surprise_entropy_bits"]), float(d["surprise_std_bits"])
        half = 1.96 * sd / np.sqrt(n)
        ax.fill_between(n, h - half, h + half, color=color, alpha=0.2, lw=0)
        ax.axhline(h, color=color, ls="--", lw=1)
        ax.plot(n, d["surprise_running_mean"], color=color, lw=1.2,
                label=f"T = {t:g}: H = {h:.3f} bits")
    ax.set_xscale("log")
    ax.set_xlabel("tokens drawn")
    ax.set_ylabel("running mean of surprise  −log$_2$ p  [bits]")
    ax.set_title("Sampling at temperature: mean surprise → H(T)  (band: 95% interval)",
                 fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return _save(fig, path)


def _roc(score, positive):
    order = np.argsort(-score, kind="stable")
    y = positive[order]
    tpr = np.concatenate([[0.0], np.cumsum(y) / y.sum()])
    fpr = np.concatenate([[0.0], np.cumsum(~y) / (~y).sum()])
    return fpr, tpr


def confidence(ds, scores, path):
    """ROC curves of confidence scores (correctness; corpus vs shuffled) and ln Z histograms.

    ``scores`` maps score names to (variable, sign) as in the confidence task.
    """
    fig, axes = plt.subplots(2, 2, figsize=(11, 9.5))
    split = ds["position_split"].values
    corpus = split == "corpus"
    correct = ds["correct"].values.astype(bool)
    for ax, (mask, positive, title, var) in zip(axes[0], (
            (corpus, correct[corpus], "top-1 correct vs wrong (corpus positions)",
             "auroc_correct"),
            (np.ones_like(corpus), corpus, "corpus vs shuffled tokens", "auroc_ood"))):
        for name, (feature, sign) in scores.items():
            fpr, tpr = _roc(sign * ds[feature].values[mask], positive)
            a = float(ds[var].sel(score=name))
            e = float(ds[var + "_err"].sel(score=name))
            ax.plot(fpr, tpr, lw=1.5, label=f"{name}: AUROC {a:.3f} ± {e:.3f}")
        ax.plot([0, 1], [0, 1], color="0.6", ls=":", lw=1)
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
        ax.grid(alpha=0.3)
    log_z = ds["log_z"].values
    bins = np.linspace(np.percentile(log_z, 0.5), np.percentile(log_z, 99.5), 50)
    ax = axes[1, 0]
    ax.hist(log_z[corpus & correct], bins=bins, alpha=0.6, density=True, label="top-1 correct")
    ax.hist(log_z[corpus & ~correct], bins=bins, alpha=0.6, density=True, label="top-1 wrong")
    ax.set_title("ln Z at T = 1, corpus positions", fontsize=10)
    ax = axes[1, 1]
    ax.hist(log_z[corpus], bins=bins, alpha=0.6, density=True, label="corpus")
    ax.hist(log_z[~corpus], bins=bins, alpha=0.6, density=True, label="shuffled tokens")
    ax.set_title("ln Z at T = 1, corpus vs shuffled", fontsize=10)
    for ax in axes[1]:
        ax.set_xlabel("ln Z = logsumexp(logits)")
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(ds.attrs.get("title", ""))
    fig.tight_layout()
    return _save(fig, path)


def annealing_run(ds, path):
    """Energy trajectories of the reads (median and range) with the schedule's temperature."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if "energy_trajectory" in ds:
        e = ds["energy_trajectory"].values
        x = ds["sweep"].values
        ax.fill_between(x, e.min(0), e.max(0), alpha=0.25, color="tab:blue", lw=0,
                        label="reads: min-max")
        ax.plot(x, np.median(e, axis=0), color="tab:blue", lw=1.5, label="reads: median")
    ax.set_xlabel("sweep")
    ax.set_ylabel("energy")
    ax.set_xscale("log")
    ax.grid(alpha=0.3, which="both")
    twin = ax.twinx()
    t = ds["schedule_temperature"].values
    steps = (np.arange(t.size) + 1) * int(ds.attrs.get("sweeps_per_step", 1))
    twin.plot(steps, t, color="tab:red", lw=1, ls="--", label="temperature")
    twin.set_ylabel("temperature", color="tab:red")
    twin.set_yscale("log")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(ds.attrs.get("title", ""), fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


def hajek_threshold(ds, path):
    """P(global minimum) and its complement against steps, exact lines and Monte Carlo points."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    colors = plt.cm.tab10.colors[:ds.sizes["c_ratio"]]
    step = ds["step"].values
    mc = ds["mc_step"].values
    for color, r in zip(colors, ds["c_ratio"].values):
        d = ds.sel(c_ratio=r)
        p = d["p_global_exact"].values
        label = f"c/d* = {r:g}"
        axes[0].plot(step[1:], p[1:], color=color, lw=1.6, label=f"{label} exact")
        axes[1].plot(step[1:], 1 - p[1:], color=color, lw=1.6, label=label)
        pm = d["p_global_mc"].values
        sel = mc > 0
        err = np.maximum(0.0, [pm[sel] - d["p_global_mc_lo"].values[sel],
                               d["p_global_mc_hi"].values[sel] - pm[sel]])
        axes[0].errorbar(mc[sel], pm[sel], yerr=err,
                         fmt="o", ms=3, color=color, lw=0.8, capsize=1.5)
        axes[1].plot(mc[sel], 1 - pm[sel], "o", ms=3, color=color)
    axes[0].set_ylabel("P(walker in the global minimum)")
    axes[1].set_ylabel("failure probability 1 − P")
    axes[1].set_yscale("log")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("step k  (T_k = c / ln(k + k0))")
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=8, title="lines: exact chain; points: Monte Carlo (95% CI)",
                   title_fontsize=8)
    fig.suptitle(ds.attrs.get("title", ""))
    fig.tight_layout()
    return _save(fig, path)


def tsp_annealing(ds, path):
    """Tour length over the optimum against sweeps per read, per instance and schedule."""
    names = ds["instance"].values
    fig, axes = plt.subplots(1, names.size, figsize=(4.6 * names.size, 4.2), sharey=True)
    axes = np.atleast_1d(axes)
    colors = dict(zip(ds["schedule"].values, plt.cm.tab10.colors))
    x = ds["sweeps"].values
    for ax, name in zip(axes, names):
        d = ds.sel(instance=name)
        for kind in d["schedule"].values:
            e = 100 * d["excess"].sel(schedule=kind).values
            ax.fill_between(x, e.min(-1), e.max(-1), color=colors[kind], alpha=0.15, lw=0)
            ax.plot(x, np.median(e, -1), "o-", color=colors[kind], ms=3.5, label=kind)
        ax.axhline(2.0, color="k", ls=":", lw=1, label="2% above optimum")
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_title(f"{name} (optimum {float(d.optimum):.0f})", fontsize=10)
        ax.set_xlabel("sweeps per read (n moves each)")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("best tour length above optimum  [%]  (median, min-max)")
    axes[0].legend(fontsize=8)
    fig.suptitle(ds.attrs.get("title", ""))
    fig.tight_layout()
    return _save(fig, path)


def tsp_tours(ds, path):
    """The best tour found for each instance."""
    names = ds["instance"].values
    fig, axes = plt.subplots(1, names.size, figsize=(4.4 * names.size, 4.4))
    for ax, name in zip(np.atleast_1d(axes), names):
        d = ds.sel(instance=name)
        ok = d["best_tour"].values >= 0
        x, y = d["city_x"].values[ok], d["city_y"].values[ok]
        length = float(d["best_length"].min())
        ax.plot(np.append(x, x[0]), np.append(y, y[0]), "-", color="tab:blue", lw=1)
        ax.plot(x, y, "o", color="k", ms=3)
        ax.set_title(f"{name}: {length:.0f} (optimum {float(d.optimum):.0f})", fontsize=10)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return _save(fig, path)


def spin_glass_annealing(ds, path):
    """Residual energy per spin against sweeps per schedule family, one panel per problem."""
    labels = ds["problem"].values
    fig, axes = plt.subplots(1, labels.size, figsize=(6 * labels.size, 4.5))
    axes = np.atleast_1d(axes)
    colors = dict(zip(ds["schedule"].values, plt.cm.tab10.colors))
    for ax, label in zip(axes, labels):
        d = ds.sel(problem=label)
        for kind in d["schedule"].values:
            r = d.sel(schedule=kind)
            ax.errorbar(r["sweeps"], r["residual_energy_per_spin"],
                        yerr=r["residual_energy_per_spin_err"], fmt="o-", ms=4, capsize=2,
                        color=colors[kind], label=kind)
        ref = d["reference_energy_per_spin"].values
        ax.set_title(f"{label}: E_ref/N = {ref.mean():.4f} (mean of {ref.size} instances)",
                     fontsize=10)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("sweeps per read")
        ax.set_ylabel("residual energy per spin  (E − E_ref)/N  [J]")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle(ds.attrs.get("title", ""))
    fig.tight_layout()
    return _save(fig, path)


def encoder_learning(ds, path):
    """Fraction of runs solved against learning cycles, per encoder."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for name, color in zip(ds["encoder"].values, plt.cm.tab10.colors):
        c = ds["cycles"].sel(encoder=name).values
        c = c[c >= -1]
        solved = np.sort(c[c > 0])
        limit = float(ds["max_cycles"].sel(encoder=name))
        x = np.concatenate([[1], solved, [limit]])
        y = np.concatenate([[0], np.arange(1, solved.size + 1), [solved.size]]) / c.size
        ax.step(x, y, where="post", color=color, lw=1.6,
                label=f"{name}: {solved.size}/{c.size} solved, median "
                      f"{float(ds.median_cycles.sel(encoder=name)):.0f}")
    ax.axvline(110, color="0.5", ls=":", lw=1, label="1985 median, 4-2-4 (110)")
    ax.set_xscale("log")
    ax.set_xlim(1, float(ds["max_cycles"].max()))
    ax.set_xlabel("learning cycles")
    ax.set_ylabel("fraction of runs solved")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(ds.attrs.get("title", ""), fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def rbm_digits(ds, path):
    """C/N and S/N of the trained RBM against temperature, with errors."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    t = ds["temperature"].values
    for ax, name, label in ((axes[0], "specific_heat", "specific heat per unit C/N"),
                            (axes[1], "entropy", "entropy per unit S/N [nats]")):
        err = ds[name + "_err"].values
        if name == "entropy":
            err = np.hypot(err, ds["entropy_quadrature_err"].values)
            ax.axhline(np.log(2), color="0.6", ls=":", lw=1, label="ln 2 (T = ∞)")
        ax.errorbar(t, ds[name].values, yerr=err, fmt="o-", ms=3.5, capsize=2,
                    label=f"{ds.attrs.get('n_hidden', '')} hidden units, Monte Carlo")
        if "small_" + name in ds:
            ax.plot(t, ds["small_" + name].values, "k--", lw=1.2,
                    label=f"{ds.attrs.get('n_hidden_exact', '')} hidden units, exact")
        if "lowest_mixed_temperature" in ds.attrs:
            ax.axvspan(t.min(), ds.attrs["lowest_mixed_temperature"], color="0.9",
                       label="Gibbs chains not mixed (R̂ > 1.02)")
        ax.set_xscale("log")
        ax.set_xlabel("temperature T (weights / T)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=8)
    d = ds.sel(model="simlab")
    fig.suptitle(f"{ds.attrs.get('title', '')}\nsimlab RBM: test log-likelihood "
                 f"{float(d.log_likelihood.sel(split='test')):.2f} nats (AIS), pseudo-likelihood "
                 f"{float(d.pseudo_likelihood.sel(split='test')):.2f}", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def hopfield_capacity(ds, path):
    """Overlap vs load with the RS theory; mean overlap in the (alpha, T) plane."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    a = ds["load"].values
    m = ds["overlap"].values.reshape(a.size, -1)
    ax = axes[0]
    ax.fill_between(a, np.nanquantile(m, 0.1, 1), np.nanquantile(m, 0.9, 1), alpha=0.25,
                    color="tab:blue", lw=0, label="simulation 10-90%")
    ax.plot(a, np.nanmean(m, 1), "o-", color="tab:blue", ms=4,
            label=f"simulation mean, N = {ds.attrs['n_units']}")
    ax.plot(a, ds["overlap_theory"], "k--", lw=1.2, label="replica-symmetric theory")
    ax.axvline(ds.attrs["alpha_c_theory"], color="r", ls=":", lw=1,
               label=f"α_c = {ds.attrs['alpha_c_theory']:.3f}")
    ax.set_xlabel("load α = P / N")
    ax.set_ylabel("overlap with the stored pattern (T = 0)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[1]
    image = ax.pcolormesh(ds["phase_load"], ds["phase_temperature"], ds["phase_overlap"],
                          shading="nearest", cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, label="mean overlap")
    ax.plot(ds["critical_load_theory"], ds["theory_temperature"], "w-", lw=2,
            label="RS theory: retrieval exists left of the line")
    ax.set_xlim(ds["phase_load"].min() - 0.01, ds["phase_load"].max() + 0.01)
    ax.set_xlabel("load α = P / N")
    ax.set_ylabel("temperature T")
    ax.legend(fontsize=8, loc="upper right")
    fig.suptitle(ds.attrs.get("title", ""))
    fig.tight_layout()
    return _save(fig, path)


def three_way(ds, path):
    """Normalised S and C of the Ising lattice, the RBM and token distributions vs T/T_peak."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    x = ds["rescaled_temperature"].values
    curves = (
        ("2D Ising, L = 32 (exact)", x, ds["ising_entropy"].values / np.log(2),
         ds["ising_specific_heat"].values / np.nanmax(ds["ising_specific_heat"].values), None,
         None),
        (f"tokens, median of {ds.attrs['token_positions']} positions (exact)", x,
         ds["token_entropy"].values / float(ds["token_entropy_max"]),
         ds["token_specific_heat"].values / np.nanmax(ds["token_specific_heat"].values), None,
         None),
        (f"digits RBM, 64 + {ds.attrs.get('rbm_hidden_units', '')} units (exact)", x,
         ds["rbm_entropy"].values / np.log(2),
         ds["rbm_specific_heat"].values / np.nanmax(ds["rbm_specific_heat"].values), None,
         None),
    )
    for (label, xs, s, c, _, _), color in zip(curves, ("tab:orange", "tab:blue", "tab:green")):
        axes[0].plot(xs, s, color=color, lw=1.8, label=label)
        axes[1].plot(xs, c, color=color, lw=1.8, label=label)
    axes[0].set_ylabel("S / S(T = ∞)")
    axes[1].set_ylabel("C / C(T_peak)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("T / T_peak")
        ax.axvline(1, color="0.6", ls=":", lw=1)
        ax.grid(alpha=0.3, which="both")
        ax.set_xlim(0.05, 20)
    axes[0].legend(fontsize=8)
    fig.suptitle(ds.attrs.get("title", ""))
    fig.tight_layout()
    return _save(fig, path)
