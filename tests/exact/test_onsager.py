import numpy as np
import pytest

from simlab.exact import onsager
from simlab.exact.kaufman import kaufman

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))


def test_critical_temperature():
    assert onsager.critical_temperature() == pytest.approx(2.269185314, abs=1e-9)
    assert onsager.critical_temperature(2.0) == pytest.approx(2 * 2.269185314, abs=1e-8)


def test_energy_at_tc_is_minus_sqrt2():
    assert onsager.energy(T_C) == pytest.approx(-np.sqrt(2.0), abs=1e-12)


def test_reference_values():
    np.testing.assert_allclose(onsager.energy([2.0, 2.5]), [-1.745565, -1.106079], atol=1e-6)
    np.testing.assert_allclose(onsager.specific_heat([2.0, 2.5]), [0.724871, 0.861698], atol=1e-6)
    assert np.isinf(onsager.specific_heat(T_C))
    assert -onsager.free_energy(T_C) / T_C == pytest.approx(0.9296954, abs=1e-7)


def test_magnetization():
    assert onsager.magnetization(T_C * 1.01) == 0.0
    assert onsager.magnetization(0.5) == pytest.approx(1.0, abs=1e-6)
    # By hand: (1 - sinh(1)^-4)^(1/8) at T = 2.
    assert onsager.magnetization(2.0) == pytest.approx(0.911319, abs=1e-6)
    t = np.linspace(0.5, T_C * 0.999, 50)
    assert np.all(np.diff(onsager.magnetization(t)) < 0)


def test_large_kaufman_lattice_approaches_onsager():
    t = np.array([1.5, 2.0, 2.5, 3.0, 5.0])
    k = kaufman(512, 512, t)
    np.testing.assert_allclose(k["energy"], onsager.energy(t), atol=1e-9)
    np.testing.assert_allclose(k["specific_heat"], onsager.specific_heat(t), atol=1e-6)
    # Below T_c a finite torus has two ordered phases: S differs by ln 2 / N.
    n = 512 * 512
    shift = np.where(t < T_C, np.log(2) / n, 0.0)
    np.testing.assert_allclose(k["entropy"] - shift, onsager.entropy(t), atol=1e-9)
