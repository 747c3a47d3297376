import numpy as np
import pytest

from helpers import torus_energy
from simlab.errors import ConfigError
from simlab.exact.beale import ising_density_of_states
from simlab.exact.enumerate import enumerate_energies
from simlab.exact.kaufman import kaufman
from simlab.thermo import spectrum_thermodynamics

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))
TEMPS = np.array([0.8, 1.5, 2.0, T_C, 2.4, 3.0, 6.0])


@pytest.mark.parametrize("rows,cols", [(2, 2), (2, 4), (4, 2), (4, 4), (2, 8), (2, 6)])
def test_counts_equal_enumeration(rows, cols):
    dos = ising_density_of_states(rows, cols)
    energies = enumerate_energies(torus_energy(rows, cols), rows * cols)
    levels, counts = np.unique(np.rint(energies).astype(np.int64), return_counts=True)
    exact = dict(zip(levels.tolist(), counts.tolist()))
    got = {int(e): g for e, g in zip(dos.energies, dos.counts) if g}
    assert got == exact


def test_four_by_four_counts_from_beale():
    # Beale, Phys. Rev. Lett. 76, 78 (1996), L = 4: E = -32 + 4k.
    assert ising_density_of_states(4).counts == (2, 0, 32, 64, 424, 1728, 6688, 13568, 20524,
                                                 13568, 6688, 1728, 424, 64, 32, 0, 2)


@pytest.mark.parametrize("rows,cols", [(16, 16), (32, 32), (6, 10)])
def test_thermodynamics_equal_kaufman(rows, cols):
    dos = ising_density_of_states(rows, cols)
    assert sum(dos.counts) == 2 ** (rows * cols)
    assert dos.counts == dos.counts[::-1]  # E -> -E on a bipartite torus
    thermo = spectrum_thermodynamics(dos.energies, TEMPS, log_degeneracy=dos.log_counts)
    k = kaufman(rows, cols, TEMPS)
    n = rows * cols
    np.testing.assert_allclose(thermo["log_z"], k["log_z"], rtol=1e-12)
    np.testing.assert_allclose(thermo["energy"] / n, k["energy"], rtol=1e-10)
    np.testing.assert_allclose(thermo["specific_heat"] / n, k["specific_heat"], rtol=1e-9)


def test_odd_side_is_refused():
    with pytest.raises(ConfigError, match="rows.*even"):
        ising_density_of_states(3, 4)
