"""Figure and report of the logpartition_confidence task, from its Dataset only."""

import numpy as np

from simlab.render.figures import new_figure, save, title


def _roc(score, positive):
    order = np.argsort(-score, kind="stable")
    y = positive[order]
    tpr = np.concatenate([[0.0], np.cumsum(y) / y.sum()])
    fpr = np.concatenate([[0.0], np.cumsum(~y) / (~y).sum()])
    return fpr, tpr


def confidence(ds, path):
    """ROC curves of the confidence scores (correctness; corpus vs shuffled) and ln Z
    histograms."""
    fig, axes = new_figure(2, 2, size=(11, 9.5))
    split = ds["position_split"].values
    corpus = split == "corpus"
    correct = ds["correct"].values.astype(bool)
    for ax, (mask, positive, heading, var) in zip(axes[0], (
            (corpus, correct[corpus], "top-1 correct vs wrong (corpus positions)",
             "auroc_correct"),
            (np.ones_like(corpus), corpus, "corpus vs shuffled tokens", "auroc_ood"))):
        for name in ds["score"].values:
            d = ds.sel(score=name)
            feature, sign = str(d["score_feature"].values), float(d["score_sign"])
            fpr, tpr = _roc(sign * ds[feature].values[mask], positive)
            ax.plot(fpr, tpr, lw=1.5, label=f"{name}: AUROC {float(d[var]):.3f} ± "
                                             f"{float(d[var + '_err']):.3f}")
        ax.plot([0, 1], [0, 1], color="0.6", ls=":", lw=1)
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.set_title(heading, fontsize=10)
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
    fig.suptitle(title(ds))
    fig.tight_layout()
    return save(fig, path)


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
