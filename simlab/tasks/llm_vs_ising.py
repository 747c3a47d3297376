"""Token distributions of a language model beside the 2D Ising model.

One Dataset joins (a) the exact thermodynamics of the model's next-token distribution at each
corpus position (dims position, temperature), (b) Kaufman's exact per-spin Ising curves on
the same temperature grid (dims size, temperature), (c) both on the rescaled axis T / T_peak
(dim rescaled_temperature), (d) the relation of each position's T* to the spread of its top
logits, and (e) the running average of sampled surprise against H(T) for one position.
"""

import logging
import time

import numpy as np
from scipy import stats as scipy_stats

from simlab import config as config_schema
from simlab import plots
from simlab.exact import kaufman
from simlab.llm.analysis import TOKEN_META, batch_variables, token_dataset
from simlab.llm.sources import open_source
from simlab.thermo import logit_thermodynamics, sample_from_logits
from simlab.tasks._output import publish

log = logging.getLogger(__name__)

COMPARE_META = {
    **TOKEN_META,
    "ising_entropy": ("Ising entropy per spin S/N (Kaufman, exact)", "nats"),
    "ising_specific_heat": ("Ising specific heat per spin C/N (Kaufman, exact)", "1"),
    "ising_entropy_rescaled": ("Ising S/N at T = x T_peak(L)", "nats"),
    "ising_specific_heat_rescaled": ("Ising C/N at T = x T_peak(L)", "1"),
    "ising_peak_temperature": ("temperature of the maximum of the exact Ising C/N", "J/k_B"),
    "temperature": ("temperature T (logit units for tokens, J/k_B for the Ising model)", "1"),
    "surprise_running_mean": ("running mean of the sampled surprise -log2 p", "bits"),
    "surprise_entropy_bits": ("exact entropy H(T) of the sampled distribution", "bits"),
    "surprise_std_bits": ("exact standard deviation of the surprise", "bits"),
    "sample_temperature": ("temperature of the sampled distribution", "logit"),
    "step": ("number of tokens drawn", "1"),
}


#: Spread measures whose relation to T* is reported: attribute key -> variable.
RELATIONS = {"gap": "top_logit_gap", "spread": "top_logit_spread", "std": "logit_std"}


def ising_curves(sizes, temperatures, rescaled):
    """Exact Ising per-spin S and C on a T grid and on the T / T_peak grid, per size."""
    out = {k: [] for k in ("ising_entropy", "ising_specific_heat", "ising_entropy_rescaled",
                           "ising_specific_heat_rescaled", "ising_peak_temperature")}
    for L in sizes:
        t_peak, _ = kaufman.specific_heat_peak(L, L)
        exact = kaufman.kaufman(L, L, temperatures)
        scaled = kaufman.kaufman(L, L, rescaled * t_peak)
        out["ising_entropy"].append(exact["entropy"])
        out["ising_specific_heat"].append(np.maximum(exact["specific_heat"], 0.0))
        out["ising_entropy_rescaled"].append(scaled["entropy"])
        out["ising_specific_heat_rescaled"].append(np.maximum(scaled["specific_heat"], 0.0))
        out["ising_peak_temperature"].append(t_peak)
    dims = {"ising_peak_temperature": ("size",)}
    return {k: (dims.get(k, ("size", "rescaled_temperature" if k.endswith("_rescaled")
                              else "temperature")), np.array(v)) for k, v in out.items()}


def peak_relation(t_star, spread):
    """Correlation of ln T* with ln(spread) over positions where both are positive and finite."""
    ok = np.isfinite(t_star) & np.isfinite(spread) & (spread > 0) & (t_star > 0)
    x, y = np.log(spread[ok]), np.log(t_star[ok])
    fit = scipy_stats.linregress(x, y)
    return {"pearson_r": float(fit.rvalue), "spearman_rho": float(scipy_stats.spearmanr(x, y)[0]),
            "slope": float(fit.slope), "slope_err": float(fit.stderr),
            "intercept": float(fit.intercept), "n": int(ok.sum())}


