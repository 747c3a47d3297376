"""A sweep's life: plan and validate every job, claim the folder, record a manifest, summarise.

Before anything is written, every job's config is composed and validated
(:func:`plan`): one invalid value refuses the whole sweep in one line, naming the job, and
two jobs that would share a folder are refused too. Then the sweep claims its folder
(:mod:`simlab.runs.claims`: a second sweep into the same folder while this one runs is
refused, naming its PID and host) and writes its manifest, ``manifests/<sweep id>.yaml``:
when and where it started, the command, the launcher, the multirun config, and every planned
job's folder and overrides. The manifest is never overwritten by a later sweep, so
``simlab collect`` and the summary know exactly which jobs a sweep had, those that never
started included. At the end (or when SIGINT or SIGTERM stops the sweep) the jobs that were
running and are gone are marked ``interrupted``, the manifest records the outcome, and the
summary counts this sweep's jobs only.
"""

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from simlab.errors import SimlabError
from simlab.results import remove_stale_temporaries, written_atomically
from simlab.runs import claims
from simlab.runs.folders import MANIFESTS, Job
from simlab.runs.settings import NON_SCIENTIFIC_KEYS, load_settings
from simlab.runs.status import (COMPLETE, FAILED, FINAL, INTERRUPTED, RUNNING, SKIPPED,
                                 explain, read_status, write_status)


def plan(config, job_overrides, config_loader):
    """The jobs of a sweep, each validated, before anything is written.

    Parameters
    ----------
    config : DictConfig
        The multirun's config (with ``hydra``).
    job_overrides : list of list of str
        Each job's overrides, as the sweeper made them.
    config_loader
        Hydra's config loader (composes each job's config as its launcher will).

    Returns
    -------
    list of :class:`~simlab.runs.folders.Job`
        With folders relative to the sweep folder.

    Raises
    ------
    SimlabError
        Naming the first job whose config is invalid, or two jobs that would share a folder.
    """
    jobs, by_folder = [], {}
    swept = _swept_keys(job_overrides)
    for index, overrides in enumerate(job_overrides):
        cfg = config_loader.load_sweep_config(master_config=config,
                                              sweep_overrides=list(overrides))
        job = Job(Path(str(cfg.hydra.sweep.subdir)), tuple(str(o) for o in overrides))
        name = " ".join(f"{k}={v}" for k, v in job.settings.items() if k in swept) \
            or job.label
        try:
            load_settings(cfg)
        except SimlabError as exc:
            raise SimlabError(f"sweep job {index} ({name}): {exc}") from None
        if job.folder in by_folder:
            other = by_folder[job.folder]
            raise SimlabError(
                f"sweep jobs {other.label!r} and {job.label!r} would share the folder "
                f"'{job.folder}' (they differ only in keys left out of folder names: "
                f"{', '.join(NON_SCIENTIFIC_KEYS)}); sweep over one value of those keys")
        by_folder[job.folder] = job
        jobs.append(job)
    return jobs


def _swept_keys(job_overrides):
    values = {}
    for overrides in job_overrides:
        for item in overrides:
            key, _, value = str(item).partition("=")
            values.setdefault(key, set()).add(value)
    return {k for k, v in values.items() if len(v) > 1}


@dataclass
class Counts:
    """How the jobs of one sweep stand."""

    complete: int = 0
    skipped: int = 0
    failed: int = 0
    interrupted: int = 0
    running: int = 0
    not_started: int = 0

    def line(self, total):
        text = (f"{total} jobs: {self.complete} complete, {self.skipped} skipped, "
                f"{self.failed} failed")
        for count, what in ((self.interrupted, "interrupted"),
                            (self.running, "running or killed"),
                            (self.not_started, "not started")):
            if count:
                text += f", {count} {what}"
        return text


