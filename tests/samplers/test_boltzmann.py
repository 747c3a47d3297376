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


def test_exact_encoder_statistics_match_enumeration_of_the_whole_machine():
    # The factorised sums the exact learning modes use (visible groups independent given the
    # hidden code) against the brute-force sum over all 2^N states.
    from simlab.kernels.boltzmann import _exact_clamped, _exact_free

    _, mask = encoder_task(3, 2)
    rng = np.random.default_rng(11)
    W = np.triu(rng.normal(0, 1.5, mask.shape) * mask, 1)
    bm = BoltzmannMachine(W + W.T, rng.normal(0, 1, mask.shape[0]), mask, 6)
    temperature = 2.5
    v = (1, 0, 1, 0, 0, 1)
    scaled = BoltzmannMachine(bm.weights / temperature, bm.biases / temperature, mask, 6)
    clamped, free = exact_statistics(scaled, {v: 1.0})
    pair, single = np.zeros_like(free), np.zeros(8)
    _exact_free(bm.weights, bm.biases, 3, 1 / temperature, pair, single)
    assert np.allclose(pair, free, atol=1e-13) and np.allclose(single, np.diag(free), atol=1e-13)
    pair, single = np.zeros_like(free), np.zeros(8)
    s = np.array(v + (1, 1), dtype=np.int8)
    _exact_clamped(bm.weights, bm.biases, s, np.arange(6, 8), 1 / temperature, pair, single)
    assert np.allclose(pair, clamped, atol=1e-13)
    assert np.allclose(single, np.diag(clamped), atol=1e-13)


def test_encoder_learning_modes_are_reproducible_and_validated():
    kw = dict(runs=3, seed=2, max_cycles=40, statistics="exact", rule="gradient", step=5.0,
              initial_spread=1.0)
    a, b = learn_encoder(4, 2, **kw), learn_encoder(4, 2, **kw)
    assert np.array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, learn_encoder(4, 2, **{**kw, "seed": 3}).weights)
    assert np.ptp(a.weights[0][8:, :4], axis=0).max() > 0  # hidden units differ
    with pytest.raises(ConfigError, match="initial_spread"):
        learn_encoder(4, 2, 1, statistics="exact")
    with pytest.raises(ConfigError, match="statistics"):
        learn_encoder(4, 2, 1, statistics="perfect")
    with pytest.raises(ConfigError, match="rule"):
        learn_encoder(4, 2, 1, rule="momentum")


def test_machine_validation():
    with pytest.raises(ModelError, match="symmetric"):
        BoltzmannMachine(np.array([[0, 1.0], [0.5, 0]]), np.zeros(2), ~np.eye(2, dtype=bool), 1)
    mask, _ = layered_mask({"A": 2, "B": 1}, [("A", "B")])
    with pytest.raises(ModelError, match="unconnected"):
        BoltzmannMachine(np.ones((3, 3)) - np.eye(3), np.zeros(3), mask, 2)
    with pytest.raises(ConfigError, match="clamp"):
        gibbs_states(random_machine(3, 1, 0), 1.0, 2, 2, clamp=[2, 0, 0])
