"""Recompute a saved Dataset from the config stored in it, and compare bit for bit."""

from pathlib import Path

import numpy as np

from simlab import results
from simlab.runs import claims
from simlab.runs.job import execute, quiet, warm_up
from simlab.runs.settings import load_settings


def rerun(path, output_dir=None):
    """Recompute a saved dataset from its stored config and compare.

    Parameters
    ----------
    path : path of a results file written by simlab
    output_dir : folder for the new run (default: ``<path>.rerun/`` beside the file),
        claimed like a run folder (:mod:`simlab.runs.claims`)

    Returns
    -------
    (Path, list of str)
        The new results file and the differences found (empty: identical values).
    """
    original = results.load(path)
    settings = quiet(load_settings(original.attrs["config"]))
    out = Path(output_dir) if output_dir else Path(str(path) + ".rerun")
    claim = claims.claim(out)  # a second rerun into the same folder is refused
    try:
        warm_up(settings)
        execute(settings, out)
    finally:
        claim.release()
    new_path = out / settings.shared.output.results
    return new_path, dataset_differences(original, results.load(new_path))


def dataset_differences(a, b):
    """Names of variables and coordinates whose values differ (attributes ignored).

    Timings (:func:`simlab.results.is_timing`) measure the machine, not the model, and are
    left out of the comparison.
    """
    diffs = []
    for name in sorted(set(a.variables) | set(b.variables)):
        if name not in a.variables or name not in b.variables:
            diffs.append(f"{name}: only in one dataset")
            continue
        if results.is_timing(a[name]):
            continue
        x, y = a[name].values, b[name].values
        if x.shape != y.shape:
            diffs.append(f"{name}: shape {x.shape} vs {y.shape}")
        elif x.dtype.kind in "fc":
            if not np.array_equal(x, y, equal_nan=True):
                diffs.append(f"{name}: values differ")
        elif not np.array_equal(x, y):
            diffs.append(f"{name}: values differ")
    return diffs
