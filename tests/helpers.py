"""Helpers shared by the tests (importable: tests/ is on pytest's pythonpath)."""

import numpy as np


def torus_energy(rows, cols, coupling=1.0, field=0.0):
    """Energy function of the Ising torus written independently of simlab (np.roll)."""

    def energy(states):
        s = np.asarray(states, dtype=np.int64).reshape(-1, rows, cols)
        bonds = (s * np.roll(s, 1, axis=1)).sum((1, 2)) + (s * np.roll(s, 1, axis=2)).sum((1, 2))
        return -coupling * bonds - field * s.sum((1, 2))

    return energy


def compose(overrides=()):
    """The config ``simlab`` composes for these overrides (Hydra's compose API)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module

    from simlab.runs.settings import register_hydra

    register_hydra()
    with initialize_config_module(config_module="simlab.conf", version_base="1.3"):
        return hydra_compose(config_name="config", overrides=list(overrides))


def run_task(overrides, output_dir):
    """Run a job in this process as ``simlab`` would, and load its Dataset."""
    from simlab import results
    from simlab.runs.job import run_job

    cfg = compose(list(overrides) + ["output.progress=false"])
    run_job(cfg, output_dir)
    return results.load(output_dir / "results.nc")


def run_cli(args, cwd, module=False, timeout=900, env=None):
    """Run the ``simlab`` command (or ``python -m simlab``) in ``cwd`` (``env``: variables
    added to this process's environment)."""
    import os
    import shutil
    import subprocess
    import sys

    exe = [sys.executable, "-m", "simlab"] if module else [shutil.which("simlab")]
    return subprocess.run(exe + list(args), cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def default_ising_grid():
    """The temperatures of the default ``simlab`` run (the ising_sweep task's grid)."""
    from simlab.tasks.ising_sweep import IsingSweepConfig

    return IsingSweepConfig().temperature.values()


def potts_torus_energy(rows, cols, coupling=1.0):
    """Energy function of the Potts torus written independently of simlab (np.roll)."""

    def energy(states):
        s = np.asarray(states, dtype=np.int64).reshape(-1, rows, cols)
        same = (s == np.roll(s, 1, axis=1)).sum((1, 2)) + (s == np.roll(s, 1, axis=2)).sum((1, 2))
        return -coupling * same

    return energy
