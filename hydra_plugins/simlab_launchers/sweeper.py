"""simlab's sweeper (``hydra/sweeper=simlab``, the default of ``simlab -m``).

Hydra's basic sweeper (the same grammar: ``key=a,b``, ``range``, ``choice``, batches) around
:mod:`simlab.runs.sweeps`: every job is composed and validated before anything is written
(one invalid value refuses the sweep in one line), the sweep folder is claimed (a second
sweep into it is refused while this one runs), a manifest lists the planned jobs, and a
summary of this sweep's jobs ends it, also when SIGINT or SIGTERM stops it. It lives in the
``hydra_plugins`` namespace because Hydra loads sweepers only from there.
"""

from dataclasses import dataclass
from pathlib import Path

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf

from simlab.runs import sweeps


class SimlabSweeper(BasicSweeper):
    """Hydra's basic sweeper with simlab's plan, folder claim, manifest and summary."""

    def sweep(self, arguments):
        from simlab.runs.signals import as_interrupted

        params = self._parse_config()
        params.extend(arguments)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        self.overrides = self.split_arguments(parser.parse_overrides(params),
                                              self.max_batch_size)
        planned = sweeps.plan(self.config, [job for batch in self.overrides for job in batch],
                              self.hydra_context.config_loader)
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep = sweeps.Sweep.start(sweep_dir, planned, self.config)
        returns, index = [], 0
        try:
            OmegaConf.save(self.config, sweep_dir / "multirun.yaml")  # Hydra's: the latest
            while not self.is_done():
                batch = self.get_job_batch()
                results = self.launcher.launch(batch, initial_job_idx=index)
                for result in results:
                    _ = result.return_value  # a job's unexpected exception ends the sweep
                index += len(batch)
                returns.append(results)
        except KeyboardInterrupt as exc:
            stopped = as_interrupted(exc)
            print("\n".join(sweep.finish(stopped)), flush=True)
            raise stopped from None
        except BaseException:
            print("\n".join(sweep.finish()), flush=True)
            raise
        print("\n".join(sweep.finish()), flush=True)
        return returns


@dataclass
class SimlabSweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.simlab_launchers.sweeper.SimlabSweeper"


def register():
    """Store the sweeper as ``hydra/sweeper=simlab``."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(group="hydra/sweeper", name="simlab", node=SimlabSweeperConf,
                                 provider="simlab")
