"""Generated text as a task input: where it comes from, how it is tagged, what is measured.

Shared by the tasks that generate text under thermodynamic controls
(``llm_phase_transition``, ``thermostat_generation``):

- :class:`GenerationSource` (the ``generation`` section): the live model, or a bundle of
  sequences that a live run of the same task saved (its results file);
- :class:`TextAnalysis` (the ``text`` section): the tagger, the unit (token or word), the
  lengths N of tau(N), the largest lag of C(dt), the n of the repetition rate and the number
  of bootstrap resamples;
- :func:`generated_text` returns the raw per-step variables (token ids, word classes and the
  thermodynamics of each sampled distribution) along the task's control dimension, and
  :func:`analyse` the observables of :mod:`simlab.llm.correlations` with bootstrap errors.

The analysis reads only the raw variables, so analysing a bundle repeats, number for number,
the analysis of the live run that wrote it.
"""

import logging
import os
import shutil
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import numpy as np
import xarray as xr

from simlab import results
from simlab.errors import ConfigError, DataError
from simlab.llm import correlations as corr
from simlab.llm import wordclasses
from simlab.llm.sources import (
    check_device,
    check_live,
    check_model_folder,
    device_setting,
    dtype_setting,
    live_available,
    memory_setting,
    model_setting,
)
from simlab.schema import setting

log = logging.getLogger(__name__)

SOURCES = ("auto", "live", "bundle")
UNITS = ("token", "word")

#: Raw variables (what a bundle holds), along (control dim, sequence, step or word).
RAW_META = {
    "token_id": ("drawn token", "1"),
    "token_class": ("word class of the drawn token (index into class_name)", "1"),
    "word_class": ("word class of each word of the decoded text, -1 past its end", "1"),
    "sampling_temperature": ("temperature the token was drawn at", "logit"),
    "entropy": ("entropy of the distribution the token was drawn from", "nats"),
    "specific_heat": ("specific heat C = Var(E)/T^2 of the distribution drawn from", "1"),
    "log_prob": ("log-probability of the drawn token under the model at T = 1", "nats"),
    "example_text": ("beginning of the first generated sequences", "1"),
}

#: Observables added by :func:`analyse`.
ANALYSIS_META = {
    "tau": ("integrated correlation tau_aa(N) = N Var(m_a(N)) of class fractions", "1"),
    "tau_err": ("bootstrap standard deviation of tau", "1"),
    "tau_total": ("sum over classes of tau_aa(N)", "1"),
    "tau_total_err": ("bootstrap standard deviation of tau_total", "1"),
    "growth_exponent": ("slope of ln tau_total against ln N (1: frozen, 0: fast decay)", "1"),
    "growth_exponent_err": ("bootstrap standard deviation of the growth exponent", "1"),
    "correlation": ("C(dt) = sum_a C_aa(t, t + dt), averaged over t", "1"),
    "correlation_by_class": ("C_aa(t, t + dt) averaged over t", "1"),
    "power_exponent": ("alpha of the power-law fit C(dt) ~ dt^-alpha", "1"),
    "correlation_length": ("xi of the exponential fit C(dt) ~ exp(-dt / xi)", "steps"),
    "power_rss": ("residual sum of squares of ln C, power-law fit", "1"),
    "exponential_rss": ("residual sum of squares of ln C, exponential fit", "1"),
    "better_fit": ("the fit with the smaller residual", "1"),
    "fit_points": ("lags with C > 0 used by the fits", "1"),
    "class_frequency": ("fraction of units in each class", "1"),
    "repetition_rate": ("fraction of token n-grams seen earlier in the same sequence", "1"),
    "repetition_rate_err": ("standard error over sequences", "1"),
    "perplexity": ("exp(-mean log p) of the text under the model at T = 1", "tokens"),
    "perplexity_err": ("standard error over sequences (delta method)", "tokens"),
    "mean_entropy": ("mean entropy of the sampled distributions", "nats"),
    "mean_entropy_err": ("standard error over sequences", "nats"),
    "mean_specific_heat": ("mean specific heat of the sampled distributions", "1"),
    "mean_specific_heat_err": ("standard error over sequences", "1"),
    "fisher_information": ("mean C/T^2 = Fisher information in T of the sampled "
                           "distributions (steps with 0 < T < inf)", "1/logit^2"),
    "fisher_information_err": ("standard error over sequences", "1/logit^2"),
    "mean_sampling_temperature": ("mean temperature of the steps (finite ones)", "logit"),
    "extreme_temperature_fraction": ("fraction of steps drawn at T = 0 or T = inf", "1"),
    "entropy_by_step": ("entropy of the sampled distribution, mean over sequences", "nats"),
    "entropy_drift": ("mean entropy of the last quarter of the steps minus that of the second "
                      "quarter (slow approach to the stationary state)", "nats"),
    "entropy_drift_err": ("standard error over sequences", "nats"),
    "specific_heat_by_step": ("specific heat, mean over sequences", "1"),
    "temperature_by_step": ("sampling temperature, mean over sequences", "logit"),
    "class_name": ("Universal POS tag (spaCy's 17 and SPACE)", "1"),
    "control": ("how the temperature of each step was set (text form)", "1"),
    "length": ("number N of units whose class fractions are averaged", "1"),
    "dt": ("lag between two units", "1"),
    "sequence": ("generated sequence", "1"),
    "step": ("token position after the beginning of the sequence", "1"),
    "word": ("word position in the decoded text", "1"),
    "example": ("example sequence", "1"),
    "tokens_per_second": ("tokens generated per second of wall time (live run)", "1/s"),
    "generation_seconds": ("wall time of the generation (live run, resumed batches excluded)",
                           "s"),
}


