"""Sweep folders: the jobs a sweep planned, their folders, overrides, results and statuses.

Every sweep writes a manifest when it starts (``manifests/<sweep id>.yaml`` in its folder,
see :mod:`simlab.runs.sweeps`) listing each job's folder and overrides, so a job that never
started or was killed before Hydra wrote its ``.hydra/`` is still known. The jobs of a sweep
folder are those of all its manifests, plus any job folder (holding ``.hydra/overrides.yaml``)
that no manifest names (sweeps run before manifests existed). The swept keys are the
override keys whose values differ between the jobs.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml

from simlab.errors import DataError
from simlab.runs.status import FINISHED, explain, read_status

MANIFESTS = "manifests"


@dataclass(frozen=True)
class Job:
    """A job of a sweep folder.

    Attributes
    ----------
    folder : Path
    overrides : tuple of str
        As on the command line, ``key=value``.
    """

    folder: Path
    overrides: tuple

    @property
    def settings(self):
        """The overrides as {key: value}."""
        out = {}
        for item in self.overrides:
            key, _, value = str(item).partition("=")
            out[key.lstrip("+~")] = value
        return out

    @property
    def label(self):
        return label(self.settings)


def job_dirs(directory):
    """Job folders under ``directory`` that Hydra started (sorted by path)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory")
    found = sorted(p.parent.parent for p in directory.rglob(".hydra/overrides.yaml"))
    if not found:
        raise DataError(f"{directory}: no Hydra job folders (no .hydra/overrides.yaml found)")
    return found


def read_manifests(directory):
    """The manifests of the sweeps run in ``directory``, oldest first (unreadable ones are
    reported as DataError naming the file)."""
    out = []
    for path in sorted((Path(directory) / MANIFESTS).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text())
            jobs = [(str(j["folder"]), [str(o) for o in j["overrides"]]) for j in data["jobs"]]
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            raise DataError(f"{path}: not a readable sweep manifest ({exc})") from None
        out.append({**data, "path": path, "jobs": jobs})
    return sorted(out, key=lambda m: str(m.get("started", "")))


def manifest_jobs(directory, manifest):
    """The :class:`Job` list of one manifest."""
    return [Job(Path(directory) / folder, tuple(over)) for folder, over in manifest["jobs"]]


def jobs(directory):
    """Every job of a sweep folder, in the order its sweeps planned them.

    Raises
    ------
    DataError
        If ``directory`` is not a folder or holds no job.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory")
    found = {}
    for manifest in read_manifests(directory):
        for job in manifest_jobs(directory, manifest):
            found[job.folder.resolve()] = job
    for folder in sorted(p.parent.parent for p in directory.rglob(".hydra/overrides.yaml")):
        if folder.resolve() not in found:
            items = yaml.safe_load((folder / ".hydra" / "overrides.yaml").read_text()) or []
            found[folder.resolve()] = Job(folder, tuple(str(i) for i in items))
    if not found:
        raise DataError(f"{directory}: no sweep manifest and no Hydra job folder "
                        "(.hydra/overrides.yaml) found")
    return list(found.values())


def overrides(job_dir):
    """The job's overrides as {key: value}, from ``.hydra/overrides.yaml``."""
    items = yaml.safe_load((Path(job_dir) / ".hydra" / "overrides.yaml").read_text()) or []
    return Job(Path(job_dir), tuple(str(i) for i in items)).settings


def results_name(job_dir):
    """The results file name the job's config asked for (``output.results``); the default
    for a job that never started (a cancelled cluster job has no ``config.yaml``)."""
    path = Path(job_dir) / ".hydra" / "config.yaml"
    try:
        cfg = (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}
    except (OSError, yaml.YAMLError):
        cfg = {}
    return ((cfg.get("output") if isinstance(cfg, dict) else None) or {}).get(
        "results", "results.nc")


def label(over):
    """The overrides of a job as one line (``key=value key=value``)."""
    return " ".join(f"{k}={v}" for k, v in over.items()) or "(no overrides)"


def result_or_reason(job):
    """(path of the job's results file, None) if it has one, else (None, why not).

    The results file decides (it is renamed into place only when complete, and the caller
    validates it); the status only explains a missing one. A job whose final status could
    not be written (a full disk) still counts if its results are there.
    """
    path = job.folder / results_name(job.folder)
    if path.is_file():
        return path, None
    status = read_status(job.folder)
    if status is not None and status.get("status") in FINISHED:
        return None, f"no {path.name} (its status says {status['status']}; deleted since?)"
    return None, explain(status)


def scan(directory):
    """Jobs of a sweep: (jobs, overrides, swept keys, result paths, problems).

    A job's result path is None when it has no result; ``problems`` names those jobs by
    their overrides, with the reason.
    """
    found = jobs(directory)
    over = [j.settings for j in found]
    keys = sorted({k for o in over for k in o})
    swept = [k for k in keys if len({o.get(k) for o in over}) > 1]
    paths, problems = [], []
    for job, o in zip(found, over):
        path, reason = result_or_reason(job)
        paths.append(path)
        if path is None:
            problems.append(f"{label(o)}: {reason}")
    return [j.folder for j in found], over, swept, paths, problems
