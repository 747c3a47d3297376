"""Figures and report of the llm_vs_ising task, from its Dataset only."""

import numpy as np

from simlab.render.figures import colors, new_figure, quantile_band, save, title


def llm_vs_ising(ds, path):
    """S(T) and C(T) of token distributions (bands over positions) beside the Ising model.

    Top row: against raw T; middle row: against T / T_peak; bottom: histogram of T* and
    T* against the top-logit gap.
    """
    fig, axes = new_figure(3, 2, size=(12, 13))
    palette = colors("plasma", ds.sizes["size"], 0.15, 0.75)
    token_color = "tab:blue"
    s_max = ds["entropy_max"].values[:, None]
    for row, (xname, suffix, xlabel) in enumerate((
            ("temperature", "", "temperature T  [logit units; J/$k_B$ for Ising]"),
            ("rescaled_temperature", "_rescaled", "rescaled temperature  T / T$_{peak}$"))):
        x = ds[xname].values
        ax_c, ax_s = axes[row]
        quantile_band(ax_c, x, ds["specific_heat" + suffix].values, token_color, "tokens")
        quantile_band(ax_s, x, ds["entropy" + suffix].values / s_max, token_color, "tokens")
        for color, L in zip(palette, ds["size"].values):
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
    rel = {name: ds[f"peak_relation_{name}"] for name in ("pearson_r", "slope", "intercept")}
    ax.scatter(gap[good], t_star[good], s=6, alpha=0.4, color=token_color, label="positions")
    g = np.geomspace(gap[good].min(), gap[good].max(), 50)
    slope = float(rel["slope"].sel(spread_measure="gap"))
    ax.plot(g, np.exp(float(rel["intercept"].sel(spread_measure="gap"))) * g ** slope, "k-",
            lw=1.2, label=f"fit: slope {slope:.2f}, "
                          f"r = {float(rel['pearson_r'].sel(spread_measure='gap')):.2f}")
    ax.plot(g, g / 2.39936, "r--", lw=1, label="two-level system: T* = gap / 2.399")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(t_star[good].min() / 1.3, t_star[good].max() * 1.3)
    ax.set_title(f"r(ln T*, ln top-10 spread) = "
                 f"{float(rel['pearson_r'].sel(spread_measure='spread')):.2f}; "
                 f"r(ln T*, ln std of all logits) = "
                 f"{float(rel['pearson_r'].sel(spread_measure='std')):.2f}", fontsize=9)
    ax.set_xlabel("gap between the two largest logits  z$_1$ − z$_2$")
    ax.set_ylabel("T*")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.suptitle(title(ds), y=0.995)
    fig.tight_layout()
    return save(fig, path)


def surprise_convergence(ds, path):
    """Running mean of the sampled surprise against H(T) with its 95% band, per temperature."""
    fig, ax = new_figure(size=(7.5, 4.5))
    n = ds["step"].values
    palette = colors("viridis", ds.sizes["sample_temperature"], 0.0, 0.8)
    for color, t in zip(palette, ds["sample_temperature"].values):
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
    return save(fig, path)


def summary(ds):
    """A short text report of the comparison."""
    t_star = ds["peak_temperature"].values
    ok = np.isfinite(t_star)
    q = np.quantile(t_star[ok], [0.1, 0.5, 0.9])
    lines = [
        f"{ds.attrs['model']} ({ds.attrs['source']}), {ds.sizes['position']} positions of "
        f"{ds.attrs['corpus']}",
        f"top-1 accuracy: {ds['correct'].mean().item():.3f}",
        f"T* of C(T): median {q[1]:.3f}, 10-90% [{q[0]:.3f}, {q[2]:.3f}] "
        f"({(~ok).sum()} positions without an interior maximum)",
        f"C(T*): median {np.median(ds['peak_specific_heat'].values[ok]):.3f}",
        "Ising T_peak: " + ", ".join(
            f"L={L}: {t:.4f}" for L, t in zip(ds["size"].values,
                                              ds["ising_peak_temperature"].values)),
    ]
    for key in ds["spread_measure"].values:
        d = ds.sel(spread_measure=key)
        lines.append(
            f"ln T* vs ln({str(d['spread_variable'].values)}): r = "
            f"{float(d['peak_relation_pearson_r']):.3f}, Spearman "
            f"{float(d['peak_relation_spearman_rho']):.3f}, slope "
            f"{float(d['peak_relation_slope']):.3f} ± {float(d['peak_relation_slope_err']):.3f}"
            f" (n = {int(d['peak_relation_n'])})")
    return "\n".join(lines)