class Sweep:
    """A running sweep: its claim on the folder and its manifest.

    Use :meth:`start`, then :meth:`finish` (also when interrupted).
    """

    def __init__(self, directory, jobs, config, claim):
        self.directory = Path(directory)
        self.jobs = [Job(self.directory / j.folder, j.overrides) for j in jobs]
        self.claim = claim
        now = datetime.now(timezone.utc)
        self.started = now.isoformat(timespec="seconds")
        self.id = f"{now:%Y%m%dT%H%M%SZ}-{os.getpid()}"
        self.path = self.directory / MANIFESTS / f"{self.id}.yaml"
        launcher = config.hydra.launcher.get("_target_", "?") if "launcher" in config.hydra \
            else "?"
        from omegaconf import OmegaConf

        self.manifest = {
            "sweep": self.id, "started": self.started, "finished": None, "outcome": RUNNING,
            **{k: claim.record[k] for k in ("host", "pid", "command")},
            "launcher": str(launcher),
            "jobs": [{"folder": str(j.folder), "overrides": list(j.overrides)} for j in jobs],
            "config": yaml.safe_load(OmegaConf.to_yaml(config)),
        }

    @classmethod
    def start(cls, directory, jobs, config):
        """Claim ``directory`` for this sweep and write its manifest.

        Raises
        ------
        simlab.runs.claims.FolderBusy
            If another live sweep or run holds the folder.
        """
        claim = claims.claim(directory, kind="sweep")
        if claim.warning:
            print(f"simlab: warning: {claim.warning}", flush=True)
        try:
            sweep = cls(directory, jobs, config, claim)
            sweep._write_manifest()
        except BaseException:
            claim.remove_folder()  # only if this sweep created it
            raise
        return sweep

    def _write_manifest(self):
        with written_atomically(self.path) as tmp:
            Path(tmp).write_text(yaml.safe_dump(self.manifest, sort_keys=False))

    def counts(self):
        """(:class:`Counts`, total job wall time in s, lines for the jobs without a result)."""
        counts, wall, lines = Counts(), 0.0, []
        for job in self.jobs:
            status = read_status(job.folder)
            kind = (status or {}).get("status")
            wall += float((status or {}).get("wall_time_s", 0.0) or 0.0)
            if kind in (COMPLETE, "done"):
                counts.complete += 1
            elif kind == SKIPPED:
                counts.skipped += 1
            elif kind == FAILED:
                counts.failed += 1
                lines.append(f"  {job.label}: {explain(status)}")
            elif kind == INTERRUPTED:
                counts.interrupted += 1
                lines.append(f"  {job.label}: {explain(status)}")
            else:
                if status is None:
                    counts.not_started += 1
                else:
                    counts.running += 1
                lines.append(f"  {job.label}: {explain(status)}")
        return counts, wall, lines

    def mark_interrupted(self, signal_name):
        """Mark the jobs that were running and whose process is gone as interrupted, and
        remove the temporary files of writers that were stopped (a worker the launcher
        killed while it wrote ``status.json``)."""
        for job in self.jobs:
            status = read_status(job.folder)
            if status is not None and status.get("status") == RUNNING \
                    and claims.holder_alive(status) is not False:
                continue  # still running (a cluster job goes on without its launcher)
            try:
                remove_stale_temporaries(job.folder)
            except OSError:
                pass
            if status is None or status.get("status") in FINAL:
                continue
            try:
                write_status(job.folder, **{**status, "status": INTERRUPTED,
                                            "signal": signal_name,
                                            "note": "the sweep was stopped while it ran"})
            except OSError:
                pass

    def finish(self, interrupted=None):
        """Record the outcome in the manifest, release the folder and return the summary.

        Parameters
        ----------
        interrupted : simlab.errors.Interrupted, optional
            The signal that stopped the sweep; its ``detail`` is set to the summary's line.
        """
        try:
            if interrupted is not None:
                self.mark_interrupted(interrupted.signal_name)
            counts, wall, problems = self.counts()
            head = (f"[simlab] sweep {self.directory}: {counts.line(len(self.jobs))}; "
                    f"job wall time {wall:.1f} s")
            lines = [head]
            if problems:
                lines.append("[simlab] jobs without a result (the same command runs them "
                             "again):")
                lines += problems
            self.manifest.update(
                finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                outcome=INTERRUPTED if interrupted is not None else COMPLETE,
                counts=vars(counts))
            try:
                self._write_manifest()
            except OSError as exc:
                lines.append(f"simlab: warning: {self.path} not updated: {exc.strerror}")
            if interrupted is not None:
                interrupted.detail = (f"sweep {self.directory}: {counts.line(len(self.jobs))}; "
                                      "the same command resumes it")
            return lines
        finally:
            self.claim.release()
