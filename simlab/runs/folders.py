"""Sweep folders: the job folders Hydra made, their overrides, results and statuses.

A job folder is any folder holding ``.hydra/overrides.yaml``. The swept keys of a sweep are
the override keys whose values differ between its jobs.
"""

from pathlib import Path

import yaml

from simlab.errors import DataError
from simlab.runs.status import read_status


def job_dirs(directory):
    """Job folders under ``directory`` (sorted by path)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory")
    found = sorted(p.parent.parent for p in directory.rglob(".hydra/overrides.yaml"))
    if not found:
        raise DataError(f"{directory}: no Hydra job folders (no .hydra/overrides.yaml found)")
    return found


def overrides(job_dir):
    """The job's overrides as {key: value}, from ``.hydra/overrides.yaml``."""
    items = yaml.safe_load((Path(job_dir) / ".hydra" / "overrides.yaml").read_text()) or []
    out = {}
    for item in items:
        key, _, value = str(item).partition("=")
        out[key.lstrip("+~")] = value
    return out


def results_name(job_dir):
    """The results file name the job's config asked for (``output.results``); the default
    for a job that never started (a cancelled cluster job has no ``config.yaml``)."""
    path = Path(job_dir) / ".hydra" / "config.yaml"
    cfg = (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}
    return (cfg.get("output") or {}).get("results", "results.nc")


def label(over):
    """The overrides of a job as one line (``key=value key=value``)."""
    return " ".join(f"{k}={v}" for k, v in over.items()) or "(no overrides)"


def scan(directory):
    """Jobs of a sweep: (job dirs, overrides, swept keys, result paths, problems).

    A job's result path is None when it failed or has no results file; ``problems`` names
    those jobs by their overrides.
    """
    jobs = job_dirs(directory)
    over = [overrides(j) for j in jobs]
    keys = sorted({k for o in over for k in o})
    swept = [k for k in keys if len({o.get(k) for o in over}) > 1]
    paths, problems = [], []
    for job, o in zip(jobs, over):
        path = job / results_name(job)
        status = read_status(job) or {}
        if status.get("status") == "failed":
            problems.append(f"{label(o)}: failed ({status.get('error', 'no message')})")
            paths.append(None)
        elif not path.is_file():
            problems.append(f"{label(o)}: missing (no {path.name}; killed or not run)")
            paths.append(None)
        else:
            paths.append(path)
    return jobs, over, swept, paths, problems


def sweep_report(sweep_dir):
    """Summary lines of a sweep folder from its jobs' status files, and the counts."""
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
