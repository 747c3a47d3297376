"""The bond density of states G(b) and the thermodynamics read from it, against exact
energy spectra (Beale's counts for Ising, enumeration for Potts)."""

import numpy as np
import pytest

from helpers import potts_torus_energy
from simlab.errors import ConfigError
from simlab.exact.beale import ising_density_of_states
from simlab.exact.enumerate import enumerate_energies
from simlab.thermo.bonds import bond_log_counts, bond_thermodynamics
from simlab.thermo.spectra import spectrum_thermodynamics

TEMPS = np.array([0.8, 1.5, 2.269, 3.0, 10.0])


def ising_bond_counts(size):
    """(ln G(b), ln g(E), E) of the size x size Ising torus from Beale's counts."""
    n = size * size
    log_g = ising_density_of_states(size).log_counts
    bond_sum = 2 * n - 4 * np.arange(n + 1)
    return bond_log_counts(log_g, (2 * n + bond_sum) // 2, 2 * n), log_g, -bond_sum.astype(float)


@pytest.mark.parametrize("size", [2, 4, 8])
def test_ising_bond_thermodynamics_equal_the_energy_spectrum(size):
    log_bonds, log_g, energies = ising_bond_counts(size)
    n, keep = size * size, np.isfinite(log_g)
    # G(0): every spin state with no bond; G(B): both ground states with every bond.
    assert log_bonds[0] == pytest.approx(n * np.log(2), rel=1e-14)
    assert log_bonds[-1] == pytest.approx(np.log(2), rel=1e-12)
    got = bond_thermodynamics(np.arange(2 * n + 1), log_bonds, TEMPS, n_bonds=2 * n,
                              ising=True)
    want = spectrum_thermodynamics(energies[keep], TEMPS, log_degeneracy=log_g[keep])
    for name in ("energy", "specific_heat", "entropy", "free_energy"):
        np.testing.assert_allclose(got[name], want[name], rtol=1e-9, atol=1e-9, err_msg=name)


def test_potts_q3_bond_thermodynamics_equal_the_enumerated_spectrum():
    energies = enumerate_energies(potts_torus_energy(3, 3), 9, (0, 1, 2))
    levels, counts = np.unique(np.rint(energies).astype(int), return_counts=True)
    log_bonds = bond_log_counts(np.log(counts), -levels, 18)
    assert log_bonds[0] == pytest.approx(9 * np.log(3))
    assert log_bonds[-1] == pytest.approx(np.log(3))
    # sum_b G(b) = sum over spin states of 2^(equal-spin bonds), counted directly.
    assert np.exp(log_bonds).sum() == pytest.approx(np.sum(2.0 ** -energies))
    got = bond_thermodynamics(np.arange(19), log_bonds, TEMPS, n_bonds=18, ising=False)
    want = spectrum_thermodynamics(levels.astype(float), TEMPS, degeneracy=counts)
    for name in ("energy", "specific_heat", "entropy", "free_energy"):
        np.testing.assert_allclose(got[name], want[name], rtol=1e-9, atol=1e-9, err_msg=name)


def test_antiferromagnetic_coupling_is_refused():
    with pytest.raises(ConfigError, match="coupling"):
        bond_thermodynamics([0, 1], [0.0, 0.0], [1.0], n_bonds=1, ising=True, coupling=-1.0)
