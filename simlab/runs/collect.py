"""Merge the results of a sweep folder into one Dataset along the swept keys.

A key that a task maps to a dimension (the dataset attribute ``config_dims``, e.g.
``model.size:size``, from the task's ``dims``) merges along that dimension, which is created
when the jobs' results lack it (``generation.model:model``: one model per job); any other
swept key becomes a new dimension named after the key. The override values (parsed as YAML,
so numbers stay numbers) are the new dimension's coordinate.

Jobs without a complete result (missing, failed, truncated) are reported by their overrides,
and the merge is refused unless ``allow_missing``. Jobs whose configs differ in a key that was
not swept are refused, naming the keys.
"""

from pathlib import Path

import numpy as np
import xarray as xr
import yaml

from simlab import results
from simlab.errors import DataError
from simlab.runs.folders import label, scan
from simlab.runs.settings import config_differences
from simlab.runs.status import recorded_digest


def _config_dims(ds):
    pairs = [p.split(":") for p in ds.attrs.get("config_dims", "").split(",") if p]
    return {key: dim for key, dim in pairs}


def _new_dims(ds, swept, over):
    """{dimension: [value]} of the swept keys ``ds`` does not hold as a dimension yet."""
    dims = _config_dims(ds)
    return {dims.get(k, k): [_value(k, over[k])] for k in swept
            if k in over and dims.get(k, k) not in ds.dims}


def _value(key, text):
    """The value of the override ``key=text`` as Hydra reads it: numbers as numbers, its
    escapes resolved (``random\\:smollm2`` is ``random:smollm2``)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        return OverridesParser.create().parse_overrides([f"{key}={text}"])[0].value()
    except HydraException:
        return yaml.safe_load(text)


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
    jobs, overrides, swept, paths, problems = scan(directory)
    datasets, labels, first_config = [], [], None
    for job, over, path in zip(jobs, overrides, paths):
        if path is None:
            continue
        try:
            ds = results.load(path, recorded_digest(path.parent))
        except DataError as exc:
            problems.append(f"{label(over)}: unreadable ({exc})")
            continue
        if first_config is None:
            first_config = (ds.attrs["config"], label(over))
        else:
            diff = [k for k in config_differences(first_config[0], ds.attrs["config"])
                    if k not in swept]
            if diff:
                raise DataError(
                    f"{directory}: jobs '{first_config[1]}' and '{label(over)}' differ in "
                    f"config keys that were not swept: {', '.join(diff)}; refusing to merge")
        new = _new_dims(ds, swept, over)
        if new:
            ds = ds.expand_dims(new)
            keys = {v: k for k, v in _config_dims(ds).items()}
            for dim in new:
                ds[dim].attrs.update(long_name=f"swept config key {keys.get(dim, dim)}",
                                     units="1")
        datasets.append(ds)
        labels.append(label(over))
    if problems and not allow_missing:
        raise DataError(f"{len(problems)} of {len(jobs)} jobs have no complete result "
                        "(re-run the sweep, or pass --allow-missing): " + "; ".join(problems))
    if not datasets:
        raise DataError(f"{directory}: no job has a complete result")
    # "minimal": variables without a merged dimension (e.g. Onsager curves) are not broadcast.
    merged = xr.combine_by_coords(datasets, data_vars="minimal", compat="no_conflicts",
                                  join="outer", combine_attrs="drop_conflicts")
    for name in list(merged.variables):
        var = merged[name].variable
        var.encoding.pop("char_dim_name", None)  # the jobs' string widths; merged ones differ
        job_dtype = np.dtype(var.encoding.get("dtype", var.dtype))
        if var.dtype.kind != "f" or job_dtype.kind not in "iu":
            continue
        # an integer variable padded by the outer join (snapshots of different sizes) is float
        # with NaN now: a variable that names its padding gets it back, with its jobs' dtype
        # (as one run over all sizes writes it); any other is saved as float, never cast
        if "pad_value" in var.attrs:
            merged[name] = merged[name].fillna(var.attrs["pad_value"]).astype(job_dtype)
        else:
            var.encoding.pop("dtype", None)
            var.encoding.pop("_FillValue", None)
    for key in ("config", "seed", "simlab_version", "title"):
        if key in datasets[0].attrs:
            merged.attrs[key] = datasets[0].attrs[key]
    if len({ds.attrs.get("title") for ds in datasets}) > 1:  # one job's title names its model
        merged.attrs["title"] = (f"{datasets[0].attrs.get('task', 'simlab')}: {len(datasets)} "
                                 f"jobs merged along {', '.join(swept)}")
    merged.attrs["swept_keys"] = ",".join(swept)
    merged.attrs["jobs"] = "\n".join(labels)
    merged.attrs["missing_jobs"] = "\n".join(problems)
    report = (f"merged {len(datasets)} of {len(jobs)} jobs along "
              f"{', '.join(swept) or 'no swept key'}"
              + (f"; left out {len(problems)}:\n  " + "\n  ".join(problems) if problems else ""))
    return merged, report


def collect_to_file(directory, output=None, allow_missing=False):
    """:func:`collect` and save atomically to ``output`` (default ``directory/merged.nc``),
    then draw the task's sweep figures beside it (:attr:`simlab.tasks.Task.sweep_figures`;
    one that cannot be drawn is a line of the report, not a failure: the file is complete).

    Returns
    -------
    (Path, str)
        The written file and the report.
    """
    merged, report = collect(directory, allow_missing)
    path = results.save(merged, Path(output) if output else Path(directory) / "merged.nc")
    for figure in _sweep_figures(merged):
        target = path.with_name(figure.file)
        try:
            figure.draw(merged, target)
            report += f"\ndrew {target}"
        except Exception as exc:  # after the merge: a line of the report, never a failure
            report += f"\n{figure.file} not drawn: {exc}"
    return path, report


def _sweep_figures(merged):
    from simlab import tasks
    from simlab.errors import ConfigError

    try:
        task = tasks.get(str(merged.attrs.get("task", "")))
    except ConfigError:
        return []
    return [f for f in task.sweep_figures if f.when is None or f.when(merged)]


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
        new = _new_dims(ds, swept, by_path[str(Path(ds.encoding["source"]).resolve())])
        return ds.expand_dims(new) if new else ds

    merged = xr.open_mfdataset(sorted(by_path), engine=results.ENGINE, preprocess=add_swept_dims,
                               combine="by_coords", data_vars="minimal", coords="minimal",
                               compat="override", join="outer", chunks=chunks or {})
    merged.attrs["swept_keys"] = ",".join(swept)
    merged.attrs["missing_jobs"] = "\n".join(problems)
    return merged


__all__ = ["collect", "collect_to_file", "open_sweep"]
