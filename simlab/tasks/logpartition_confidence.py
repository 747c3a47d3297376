"""Is the log-partition function a confidence signal?

At T = 1, for every position: ln Z (the log-sum-exp of the logits; -F, the "energy score" of
Liu et al. 2020), the entropy S, the probability of the top token and the varentropy. Each is
scored as a confidence (ln Z, -S, p_max, -varentropy: larger = more confident) by its AUROC
(DeLong standard error) for two questions:

- correctness: is the model's top-1 token the actual next token? (corpus positions)
- out-of-distribution: is the context the corpus or the same tokens shuffled?
"""

import time

import numpy as np
import xarray as xr

from simlab import plots
from simlab.llm.analysis import TOKEN_META, batch_variables
from simlab.llm.sources import open_source
from simlab.llm.spectra import SPLITS
from simlab.stats import auroc
from simlab.tasks._output import publish

#: Confidence scores: (variable at T = 1, sign making larger = more confident).
SCORES = {"log_z": ("log_z", 1.0), "neg_entropy": ("entropy", -1.0),
          "max_probability": ("max_probability", 1.0), "neg_varentropy": ("varentropy", -1.0)}
FEATURES = ("log_z", "entropy", "max_probability", "varentropy")

META = {
    **TOKEN_META,
    "split": ("corpus: text order; shuffled: the same tokens in random order", "1"),
    "score": ("confidence score (larger = more confident)", "1"),
    "auroc_correct": ("AUROC of the score for top-1 correctness (corpus positions)", "1"),
    "auroc_ood": ("AUROC of the score for corpus vs shuffled context", "1"),
    "accuracy": ("top-1 accuracy", "1"),
}


def features(source, split):
    """Per-position features at T = 1 for one split, with correctness and token ids."""
    parts = [batch_variables(batch, np.array([1.0]), peaks=False)
             for batch, _ in source.batches(split)]
    out = {name: np.concatenate([p[name][:, 0] for p in parts]) for name in FEATURES}
    out["correct"] = np.concatenate([p["correct"] for p in parts])
    return out


def warm_up(cfg):
    """Compile the spectrum kernels on tiny inputs."""
    from simlab.llm.analysis import warm_up as warm

    warm()


def run(cfg, output_dir):
    """Compute features, AUROCs and the figure; write them into ``output_dir``."""
    start = time.perf_counter()
    c = cfg.llm
    source = open_source(c.source, model=c.model, corpus=c.corpus, positions=c.positions,
                         shuffled_positions=c.shuffled_positions, context=c.context,
                         stride=c.stride, batch_size=c.batch_size, seed=cfg.seed,
                         bundle=c.bundle, progress=cfg.output.progress)
    per_split = {split: features(source, split) for split in SPLITS}
    data = {name: np.concatenate([per_split[s][name] for s in SPLITS])
            for name in per_split["corpus"]}
    split = np.concatenate([[s] * len(per_split[s]["correct"]) for s in SPLITS]).astype(object)
    corpus = split == "corpus"
    rows = {"auroc_correct": [], "auroc_correct_err": [], "auroc_ood": [], "auroc_ood_err": []}
    for name, (feature, sign) in SCORES.items():
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
                "score": list(SCORES)})
    ds = ds.assign_coords(position_split=("position", split))
    ds["position_split"].attrs.update(long_name="split of the position", units="1")
    return publish(ds, cfg, start, output_dir, f"Confidence signals of {source.name} at T = 1",
                   META, [(lambda d, path: plots.confidence(d, SCORES, path), "confidence.png")],
                   summary, model=source.name, model_revision=source.revision,
                   corpus=source.corpus, temperature=1.0,
                   source="live model" if source.live else "bundled sample")


def summary(ds):
    """AUROC table."""
    lines = [f"{ds.attrs['model']} ({ds.attrs['source']}), T = 1; top-1 accuracy "
             f"{float(ds['accuracy'].sel(split='corpus')):.3f} (corpus), "
             f"{float(ds['accuracy'].sel(split='shuffled')):.3f} (shuffled)",
             f"{'score':>16}  {'AUROC correct':>16}  {'AUROC corpus vs shuffled':>26}"]
    for s in ds["score"].values:
        d = ds.sel(score=s)
        lines.append(f"{s:>16}  {float(d.auroc_correct):8.3f} ± {float(d.auroc_correct_err):.3f}"
                     f"  {float(d.auroc_ood):18.3f} ± {float(d.auroc_ood_err):.3f}")
    return "\n".join(lines)
