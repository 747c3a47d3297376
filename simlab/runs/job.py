"""The life of one job: validate, skip it if its result is complete, run it, publish, record.

A result is *complete* when the results file exists, loads and validates (it was renamed
into place only after being fully written, see :func:`simlab.results.save`) and its stored
config equals the job's config in every key that affects the science (not
:data:`~simlab.runs.settings.NON_SCIENTIFIC_KEYS`). Re-running a sweep therefore skips
complete jobs and redoes missing, truncated, corrupted or differently configured ones;
``force=true`` redoes all.

Every job writes ``status.json`` (running, then complete, skipped, failed or interrupted;
wall time, error, warnings, threads); a failed job in a multirun is recorded and does not
stop the others. The results file comes first: once it is saved the job is complete, and a
figure or page that cannot be written after it is a warning, not a failure. SIGINT and
SIGTERM stop the job politely (:mod:`simlab.runs.signals`): it records ``interrupted``, or
``complete`` if the results were saved, and re-raises.
"""

import contextlib
import dataclasses
import os
import shutil
import sys
import threading
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from simlab import results
from simlab.errors import DataError, SimlabError
from simlab.render.report import write_report
from simlab.runs.settings import config_differences, load_settings
from simlab.runs.status import (COMPLETE, FAILED, INTERRUPTED, RUNNING, SKIPPED,
                                 STATUS_FILE, read_status, recorded_digest,
                                 write_status)
from simlab.tasks import RunContext


def complete_result(output_dir, settings):
    """The path of a complete result for ``settings`` in ``output_dir``, or None."""
    path = Path(output_dir) / settings.shared.output.results
    try:
        ds = results.load(path, recorded_digest(output_dir))
    except DataError:
        return None
    return path if not config_differences(ds.attrs["config"], settings) else None


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
    """Compile the task's kernels under a file lock; returns (seconds, compilations).

    With ``output.progress`` it says what it is doing: a line with the seconds elapsed while
    Numba compiles (the first run of a task; later runs load the kernels from Numba's
    cache), then how many kernels were compiled and how long it took.
    """
    import fcntl

    start = time.perf_counter()
    if settings.task.warm_up is None:
        return 0.0, kernel_compilations()
    before = kernel_compilations()
    with _compile_notice(settings.shared.output.progress):
        with open(compile_lock_path(), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                settings.task.warm_up(settings.params)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    seconds, compiled = time.perf_counter() - start, kernel_compilations()
    if settings.shared.output.progress:
        what = (f"compiled {compiled - before} kernel{'s' * (compiled - before != 1)}, first "
                "run only: Numba caches them" if compiled > before else "loaded from cache")
        print(f"[simlab] kernels ready in {seconds:.1f} s ({what})", file=sys.stderr,
              flush=True)
    return seconds, compiled


@contextlib.contextmanager
def _compile_notice(show):
    """While the body runs: a progress line with the seconds elapsed (updated each second
    on a terminal, printed once otherwise)."""
    if not show:
        yield
        return
    text = "[simlab] preparing the task's kernels (Numba compiles them on first use)"
    if not sys.stderr.isatty():  # a log file gets the line once, not a line a second
        print(text, file=sys.stderr, flush=True)
        yield
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=None, file=sys.stderr, leave=False, bar_format=text + ": {elapsed}")
    done = threading.Event()

    def tick():
        while not done.wait(1.0):
            bar.refresh()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        bar.close()


@dataclasses.dataclass
class Outcome:
    """What a job has written so far: the saved results file and the warnings about what
    could not be written after it."""

    saved: Optional[Path] = None
    warnings: list = dataclasses.field(default_factory=list)


