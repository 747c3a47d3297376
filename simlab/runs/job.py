"""The life of one job: validate, skip it if its result is complete, run it, publish, record.

A result is *complete* when the results file exists, loads and validates (it was renamed
into place only after being fully written, see :func:`simlab.results.save`) and its stored
config equals the job's config in every key that affects the science (not
:data:`~simlab.runs.settings.NON_SCIENTIFIC_KEYS`). Re-running a sweep therefore skips
complete jobs and redoes missing, truncated, corrupted or differently configured ones;
``force=true`` redoes all.

Every job writes ``status.json`` (done, skipped or failed, wall time, error, threads); a
failed job in a multirun is recorded and does not stop the others.
"""

import dataclasses
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

from simlab import results
from simlab.errors import DataError, SimlabError
from simlab.render.report import write_report
from simlab.runs.settings import config_differences, load_settings
from simlab.runs.status import write_status
from simlab.tasks import RunContext


def complete_result(output_dir, settings):
    """The path of a complete result for ``settings`` in ``output_dir``, or None."""
    path = Path(output_dir) / settings.shared.output.results
    try:
        ds = results.load(path)
    except DataError:
        return None
    return path if not config_differences(ds.attrs["config"], settings) else None


def remove_stale_temporaries(output_dir):
    """Delete temporary files a killed job left behind (``.<name>.*.tmp``)."""
    removed = []
    for path in Path(output_dir).glob(".*.tmp"):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def available_cores():
    """Cores this process may use: the SLURM allocation if there is one, the CPUs Ray
    assigned to this task inside a Ray worker, else the process's affinity."""
    slurm = os.environ.get("SLURM_CPUS_PER_TASK")
    if slurm and slurm.isdigit() and int(slurm) > 0:
        return int(slurm)
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        assigned = ray.get_runtime_context().get_assigned_resources().get("CPU")
        if assigned:
            return max(1, int(assigned))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def allocation():
    """Where the job runs, for ``status.json``: the cores it may use and, under SLURM, the
    job id (``<array job>_<task>`` for array tasks) and the allocated CPUs per task."""
    env = os.environ
    out = {"cores": available_cores()}
    if "SLURM_JOB_ID" in env:
        task = env.get("SLURM_ARRAY_TASK_ID")
        out["slurm_job_id"] = (f"{env['SLURM_ARRAY_JOB_ID']}_{task}"
                               if task is not None and "SLURM_ARRAY_JOB_ID" in env
                               else env["SLURM_JOB_ID"])
        out["slurm_cpus_per_task"] = env.get("SLURM_CPUS_PER_TASK")
    return out


def thread_budget(hydra_cfg):
    """Numba threads per job: the available cores, divided among joblib's parallel workers."""
    cores = available_cores()
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


def warm_up(settings):
    """Compile the task's kernels under a file lock; returns (seconds, compilations)."""
    import fcntl

    start = time.perf_counter()
    if settings.task.warm_up is not None:
        with open(compile_lock_path(), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                settings.task.warm_up(settings.params)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    return time.perf_counter() - start, kernel_compilations()


def publish(ds, settings, start, output_dir):
    """Finish a task's Dataset and write everything into ``output_dir``.

    Adds the provenance (resolved config, seed, versions, wall time) and the task's name,
    saves the Dataset atomically (and copies it to the task's exports), draws the figures
    (unless ``output.plots=false``), writes ``report.html`` (unless ``output.report=false``)
    and prints the task's report.

    Returns
    -------
    xarray.Dataset
    """
    task, shared = settings.task, settings.shared
    ds = results.annotate(ds)
    ds.attrs.update(results.provenance(settings.to_yaml(), shared.seed,
                                       time.perf_counter() - start))
    ds.attrs["task"] = task.name
    if task.dims:
        ds.attrs["config_dims"] = ",".join(f"{k}:{v}" for k, v in task.dims.items())
    output_dir = Path(output_dir)
    path = results.save(ds, output_dir / shared.output.results, compress=task.compress)
    for target in (task.exports(settings.params) if task.exports else []):
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
        print(f"copied to {target}")
    if shared.output.plots:
        for figure in task.figures:
            if figure.when is None or figure.when(ds):
                figure.draw(ds, output_dir / figure.file)
    if shared.output.report:
        print(f"wrote {write_report(ds, output_dir / 'report.html')}")
    if task.report is not None:
        print(task.report(ds))
    print(f"wrote {path}")
    return ds


def execute(settings, output_dir):
    """Run the task of ``settings`` and publish its Dataset into ``output_dir``."""
    start = time.perf_counter()
    ctx = RunContext(seed=settings.shared.seed, progress=settings.shared.output.progress)
    ds = settings.task.run(settings.params, ctx)
    return publish(ds, settings, start, output_dir)


def run_job(cfg, output_dir, overrides=(), multirun=False, hydra_cfg=None):
    """Validate ``cfg``, run its task unless a complete result exists, record the outcome.

    Returns
    -------
    str
        "done", "skipped" or "failed". Outside multiruns failures re-raise (the command
        line prints a :class:`~simlab.errors.SimlabError` as one line).
    """
    import numba

    start = time.perf_counter()
    label = " ".join(overrides) or "(no overrides)"
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)

    def failed(exc, trace=None):
        wall = time.perf_counter() - start
        message = str(exc) if isinstance(exc, SimlabError) else f"{type(exc).__name__}: {exc}"
        write_status(output_dir, status="failed", overrides=list(overrides), wall_time_s=wall,
                     error=message, traceback=trace)
        if multirun:
            print(f"[simlab] {label}: FAILED after {wall:.1f} s: {message}", flush=True)
        return "failed"

    stale = remove_stale_temporaries(output_dir)
    try:
        settings = load_settings(cfg)
    except SimlabError as exc:
        if not multirun:
            raise
        return failed(exc)
    if not settings.shared.force and complete_result(output_dir, settings) is not None:
        write_status(output_dir, status="skipped", overrides=list(overrides), wall_time_s=0.0)
        print(f"[simlab] {label}: skipped (complete result in {output_dir})", flush=True)
        return "skipped"
    threads = settings.shared.threads
    if threads is None:
        # Only a multirun's launcher runs jobs side by side; a single run has every core.
        threads = thread_budget(hydra_cfg if multirun else None)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        warm_seconds, compilations = warm_up(settings)
        execute(settings, output_dir)
    except Exception as exc:  # a multirun records every failure and goes on
        outcome = failed(exc, traceback.format_exc())
        if not multirun:
            raise
        return outcome
    wall = time.perf_counter() - start
    write_status(output_dir, status="done", overrides=list(overrides), wall_time_s=wall,
                 removed_temporaries=stale, warm_up_s=warm_seconds,
                 kernel_compilations=compilations, numba_threads=numba.get_num_threads(),
                 **allocation())
    if multirun:
        print(f"[simlab] {label}: done in {wall:.1f} s", flush=True)
    return "done"


def quiet(settings):
    """A copy of ``settings`` without progress bars."""
    output = dataclasses.replace(settings.shared.output, progress=False)
    return dataclasses.replace(settings, shared=dataclasses.replace(settings.shared,
                                                                     output=output))
