"""Submitit launchers that keep a sweep going when a cluster job dies.

Hydra's submitit plugin collects every job's result with ``job.results()``, which raises when
a job was cancelled (``scancel``), hit its time limit or was killed with its node; the whole
multirun then stops with a traceback and no summary. simlab's jobs already record their own
failures (:func:`simlab.runs.job.run_job` never raises in a multirun), so the only failures
left are the ones the job could not record itself. These launchers catch those, write the
job's ``status.json`` as failed with the scheduler's message (unless the job recorded that
the scheduler's SIGTERM interrupted it, or it had finished), and let the sweep summary list
them by their overrides; re-running the same command then runs only those jobs.

:func:`register` stores them in Hydra's ConfigStore under the plugin's own names
(``hydra/launcher=submitit_slurm`` and ``submitit_local``), with all of the plugin's keys.
They live in the ``hydra_plugins`` namespace because Hydra loads launchers only from there.
"""

from dataclasses import dataclass
from pathlib import Path

from hydra.core.utils import JobReturn, JobStatus
from hydra_plugins.hydra_submitit_launcher import config as plugin_config
from hydra_plugins.hydra_submitit_launcher import submitit_launcher as plugin

from simlab.runs.status import FINISHED, INTERRUPTED, read_status, write_status


def _job_dir(launcher, overrides):
    """The output folder Hydra gives the job with these overrides."""
    cfg = launcher.hydra_context.config_loader.load_sweep_config(launcher.config,
                                                                   list(overrides))
    return Path(str(cfg.hydra.sweep.dir)) / str(cfg.hydra.sweep.subdir)


def _collect(launcher, jobs, job_overrides):
    """Each job's JobReturn; a job that ended without returning is recorded as failed."""
    returns = []
    for job, overrides in zip(jobs, job_overrides):
        try:
            returns.append(job.results()[0])
            continue
        except Exception as exc:  # cancelled, timed out, node failure: the job could not say
            state = getattr(job, "state", "unknown")
            message = (f"scheduler job {job.job_id} ended {state} before finishing "
                       f"({type(exc).__name__})")
        folder = _job_dir(launcher, overrides)
        previous = read_status(folder) or {}
        label = " ".join(overrides)
        if previous.get("status") in FINISHED:
            print(f"[simlab] {label}: complete, then {message}", flush=True)
        elif previous.get("status") == INTERRUPTED:  # the scheduler's SIGTERM, recorded
            print(f"[simlab] {label}: interrupted by {previous.get('signal', 'a signal')}: "
                  f"{message}", flush=True)
        else:
            write_status(folder, status="failed", overrides=list(overrides),
                         wall_time_s=previous.get("wall_time_s", 0.0), error=message,
                         scheduler_job_id=str(job.job_id))
            print(f"[simlab] {label}: FAILED: {message}", flush=True)
        ret = JobReturn(overrides=list(overrides), status=JobStatus.COMPLETED)
        ret.return_value = "failed"
        returns.append(ret)
    return returns


class _Tolerant:
    """Mixin: submit as the plugin does, collect without letting one job end the sweep."""

    def launch(self, job_overrides, initial_job_idx):
        import submitit

        original = submitit.AutoExecutor.map_array
        submitted = []

        def map_array(executor, *args, **kwargs):
            jobs = original(executor, *args, **kwargs)
            submitted.extend(jobs)
            return [_Collected(j) for j in jobs]

        submitit.AutoExecutor.map_array = map_array
        try:
            super().launch(job_overrides, initial_job_idx)
        finally:
            submitit.AutoExecutor.map_array = original
        return _collect(self, submitted, job_overrides)


class _Collected:
    """Stands in for a submitted job while the plugin's ``launch`` collects results: it
    returns nothing, so collection happens in :func:`_collect`."""

    def __init__(self, job):
        self.job = job

    def results(self):
        return [None]


class SlurmLauncher(_Tolerant, plugin.SlurmLauncher):
    """``hydra/launcher=submitit_slurm``: the plugin's SLURM launcher, failure-tolerant."""


class LocalLauncher(_Tolerant, plugin.LocalLauncher):
    """``hydra/launcher=submitit_local``: the plugin's local launcher, failure-tolerant."""


@dataclass
class SlurmQueueConf(plugin_config.SlurmQueueConf):
    _target_: str = "hydra_plugins.simlab_launchers.submitit_tolerant.SlurmLauncher"


@dataclass
class LocalQueueConf(plugin_config.LocalQueueConf):
    _target_: str = "hydra_plugins.simlab_launchers.submitit_tolerant.LocalLauncher"


def register():
    """Store the failure-tolerant launchers under the plugin's names, after Hydra's plugin
    discovery (which executes the plugin's module, storing its own entries, once)."""
    from hydra.core.config_store import ConfigStore
    from hydra.core.plugins import Plugins

    Plugins.instance()
    store = ConfigStore.instance()
    store.store(group="hydra/launcher", name="submitit_slurm", node=SlurmQueueConf,
                provider="simlab")
    store.store(group="hydra/launcher", name="submitit_local", node=LocalQueueConf,
                provider="simlab")
