"""Multiple-histogram reweighting against direct runs and Kaufman's finite lattice."""

import numpy as np
import pytest

from simlab.errors import DataError
from simlab.exact.kaufman import kaufman, specific_heat_peak as exact_peak
from simlab.models import IsingLattice
from simlab.samplers import sample_lattice
from simlab.thermo import MultipleHistogram, lattice_estimators
from simlab.thermo.reweighting import histogram_density_of_states

SAMPLED = np.array([2.0, 2.2, 2.4, 2.6, 2.8])


@pytest.fixture(scope="module")
def l8_runs():
    model = IsingLattice(8)
    runs = sample_lattice(model, SAMPLED, chains=4, sweeps=20_000, thermalization=1_000,
                          seed=11)
    return MultipleHistogram(runs.energy, SAMPLED, 64, n_blocks=16)


def test_reweighted_curve_equals_a_direct_run_at_an_intermediate_temperature(l8_runs):
    t = np.array([2.3, 2.5])
    direct = sample_lattice(IsingLattice(8), t, chains=4, sweeps=20_000, thermalization=1_000,
                            seed=12)
    d = lattice_estimators(direct.energy, direct.magnetization, 64, t)
    r = l8_runs.thermodynamics(t)
    for name in ("energy", "specific_heat"):
        z = (r[name] - d[name]) / np.hypot(r[name + "_err"], d[name + "_err"])
        assert np.all(np.abs(z) < 4), (name, z)
    exact = kaufman(8, 8, t)
    z = (r["specific_heat"] - exact["specific_heat"]) / r["specific_heat_err"]
    assert np.all(np.abs(z) < 4), z


def test_peak_of_the_reweighted_curve_against_kaufman(l8_runs):
    peak = l8_runs.peak()
    t_exact, c_exact = exact_peak(8, 8)
    assert not peak["at_edge"]
    assert abs(peak["temperature"] - t_exact) < 4 * peak["temperature_err"]
    assert abs(peak["specific_heat"] - c_exact) < 4 * peak["specific_heat_err"]
    assert peak["temperature_err"] < 0.02


def test_self_consistency_on_an_exact_spectrum():
    # Histograms proportional to g(E) exp(-E/T_k) give back ln g exactly (up to a constant).
    levels = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
    log_g = np.log([1.0, 4.0, 6.0, 4.0, 1.0])
    temps = np.array([0.8, 1.5, 4.0])
    w = np.exp(log_g[None, :] - levels[None, :] / temps[:, None])
    counts = 1e6 * w / w.sum(axis=1, keepdims=True)
    got, _ = histogram_density_of_states(levels, counts, temps)
    np.testing.assert_allclose(got - got[0], log_g - log_g[0], atol=1e-8)


def test_shape_mismatch_is_refused():
    with pytest.raises(DataError, match="temperatures"):
        MultipleHistogram(np.zeros((2, 2, 16)), [1.0, 2.0, 3.0], 4)


def test_reweighted_binder_cumulant_equals_a_direct_run():
    model = IsingLattice(8)
    runs = sample_lattice(model, SAMPLED, chains=4, sweeps=20_000, thermalization=1_000,
                          seed=11)
    mh = MultipleHistogram(runs.energy, SAMPLED, 64, n_blocks=16)
    m = np.abs(runs.magnetization) / 64.0
    t = np.array([2.3, 2.5])
    binder, err = mh.observables({"m2": m**2, "m4": m**4}, t,
                                 lambda a: 1 - a["m4"] / (3 * a["m2"] ** 2))
    direct = sample_lattice(model, t, chains=4, sweeps=20_000, thermalization=1_000, seed=12)
    d = lattice_estimators(direct.energy, direct.magnetization, 64, t)
    z = (binder - d["binder"]) / np.hypot(err, d["binder_err"])
    assert np.all(np.abs(z) < 4), z
    # At a sampled temperature the reweighted value is the plain average to within its error.
    b2, e2 = mh.observables({"m2": m**2}, [2.2], lambda a: a["m2"])
    assert abs(b2[0] - (m[1] ** 2).mean()) < 3 * e2[0]