def failure_text(exc):
    """One line for an exception: the OS's words and the file for an OSError."""
    if isinstance(exc, OSError) and exc.strerror:
        return (f"{exc.filename}: " if exc.filename else "") + exc.strerror
    if isinstance(exc, SimlabError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _copy(path, target):
    target = Path(target)
    with results.written_atomically(target) as tmp:
        shutil.copyfile(path, tmp)
    print(f"copied to {target}")


def publish(ds, settings, start, output_dir, outcome=None):
    """Finish a task's Dataset and write everything into ``output_dir``.

    Adds the provenance (resolved config, seed, versions, wall time) and the task's name,
    saves the Dataset atomically, then copies it to the task's exports, draws the figures
    (unless ``output.plots=false``), writes ``report.html`` (unless ``output.report=false``)
    and prints the task's report. The results file is the science: if it cannot be saved
    the error propagates. What comes after it is not: a copy, figure, page or summary that
    cannot be written (a full disk, a permission, a plotting error) becomes one warning line
    (on stderr and in ``outcome.warnings``) and the rest goes on.

    Returns
    -------
    xarray.Dataset
    """
    task, shared = settings.task, settings.shared
    outcome = outcome if outcome is not None else Outcome()
    ds = results.annotate(ds)
    ds.attrs.update(results.provenance(settings.to_yaml(), shared.seed,
                                       time.perf_counter() - start))
    ds.attrs["task"] = task.name
    if task.dims:
        ds.attrs["config_dims"] = ",".join(f"{k}:{v}" for k, v in task.dims.items())
    output_dir = Path(output_dir)
    path = results.save(ds, output_dir / shared.output.results, compress=task.compress)
    outcome.saved = path

    def attempt(what, step):
        try:
            step()
        except Exception as exc:  # after the science: a warning, never a failure
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror \
                else failure_text(exc)
            message = f"{what} not written: {reason}"
            outcome.warnings.append(message)
            print(f"simlab: warning: {message} ({path.name} is complete)", file=sys.stderr,
                  flush=True)

    for target in (task.exports(settings.params) if task.exports else []):
        attempt(f"the copy {target}", lambda target=target: _copy(path, target))
    if shared.output.plots:
        for figure in task.figures:
            if figure.when is None or figure.when(ds):
                attempt(figure.file, lambda f=figure: f.draw(ds, output_dir / f.file))
    if shared.output.report:
        page = output_dir / "report.html"
        attempt("report.html", lambda: print(f"wrote {write_report(ds, page, task.views(ds))}"))
    if task.report is not None:
        attempt("the summary", lambda: print(task.report(ds)))
    print(f"wrote {path}")
    return ds


def execute(settings, output_dir, outcome=None):
    """Run the task of ``settings`` and publish its Dataset into ``output_dir``."""
    start = time.perf_counter()
    ctx = RunContext(seed=settings.shared.seed, progress=settings.shared.output.progress)
    ds = settings.task.run(settings.params, ctx)
    return publish(ds, settings, start, output_dir, outcome)


class _Record:
    """Writes a job's ``status.json`` as it goes (see :mod:`simlab.runs.status`)."""

    def __init__(self, output_dir, overrides, multirun):
        self.output_dir, self.overrides, self.multirun = output_dir, overrides, multirun
        self.label = " ".join(overrides) or "(no overrides)"
        self.start = time.perf_counter()

    def wall(self):
        return time.perf_counter() - self.start

    def write(self, strict=False, quiet=False, **fields):
        """Write the status; a folder that cannot take it (a full disk) raises only if
        ``strict``, else the status stays as it was and a warning says so (unless
        ``quiet``: the error that is being reported already says why)."""
        try:
            write_status(self.output_dir, overrides=self.overrides, **fields)
        except OSError as exc:
            if strict:
                raise
            if not quiet:
                print(f"simlab: warning: {self.output_dir / STATUS_FILE} not written: "
                  f"{failure_text(exc)}", file=sys.stderr, flush=True)

    def failed(self, exc, trace=None):
        message = failure_text(exc)
        self.write(quiet=True, status=FAILED, wall_time_s=self.wall(), error=message,
                   traceback=trace)
        if self.multirun:
            print(f"[simlab] {self.label}: FAILED after {self.wall():.1f} s: {message}",
                  flush=True)
        return FAILED

    def interrupted(self, exc, outcome):
        """Record an interruption: the job is complete if its results were saved."""
        if outcome.saved is not None:
            note = (f"interrupted by {exc.signal_name} after {outcome.saved.name} was saved; "
                    "figures or the report may be missing")
            self.write(status=COMPLETE, wall_time_s=self.wall(),
                       warnings=outcome.warnings + [note])
            exc.detail = f"{outcome.saved} is complete; its figures or report may be missing"
        else:
            self.write(status=INTERRUPTED, signal=exc.signal_name, wall_time_s=self.wall(),
                       note="stopped before its results were saved")
            exc.detail = (f"nothing saved; {self.output_dir / STATUS_FILE} says interrupted "
                          "(the same command starts it again)")
        if self.multirun:
            print(f"[simlab] {self.label}: interrupted by {exc.signal_name} after "
                  f"{self.wall():.1f} s", flush=True)


def _thread_lock_for_progress_bars():
    """Give tqdm a thread lock instead of its default multiprocessing lock, a named
    semaphore: a launcher that stops its workers by killing them (joblib does, on Ctrl-C)
    would leave that semaphore behind and Python warns of it at exit."""
    import threading

    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())


