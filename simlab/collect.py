"""Merge the results of a sweep folder into one Dataset along the swept keys.

A job folder is any folder holding ``.hydra/overrides.yaml``. The swept keys are the override
keys whose values differ between jobs. A key that a task maps to an existing dimension (the
dataset attribute ``config_dims``, e.g. ``model.size:size``) merges along that dimension; any
other swept key becomes a new dimension named after the key, with the override values
(parsed as YAML, so numbers stay numbers) as its coordinate.

Jobs without a complete result (missing, failed, truncated) are reported by their overrides,
and the merge is refused unless ``allow_missing``. Jobs whose configs differ in a key that was
not swept are refused, naming the keys.
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


def _label(over):
    return " ".join(f"{k}={v}" for k, v in over.items()) or "(no overrides)"


def scan(directory):
    """Jobs of a sweep: (job dirs, overrides, swept keys, result paths, problems)."""
    from simlab.jobs import read_status

    jobs = job_dirs(directory)
    overrides = [_overrides(j) for j in jobs]
    keys = sorted({k for o in overrides for k in o})
    swept = [k for k in keys if len({o.get(k) for o in overrides}) > 1]
    paths, problems = [], []
    for job, over in zip(jobs, overrides):
        path = job / _results_name(job)
        status = read_status(job) or {}
        if status.get("status") == "failed":
            problems.append(f"{_label(over)}: failed ({status.get('error', 'no message')})")
            paths.append(None)
        elif not path.is_file():
            problems.append(f"{_label(over)}: missing (no {path.name}; killed or not run)")
            paths.append(None)
        else:
            paths.append(path)
    return jobs, overrides, swept, paths, problems


def collect(directory, allow_missing=False):
    """Merge every job's results under ``directory`` into one Dataset.

    Returns
    -------
    (xarray.Dataset, str)
        The merged Dataset (attributes ``swept_keys``, ``jobs`` and ``missing_jobs``) and a
        report.

    Raises
    ------
    DataError
        Jobs without a readable result (unless ``allow_missing``), or configs that differ in
        keys that were not swept (naming them).
    """
    from simlab.jobs import config_differences

    jobs, overrides, swept, paths, problems = scan(directory)
    datasets, labels, first_config = [], [], None
    for job, over, path in zip(jobs, overrides, paths):
        if path is None:
            continue
        try:
            ds = results.load(path)
        except DataError as exc:
            problems.append(f"{_label(over)}: unreadable ({exc})")
            continue
        if first_config is None:
            first_config = (ds.attrs["config"], _label(over))
        else:
            diff = [k for k in config_differences(first_config[0], ds.attrs["config"])
                    if k not in swept]
            if diff:
                raise DataError(
                    f"{directory}: jobs '{first_config[1]}' and '{_label(over)}' differ in "
                    f"config keys that were not swept: {', '.join(diff)}; refusing to merge")
        dims = _config_dims(ds)
        new = {k: [yaml.safe_load(over[k])] for k in swept if k not in dims and k in over}
        if new:
            ds = ds.expand_dims(new)
            for k in new:
                ds[k].attrs.update(long_name=f"swept config key {k}", units="1")
        datasets.append(ds)
        labels.append(_label(over))
    if problems and not allow_missing:
        raise DataError(f"{len(problems)} of {len(jobs)} jobs have no complete result "
                        "(re-run the sweep, or pass --allow-missing): " + "; ".join(problems))
    if not datasets:
        raise DataError(f"{directory}: no job has a complete result")
    # "minimal": variables without a merged dimension (e.g. Onsager curves) are not broadcast.
    merged = xr.combine_by_coords(datasets, data_vars="minimal", compat="no_conflicts",
                                  join="outer", combine_attrs="drop_conflicts")
    for key in ("config", "seed", "simlab_version", "title"):
        if key in datasets[0].attrs:
            merged.attrs[key] = datasets[0].attrs[key]
    merged.attrs["swept_keys"] = ",".join(swept)
    merged.attrs["jobs"] = "\n".join(labels)
    merged.attrs["missing_jobs"] = "\n".join(problems)
    report = (f"merged {len(datasets)} of {len(jobs)} jobs along "
              f"{', '.join(swept) or 'no swept key'}"
              + (f"; left out {len(problems)}:\n  " + "\n  ".join(problems) if problems else ""))
    return merged, report


def collect_to_file(directory, output=None, allow_missing=False):
    """:func:`collect` and save atomically to ``output`` (default ``directory/merged.nc``).

    Returns
    -------
    (Path, str)
        The written file and the report.
    """
    merged, report = collect(directory, allow_missing)
    path = results.save(merged, Path(output) if output else Path(directory) / "merged.nc")
    return path, report


def open_sweep(directory, chunks=None):
    """Open a sweep larger than memory lazily with dask (``pip install "simlab[dask]"``).

    Every complete job file is opened with ``xarray.open_mfdataset``; swept keys become
    dimensions as in :func:`collect`. Nothing is loaded until computed.

    Parameters
    ----------
    chunks : dict, optional
        dask chunks per dimension (default: one chunk per file).
    """
    import importlib.util

    if importlib.util.find_spec("dask") is None:
        raise DataError('open_sweep needs dask: pip install "simlab[dask]"')
    jobs, overrides, swept, paths, problems = scan(directory)
    by_path = {str(p.resolve()): o for p, o in zip(paths, overrides) if p is not None}
    if not by_path:
        raise DataError(f"{directory}: no job has a complete result")

    def add_swept_dims(ds):
        over = by_path[str(Path(ds.encoding["source"]).resolve())]
        dims = _config_dims(ds)
        new = {k: [yaml.safe_load(over[k])] for k in swept if k not in dims and k in over}
        return ds.expand_dims(new) if new else ds

    merged = xr.open_mfdataset(sorted(by_path), engine=results.ENGINE, preprocess=add_swept_dims,
                               combine="by_coords", data_vars="minimal", coords="minimal",
                               compat="override", chunks=chunks or {})
    merged.attrs["swept_keys"] = ",".join(swept)
    merged.attrs["missing_jobs"] = "\n".join(problems)
    return merged


__all__ = ["collect", "collect_to_file", "job_dirs", "open_sweep", "scan"]
