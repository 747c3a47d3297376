"""General Boltzmann machines: Gibbs sampling against enumeration, the 1985 encoder procedure."""

import numpy as np
import pytest

from simlab.errors import ConfigError, ModelError
from simlab.exact.enumerate import state_index
from simlab.models.boltzmann import (BoltzmannMachine, all_binary_states, exact_distribution,
                                     layered_mask)
from simlab.samplers.boltzmann import encoder_task, gibbs_states, learn_encoder
from simlab.stats import chi_square_test


def random_machine(n, n_visible, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    W = rng.normal(0, scale, (n, n))
    W = np.triu(W, 1)
    W = W + W.T
    return BoltzmannMachine(W, rng.normal(0, scale, n), ~np.eye(n, dtype=bool), n_visible)


# --- general BM ------------------------------------------------------------------------------

@pytest.mark.parametrize("temperature", [0.7, 1.0, 2.0])
def test_gibbs_sampling_matches_exact_boltzmann_distribution(temperature):
    # 10 units, 1024 states; 80,000 independent chains, one draw each (multinomial counts).
    # Heat bath on {0,1} units mixes fast here; 50 sweeps leave a negligible bias.
    bm = random_machine(10, 5, seed=1)
    draws = gibbs_states(bm, temperature, 80_000, burn_in=50, seed=2).states
    counts = np.bincount(state_index(draws, values=(0, 1)), minlength=1024)
    assert chi_square_test(counts, exact_distribution(bm, temperature))[2] > 1e-3


def test_clamped_sampling_matches_exact_conditional_and_power():
    bm = random_machine(9, 4, seed=3)
    clamp = np.array([1, 0, 1, 1, -1, -1, -1, -1, -1])
    draws = gibbs_states(bm, 1.0, 40_000, burn_in=40, seed=4, clamp=clamp).states
    assert np.all(draws[:, :4] == clamp[:4])
    states = all_binary_states(9)
    keep = np.all(states[:, :4] == clamp[:4], axis=1)
    p = exact_distribution(bm)[keep]
    counts = np.bincount(state_index(draws[:, 4:], values=(0, 1)), minlength=32)
    assert chi_square_test(counts, p / p.sum())[2] > 1e-3
    # Power: the same draws against the conditional at another temperature are rejected.
    q = exact_distribution(bm, 1.3)[keep]
    assert chi_square_test(counts, q / q.sum())[2] < 1e-6


def exact_statistics(bm, data):
    """Exact clamped and free <s_i s_j> (T = 1) for a data distribution over visible states."""
    states = all_binary_states(bm.n_units).astype(float)
    p = exact_distribution(bm)
    free = np.einsum("k,ki,kj->ij", p, states, states)
    clamped = np.zeros_like(free)
    for v, weight in data.items():
        keep = np.all(states[:, :bm.n_visible] == np.array(v), axis=1)
        pv = p[keep] / p[keep].sum()
        clamped += weight * np.einsum("k,ki,kj->ij", pv, states[keep], states[keep])
    return clamped, free


def log_likelihood(bm, data):
    states = all_binary_states(bm.n_units)
    p = exact_distribution(bm)
    total = 0.0
    for v, weight in data.items():
        keep = np.all(states[:, :bm.n_visible] == np.array(v), axis=1)
        total += weight * np.log(p[keep].sum())
    return total


def test_learning_rule_is_the_exact_log_likelihood_gradient():
    bm = random_machine(6, 3, seed=5, scale=0.7)
    data = {(1, 0, 1): 0.5, (0, 1, 1): 0.3, (1, 1, 0): 0.2}
    clamped, free = exact_statistics(bm, data)
    h = 1e-6
    for i, j in [(0, 1), (0, 4), (3, 5), (2, 4)]:
        W = bm.weights.copy()
        W[i, j] += h
        W[j, i] += h
        up = log_likelihood(BoltzmannMachine(W, bm.biases, bm.mask, 3), data)
        W[i, j] -= 2 * h
        W[j, i] -= 2 * h
        down = log_likelihood(BoltzmannMachine(W, bm.biases, bm.mask, 3), data)
        assert (up - down) / (2 * h) == pytest.approx(clamped[i, j] - free[i, j], abs=1e-7)
    # And the Monte Carlo estimates the learning procedure uses agree with the exact ones.
    draws = gibbs_states(bm, 1.0, 60_000, burn_in=40, seed=6).states.astype(float)
    mc_free = draws.T @ draws / draws.shape[0]
    se = np.sqrt(free * (1 - free) / draws.shape[0])
    assert np.all(np.abs(mc_free - free) < 5 * se + 1e-12)


def test_encoder_learning_solves_4_2_4_and_is_reproducible():
    a = learn_encoder(4, 2, runs=8, seed=3, max_cycles=2000)
    assert a.solved.sum() >= 6
    assert np.all(a.distinct_codes()[a.solved] == 4)
    b = learn_encoder(4, 2, runs=8, seed=3, max_cycles=2000)
    assert np.array_equal(a.cycles, b.cycles) and np.array_equal(a.weights, b.weights)
    patterns, mask = encoder_task(4, 2)
    assert not mask[:4, 4:8].any()  # V1 and V2 never connected


def test_machine_validation():
    with pytest.raises(ModelError, match="symmetric"):
        BoltzmannMachine(np.array([[0, 1.0], [0.5, 0]]), np.zeros(2), ~np.eye(2, dtype=bool), 1)
    mask, _ = layered_mask({"A": 2, "B": 1}, [("A", "B")])
    with pytest.raises(ModelError, match="unconnected"):
        BoltzmannMachine(np.ones((3, 3)) - np.eye(3), np.zeros(3), mask, 2)
    with pytest.raises(ConfigError, match="clamp"):
        gibbs_states(random_machine(3, 1, 0), 1.0, 2, 2, clamp=[2, 0, 0])
