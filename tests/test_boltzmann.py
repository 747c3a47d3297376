"""Boltzmann machines, RBMs and Hopfield networks against exact answers."""

import numpy as np
import pytest

from simlab.errors import ConfigError, DataError, ModelError
from simlab.exact.enumerate import state_index
from simlab.models.boltzmann import (BoltzmannMachine, RBMParameters, all_binary_states,
                                     exact_distribution, layered_mask, rbm_exact_thermodynamics)
from simlab.samplers.boltzmann import encoder_task, gibbs_states, learn_encoder
from simlab.samplers.rbm import BernoulliRBM
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
    draws = gibbs_states(bm, temperature, 80_000, burn_in=50, seed=2)
    counts = np.bincount(state_index(draws, values=(0, 1)), minlength=1024)
    assert chi_square_test(counts, exact_distribution(bm, temperature))[2] > 1e-3


def test_clamped_sampling_matches_exact_conditional_and_power():
    bm = random_machine(9, 4, seed=3)
    clamp = np.array([1, 0, 1, 1, -1, -1, -1, -1, -1])
    draws = gibbs_states(bm, 1.0, 40_000, burn_in=40, seed=4, clamp=clamp)
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
    draws = gibbs_states(bm, 1.0, 60_000, burn_in=40, seed=6).astype(float)
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


# --- RBM -------------------------------------------------------------------------------------

def small_rbm(seed=0, n_visible=10, n_hidden=7, scale=1.0):
    rng = np.random.default_rng(seed)
    rbm = BernoulliRBM(n_components=n_hidden, random_state=seed)
    rbm._initialise(n_visible)
    rbm.components_ = rng.normal(0, scale, (n_hidden, n_visible))
    rbm.intercept_visible_ = rng.normal(0, 0.5, n_visible)
    rbm.intercept_hidden_ = rng.normal(0, 0.5, n_hidden)
    return rbm


