"""Experiment kinds: each module has ``run(cfg, output_dir) -> xarray.Dataset``.

Selected by the config key ``task``; modules are imported only when run.
"""

import importlib

TASKS = {
    "ising_sweep": "simlab.tasks.ising_sweep",
    "llm_vs_ising": "simlab.tasks.llm_vs_ising",
    "logpartition_confidence": "simlab.tasks.logpartition_confidence",
    "llm_bundle": "simlab.tasks.llm_bundle",
    "anneal": "simlab.tasks.anneal",
    "hajek_threshold": "simlab.tasks.hajek_threshold",
    "tsp_annealing": "simlab.tasks.tsp_annealing",
    "spin_glass_annealing": "simlab.tasks.spin_glass_annealing",
    "bm_encoder": "simlab.tasks.bm_encoder",
    "rbm_digits": "simlab.tasks.rbm_digits",
    "hopfield_capacity": "simlab.tasks.hopfield_capacity",
    "three_way_thermodynamics": "simlab.tasks.three_way_thermodynamics",
}


def get(name):
    """The ``run`` function of task ``name`` (a key of :data:`TASKS`)."""
    return importlib.import_module(TASKS[name]).run


def warm_up(name, cfg):
    """Compile (or load from Numba's cache) the kernels of task ``name`` on a tiny input.

    Called by every job under a machine-wide file lock, so the first job of a sweep compiles
    and writes the on-disk cache while the others wait and then load it.
    """
    function = getattr(importlib.import_module(TASKS[name]), "warm_up", None)
    if function is not None:
        function(cfg)
