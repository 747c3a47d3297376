"""The life of one job: skip it if its result is complete, run it, record how it ended.

A result is *complete* when ``results.nc`` exists, loads and validates (it was renamed into
place only after being fully written, see :func:`simlab.results.save`) and its stored
config equals the job's config in every key that affects the science (not
:data:`NON_SCIENTIFIC_KEYS`). Re-running a sweep therefore skips complete jobs and redoes
missing, truncated, corrupted or differently configured ones; ``force=true`` redoes all.

Every job writes ``status.json`` (done, skipped or failed, wall time, error) atomically; a
failed job in a multirun is recorded and does not stop the others.
"""

import json
import os
import time
import traceback
from pathlib import Path

import yaml
from omegaconf import OmegaConf

from simlab import results
from simlab.errors import DataError

#: Config keys that change how a run looks, not what it computes.
NON_SCIENTIFIC_KEYS = ("output.progress", "output.plots", "sampler.threads", "force")
STATUS_FILE = "status.json"


def scientific_config(config):
    """The config as a plain dict without :data:`NON_SCIENTIFIC_KEYS`.

    Parameters
    ----------
    config : DictConfig, dict or str (YAML)
    """
    if isinstance(config, str):
        data = yaml.safe_load(config) or {}
    elif OmegaConf.is_config(config):
        data = OmegaConf.to_container(config, resolve=True)
    else:
        data = dict(config)
    for key in NON_SCIENTIFIC_KEYS:
        node, *rest = key.split(".")
        if not rest:
            data.pop(node, None)
        elif isinstance(data.get(node), dict):
            data[node].pop(rest[0], None)
    return data


def flatten(data, prefix=""):
    """{dotted.key: value} of a nested dict."""
    out = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def config_differences(a, b):
    """Dotted keys whose values differ between two configs (see :func:`scientific_config`)."""
    fa, fb = flatten(scientific_config(a)), flatten(scientific_config(b))
    return sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))


def complete_result(output_dir, cfg):
    """The path of a complete result for ``cfg`` in ``output_dir``, or None."""
    path = Path(output_dir) / cfg.output.results
    try:
        ds = results.load(path)
    except DataError:
        return None
    return path if not config_differences(ds.attrs["config"], cfg) else None


