"""Token distributions of a language model beside the 2D Ising model.

One Dataset joins (a) the exact thermodynamics of the model's next-token distribution at each
corpus position (dims position, temperature), (b) Kaufman's exact per-spin Ising curves on
the same temperature grid (dims size, temperature), (c) both on the rescaled axis T / T_peak
(dim rescaled_temperature), (d) the relation of each position's T* to the spread of its top
logits (dim spread_measure), and (e) the running average of sampled surprise against H(T)
for one position.
"""

import logging
from dataclasses import dataclass
from typing import List

import numpy as np

from simlab import results
from simlab.exact import kaufman
from simlab.grids import TemperatureGrid
from simlab.llm import spectra
from simlab.llm.analysis import TOKEN_META, batch_variables, token_dataset, warm_up
from simlab.llm.sources import LLMSource, open_source
from simlab.samplers.tokens import sample_from_logits
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.llm_vs_ising import figures
from simlab.thermo import logit_thermodynamics

log = logging.getLogger(__name__)


@dataclass
class SurpriseSettings:
    """Tokens drawn at a few temperatures from one position's distribution."""

    samples: int = setting(20_000, minimum=1, doc="tokens drawn per temperature")
    temperatures: List[float] = setting(factory=lambda: [0.5, 1.0, 2.0], above=0.0,
                                        doc="sampling temperatures")


@dataclass
class IsingReference:
    """The Ising lattices drawn beside the tokens (Kaufman's exact curves)."""

    sizes: List[int] = setting(factory=lambda: [8, 16, 32], minimum=2, maximum=512,
                               doc="linear sizes L")


@dataclass
class LLMVsIsingConfig:
    """Sections of the llm_vs_ising task."""

    llm: LLMSource = section(LLMSource)
    temperature: TemperatureGrid = section(lambda: TemperatureGrid(
        min=0.05, max=20.0, num=128, spacing="log", include=[1.0]))
    surprise: SurpriseSettings = section(SurpriseSettings)
    ising: IsingReference = section(IsingReference)

    def check(self, key):
        self.temperature.check_positive("temperature")


#: Variables of :func:`simlab.llm.spectra.spectra_variables` the Dataset keeps.
SPECTRA_SHOWN = ("top_logits", "tail_start", "tail_counts", "bin_width", "ranked_token_id",
                 "ranked_token", "context")

COMPARE_META = {
    **TOKEN_META,
    **{k: v for k, v in spectra.BUNDLE_META.items() if k in SPECTRA_SHOWN},
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
    "surprise_position": ("position whose distribution was sampled", "1"),
    "step": ("number of tokens drawn", "1"),
    "spread_measure": ("measure of the spread of the logits", "1"),
    "spread_variable": ("variable holding the spread measure", "1"),
    "peak_relation_pearson_r": ("Pearson r of ln T* and ln(spread) over positions", "1"),
    "peak_relation_spearman_rho": ("Spearman rho of ln T* and ln(spread)", "1"),
    "peak_relation_slope": ("slope of ln T* against ln(spread)", "1"),
    "peak_relation_slope_err": ("standard error of the slope", "1"),
    "peak_relation_intercept": ("intercept of ln T* against ln(spread)", "1"),
    "peak_relation_n": ("positions in the fit", "1"),
}

#: Spread measures whose relation to T* is reported: coordinate value -> variable.
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
    from scipy import stats as scipy_stats

    ok = np.isfinite(t_star) & np.isfinite(spread) & (spread > 0) & (t_star > 0)
    x, y = np.log(spread[ok]), np.log(t_star[ok])
    fit = scipy_stats.linregress(x, y)
    return {"pearson_r": float(fit.rvalue), "spearman_rho": float(scipy_stats.spearmanr(x, y)[0]),
            "slope": float(fit.slope), "slope_err": float(fit.stderr),
            "intercept": float(fit.intercept), "n": int(ok.sum())}


def surprise_convergence(levels, temperatures, n_samples, seed):
    """Running mean of -log2 p of tokens drawn at each T, with the exact H(T) and std."""
    t = np.asarray(temperatures, dtype=np.float64)
    tokens = sample_from_logits(levels, t, n_samples, seed=seed).tokens
    exact = logit_thermodynamics(levels, t)
    ln2 = np.log(2.0)
    running = []
    for j, tj in enumerate(t):
        surprise = -(np.asarray(levels, dtype=np.float64)[tokens[j]] / tj
                     - exact["log_z"][j]) / ln2
        running.append(np.cumsum(surprise) / np.arange(1, n_samples + 1))
    return {
        "surprise_running_mean": (("sample_temperature", "step"), np.array(running)),
        "surprise_entropy_bits": ("sample_temperature", exact["entropy_bits"]),
        "surprise_std_bits": ("sample_temperature", np.sqrt(exact["varentropy"]) / ln2),
    }, {"sample_temperature": t, "step": np.arange(1, n_samples + 1)}


