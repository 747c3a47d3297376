"""The lattice sampler against exact answers (its stationary laws are rows of the sampler
contract, tests/samplers/test_contract.py).

Chi-square tests draw one configuration from each of 100,000 independent chains (own random
streams), so the counts are multinomial. Significance level: p > 1e-3 per test with fixed
seeds; the power checks show the same tests reject a non-irreducible chain. The L = 16 runs
hold the estimators, the entropy integral and the reweighted peak to Kaufman's solution.
"""

import numpy as np
import pytest

from simlab.exact.enumerate import boltzmann_probabilities, state_index
from simlab.exact.kaufman import kaufman, specific_heat_peak as exact_peak
from simlab.exact.markov import (closed_classes, evolve, point_mass, sweep_matrix)
from simlab.models import IsingLattice
from simlab.samplers import sample_lattice
from simlab.stats import chi_square_test
from simlab.thermo import entropy_by_integration, lattice_estimators, specific_heat_peak

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))
ALPHA = 1e-3
N_DRAWS = 100_000
BURN_IN = 60
IRREDUCIBLE = [("metropolis", "random"), ("heatbath", "sequential")]


def final_state_counts(model, temperature, algorithm, scan, init, sweeps, seed):
    run = sample_lattice(model, [temperature], chains=N_DRAWS, sweeps=1,
                         thermalization=sweeps - 1, algorithm=algorithm, scan=scan, init=init,
                         seed=seed, record=False)
    return np.bincount(state_index(run.spins[0]), minlength=2**model.n_sites)


@pytest.mark.parametrize("algorithm,scan", IRREDUCIBLE + [("metropolis", "sequential")])
def test_distribution_after_three_sweeps_matches_exact_chain(algorithm, scan):
    # Not only the stationary law: the law after exactly 3 sweeps from all spins up.
    model = IsingLattice(3)
    temperature = 2.27
    exact = evolve(point_mass(np.ones(9), 9), sweep_matrix(model.energy, 9, temperature,
                                                           algorithm, scan), 3)
    counts = final_state_counts(model, temperature, algorithm, scan, "ordered", 3, seed=12)
    assert chi_square_test(counts, exact)[2] > ALPHA


def test_sequential_metropolis_is_not_irreducible_on_3x3():
    # Zero-cost flips are always accepted; some frustrated configurations cycle forever.
    model = IsingLattice(3)
    sweep = sweep_matrix(model.energy, 9, 4.0, "metropolis", "sequential")
    assert len(closed_classes(sweep)) == 5
    for algorithm, scan in IRREDUCIBLE:
        assert len(closed_classes(sweep_matrix(model.energy, 9, 4.0, algorithm, scan))) == 1
    counts = final_state_counts(model, 4.0, "metropolis", "sequential", "random", BURN_IN, 14)
    pi = boltzmann_probabilities(model.energy, 9, 4.0)
    assert chi_square_test(counts, pi)[2] < 1e-6


def test_tracked_sums_equal_recomputed_sums():
    model = IsingLattice(5, 7, coupling=0.7, field=0.3)
    run = sample_lattice(model, [1.0, 3.0], chains=3, sweeps=50, thermalization=5, seed=2,
                         init="random")
    assert np.array_equal(run.bond_sum[..., -1], model.bond_sum(run.spins))
    assert np.array_equal(run.magnetization[..., -1], run.spins.sum(-1))
    np.testing.assert_allclose(run.energy[..., -1], model.energy(run.spins))


@pytest.mark.parametrize("algorithm,scan", IRREDUCIBLE)
def test_field_and_rectangular_lattice_against_enumeration(algorithm, scan):
    # h != 0, J != 1 and rows != cols (2 x 5 torus): U and C per spin within 4 sigma of enumeration.
    from helpers import torus_energy
    from simlab.exact.enumerate import enumerate_thermodynamics
    model = IsingLattice(2, 5, coupling=0.8, field=0.25)
    temps = np.array([1.5, 2.0, 3.5])
    sweeps, blocks = 20_000, 16
    # Jackknife errors need blocks much longer than the slowest relaxation, which the exact
    # chain gives. (At T = 1 it is ~2000 sweeps, longer than a block: errors would be too small.)
    for t in temps:
        eigenvalues = np.abs(np.linalg.eigvals(sweep_matrix(model.energy, 10, t, algorithm, scan)))
        relaxation = -1 / np.log(np.sort(eigenvalues)[-2])
        assert relaxation < sweeps / blocks / 10
    run = sample_lattice(model, temps, chains=8, sweeps=sweeps, thermalization=500,
                         algorithm=algorithm, scan=scan, seed=3)
    est = lattice_estimators(run.energy, run.magnetization, 10, temps, blocks)
    exact = enumerate_thermodynamics(torus_energy(2, 5, 0.8, 0.25), 10, temps)
    z_u = (est["energy"] - exact["energy"] / 10) / est["energy_err"]
    z_c = (est["specific_heat"] - exact["specific_heat"] / 10) / est["specific_heat_err"]
    assert np.all(np.abs(z_u) < 4), z_u
    assert np.all(np.abs(z_c) < 4), z_c


@pytest.fixture(scope="module")
def l16_run():
    temps = np.array([1.8, 2.0, 2.2, T_C, 2.35, 2.5, 3.0])
    model = IsingLattice(16)
    return temps, sample_lattice(model, temps, chains=8, sweeps=20_000, thermalization=2_000,
                                 seed=5)


def test_l16_energy_and_specific_heat_within_4_sigma_of_kaufman(l16_run):
    temps, run = l16_run
    est = lattice_estimators(run.energy, run.magnetization, 256, temps)
    exact = kaufman(16, 16, temps)
    for name in ("energy", "specific_heat"):
        z = (est[name] - exact[name]) / est[name + "_err"]
        assert np.all(np.abs(z) < 4), (name, z)
    # Errors are honest, not inflated: the relative error of C stays small.
    assert np.all(est["specific_heat_err"] / est["specific_heat"] < 0.05)
    # Block length (20000 / 16 sweeps) is much longer than the autocorrelation time.
    assert np.all(est["tau_energy"] < 1250 / 10)


def test_l16_reweighted_peak_near_exact(l16_run):
    temps, run = l16_run
    k = 4  # T = 2.35, closest to the exact maximum 2.3175
    peak = specific_heat_peak(run.energy[k], temps[k], (2.275, 2.4), 256)
    t_exact, c_exact = exact_peak(16, 16)
    assert abs(peak["temperature"] - t_exact) < 4 * peak["temperature_err"]
    assert abs(peak["specific_heat"] - c_exact) < 4 * peak["specific_heat_err"]


def test_l16_entropy_by_integration_within_stated_error():
    from helpers import default_ising_grid

    DEFAULT_GRID = default_ising_grid()
    model = IsingLattice(16)
    run = sample_lattice(model, DEFAULT_GRID, chains=8, sweeps=10_000, thermalization=1_000,
                         algorithm="heatbath", scan="sequential", seed=6)
    est = lattice_estimators(run.energy, run.magnetization, 256, DEFAULT_GRID)
    s = entropy_by_integration(DEFAULT_GRID, est["specific_heat"], est["specific_heat_err"])
    stated = np.hypot(s["entropy_err"], s["entropy_quadrature_err"])
    z = (s["entropy"] - kaufman(16, 16, DEFAULT_GRID)["entropy"]) / stated
    assert np.all(np.abs(z) < 4), z