def surprise_convergence(levels, temperatures, n_samples, seed):
    """Running mean of -log2 p of tokens drawn at each T, with the exact H(T) and std."""
    t = np.asarray(temperatures, dtype=np.float64)
    tokens = sample_from_logits(levels, t, n_samples, seed=seed)
    exact = logit_thermodynamics(levels, t)
    ln2 = np.log(2.0)
    running = []
    for j, tj in enumerate(t):
        surprise = -(np.asarray(levels, dtype=np.float64)[tokens[j]] / tj - exact["log_z"][j]) / ln2
        running.append(np.cumsum(surprise) / np.arange(1, n_samples + 1))
    return {
        "surprise_running_mean": (("sample_temperature", "step"), np.array(running)),
        "surprise_entropy_bits": ("sample_temperature", exact["entropy_bits"]),
        "surprise_std_bits": ("sample_temperature", np.sqrt(exact["varentropy"]) / ln2),
    }, {"sample_temperature": t, "step": np.arange(1, n_samples + 1)}


def warm_up(cfg):
    """Compile the spectrum kernels on tiny inputs."""
    from simlab.llm.analysis import warm_up as warm

    warm()


def run(cfg, output_dir):
    """Compute the comparison Dataset and figures; write them into ``output_dir``."""
    start = time.perf_counter()
    c = cfg.llm
    temps = config_schema.llm_temperature_grid(c)
    # The rescaled axis resolves the narrow Ising peaks with extra points around T / T_peak = 1.
    rescaled = np.unique(np.concatenate([temps, np.geomspace(0.7, 1.4, 41)]))
    source = open_source(c.source, model=c.model, corpus=c.corpus, positions=c.positions,
                         shuffled_positions=c.shuffled_positions, context=c.context,
                         stride=c.stride, batch_size=c.batch_size, seed=cfg.seed,
                         bundle=c.bundle, progress=cfg.output.progress)
    parts, tokens, next_tokens, example = [], [], [], None
    for batch, (tok, nxt) in source.batches("corpus"):
        variables = batch_variables(batch, temps, rescaled)
        parts.append(variables)
        tokens += tok
        next_tokens += nxt
        if example is None:  # first position with a non-trivial distribution at T = 1
            s1 = variables["entropy"][:, np.argmin(np.abs(temps - 1.0))]
            hits = np.flatnonzero((s1 > 1.0) & (s1 < 3.0))
            if hits.size:
                i = hits[0]
                example = (batch.levels[i], None if batch.degeneracy is None
                           else batch.degeneracy[i], len(tokens) - len(tok) + i)
    attrs = {"model": source.name, "model_revision": source.revision, "corpus": source.corpus,
             "source": "live model" if source.live else "bundled sample"}
    ds = token_dataset(parts, temps, rescaled, (tokens, next_tokens), attrs)
    ds = ds.assign_coords(size=np.array(list(c.ising_sizes)))
    for name, value in ising_curves(list(c.ising_sizes), temps, rescaled).items():
        ds[name] = value
    relations = {key: peak_relation(ds["peak_temperature"].values, ds[var].values)
                 for key, var in RELATIONS.items()}
    for key, rel in relations.items():
        for name, value in rel.items():
            ds.attrs[f"peak_vs_top_logit_{key}_{name}"] = value
    if example is not None and example[1] is None:
        variables, coords = surprise_convergence(example[0], list(c.surprise_temperatures),
                                                 c.surprise_samples, cfg.seed)
        ds = ds.assign_coords(coords)
        for name, value in variables.items():
            ds[name] = value
        ds.attrs["surprise_position"] = int(example[2])
    elif example is not None:
        log.info("bundled spectra are histograms: the surprise-sampling figure needs the live "
                 "model and is skipped")
    figures = [(plots.llm_vs_ising, "llm_vs_ising.png")]
    if "surprise_running_mean" in ds:
        figures.append((plots.surprise_convergence, "surprise.png"))
    return publish(ds, cfg, start, output_dir,
                   f"Next-token distributions of {source.name} vs the 2D Ising model",
                   COMPARE_META, figures, summary)


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
    for key in RELATIONS:
        a = ds.attrs
        lines.append(
            f"ln T* vs ln({RELATIONS[key]}): r = {a[f'peak_vs_top_logit_{key}_pearson_r']:.3f}, "
            f"Spearman {a[f'peak_vs_top_logit_{key}_spearman_rho']:.3f}, slope "
            f"{a[f'peak_vs_top_logit_{key}_slope']:.3f} ± {a[f'peak_vs_top_logit_{key}_slope_err']:.3f}"
            f" (n = {a[f'peak_vs_top_logit_{key}_n']})")
    return "\n".join(lines)
