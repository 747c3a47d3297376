"""The relaxation estimate of z in cluster_dynamics: the fit and its jackknife error on power
laws of known exponent, the log time grid, the run's streams and the settings' checks."""

import re

import numpy as np
import pytest
from helpers import compose, run_task

from simlab.errors import ConfigError
from simlab.models import IsingLattice
from simlab.rng import generator
from simlab.runs.settings import load_settings
from simlab.samplers import sample_lattice
from simlab.tasks.cluster_dynamics.relaxation import (
    RelaxationSettings,
    exponent,
    fit_starts,
    local_exponents,
    log_times,
    relax,
)

T_C = 2.0 / np.log1p(np.sqrt(2.0))


def test_log_times_cover_the_run_evenly_in_ln_t():
    times = log_times(2000, 20)
    assert times[0] == 1 and times[-1] == 2000
    assert (np.diff(times) > 0).all()
    late = times[times >= 100]
    ratios = late[1:] / late[:-1]
    assert np.allclose(ratios, 10 ** (1 / 20), rtol=0.01)
    assert log_times(1, 20).tolist() == [1]


def test_fit_starts_bracket_the_chosen_start_while_the_fit_spans_a_factor_2():
    assert fit_starts(100, 2000).tolist() == [25, 50, 100, 200, 400]
    assert fit_starts(100, 300).tolist() == [25, 50, 100]
    assert fit_starts(2, 10).tolist() == [1, 2, 4]


def test_exponent_is_exact_on_a_noise_free_power_law():
    times = log_times(1000, 10)
    z, x = 2.1665, 0.125
    curves = np.tile(0.9 * times ** (-x / z), (8, 1))
    estimate, err = exponent(curves, times, 50, x)
    assert estimate == pytest.approx(z, rel=1e-12)
    assert err < 1e-9
    mid, local = local_exponents(curves[0], times, x, 3)
    assert np.allclose(local, z, rtol=1e-10)
    assert np.allclose(mid, np.sqrt(times[3:] * times[:-3]))


def test_exponent_error_is_calibrated_on_noisy_blocks():
    # 300 fits, each on 32 blocks whose curves carry independent 1% noise. The pulls
    # (estimate - z) / error of a calibrated estimate have mean 0 (standard error 1/sqrt(300)
    # = 0.058) and a spread near 1 (a Student t of 31 degrees of freedom: 1.03; the spread's
    # own sampling error is about 0.045). Bounds at about 5 of those errors.
    rng = generator(0, "test", "relaxation", "pulls")
    times = log_times(2000, 20)
    z, x = 2.0, 0.125
    clean = times ** (-x / z)
    pulls = []
    for _ in range(300):
        curves = clean * (1 + 0.01 * rng.standard_normal((32, times.size)))
        estimate, err = exponent(curves, times, 100, x)
        pulls.append((estimate - z) / err)
    pulls = np.array(pulls)
    assert abs(pulls.mean()) < 0.3
    assert 0.8 < pulls.std() < 1.25


def test_exponent_is_nan_when_the_mean_curve_is_not_positive():
    times = log_times(100, 10)
    curves = np.tile(times ** -0.5, (4, 1))
    curves[:, -1] = [1e-3, -4e-3, 1e-3, 1e-3]
    z, err = exponent(curves, times, 10, 1.0)
    assert np.isnan(z) and np.isnan(err)


def test_relaxation_is_reproducible_and_keyed_apart_from_the_equilibrium_chains():
    settings = RelaxationSettings(size=64, chains=64, sweeps=40, fit_min=10, blocks=4)
    first, again = relax(settings, T_C, 3), relax(settings, T_C, 3)
    assert np.array_equal(first["magnetization"], again["magnetization"])
    assert first["z_energy"] == again["z_energy"]
    assert np.array_equal(first["z_magnetization_by_start"], again["z_magnetization_by_start"])
    k = first["fit_starts"].tolist().index(10)
    assert first["z_energy_by_start"][k] == first["z_energy"]
    # From the ordered start the energy stays below equilibrium and m below 1 on average.
    assert (first["energy"] > 0).all() and (first["magnetization"] < 1).all()
    # The equilibrium chains of the same size and seed start from the same state; they
    # must not replay the relaxation's random numbers.
    same_start = sample_lattice(IsingLattice(64), [T_C], chains=64, sweeps=40,
                                thermalization=0, scan="sequential", seed=3)
    m = same_start.magnetization[0][:, first["times"] - 1].mean(axis=0) / 64**2
    assert not np.allclose(m, first["magnetization"])


@pytest.mark.parametrize("override, key", [
    ("relaxation.fit_min=1500", "relaxation.fit_min"),
    ("relaxation.blocks=1024", "relaxation.blocks"),
    ("relaxation.chains=1", "relaxation.chains"),
])
def test_bad_relaxation_settings_are_refused_by_name(override, key):
    with pytest.raises(ConfigError, match="^" + re.escape(key) + "="):
        load_settings(compose(["experiment=cluster_dynamics", override]))


def test_the_relaxation_can_be_left_out(tmp_path):
    ds = run_task(["experiment=cluster_dynamics", "dynamics.metropolis_sizes=[4]",
                   "dynamics.metropolis_sweeps=[200]", "dynamics.metropolis_chains=2",
                   "dynamics.cluster_sizes=[4]", "dynamics.cluster_sweeps=200",
                   "dynamics.fit_min_size=4", "dynamics.metropolis_fit_min_size=4",
                   "relaxation.enabled=false"], tmp_path)
    assert "z_relaxation_magnetization" not in ds and "time" not in ds.dims
    assert (tmp_path / "cluster_dynamics.png").exists()
    assert not (tmp_path / "critical_relaxation.png").exists()