@dataclass
class GenerationSource:
    """Where the generated sequences come from (the ``generation`` section)."""

    source: str = setting("auto", choices=SOURCES,
                          doc="auto: the model if the llm extra is installed, else the bundle")
    model: str = model_setting()
    sequences: int = setting(44, minimum=2, doc="sequences per temperature or control")
    steps: int = setting(512, minimum=2, doc="tokens per sequence")
    batch_size: int = setting(128, minimum=1, doc="most sequences per forward pass")
    memory_mb: float = memory_setting("one batch", "its logits, their copies and the "
                                      "key-value cache", "sequences")
    dtype: str = dtype_setting()
    device: str = device_setting()
    bundle: Optional[str] = setting(None, path="file",
                                    doc="a generated-text bundle (null: the task's shipped one)")
    resume: bool = setting(True, doc="keep finished batches in the cache folder and reuse them")
    export: Optional[str] = setting(None, doc="also copy the results file here (a bundle)")

    def check(self, key):
        if self.source != "bundle":
            check_device(self.device, key)
            check_model_folder(self.model, key)
        if self.source == "live":
            check_live(self.model, key)
        if self.export is not None and not self.export.endswith(".nc"):
            raise ConfigError(f"{key}.export", self.export, "a path ending in .nc")


def exports(params):
    """The task's ``exports``: ``generation.export`` if set."""
    return [params.generation.export] if params.generation.export else []


@dataclass
class TextAnalysis:
    """How generated text is classified and measured (the ``text`` section)."""

    tagger: str = setting("auto", choices=wordclasses.TAGGERS,
                          doc="auto: spaCy when the nlp extra is installed, else the rules")
    unit: str = setting("token", choices=UNITS,
                        doc="token: one class per generated token; word: per tagged word")
    lengths: Optional[List[int]] = setting(
        None, minimum=2, doc="lengths N of tau(N) (null: the powers of two from 16 up to "
                             "generation.steps)")
    dt_max: Optional[int] = setting(
        None, minimum=2, doc="largest lag of C(dt) (null: generation.steps / 2, at most 64)")
    repetition_n: int = setting(4, minimum=1, doc="n of the n-gram repetition rate")
    bootstrap: int = setting(200, minimum=2, doc="bootstrap resamples of the sequences")

    def check(self, key):
        if self.lengths is not None and sorted(set(self.lengths)) != list(self.lengths):
            raise ConfigError(f"{key}.lengths", self.lengths, "increasing distinct lengths")

    def for_steps(self, steps):
        """This section with ``lengths`` and ``dt_max`` that were left null derived from the
        sequences' length ``steps`` (:func:`derived_lengths`, :func:`derived_dt_max`)."""
        return dataclasses.replace(
            self, lengths=derived_lengths(steps) if self.lengths is None else self.lengths,
            dt_max=derived_dt_max(steps) if self.dt_max is None else self.dt_max)


