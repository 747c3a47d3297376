"""Merge the results of a Hydra multirun folder into one Dataset along the swept keys.

A job folder is any folder holding ``.hydra/overrides.yaml``. The swept keys are the override
keys whose values differ between jobs. A key that a task maps to an existing dimension (the
dataset attribute ``config_dims``, e.g. ``model.size:size``) merges along that dimension;
any other swept key becomes a new dimension named after the key, with the override values
(parsed as YAML, so numbers stay numbers) as its coordinate.
"""

from pathlib import Path

import xarray as xr
import yaml

from simlab import results
from simlab.errors import DataError


def _overrides(job_dir):
    """The job's overrides as {key: value}, from ``.hydra/overrides.yaml``."""
    items = yaml.safe_load((job_dir / ".hydra" / "overrides.yaml").read_text()) or []
    out = {}
    for item in items:
        key, _, value = str(item).partition("=")
        out[key.lstrip("+~")] = value
    return out


def _results_name(job_dir):
    cfg = yaml.safe_load((job_dir / ".hydra" / "config.yaml").read_text()) or {}
    return (cfg.get("output") or {}).get("results", "results.nc")


def job_dirs(directory):
    """Job folders under ``directory`` (sorted by path)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory")
    found = sorted(p.parent.parent for p in directory.rglob(".hydra/overrides.yaml"))
    if not found:
        raise DataError(f"{directory}: no Hydra job folders (no .hydra/overrides.yaml found)")
    return found


def _config_dims(ds):
    pairs = [p.split(":") for p in ds.attrs.get("config_dims", "").split(",") if p]
    return {key: dim for key, dim in pairs}


def collect(directory):
    """Merge every job's results under ``directory`` into one Dataset.

    Returns
    -------
    xarray.Dataset
        With attributes ``swept_keys`` and ``jobs`` (one line of overrides per merged job).

    Raises
    ------
    DataError
        If a job's results file is missing or unreadable (the message lists them).
    """
    jobs = job_dirs(directory)
    overrides = [_overrides(j) for j in jobs]
    keys = sorted({k for o in overrides for k in o})
    swept = [k for k in keys if len({o.get(k) for o in overrides}) > 1]
    datasets, problems = [], []
    for job, over in zip(jobs, overrides):
        path = job / _results_name(job)
        try:
            ds = results.load(path)
        except DataError as exc:
            problems.append(f"{job.name} ({' '.join(f'{k}={v}' for k, v in over.items())}): {exc}")
            continue
        dims = _config_dims(ds)
        new = {k: [yaml.safe_load(over[k])] for k in swept if k not in dims and k in over}
        if new:
            ds = ds.expand_dims(new)
            for k in new:
                ds[k].attrs.update(long_name=f"swept config key {k}", units="1")
        datasets.append(ds)
    if problems:
        raise DataError(f"{len(problems)} of {len(jobs)} jobs have no readable results: "
                        + "; ".join(problems))
    # "minimal": variables without a merged dimension (e.g. Onsager curves) are not broadcast.
    merged = xr.combine_by_coords(datasets, data_vars="minimal", combine_attrs="drop_conflicts")
    merged.attrs["config"] = datasets[0].attrs["config"]
    merged.attrs["seed"] = datasets[0].attrs["seed"]
    merged.attrs["simlab_version"] = datasets[0].attrs["simlab_version"]
    merged.attrs["swept_keys"] = ",".join(swept)
    merged.attrs["jobs"] = "\n".join(" ".join(f"{k}={v}" for k, v in o.items()) for o in overrides)
    return merged


def collect_to_file(directory, output=None):
    """:func:`collect` and save atomically to ``output`` (default ``directory/merged.nc``)."""
    merged = collect(directory)
    return results.save(merged, Path(output) if output else Path(directory) / "merged.nc")
