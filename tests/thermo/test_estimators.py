import numpy as np
from helpers import default_ising_grid
import pytest

from simlab.errors import DataError
from simlab.exact.kaufman import kaufman
from simlab.thermo import (entropy_by_integration, lattice_estimators,
                           reweighted_specific_heat, specific_heat_peak)

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))
# The default grid of `simlab` (the ising_sweep task).
DEFAULT_GRID = default_ising_grid()


@pytest.mark.parametrize("L", [8, 16, 32, 64])
def test_entropy_integration_of_exact_heat_capacity(L):
    k = kaufman(L, L, DEFAULT_GRID)
    r = entropy_by_integration(DEFAULT_GRID, k["specific_heat"])
    err = np.abs(r["entropy"] - k["entropy"])
    assert err.max() < 5e-4  # the accuracy stated in the docstring for this grid
    assert np.all(r["entropy_err"] == 0)


def test_entropy_integration_propagates_errors_linearly():
    t = np.linspace(1, 4, 10)
    c = kaufman(8, 8, t)["specific_heat"]
    c_err = np.full_like(c, 0.01)
    r = entropy_by_integration(t, c, c_err)
    rng = np.random.default_rng(5)
    draws = np.array([entropy_by_integration(t, c + rng.normal(size=c.size) * c_err)["entropy"]
                      for _ in range(2000)])
    np.testing.assert_allclose(draws.std(0), r["entropy_err"], rtol=0.1)
    # Order of the input does not matter.
    perm = rng.permutation(t.size)
    rp = entropy_by_integration(t[perm], c[perm], c_err[perm])
    np.testing.assert_allclose(rp["entropy"], r["entropy"][perm])


def test_entropy_integration_rejects_bad_input():
    with pytest.raises(DataError, match="distinct"):
        entropy_by_integration([1.0, 1.0], [0.1, 0.1])
    with pytest.raises(DataError):
        entropy_by_integration([1.0, 2.0], [0.1])


def test_reweighting_exact_histogram_reproduces_exact_specific_heat():
    levels = np.array([-32, -24, -20, -16, -12, -8, -4, 0, 4, 8, 12, 16, 20, 24, 32.0])
    g = np.array([2, 32, 64, 424, 1728, 6688, 13568, 20524, 13568, 6688, 1728, 424, 64, 32, 2.0])
    t0 = 2.3
    counts = g * np.exp(-(levels - levels.min()) / t0)
    for t in (2.0, 2.5, 3.0):
        c = reweighted_specific_heat(levels, counts, t0, t, 16)
        assert c == pytest.approx(kaufman(4, 4, t)["specific_heat"], rel=1e-12)


def test_peak_of_sampled_exact_distribution():
    # Draw energies of the 4 x 4 torus exactly (from Beale's g(E)) and locate the C peak.
    levels = np.array([-32, -24, -20, -16, -12, -8, -4, 0, 4, 8, 12, 16, 20, 24, 32.0])
    g = np.array([2, 32, 64, 424, 1728, 6688, 13568, 20524, 13568, 6688, 1728, 424, 64, 32, 2.0])
    t0 = 2.6
    p = g * np.exp(-(levels - levels.min()) / t0)
    p /= p.sum()
    rng = np.random.default_rng(6)
    energy = rng.choice(levels, size=(8, 40_000), p=p)
    peak = specific_heat_peak(energy, t0, (2.3, 2.9), 16)
    from simlab.exact.kaufman import specific_heat_peak as exact_peak
    t_exact, c_exact = exact_peak(4, 4)
    assert abs(peak["temperature"] - t_exact) < 4 * peak["temperature_err"]
    assert abs(peak["specific_heat"] - c_exact) < 4 * peak["specific_heat_err"]
    assert not peak["at_edge"]


def test_lattice_estimators_on_independent_samples():
    # iid Gaussian energies: C = N Var(e) / T^2 and tau = 1.
    rng = np.random.default_rng(7)
    n_sites, t = 100, np.array([2.0, 3.0])
    e = rng.normal(size=(2, 4, 20_000)) * 5.0
    m = rng.integers(-100, 101, size=e.shape)
    out = lattice_estimators(e, m, n_sites, t, n_blocks=20)
    expected_c = n_sites * (5.0 / n_sites) ** 2 / t**2
    assert np.all(np.abs(out["specific_heat"] - expected_c) < 4 * out["specific_heat_err"])
    assert np.all(np.abs(out["energy"]) < 4 * out["energy_err"])
    assert np.all(np.abs(out["tau_energy"] - 1) < 0.1)
    with pytest.raises(DataError):
        lattice_estimators(e[:, :, :10], m, n_sites, t)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float64])
def test_one_pass_block_moments_equal_numpy_block_means(dtype):
    from simlab.thermo.estimators import Moment, block_means_pooled

    rng = np.random.default_rng(4)
    series = rng.integers(-50, 50, size=(3, 4, 103)).astype(dtype)
    for power, absolute in ((1, False), (1, True), (2, False), (4, False)):
        x = np.abs(series / 7.0) if absolute else series / 7.0
        expected = block_means_pooled(x ** power, 5)
        got = Moment(series, 1 / 7.0, power, absolute).block_means(5)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    with pytest.raises(DataError, match="blocks"):
        Moment(series, 1.0).block_means(104)
