"""Is the log-partition function a confidence signal?

At T = 1, for every position: ln Z (the log-sum-exp of the logits; -F, the "energy score" of
Liu et al. 2020), the entropy S, the probability of the top token and the varentropy. Each is
scored as a confidence (ln Z, -S, p_max, -varentropy: larger = more confident) by its AUROC
(DeLong standard error) for two questions:

- correctness: is the model's top-1 token the actual next token? (corpus positions)
- out-of-distribution: is the context the corpus or the same tokens shuffled?
"""

from dataclasses import dataclass

import numpy as np
import xarray as xr

from simlab import results
from simlab.llm.analysis import TOKEN_META, batch_variables, warm_up
from simlab.llm.sources import LLMSource, open_source
from simlab.llm.spectra import SPLITS
from simlab.schema import section
from simlab.stats import auroc
from simlab.tasks import Figure, Task, register
from simlab.tasks.logpartition_confidence import figures

#: Confidence scores: name -> (variable at T = 1, sign making larger = more confident).
SCORES = {"log_z": ("log_z", 1.0), "neg_entropy": ("entropy", -1.0),
          "max_probability": ("max_probability", 1.0), "neg_varentropy": ("varentropy", -1.0)}
FEATURES = ("log_z", "entropy", "max_probability", "varentropy")


@dataclass
class ConfidenceConfig:
    """Sections of the logpartition_confidence task."""

    llm: LLMSource = section(LLMSource)


META = {
    **TOKEN_META,
    "split": ("corpus: text order; shuffled: the same tokens in random order", "1"),
    "position_split": ("split of the position", "1"),
    "score": ("confidence score (larger = more confident)", "1"),
    "score_feature": ("variable the score is computed from", "1"),
    "score_sign": ("sign that makes larger values more confident", "1"),
    "auroc_correct": ("AUROC of the score for top-1 correctness (corpus positions)", "1"),
    "auroc_ood": ("AUROC of the score for corpus vs shuffled context", "1"),
    "accuracy": ("top-1 accuracy", "1"),
}


def features(source, split):
    """Per-position features at T = 1 for one split, with correctness."""
    parts = [batch_variables(batch, np.array([1.0]), peaks=False)
             for batch, _ in source.batches(split)]
    out = {name: np.concatenate([p[name][:, 0] for p in parts]) for name in FEATURES}
    out["correct"] = np.concatenate([p["correct"] for p in parts])
    return out


def run(params, ctx):
    """Features, AUROCs and accuracies."""
    source = open_source(params.llm, ctx.seed, ctx.progress)
    per_split = {split: features(source, split) for split in SPLITS}
    data = {name: np.concatenate([per_split[s][name] for s in SPLITS])
            for name in per_split["corpus"]}
    split = np.concatenate([[s] * len(per_split[s]["correct"]) for s in SPLITS]).astype(object)
    corpus = split == "corpus"
    rows = {"auroc_correct": [], "auroc_correct_err": [], "auroc_ood": [], "auroc_ood_err": []}
    for feature, sign in SCORES.values():
        score = sign * data[feature]
        a, e = auroc(score[corpus], data["correct"][corpus].astype(bool))
        rows["auroc_correct"].append(a)
        rows["auroc_correct_err"].append(e)
        a, e = auroc(score, corpus)
        rows["auroc_ood"].append(a)
        rows["auroc_ood_err"].append(e)
    ds = xr.Dataset(
        {**{name: ("position", values) for name, values in data.items()},
         **{name: ("score", np.array(values)) for name, values in rows.items()},
         "accuracy": ("split", np.array([per_split[s]["correct"].mean() for s in SPLITS]))},
        coords={"position": np.arange(split.size), "split": list(SPLITS),
                "score": list(SCORES),
                "score_feature": ("score", [f for f, _ in SCORES.values()]),
                "score_sign": ("score", [s for _, s in SCORES.values()]),
                "position_split": ("position", split)})
    ds.attrs.update(title=f"Confidence signals of {source.name} at T = 1",
                    **source.model_attributes, corpus=source.corpus,
                    source="live model" if source.live else "bundled sample")
    return results.annotate(ds, META)


TASK = register(Task(
    name="logpartition_confidence",
    description="AUROC of ln Z, entropy, p_max and varentropy for correctness and shuffled text",
    config=ConfidenceConfig, run=run, warm_up=lambda params: warm_up(),
    figures=(Figure("confidence.png", figures.confidence),), report=figures.summary))