def run_job(cfg, output_dir, overrides=(), multirun=False, hydra_cfg=None):
    """Validate ``cfg``, run its task unless a complete result exists, record the outcome.

    ``status.json`` says ``running`` (with this process's PID and host) while the job runs,
    then ``complete``, ``skipped``, ``failed`` or ``interrupted``.

    Returns
    -------
    str
        "complete", "skipped" or "failed". Outside multiruns failures re-raise (the command
        line prints them as one line); an interruption (SIGINT, SIGTERM) always re-raises
        :class:`~simlab.errors.Interrupted` once it is recorded.
    """
    import numba

    from simlab.runs import signals
    from simlab.runs.claims import identity

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    if multirun:  # perhaps a worker process of the launcher, which may be killed abruptly
        _thread_lock_for_progress_bars()
    record = _Record(output_dir, list(overrides), multirun)
    stale = results.remove_stale_temporaries(output_dir)
    try:
        settings = load_settings(cfg)
    except SimlabError as exc:
        if not multirun:
            raise
        return record.failed(exc)
    if not settings.shared.force and complete_result(output_dir, settings) is not None:
        previous = read_status(output_dir) or {}
        record.write(status=SKIPPED, wall_time_s=0.0,
                     result=previous.get("result", previous) or None)  # the run that made it
        print(f"[simlab] {record.label}: skipped (complete result in {output_dir})", flush=True)
        return SKIPPED
    threads = settings.shared.threads
    if threads is None:
        # Only a multirun's launcher runs jobs side by side; a single run has every core.
        threads = thread_budget(hydra_cfg if multirun else None)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    outcome = Outcome()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        with signals.job():
            record.write(strict=True, status=RUNNING, **identity(), started=started)
            warm_seconds, compilations = warm_up(settings)
            execute(settings, output_dir, outcome)
    except KeyboardInterrupt as exc:
        exc = signals.as_interrupted(exc)
        record.interrupted(exc, outcome)
        raise exc from None
    except Exception as exc:  # a multirun records every failure and goes on
        outcome_name = record.failed(exc, traceback.format_exc())
        if not multirun:
            raise
        return outcome_name
    record.write(status=COMPLETE, started=started, wall_time_s=record.wall(),
                 warnings=outcome.warnings, results_sha256=results.file_digest(outcome.saved),
                 removed_temporaries=stale, warm_up_s=warm_seconds,
                 kernel_compilations=compilations, numba_threads=numba.get_num_threads(),
                 **allocation())
    if multirun:
        print(f"[simlab] {record.label}: complete in {record.wall():.1f} s"
              + (f" ({len(outcome.warnings)} warnings)" if outcome.warnings else ""),
              flush=True)
    return COMPLETE


def quiet(settings):
    """A copy of ``settings`` without progress bars."""
    output = dataclasses.replace(settings.shared.output, progress=False)
    return dataclasses.replace(settings, shared=dataclasses.replace(settings.shared,
                                                                     output=output))
