import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from simlab.errors import ConfigError, DataError, ModelError
from simlab.exact.enumerate import (all_states, boltzmann_probabilities, enumerate_energies,
                                    enumerate_thermodynamics, state_index)
from simlab.thermo import spectrum_thermodynamics


def test_states_and_index_roundtrip():
    s = all_states(6)
    assert s.shape == (64, 6) and s.dtype == np.int8
    assert np.array_equal(state_index(s), np.arange(64))
    assert np.array_equal(s[0], -np.ones(6)) and np.array_equal(s[-1], np.ones(6))
    assert np.array_equal(all_states(3, values=(0, 1))[5], [1, 0, 1])


@pytest.mark.parametrize("n", [0, 21, 2.5])
def test_site_limit(n):
    with pytest.raises(ConfigError, match="n_sites"):
        all_states(n)


def test_ising_ring_partition_function():
    # 1D ring of N spins: Z = (2 cosh K)^N + (2 sinh K)^N.
    n = 10
    energy = lambda s: -(s.astype(np.int64) * np.roll(s, 1, axis=1)).sum(1)  # noqa: E731
    t = np.array([0.3, 1.0, 2.0, 10.0])
    K = 1 / t
    ln_z = np.log((2 * np.cosh(K)) ** n + (2 * np.sinh(K)) ** n)
    np.testing.assert_allclose(enumerate_thermodynamics(energy, n, t)["log_z"], ln_z, rtol=1e-13)


def test_two_level_system_specific_heat_peak():
    gap = 1.7
    c = lambda t: spectrum_thermodynamics([0.0, gap], t)["specific_heat"][0]  # noqa: E731
    res = minimize_scalar(lambda t: -c(t), bounds=(0.1, 5), method="bounded",
                          options={"xatol": 1e-12})
    assert gap / res.x == pytest.approx(2.39936, abs=2e-5)
    assert -res.fun == pytest.approx(0.439229, abs=1e-6)


def test_spectrum_identities():
    rng = np.random.default_rng(0)
    e = rng.normal(size=50) * 3
    t = np.array([0.1, 0.7, 1.0, 4.0, 100.0])
    r = spectrum_thermodynamics(e, t)
    np.testing.assert_allclose(r["free_energy"], r["energy"] - t * r["entropy"], atol=1e-12)
    assert np.all(np.diff(r["entropy"]) > 0)
    shifted = spectrum_thermodynamics(e + 1e6, t)
    np.testing.assert_allclose(shifted["entropy"], r["entropy"], atol=1e-6)
    np.testing.assert_allclose(shifted["specific_heat"], r["specific_heat"], rtol=1e-6)
    # Degeneracy g is the same as repeating a level g times.
    d = spectrum_thermodynamics([0.0, 1.0], t, degeneracy=[1, 3])
    np.testing.assert_allclose(d["log_z"], spectrum_thermodynamics([0, 1, 1, 1], t)["log_z"])


def test_boltzmann_probabilities_sum_to_one_and_order():
    energy = lambda s: s.sum(1).astype(float)  # noqa: E731
    p = boltzmann_probabilities(energy, 4, 1.0)
    assert p.sum() == pytest.approx(1.0)
    assert p[0] == p.max()  # all -1 has the lowest energy


def test_bad_energy_functions():
    with pytest.raises(ModelError, match="one energy per state"):
        enumerate_energies(lambda s: np.zeros(3), 4)
    with pytest.raises(ModelError, match="non-finite"):
        enumerate_energies(lambda s: np.full(len(s), np.nan), 3)
    with pytest.raises(DataError, match="empty"):
        spectrum_thermodynamics([], 1.0)