def run(params, ctx):
    """The comparison Dataset."""
    temps = params.temperature.values()
    # The rescaled axis resolves the narrow Ising peaks with extra points around T / T_peak = 1.
    rescaled = np.unique(np.concatenate([temps, np.geomspace(0.7, 1.4, 41)]))
    source = open_source(params.llm, ctx.seed, ctx.progress)
    parts, tokens, next_tokens, shown, example = [], [], [], [], None
    for batch, text in source.batches("corpus"):
        variables = batch_variables(batch, temps, rescaled)
        parts.append(variables)
        tokens += text.token
        next_tokens += text.next_token
        shown.append((batch.compact(), text))
        if example is None:  # first position with a non-trivial distribution at T = 1
            s1 = variables["entropy"][:, np.argmin(np.abs(temps - 1.0))]
            hits = np.flatnonzero((s1 > 1.0) & (s1 < 3.0))
            if hits.size:
                i = hits[0]
                example = (batch.levels[i], None if batch.degeneracy is None
                           else batch.degeneracy[i], len(tokens) - len(text.token) + i)
    attrs = {**source.model_attributes, "corpus": source.corpus,
             "source": "live model" if source.live else "bundled sample"}
    ds = token_dataset(parts, temps, rescaled, (tokens, next_tokens), attrs)
    # The compressed spectra themselves, for the report page's token view.
    for name, value in spectra.spectra_variables(shown).items():
        if name in SPECTRA_SHOWN:
            ds[name] = value
    ds = ds.assign_coords(size=np.array(params.ising.sizes))
    for name, value in ising_curves(params.ising.sizes, temps, rescaled).items():
        ds[name] = value
    relations = {key: peak_relation(ds["peak_temperature"].values, ds[var].values)
                 for key, var in RELATIONS.items()}
    ds = ds.assign_coords(spread_measure=list(RELATIONS),
                          spread_variable=("spread_measure", list(RELATIONS.values())))
    for stat in ("pearson_r", "spearman_rho", "slope", "slope_err", "intercept", "n"):
        ds[f"peak_relation_{stat}"] = ("spread_measure",
                                       np.array([relations[k][stat] for k in RELATIONS]))
    if example is not None and example[1] is None:
        variables, coords = surprise_convergence(example[0], params.surprise.temperatures,
                                                 params.surprise.samples, ctx.seed)
        ds = ds.assign_coords(coords)
        for name, value in variables.items():
            ds[name] = value
        ds["surprise_position"] = ((), int(example[2]))
    elif example is not None:
        log.info("bundled spectra are histograms: the surprise-sampling figure needs the live "
                 "model and is skipped")
    ds.attrs["title"] = f"Next-token distributions of {source.name} vs the 2D Ising model"
    ds = results.annotate(ds, COMPARE_META)
    # The report page draws the Ising C in the panels of the tokens' C.
    for name in ("specific_heat", "specific_heat_rescaled"):
        ds["ising_" + name].attrs["drawn_with"] = name
        ds["ising_" + name].attrs["short_name"] = "Ising C/N (exact)"  # its legend entries
    return ds


def report_views(ds):
    """The question of this task as a scatter: each position's T* against its top-logit gap
    (log-log), with the fitted power law ln T* = a + b ln(gap)."""
    from simlab.render.views import scatter

    if "peak_temperature" not in ds or "top_logit_gap" not in ds:
        return []
    k = list(RELATIONS).index("gap")
    slope, err, intercept = (float(ds[f"peak_relation_{s}"].values[k])
                             for s in ("slope", "slope_err", "intercept"))
    r = float(ds["peak_relation_pearson_r"].values[k])
    fit = (f"fit: T* = {np.exp(intercept):.3g} gap^{slope:.3g}",
           lambda g: np.exp(intercept) * g ** slope)
    return [scatter(ds, "top_logit_gap", "peak_temperature",
                    "Temperature of the C peak against the top-logit gap, per position",
                    note=f"ln T* against ln gap: slope {slope:.3g} ± {err:.2g}, Pearson r "
                         f"{r:.3f}", fit=fit)]


TASK = register(Task(
    name="llm_vs_ising",
    description="S(T), C(T) and T* of a language model's next-token distributions vs Ising",
    config=LLMVsIsingConfig, run=run, warm_up=lambda params: warm_up(),
    figures=(Figure("llm_vs_ising.png", figures.llm_vs_ising),
             Figure("surprise.png", figures.surprise_convergence,
                    when=lambda ds: "surprise_running_mean" in ds)),
    report=figures.summary, compress=True, report_views=report_views))
