"""Thermodynamics from energies, one subject per module.

- :mod:`~simlab.thermo.spectra`: exact ln Z, U, C, S, F of a finite spectrum;
- :mod:`~simlab.thermo.estimators`: Monte Carlo estimators with jackknife errors;
- :mod:`~simlab.thermo.integration`: S(T) by integrating C/T from T = infinity;
- :mod:`~simlab.thermo.reweighting`: histogram reweighting and the specific-heat peak;
- :mod:`~simlab.thermo.logits`: token distributions, softmax(logits / T) with E = -logit.

Units: k_B = 1; entropy in nats. The names below are re-exported for convenience.
"""

from simlab.thermo.estimators import (
                                  block_means_pooled,
                                  energy_estimators,
                                  lattice_estimators,
)
from simlab.thermo.integration import entropy_by_integration
from simlab.thermo.logits import (
                                  LOGIT_VARIABLES,
                                  as_logit_rows,
                                  logit_specific_heat_peak,
                                  logit_thermodynamics,
)
from simlab.thermo.reweighting import (
                                  MultipleHistogram,
                                  energy_histograms,
                                  reweighted_specific_heat,
                                  specific_heat_peak,
)
from simlab.thermo.spectra import spectrum_thermodynamics

__all__ = ["LOGIT_VARIABLES", "MultipleHistogram", "as_logit_rows", "block_means_pooled", "energy_estimators",
           "energy_histograms", "entropy_by_integration", "lattice_estimators",
           "logit_specific_heat_peak", "logit_thermodynamics", "reweighted_specific_heat",
           "specific_heat_peak", "spectrum_thermodynamics"]