def test_exact_rbm_thermodynamics_equals_full_enumeration():
    rbm = small_rbm()
    p = rbm.params
    v = all_binary_states(10).astype(float)
    h = all_binary_states(7).astype(float)
    e = p.energy(v[:, None, :], h[None, :, :]).ravel()
    from simlab.thermo import spectrum_thermodynamics

    for t in (0.5, 1.0, 3.0):
        full = spectrum_thermodynamics(e, t)
        fast = rbm_exact_thermodynamics(p, t)
        for key in ("log_z", "energy", "specific_heat", "entropy"):
            assert fast[key][0] == pytest.approx(full[key][0], rel=1e-10), key
    # Swapping the layers' roles (enumerate the other side) gives the same numbers.
    swapped = RBMParameters(p.weights.T.copy(), p.hidden_bias, p.visible_bias)
    np.testing.assert_allclose(rbm_exact_thermodynamics(swapped, [0.7, 2.0])["log_z"],
                               rbm_exact_thermodynamics(p, [0.7, 2.0])["log_z"], rtol=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ais_log_partition_within_its_error_of_exact(seed):
    rbm = small_rbm(seed, n_visible=12, n_hidden=9, scale=0.8)
    exact, _ = rbm.log_partition("exact")
    estimate, error = rbm.log_partition("ais", n_runs=200, n_betas=3000, seed=seed)
    assert 0 < error < 0.1
    assert abs(estimate - exact) < 4 * error


def test_mc_thermodynamics_of_an_rbm_match_exact():
    rbm = small_rbm(4, n_visible=8, n_hidden=6, scale=0.9)
    t = np.concatenate([np.geomspace(0.3, 4.0, 14), [6.0, 10.0, 20.0]])
    exact = rbm.thermodynamics(t, "exact")
    mc = rbm.thermodynamics(t, "mc", chains=64, sweeps=1500, thermalization=200, seed=5)
    for name in ("energy", "specific_heat"):
        z = (mc[name] - exact[name]) / mc[name + "_err"]
        assert np.all(np.abs(z) < 4.5), (name, z)
    s_err = np.hypot(mc["entropy_err"], mc["entropy_quadrature_err"])
    assert np.all(np.abs(mc["entropy"] - exact["entropy"]) < 4.5 * s_err + 2e-3)


def test_rbm_learns_and_is_reproducible():
    from sklearn.datasets import load_digits

    X = (load_digits().data[:400] > 7).astype(float)
    a = BernoulliRBM(32, learning_rate=0.1, n_iter=5, random_state=7).fit(X)
    b = BernoulliRBM(32, learning_rate=0.1, n_iter=5, random_state=7).fit(X)
    np.testing.assert_array_equal(a.components_, b.components_)
    untrained = small_rbm(0, n_visible=64, n_hidden=32, scale=0.01)
    assert a.score_samples(X).mean() > untrained.score_samples(X).mean() + 10
    assert a.transform(X).shape == (400, 32)
    assert a.gibbs(X[:3]).shape == (3, 64) and a.sample(5, 20).shape == (5, 64)
    c = BernoulliRBM(32, n_iter=1, random_state=7).partial_fit(X[:10]).partial_fit(X[10:20])
    assert c.components_.shape == (32, 64)


@pytest.mark.parametrize("X,message", [
    (np.array([[0.0, 0.5], [1.0, 0.0]]), "binary"),
    (np.array([[0.0, np.nan], [1.0, 0.0]]), "NaN"),
    (np.zeros((0, 3)), "non-empty"),
])
def test_rbm_rejects_bad_training_data(X, message):
    with pytest.raises(DataError, match=message):
        BernoulliRBM(4).fit(X)


def test_rbm_rejects_wrong_feature_count_and_unfitted_use():
    rbm = BernoulliRBM(4, n_iter=1, random_state=0).fit(np.eye(6))
    with pytest.raises(DataError, match="5 features but the RBM was fitted with 6"):
        rbm.transform(np.zeros((2, 5)))
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        rbm.transform(np.full((1, 6), 2.0))
    with pytest.raises(DataError, match="not fitted"):
        BernoulliRBM(4).transform(np.zeros((1, 6)))


# --- Hopfield --------------------------------------------------------------------------------

def test_hopfield_retrieves_every_pattern_from_corrupted_starts():
    from simlab.models.hopfield import hebbian, random_patterns
    from simlab.samplers.hopfield import retrieve

    model = hebbian(random_patterns(10, 500, seed=1))  # alpha = 0.02 << 0.138
    overlaps, states = retrieve(model, 0.0, corruption=0.15, seed=2)
    assert np.all(overlaps == 1.0)
    # The final states are fixed points of the zero-temperature dynamics.
    fields = states.astype(float) @ model.weights
    assert np.all(states * fields >= 0)
    warm, _ = retrieve(model, 0.3, corruption=0.15, sweeps=30, seed=3)
    assert np.all(warm > 0.9)


def test_hopfield_theory_critical_load():
    from simlab.exact.hopfield_theory import critical_load, retrieval_overlap

    assert critical_load(0.0) == pytest.approx(0.1379, abs=5e-4)
    assert retrieval_overlap(0.1, 0.0) == pytest.approx(0.998, abs=2e-3)
    assert retrieval_overlap(0.2, 0.0) == 0.0
    assert critical_load(0.5) < critical_load(0.3) < critical_load(0.1) < 0.139


def test_gelman_rubin_detects_stuck_chains():
    from simlab.stats import gelman_rubin

    rng = np.random.default_rng(0)
    mixed = rng.normal(size=(8, 2000))
    assert gelman_rubin(mixed) == pytest.approx(1.0, abs=0.01)
    stuck = mixed + np.arange(8)[:, None]  # each chain in its own mode
    assert gelman_rubin(stuck) > 1.5


def test_rbm_monte_carlo_is_withheld_where_chains_do_not_mix():
    from simlab.tasks.rbm_digits import digits

    train, _ = digits(8, 0.2, 0)
    rbm = BernoulliRBM(16, 0.1, 10, 7, random_state=0).fit(train)
    t = np.concatenate([np.geomspace(0.15, 8, 16), [12.0, 20.0, 40.0]])
    mc = rbm.thermodynamics(t, "mc", chains=32, sweeps=800, thermalization=200, seed=1)
    exact = rbm.thermodynamics(t, "exact")
    reported = np.isfinite(mc["specific_heat"])
    assert not reported[0] and reported[-1]          # frozen at T = 0.15, reported at T = 40
    assert np.all(reported[np.argmax(reported):])   # reported from some T upwards
    assert np.all(mc["r_hat_energy"][reported] <= 1.02)
    z = (mc["specific_heat"][reported] - exact["specific_heat"][reported]) / \
        mc["specific_heat_err"][reported]
    assert np.all(np.abs(z) < 4.5)
    assert np.nanmin(mc["entropy"]) > 0
