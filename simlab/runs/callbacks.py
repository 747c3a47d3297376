"""Hydra callbacks: a sweep-level summary at the end of every multirun."""

from hydra.experimental.callback import Callback

from simlab.runs.folders import sweep_report


class SweepSummary(Callback):
    """Print done / skipped / failed counts, total job wall time and the failed jobs."""

    def on_multirun_end(self, config, **kwargs):
        try:
            lines, _ = sweep_report(config.hydra.sweep.dir)
        except Exception as exc:  # a summary must never hide the sweep's own outcome
            lines = [f"[simlab] no sweep summary: {exc}"]
        print("\n".join(lines), flush=True)
