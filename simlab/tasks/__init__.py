"""Experiment kinds: each module has ``run(cfg, output_dir) -> xarray.Dataset``.

Selected by the config key ``task``; modules are imported only when run.
"""

import importlib

TASKS = {
    "ising_sweep": "simlab.tasks.ising_sweep",
}


def get(name):
    """The ``run`` function of task ``name`` (a key of :data:`TASKS`)."""
    return importlib.import_module(TASKS[name]).run
