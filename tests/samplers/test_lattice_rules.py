"""Potts and cluster rules of the lattice sampler beyond their contract rows
(tests/samplers/test_contract.py): the q = 2 Potts model is the Ising model with J / 2, the
tracked sums equal recomputed ones, and long runs on 16 x 16 agree with Kaufman in sigma."""

import numpy as np
import pytest

from simlab.errors import ConfigError
from simlab.exact.kaufman import kaufman
from simlab.models import IsingLattice, PottsLattice
from simlab.samplers import sample_lattice
from simlab.thermo import lattice_estimators

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))
RULES = ["metropolis", "heatbath", "wolff", "swendsen-wang"]


def test_two_state_potts_is_ising_with_half_the_coupling():
    rng = np.random.default_rng(0)
    s01 = rng.integers(0, 2, (50, 20))
    potts = PottsLattice(4, 5, q=2, coupling=2.0)
    ising = IsingLattice(4, 5, coupling=1.0)
    np.testing.assert_allclose(potts.energy(s01), ising.energy(2 * s01 - 1) - 2.0 * 20)
    assert np.array_equal(potts.order_parameter_sum(s01), np.abs((2 * s01 - 1).sum(-1)))


@pytest.mark.parametrize("algorithm", RULES)
def test_tracked_potts_sums_equal_recomputed(algorithm):
    model = PottsLattice(5, 7, q=4, coupling=0.9)
    run = sample_lattice(model, [0.6, 2.0], chains=3, sweeps=40, thermalization=4, seed=2,
                         init="random", algorithm=algorithm)
    assert np.array_equal(run.bond_sum[..., -1], model.bond_sum(run.spins))
    assert np.array_equal(run.magnetization[..., -1], model.order_parameter_sum(run.spins))
    assert run.spins.min() >= 0 and run.spins.max() < 4


@pytest.mark.parametrize("algorithm", RULES)
def test_potts_q2_energy_and_specific_heat_within_4_sigma_of_kaufman(algorithm):
    # Potts q = 2, J = 2 is Ising J = 1 with E shifted by -2N: same C, U shifted by -2.
    temps = np.array([2.0, T_C, 2.6])
    model = PottsLattice(16, q=2, coupling=2.0)
    sweeps = 4_000 if algorithm in ("wolff", "swendsen-wang") else 16_000
    run = sample_lattice(model, temps, chains=4, sweeps=sweeps, thermalization=500,
                         algorithm=algorithm, seed=8)
    est = lattice_estimators(run.energy, run.magnetization, 256, temps)
    exact = kaufman(16, 16, temps)
    assert np.all(est["tau_energy"] < sweeps / 16 / 5)
    z_u = (est["energy"] + 2.0 - exact["energy"]) / est["energy_err"]
    z_c = (est["specific_heat"] - exact["specific_heat"]) / est["specific_heat_err"]
    assert np.all(np.abs(z_u) < 4), z_u
    assert np.all(np.abs(z_c) < 4), z_c


@pytest.mark.parametrize("algorithm", ["wolff", "swendsen-wang"])
def test_ising_clusters_decorrelate_at_tc_within_4_sigma_of_kaufman(algorithm):
    model = IsingLattice(32)
    run = sample_lattice(model, [T_C], chains=4, sweeps=4_000, thermalization=200,
                         algorithm=algorithm, seed=9)
    est = lattice_estimators(run.energy, run.magnetization, 1024, [T_C])
    exact = kaufman(32, 32, [T_C])
    for name in ("energy", "specific_heat"):
        z = (est[name] - exact[name]) / est[name + "_err"]
        assert abs(z[0]) < 4, (name, z)
    assert est["tau_energy"][0] < 10   # Metropolis at L = 32 and T_c: several hundred
    if algorithm == "wolff":
        assert run.clusters_per_sweep.min() >= 1
        assert np.all(np.isfinite(run.mean_cluster_size))


def test_cluster_rules_refuse_what_they_cannot_sample():
    with pytest.raises(ConfigError, match="coupling"):
        sample_lattice(IsingLattice(4, coupling=-1.0), [2.0], algorithm="wolff")
    with pytest.raises(ConfigError, match="field"):
        sample_lattice(IsingLattice(4, field=0.1), [2.0], algorithm="swendsen-wang")
    with pytest.raises(ConfigError, match="clusters_per_sweep"):
        sample_lattice(IsingLattice(4), [2.0], algorithm="metropolis", clusters_per_sweep=2)
    with pytest.raises(ConfigError, match="q"):
        PottsLattice(4, q=1)


def test_potts_runs_are_reproducible_and_thread_independent():
    model = PottsLattice(6, q=3)
    a = sample_lattice(model, [0.9, 1.1], chains=4, sweeps=30, thermalization=3, seed=4,
                       algorithm="wolff", threads=1)
    b = sample_lattice(model, [1.1], chains=4, sweeps=30, thermalization=3, seed=4,
                       algorithm="wolff", threads=2)
    assert np.array_equal(a.bond_sum[1], b.bond_sum[0])
    assert np.array_equal(a.spins[1], b.spins[0])
