"""``status.json``: where a job stands, written atomically at each change.

A job's status is one of

- ``running``: it started (PID and host recorded) and has not ended; if that process is gone,
  it was killed;
- ``complete``: its results file is saved (``warnings`` lists what could not be written
  after it: a figure, the report);
- ``skipped``: a complete result was already there;
- ``failed``: it stopped with an error (``error``);
- ``interrupted``: SIGINT or SIGTERM stopped it before its results were saved (``signal``).

Statuses written by simlab before 0.2 said ``done`` for ``complete``; both are read.
"""

import json
from pathlib import Path

STATUS_FILE = "status.json"
RUNNING, COMPLETE, SKIPPED, FAILED, INTERRUPTED = (
    "running", "complete", "skipped", "failed", "interrupted")
#: Statuses of a job that has a result.
FINISHED = (COMPLETE, SKIPPED, "done")
#: Statuses a job does not leave by itself (a sweep that is stopped marks the others).
FINAL = FINISHED + (FAILED, INTERRUPTED)


def write_status(output_dir, **status):
    """Write ``status.json`` into ``output_dir`` atomically (temporary file, then rename).

    Raises OSError if it cannot be written (the temporary file is removed).
    """
    from simlab.results import written_atomically

    path = Path(output_dir) / STATUS_FILE
    with written_atomically(path) as tmp:
        Path(tmp).write_text(json.dumps(status, indent=1, default=str))


def read_status(job_dir):
    """The job's ``status.json`` as a dict, or None if it has none (or it is unreadable)."""
    try:
        status = json.loads((Path(job_dir) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) else None


def recorded_digest(job_dir):
    """The SHA-256 of the results file that the job's status recorded, or None."""
    status = read_status(job_dir) or {}
    return status.get("results_sha256") or (status.get("result") or {}).get("results_sha256")


def explain(status):
    """One line for a job without a result: what its status says happened."""
    if status is None:
        return "not started (no status.json)"
    kind = status.get("status")
    if kind == FAILED:
        return f"failed ({status.get('error') or 'no message'})"
    if kind == INTERRUPTED:
        return f"interrupted by {status.get('signal', 'a signal')}" + (
            f" ({status['note']})" if status.get("note") else "")
    if kind == RUNNING:
        from simlab.runs.claims import holder_alive

        alive = holder_alive(status)
        where = f"PID {status.get('pid')} on host {status.get('host')}"
        if alive:
            return f"still running ({where})"
        return f"killed while running ({where} is gone)" if alive is False else \
            f"running or killed ({where}; another host)"
    return f"status {kind!r}"
