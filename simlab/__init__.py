"""simlab: a statistical-physics laboratory.

Energy models sampled at a temperature, exact oracles beside Monte Carlo, and every result
an xarray Dataset. See the README for the command line and docs/architecture.md for the
floors of the house: :mod:`simlab.kernels` (Numba), :mod:`simlab.models`, :mod:`simlab.rng`,
:mod:`simlab.stats`, :mod:`simlab.results`; :mod:`simlab.thermo`, :mod:`simlab.exact`,
:mod:`simlab.schedules`; :mod:`simlab.samplers`, :mod:`simlab.llm`; :mod:`simlab.tasks`;
:mod:`simlab.runs`; :mod:`simlab.cli`.
"""

__version__ = "0.1.0"