def remove_stale_temporaries(output_dir):
    """Delete temporary files a killed job left behind (``.<name>.*.tmp``)."""
    removed = []
    for path in Path(output_dir).glob(".*.tmp"):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def write_status(output_dir, **status):
    """Write ``status.json`` atomically."""
    path = Path(output_dir) / STATUS_FILE
    tmp = path.with_name(f".{STATUS_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(status, indent=1, default=str))
    tmp.replace(path)


def read_status(job_dir):
    """The job's ``status.json`` as a dict, or None."""
    try:
        return json.loads((Path(job_dir) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None


def thread_budget(hydra_cfg):
    """Numba threads per job: all cores, divided among joblib's parallel workers."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    launcher = hydra_cfg.launcher if hydra_cfg is not None else None
    target = str(launcher.get("_target_", "")) if launcher is not None else ""
    if "Joblib" in target:
        n_jobs = int(launcher.get("n_jobs", -1) or -1)
        workers = cores if n_jobs < 0 else min(n_jobs, cores)
        return max(1, cores // max(workers, 1))
    return cores


def kernel_compilations():
    """Number of Numba compilations (cache misses) of simlab kernels in this process."""
    import importlib
    import pkgutil

    import simlab.kernels

    total = 0
    for info in pkgutil.iter_modules(simlab.kernels.__path__):
        module = importlib.import_module(f"simlab.kernels.{info.name}")
        for obj in vars(module).values():
            stats = getattr(obj, "stats", None)
            if stats is not None and hasattr(stats, "cache_misses"):
                total += sum(stats.cache_misses.values())
    return total


def compile_lock_path():
    """A lock file beside the kernels' on-disk cache (shared by every process that uses it)."""
    import tempfile

    import simlab.kernels

    folder = Path(simlab.kernels.__file__).parent / "__pycache__"
    try:
        folder.mkdir(exist_ok=True)
        probe = folder / ".simlab-compile.lock"
        probe.touch()
        return probe
    except OSError:
        return Path(tempfile.gettempdir()) / "simlab-compile.lock"


def warm_up(task_name, cfg):
    """Compile the task's kernels under a file lock; returns (seconds, compilations)."""
    import fcntl

    from simlab import tasks

    start = time.perf_counter()
    with open(compile_lock_path(), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            tasks.warm_up(task_name, cfg)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return time.perf_counter() - start, kernel_compilations()


def run_job(cfg, output_dir, task, overrides=(), multirun=False, hydra_cfg=None):
    """Run ``task(cfg, output_dir)`` unless a complete result exists; record the outcome.

    Returns
    -------
    str
        "done", "skipped" or "failed" (failures re-raise outside multiruns).
    """
    import numba

    start = time.perf_counter()
    label = " ".join(overrides) or "(no overrides)"
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stale = remove_stale_temporaries(output_dir)
    if not cfg.get("force", False) and complete_result(output_dir, cfg) is not None:
        write_status(output_dir, status="skipped", overrides=list(overrides), wall_time_s=0.0)
        print(f"[simlab] {label}: skipped (complete result in {output_dir})", flush=True)
        return "skipped"
    if cfg.sampler.threads is None:
        # Only a multirun's launcher runs jobs side by side; a single run has every core.
        budget = thread_budget(hydra_cfg if multirun else None)
        numba.set_num_threads(min(budget, numba.config.NUMBA_NUM_THREADS))
    warm_seconds, compilations = warm_up(cfg.task, cfg)
    try:
        task(cfg, output_dir)
    except Exception as exc:  # a multirun records every failure and goes on
        wall = time.perf_counter() - start
        message = f"{type(exc).__name__}: {exc}"
        write_status(output_dir, status="failed", overrides=list(overrides), wall_time_s=wall,
                     error=message, traceback=traceback.format_exc())
        print(f"[simlab] {label}: FAILED after {wall:.1f} s: {message}", flush=True)
        if not multirun:
            raise
        return "failed"
    wall = time.perf_counter() - start
    write_status(output_dir, status="done", overrides=list(overrides), wall_time_s=wall,
                 removed_temporaries=stale, warm_up_s=warm_seconds,
                 kernel_compilations=compilations, numba_threads=numba.get_num_threads())
    if multirun:
        print(f"[simlab] {label}: done in {wall:.1f} s", flush=True)
    return "done"


def sweep_report(sweep_dir):
    """Summary lines of a sweep folder from its jobs' status files."""
    from simlab.collect import job_dirs

    counts = {"done": 0, "skipped": 0, "failed": 0, "unknown": 0}
    wall, failed = 0.0, []
    for job in job_dirs(sweep_dir):
        status = read_status(job) or {"status": "unknown"}
        kind = status.get("status", "unknown")
        counts[kind if kind in counts else "unknown"] += 1
        wall += float(status.get("wall_time_s", 0.0) or 0.0)
        if kind in ("failed", "unknown"):
            failed.append(f"  {' '.join(status.get('overrides', [])) or job.name}: "
                          f"{status.get('error', 'no status (killed or still running)')}")
    lines = [f"[simlab] sweep {sweep_dir}: {counts['done']} done, {counts['skipped']} skipped, "
             f"{counts['failed']} failed" + (f", {counts['unknown']} without status"
                                             if counts["unknown"] else "")
             + f"; job wall time {wall:.1f} s"]
    if failed:
        lines.append("[simlab] failed or unfinished jobs (re-run the same command to retry):")
        lines += failed
    return lines, counts


def rerun(path, output_dir=None):
    """Recompute a saved dataset from its stored config and compare.

    Parameters
    ----------
    path : path of a results file written by simlab
    output_dir : folder for the new run (default: ``<path>.rerun/`` beside the file)

    Returns
    -------
    (Path, list of str)
        The new results file and the differences found (empty: identical values).
    """
    from simlab import config as config_schema
    from simlab import tasks

    original = results.load(path)
    loaded = OmegaConf.create(yaml.safe_load(original.attrs["config"]))
    cfg = OmegaConf.merge(OmegaConf.structured(config_schema.SimlabConfig), loaded)
    cfg.output.progress = False
    config_schema.validate(cfg)
    out = Path(output_dir) if output_dir else Path(str(path) + ".rerun")
    tasks.get(cfg.task)(cfg, out)
    new_path = out / cfg.output.results
    return new_path, dataset_differences(original, results.load(new_path))


def dataset_differences(a, b):
    """Names of variables and coordinates whose values differ (attributes ignored)."""
    import numpy as np

    diffs = []
    for name in sorted(set(a.variables) | set(b.variables)):
        if name not in a.variables or name not in b.variables:
            diffs.append(f"{name}: only in one dataset")
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
