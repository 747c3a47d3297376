"""simlab: a statistical-physics laboratory.

Energy models sampled at a temperature, exact oracles beside Monte Carlo, and every result
an xarray Dataset. See the README for the command line and docs/architecture.md for the
floors of the house: :mod:`simlab.kernels` (Numba), :mod:`simlab.models`, :mod:`simlab.rng`,
:mod:`simlab.stats`, :mod:`simlab.results`; :mod:`simlab.thermo`, :mod:`simlab.exact`,
:mod:`simlab.schedules`; :mod:`simlab.samplers`, :mod:`simlab.llm`; :mod:`simlab.tasks`;
:mod:`simlab.runs`; :mod:`simlab.cli`.
"""

from simlab._version import __version__

__all__ = ["__version__", "run"]


def run(*overrides, output=None):
    """Run one job as the command line ``simlab *overrides`` does and return its Dataset
    (see :func:`simlab.runs.api.run`)."""
    from simlab.runs.api import run as run_overrides

    return run_overrides(*overrides, output=output)
