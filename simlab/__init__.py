"""simlab: a statistical-physics laboratory.

Energy models sampled at a temperature, exact oracles beside Monte Carlo, and every result
an xarray Dataset. See the README for the command line; the main modules are
:mod:`simlab.models`, :mod:`simlab.samplers`, :mod:`simlab.exact`, :mod:`simlab.thermo`,
:mod:`simlab.stats`, :mod:`simlab.results` and :mod:`simlab.plots`.
"""

__version__ = "0.1.0"
