import numpy as np
import pytest

from helpers import torus_energy
from simlab.errors import ConfigError
from simlab.exact.enumerate import enumerate_thermodynamics
from simlab.exact.kaufman import kaufman, specific_heat_peak
from simlab.thermo import spectrum_thermodynamics

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))
TEMPS = np.array([0.5, 1.0, 1.5, 2.0, T_C, 2.5, 3.0, 5.0, 20.0, 50.0])


@pytest.mark.parametrize("rows,cols", [(4, 4), (3, 3), (2, 3), (3, 4), (4, 3), (4, 5), (2, 2)])
def test_kaufman_equals_enumeration(rows, cols):
    n = rows * cols
    exact = enumerate_thermodynamics(torus_energy(rows, cols), n, TEMPS)
    k = kaufman(rows, cols, TEMPS)
    np.testing.assert_allclose(k["log_z"], exact["log_z"], rtol=1e-10)
    for name in ("energy", "specific_heat", "entropy", "free_energy"):
        np.testing.assert_allclose(k[name] * n, exact[name], rtol=1e-10, err_msg=name)


def test_kaufman_matches_beale_density_of_states():
    # Beale (1996), L = 4 torus: Z = sum_E g(E) exp(-E/T).
    energies = np.array([-32, -24, -20, -16, -12, -8, -4, 0, 4, 8, 12, 16, 20, 24, 32.0])
    g = np.array([2, 32, 64, 424, 1728, 6688, 13568, 20524, 13568, 6688, 1728, 424, 64, 32, 2])
    assert g.sum() == 2**16
    dos = spectrum_thermodynamics(energies, TEMPS, degeneracy=g)
    np.testing.assert_allclose(kaufman(4, 4, TEMPS)["log_z"], dos["log_z"], rtol=1e-12)


@pytest.mark.parametrize("L,t_max,c_max,c_tc", [
    (16, 2.31751, 1.55220, 1.49870),
    (32, 2.29393, 1.90451, 1.84677),
    (64, 2.28173, 2.25239, 2.19221),
])
def test_specific_heat_peaks_reference(L, t_max, c_max, c_tc):
    t, c = specific_heat_peak(L, L)
    assert t == pytest.approx(t_max, abs=6e-6)
    assert c == pytest.approx(c_max, abs=6e-6)
    assert kaufman(L, L, T_C)["specific_heat"] == pytest.approx(c_tc, abs=6e-6)


@pytest.mark.parametrize("L", [2, 3, 16, 128, 512])
def test_stable_from_half_to_fifty(L):
    t = np.linspace(0.5, 50.0, 4001)
    k = kaufman(L, L, t)
    for name, v in k.items():
        assert np.all(np.isfinite(v)), name
    assert np.all(k["specific_heat"] > 0)
    assert np.all(np.diff(k["energy"]) > 0)      # U increases with T
    assert np.all(np.diff(k["entropy"]) > 0)     # S increases with T
    assert np.all(k["entropy"] <= np.log(2) + 1e-12)


def test_derivatives_consistent_across_tc_for_large_lattice():
    # dU/dT = C and dS/dT = C/T, by central differences through T_c at L = 64.
    t = np.linspace(2.1, 2.45, 3501)
    k = kaufman(64, 64, t)
    h = t[1] - t[0]
    du = (k["energy"][2:] - k["energy"][:-2]) / (2 * h)
    ds = (k["entropy"][2:] - k["entropy"][:-2]) / (2 * h)
    np.testing.assert_allclose(du, k["specific_heat"][1:-1], rtol=1e-5)
    np.testing.assert_allclose(ds, k["specific_heat"][1:-1] / t[1:-1], rtol=1e-5)


def test_antiferromagnet_on_even_torus_equals_ferromagnet():
    f = kaufman(4, 6, TEMPS, coupling=1.0)
    a = kaufman(4, 6, TEMPS, coupling=-1.0)
    np.testing.assert_allclose(a["log_z"], f["log_z"])
    np.testing.assert_allclose(a["energy"], f["energy"])
    exact = enumerate_thermodynamics(torus_energy(4, 4, coupling=-1.0), 16, TEMPS)
    np.testing.assert_allclose(kaufman(4, 4, TEMPS, coupling=-1.0)["energy"] * 16,
                               exact["energy"], rtol=1e-10)


@pytest.mark.parametrize("kwargs,key", [
    (dict(rows=1, cols=4, temperature=2.0), "rows"),
    (dict(rows=4, cols=4, temperature=0.0), "temperature"),
    (dict(rows=4, cols=4, temperature=[1.0, np.nan]), "temperature"),
    (dict(rows=3, cols=4, temperature=2.0, coupling=-1.0), "coupling"),
    (dict(rows=4, cols=4, temperature=2.0, coupling=0.0), "coupling"),
])
def test_bad_arguments(kwargs, key):
    with pytest.raises(ConfigError, match=key):
        kaufman(**kwargs)
