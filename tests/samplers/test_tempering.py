"""Parallel tempering: every rung's exact law, the tuned ladder, Kaufman on 16 x 16, RBMs."""

import numpy as np
import pytest

from simlab.errors import ConfigError
from simlab.exact.enumerate import all_states, enumerate_energies
from simlab.exact.kaufman import kaufman
from simlab.models import IsingLattice, PottsLattice, graph
from simlab.models.boltzmann import RBMParameters
from simlab.samplers.tempering import redistribute, replica_exchange
from simlab.stats import chi_square_test
from simlab.thermo import lattice_estimators

LADDER = [0.8, 1.2, 1.7, 2.4, 3.4]


def _energy_law(energies, temperature):
    levels, inverse = np.unique(np.round(energies, 9), return_inverse=True)
    w = np.exp(-(energies - energies.min()) / temperature)
    return levels, np.bincount(inverse, weights=w / w.sum())


def test_every_rung_samples_its_exact_energy_law():
    model = graph.edwards_anderson(4, 2, "pm", seed=5)
    energies = enumerate_energies(model.energy, 16)
    run = replica_exchange(model, LADDER, systems=20_000, sweeps=1, thermalization=59, seed=3)
    for rung, t in enumerate(LADDER):
        levels, law = _energy_law(energies, t)
        index = np.searchsorted(levels, np.round(run.energy[rung, :, -1], 9))
        assert np.allclose(levels[index], run.energy[rung, :, -1])
        counts = np.bincount(index, minlength=levels.size)
        assert chi_square_test(counts, law)[2] > 1e-3, t
        wrong = _energy_law(energies, t * 1.25)[1]
        assert chi_square_test(counts, wrong)[2] < 1e-6, t


def test_rbm_replicas_sample_the_joint_law_at_every_rung():
    rng = np.random.default_rng(0)
    params = RBMParameters(rng.normal(0, 1.2, (4, 3)), rng.normal(0, 0.5, 4),
                           rng.normal(0, 0.5, 3))
    states = all_states(7, (0, 1))
    energy = params.energy(states[:, :4], states[:, 4:])
    ladder = [0.5, 0.8, 1.3]
    run = replica_exchange(params, ladder, systems=40_000, sweeps=1, thermalization=40, seed=1)
    weights = 1 << np.arange(6, -1, -1)
    for rung, t in enumerate(ladder):
        idx = run.states[rung].astype(np.int64) @ weights
        counts = np.bincount(idx, minlength=128)
        w = np.exp(-(energy - energy.min()) / t)
        assert chi_square_test(counts, w / w.sum())[2] > 1e-3, t


def test_adaptive_ladder_on_ising_16_reaches_the_target_and_agrees_with_kaufman():
    run = replica_exchange(IsingLattice(16), [1.6, 3.2], systems=4, sweeps=4_000,
                           thermalization=500, adaptive=True, tune_rounds=4, tune_sweeps=300,
                           seed=2)
    assert run.temperatures.size > 2 and run.temperatures[0] == 1.6
    assert run.temperatures[-1] == pytest.approx(3.2)
    assert np.all(run.acceptance >= 0.2), run.acceptance
    assert run.round_trips > 0 and np.isfinite(run.round_trip_time)
    est = lattice_estimators(run.energy, run.magnetization, 256, run.temperatures)
    exact = kaufman(16, 16, run.temperatures)
    for name in ("energy", "specific_heat"):
        z = (est[name] - exact[name]) / est[name + "_err"]
        assert np.all(np.abs(z) < 4), (name, z)
    ds = run.to_dataset()
    assert ds["acceptance"].dims == ("rung_pair",)
    assert ds.attrs["round_trips"] == run.round_trips


def test_redistribute_equalises_and_adds_rungs():
    temps = np.array([1.0, 1.1, 2.0, 3.0])
    new = redistribute(temps, np.array([0.9, 0.001, 0.2]), 0.3)
    assert new[0] == 1.0 and new[-1] == pytest.approx(3.0)
    assert new.size > temps.size   # the hard interval needs more rungs
    same = redistribute(temps, np.array([0.5, 0.5, 0.5]), 0.3)
    assert same.size == temps.size


def test_reproducible_and_thread_independent():
    model = PottsLattice(6, q=3)
    a = replica_exchange(model, [0.8, 1.0, 1.3], systems=3, sweeps=50, thermalization=5,
                         seed=4, threads=1)
    b = replica_exchange(model, [0.8, 1.0, 1.3], systems=3, sweeps=50, thermalization=5,
                         seed=4, threads=2)
    assert np.array_equal(a.energy, b.energy)
    assert np.array_equal(a.states, b.states)


def test_bad_input_is_refused_by_name():
    with pytest.raises(ConfigError, match="temperatures"):
        replica_exchange(IsingLattice(4), [2.0])
    with pytest.raises(ConfigError, match="target_acceptance"):
        replica_exchange(IsingLattice(4), [2.0, 3.0], target_acceptance=1.5)
    with pytest.raises(ConfigError, match="algorithm"):
        replica_exchange(graph.edwards_anderson(4, 2, "pm"), [1.0, 2.0],
                         algorithm="swendsen-wang")
    with pytest.raises(ConfigError, match="model"):
        replica_exchange("not a model", [1.0, 2.0])