def derived_lengths(steps):
    """The lengths N of tau(N) for sequences of ``steps`` tokens: the powers of two from 16
    up to ``steps`` (from 2 when fewer than two of those fit)."""
    lengths = [2 ** k for k in range(4, 64) if 2 ** k <= steps]
    return lengths if len(lengths) >= 2 else [2 ** k for k in range(1, 64) if 2 ** k <= steps]


def derived_dt_max(steps):
    """The largest lag of C(dt) for sequences of ``steps`` tokens: half of them, at most 64."""
    return max(1, min(64, steps // 2))


def check_lengths(generation, text, key="text"):
    """ConfigError unless the lengths and lags the user set fit in the generated sequences
    (those left null follow ``generation.steps``)."""
    if text.lengths is not None and text.lengths[-1] > generation.steps:
        raise ConfigError(f"{key}.lengths", text.lengths,
                          f"lengths up to generation.steps ({generation.steps}), or null to "
                          "follow it")
    if text.dt_max is not None and text.dt_max >= generation.steps:
        raise ConfigError(f"{key}.dt_max", text.dt_max,
                          f"an integer below generation.steps ({generation.steps}), or null "
                          "to follow it")


def cache_folder():
    """Where interrupted generations are kept: ``$SIMLAB_CACHE`` or ``~/.cache/simlab``."""
    root = os.environ.get("SIMLAB_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "simlab"
    return Path(root) / "generation"


def resolve_source(config):
    """"live" or "bundle" for ``config.source``, logging what ``auto`` chose."""
    if config.source != "auto":
        return config.source
    source = "live" if live_available(config.model) else "bundle"
    log.info("generation.source=auto: using the %s", "model" if source == "live" else
             "bundled sequences (install the llm extra to run the model)")
    return source


def token_pieces(lm):
    """The text of every token id of ``lm`` (special tokens as a line break): object (V,)."""
    pieces = np.array(lm.token_strings(range(max(lm.vocab_size, len(lm.tokenizer)))),
                      dtype=object)
    special = [i for i in getattr(lm.tokenizer, "all_special_ids", None) or []
               if i < pieces.size]
    pieces[special] = "\n"
    return pieces


def _pad(sequences, fill=-1):
    width = max(len(s) for s in sequences)
    out = np.full((len(sequences), width), fill, dtype=np.int8)
    for i, s in enumerate(sequences):
        out[i, :len(s)] = s
    return out


def live_text(controls, dim, labels, generation, text, seed, progress, examples=2,
              example_chars=400):
    """Generate, tag and return the raw Dataset (``dim`` x sequence x step / word).

    ``labels`` are the coordinate values of ``dim`` (one per control).
    """
    from simlab.llm import models
    from simlab.llm.generation import generate

    lm = models.load(generation.model, generation.dtype, generation.device)
    tagger = wordclasses.tagger(text.tagger)  # fails before the generation if not installed
    folder = cache_folder() if generation.resume else None
    out = generate(lm, controls, generation.sequences, generation.steps, seed,
                   generation.batch_size, progress, folder, generation.memory_mb)
    pieces = token_pieces(lm)
    ids = out.steps["token_id"]
    token_class = np.empty(ids.shape, dtype=np.int8)
    words = []
    for c in range(ids.shape[0]):
        by_token, by_word = wordclasses.token_classes([list(pieces[row]) for row in ids[c]],
                                                      tagger)
        token_class[c] = np.stack(by_token)
        words += by_word
    word_class = _pad(words).reshape(ids.shape[0], ids.shape[1], -1)
    example_text = np.array([["".join(pieces[ids[c, i]])[:example_chars]
                              for i in range(min(examples, ids.shape[1]))]
                             for c in range(ids.shape[0])], dtype=object)
    three = (dim, "sequence", "step")
    ds = xr.Dataset(
        {"token_id": (three, ids),
         "token_class": (three, token_class),
         "word_class": ((dim, "sequence", "word"), word_class),
         **{name: (three, out.steps[name]) for name in
            ("sampling_temperature", "entropy", "specific_heat", "log_prob")},
         "example_text": ((dim, "example"), example_text),
         "tokens_per_second": ((), out.tokens_per_second),
         "generation_seconds": ((), out.seconds)},
        coords={dim: labels, "sequence": np.arange(ids.shape[1]),
                "step": np.arange(ids.shape[2]), "word": np.arange(word_class.shape[-1]),
                "class_name": list(wordclasses.CLASSES)},
        attrs={"model": out.model, "model_revision": out.revision, **out.attributes,
               "tagger": tagger.name, "source": "live model"})
    if out.checkpoint is not None:
        ds.attrs["checkpoint"] = out.checkpoint
    return ds


def forget_checkpoint(ds):
    """Remove the finished generation's batches (once its analysis succeeded) and the
    ``checkpoint`` attribute; returns ``ds``."""
    folder = ds.attrs.pop("checkpoint", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    return ds


RAW = ("token_id", "token_class", "word_class", "sampling_temperature", "entropy",
       "specific_heat", "log_prob", "example_text", "tokens_per_second", "generation_seconds")


def bundle_text(path, dim, labels, generation, text, default_path, labels_key):
    """The raw Dataset of a bundle, checked against what the task asks for (``labels_key``:
    the config key that chose ``labels``)."""
    path = Path(path) if path else default_path
    ds = results.load(path)
    missing = ([d for d in (dim, "sequence", "step") if d not in ds.dims]
               + [v for v in ("token_id", "token_class") if v not in ds.variables]
               + [a for a in ("model", "model_revision", "tagger") if a not in ds.attrs])
    if missing:
        raise DataError(f"{path}: not a generated-text bundle (no {missing[0]!r})")
    if text.tagger != "auto" and not ds.attrs.get("tagger", "").startswith(
            "rules" if text.tagger == "rules" else "spacy"):
        raise ConfigError("text.tagger", text.tagger,
                          f"auto or the bundle's tagger ({ds.attrs.get('tagger')}): a bundle "
                          "holds classes, not text to tag again")
    have = [float(v) if isinstance(labels[0], float) else v for v in ds[dim].values]
    missing = [v for v in labels if v not in have]
    if missing:
        raise ConfigError(labels_key, missing, f"values the bundle {path.name} holds: {have}")
    if generation.sequences > ds.sizes["sequence"] or generation.steps > ds.sizes["step"]:
        raise ConfigError("generation.sequences", generation.sequences,
                          f"at most the bundle's {ds.sizes['sequence']} sequences of "
                          f"{ds.sizes['step']} steps (generation.steps={generation.steps})")
    if text.unit == "word" and generation.steps != ds.sizes["step"]:
        raise ConfigError("generation.steps", generation.steps,
                          f"the bundle's {ds.sizes['step']} with text.unit=word (its word "
                          "classes cover whole sequences)")
    raw = ds[[name for name in RAW if name in ds]].sel({dim: labels}).isel(
        sequence=slice(0, generation.sequences), step=slice(0, generation.steps))
    # the class names, as a live run has them (no raw variable runs along them)
    raw = raw.assign_coords(class_name=list(wordclasses.CLASSES))
    raw.attrs = {"model": ds.attrs["model"] + " [bundled sequences]",
                 "model_revision": ds.attrs["model_revision"], "tagger": ds.attrs["tagger"],
                 "source": f"bundle {path.name}"}
    return raw


def generated_text(controls, dim, labels, generation, text, seed, progress, default_bundle,
                   labels_key):
    """The raw Dataset, live or from the bundle as ``generation.source`` says."""
    if resolve_source(generation) == "live":
        return live_text(controls, dim, labels, generation, text, seed, progress)
    return bundle_text(generation.bundle, dim, labels, generation, text, default_bundle,
                       labels_key)


def _sequences(ds, unit):
    """Per control, the list of class sequences of the chosen unit."""
    if unit == "token":
        return [list(ds["token_class"].values[c].astype(np.int64))
                for c in range(ds["token_class"].shape[0])]
    out = []
    for rows in ds["word_class"].values:
        out.append([row[row >= 0].astype(np.int64) for row in rows])
    return out


def _sem(per_sequence):
    """(mean, standard error) over sequences of a (S,) array, ignoring NaN."""
    x = per_sequence[np.isfinite(per_sequence)]
    if x.size < 2:
        return (float(x.mean()) if x.size else np.nan), np.nan
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


def analyse(raw, dim, text, seed):
    """The observables of the raw Dataset (one value per element of ``dim``).

    Bootstrap resamples of control k use ``derive(seed, "bootstrap", label_k, r)``.

    Returns
    -------
    xarray.Dataset
        ``raw`` with the variables of :data:`ANALYSIS_META` added, and the bootstrap draws
        of the growth exponent as ``growth_exponent_draws`` (dims dim, resample) for
        estimators built on them.
    """
    n_classes = len(wordclasses.CLASSES)
    text = text.for_steps(raw.sizes["step"])
    lengths = list(text.lengths)
    classes = _sequences(raw, text.unit)
    labels = list(raw[dim].values)
    shortest = min(len(s) for seqs in classes for s in seqs)
    if text.unit == "word" and lengths[-1] > shortest:
        log.info("text.unit=word: tau(N) for N above %d uses only the sequences with at least N "
                 "words; C(dt) the first q words of the sequences with at least q, q the lower "
                 "quartile of their word counts", shortest)
    k = len(labels)
    tau = np.empty((k, len(lengths), n_classes))
    draws = np.empty((k, text.bootstrap, len(lengths), n_classes))
    corr_by_class = np.empty((k, text.dt_max, n_classes))
    fits, frequency = [], np.empty((k, n_classes))
    for c, seqs in enumerate(classes):
        key = (float(labels[c]) if np.issubdtype(type(labels[c]), np.number) else str(labels[c]),)
        tau[c], draws[c] = corr.bootstrap_tau(seqs, lengths, n_classes, text.bootstrap, seed, key)
        span = int(np.quantile([len(x) for x in seqs], 0.25, method="lower"))
        if span <= text.dt_max:
            raise ConfigError("text.dt_max", text.dt_max, f"a lag below {span}, the lower "
                              f"quartile of the sequences' {text.unit} counts at {labels[c]}")
        corr_by_class[c] = corr.correlation_function(seqs, text.dt_max, n_classes, span)
        fits.append(corr.fit_decay(np.arange(1, text.dt_max + 1), corr_by_class[c].sum(axis=1)))
        frequency[c] = np.bincount(np.concatenate(seqs), minlength=n_classes) / sum(
            len(s) for s in seqs)
    total_draws = draws.sum(axis=-1)
    growth_draws = np.array([[corr.growth_exponent(lengths, total_draws[c, r])
                              for r in range(text.bootstrap)] for c in range(k)])
    ds = raw.assign_coords(length=lengths, dt=np.arange(1, text.dt_max + 1),
                           resample=np.arange(text.bootstrap))
    ds["tau"] = ((dim, "length", "class_name"), tau)
    ds["tau_err"] = ((dim, "length", "class_name"), np.nanstd(draws, axis=1, ddof=1))
    ds["tau_total"] = ((dim, "length"), tau.sum(axis=-1))
    ds["tau_total_err"] = ((dim, "length"), np.nanstd(total_draws, axis=1, ddof=1))
    ds["growth_exponent_draws"] = ((dim, "resample"), growth_draws)
    ds["growth_exponent"] = (dim, [corr.growth_exponent(lengths, t) for t in tau.sum(axis=-1)])
    ds["growth_exponent_err"] = (dim, np.nanstd(growth_draws, axis=1, ddof=1))
    ds["correlation_by_class"] = ((dim, "dt", "class_name"), corr_by_class)
    ds["correlation"] = ((dim, "dt"), corr_by_class.sum(axis=-1))
    for name, field in (("power_exponent", "power_exponent"),
                        ("correlation_length", "correlation_length"),
                        ("power_rss", "power_rss"), ("exponential_rss", "exponential_rss"),
                        ("better_fit", "better"), ("fit_points", "points")):
        ds[name] = (dim, [f[field] for f in fits])
    ds["class_frequency"] = ((dim, "class_name"), frequency)
    per_sequence = _per_sequence(raw, text.repetition_n)
    for name, values in per_sequence.items():
        pairs = [_sem(v) for v in values]
        ds[name] = (dim, [p[0] for p in pairs])
        ds[f"{name}_err"] = (dim, [p[1] for p in pairs])
    mean_log_prob = per_sequence.pop("mean_log_prob")
    del ds["mean_log_prob"], ds["mean_log_prob_err"]
    pairs = [_sem(v) for v in mean_log_prob]
    ds["perplexity"] = (dim, [np.exp(-m) for m, _ in pairs])
    ds["perplexity_err"] = (dim, [np.exp(-m) * e for m, e in pairs])
    t = raw["sampling_temperature"].values.astype(np.float64)
    finite = np.isfinite(t) & (t > 0)
    ds["mean_sampling_temperature"] = (dim, np.nanmean(np.where(finite, t, np.nan), axis=(1, 2)))
    ds["extreme_temperature_fraction"] = (dim, 1.0 - finite.mean(axis=(1, 2)))
    for name, var in (("entropy_by_step", "entropy"), ("specific_heat_by_step", "specific_heat")):
        ds[name] = ((dim, "step"), raw[var].values.astype(np.float64).mean(axis=1))
    ds["temperature_by_step"] = ((dim, "step"), np.nanmean(np.where(finite, t, np.nan), axis=1))
    ds = results.annotate(ds, RAW_META | ANALYSIS_META | {
        "growth_exponent_draws": ("growth exponent of each bootstrap resample", "1"),
        "resample": ("bootstrap resample", "1")})
    if "example_text" in ds:
        ds["example_text"].attrs["report_view"] = "task"  # coloured by text_views
    ds["class_name"].attrs["symbol"] = "word class"  # the report's legends and controls
    return ds


def text_views(ds):
    """The report's generated examples, each word coloured by its class.

    The examples are tagged again with the run's tagger (spaCy when the run used it and it
    is installed, else simlab's rule tagger, which is what the caption says).
    """
    from simlab.render.plots import class_key, coloured_text
    from simlab.render.views import View, value_label

    if "example_text" not in ds or ds["example_text"].ndim != 2:
        return []
    used = str(ds.attrs.get("tagger", ""))
    kind = "spacy" if used.startswith("spacy") and wordclasses.spacy_available() else "rules"
    tag = wordclasses.tagger(kind)
    var = ds["example_text"]
    dim = var.dims[0]
    names = list(wordclasses.CLASSES)
    rows = []
    for k in range(ds.sizes[dim]):
        texts = [str(t) for t in var.values[k]]
        cells = "".join(
            "<p style='white-space:pre-wrap;overflow-wrap:anywhere;font-family:monospace;"
            f"font-size:0.85em;margin:0 0 0.5em 0'>{coloured_text(t, starts, classes, names)}"
            "</p>" for t, (starts, classes) in zip(texts, tag.spans(texts)))
        rows.append(f"<tr><th style='white-space:nowrap;vertical-align:top;padding-right:"
                    f"0.8em'>{dim} = {value_label(ds, dim, k)}</th><td>{cells}</td></tr>")
    html = (f"<h3>{var.attrs.get('long_name', 'generated text')}, coloured by word class</h3>"
            f"<p style='font-size:0.85em'>{class_key(names)}</p><table>{''.join(rows)}</table>")
    label = "simlab's rule tagger" if kind == "rules" else tag.name
    note = f"classes by {label}" + ("" if used.startswith(kind) else
                                    f" (the run's analysis used {used})")
    return [View("text", "examples", "Generated examples coloured by word class", "",
                 html=html, notes=[note, "hover a word for its class"])]


def _per_sequence(raw, n):
    """Per control, per-sequence values whose mean and standard error are reported."""
    t = raw["sampling_temperature"].values.astype(np.float64)
    finite = np.isfinite(t) & (t > 0)
    c = raw["specific_heat"].values.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        fisher = np.where(finite, c / np.where(finite, t, 1.0) ** 2, np.nan)
    entropy = raw["entropy"].values.astype(np.float64)
    quarter = entropy.shape[2] // 4
    drift = entropy[:, :, 3 * quarter:].mean(axis=2) - entropy[:, :, quarter:2 * quarter].mean(
        axis=2)
    return {
        "entropy_drift": list(drift),
        "repetition_rate": [corr.repetition_rate(ids, n) for ids in raw["token_id"].values],
        "mean_entropy": list(raw["entropy"].values.astype(np.float64).mean(axis=2)),
        "mean_specific_heat": list(c.mean(axis=2)),
        "fisher_information": list(np.nanmean(fisher, axis=2)),
        "mean_log_prob": list(raw["log_prob"].values.astype(np.float64).mean(axis=2)),
    }
