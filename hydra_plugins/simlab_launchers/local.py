"""``hydra/launcher=local`` (the default of ``simlab -m``): Hydra's joblib launcher whose
worker processes leave Ctrl-C to the command.

A terminal's Ctrl-C reaches every process of the job, the workers included. Here the workers
ignore SIGINT between jobs (:func:`simlab.runs.signals.worker_started`, joblib's worker
initializer), and a job in progress turns it into an interruption that it records; the
command stops the workers, marks their jobs and prints one line. It lives in the
``hydra_plugins`` namespace because Hydra loads launchers only from there.
"""

from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher

from simlab.runs.signals import worker_started


class SimlabJoblibLauncher(JoblibLauncher):
    """Joblib's launcher with :func:`~simlab.runs.signals.worker_started` in every worker."""

    def launch(self, job_overrides, initial_job_idx):
        self.joblib = {**self.joblib, "initializer": worker_started}
        return super().launch(job_overrides, initial_job_idx)
