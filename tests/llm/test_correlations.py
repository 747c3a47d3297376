"""Text observables on synthetic sequences whose correlations are known exactly."""

import numpy as np
import pytest

from simlab.llm import correlations as cr


def markov_sequences(n_sequences, length, flip, seed):
    """Two-state chains started from their stationary law (1/2, 1/2), flipping w.p. ``flip``."""
    rng = np.random.default_rng(seed)
    y = np.empty((n_sequences, length), dtype=np.int64)
    y[:, 0] = rng.integers(0, 2, n_sequences)
    flips = rng.random((n_sequences, length - 1)) < flip
    for t in range(1, length):
        y[:, t] = np.where(flips[:, t - 1], 1 - y[:, t - 1], y[:, t - 1])
    return list(y)


def exact_tau(n, lam):
    """N Var(m) for the two-state chain: (1/4) (1/N) sum_{s,t} lam^|s-t|."""
    k = np.arange(1, n)
    return 0.25 * (n + 2 * np.sum((n - k) * lam**k)) / n


@pytest.mark.parametrize("flip", [0.5, 0.2, 0.05])
def test_integrated_correlation_of_a_markov_chain(flip):
    lam = 1 - 2 * flip
    m = 4000
    tags = markov_sequences(m, 128, flip, seed=1)
    lengths = [8, 32, 128]
    tau = cr.integrated_correlation(tags, lengths, 2)
    for k, n in enumerate(lengths):
        exact = exact_tau(n, lam)
        # tau is a variance from m sequences: relative standard error about sqrt(2 / m).
        assert abs(tau[k, 0, 0] - exact) < 4 * exact * np.sqrt(2 / m), (n, tau[k, 0, 0], exact)
        assert tau[k, 0, 1] == pytest.approx(-tau[k, 0, 0])  # two classes: m_1 = 1 - m_0
    if flip == 0.5:  # i.i.d.: tau = p (1 - p) = 1/4 for every N, growth exponent 0
        assert abs(cr.growth_exponent(lengths, np.trace(tau, axis1=1, axis2=2))) < 0.05


def test_correlation_function_and_fits_of_a_markov_chain():
    flip, m = 0.1, 6000
    lam = 1 - 2 * flip
    tags = markov_sequences(m, 64, flip, seed=2)
    c = cr.correlation_function(tags, 12, 2)
    dt = np.arange(1, 13)
    exact = 0.25 * lam**dt
    # Each C(dt) averages products over m sequences: standard error about 0.25 / sqrt(m).
    assert np.all(np.abs(c[:, 0] - exact) < 5 * 0.25 / np.sqrt(m))
    fit = cr.fit_decay(dt, c[:, 0])
    assert fit["better"] == "exponential"
    assert fit["correlation_length"] == pytest.approx(-1 / np.log(lam), rel=0.1)


def test_fit_prefers_the_true_law():
    dt = np.arange(1, 65, dtype=float)
    power = cr.fit_decay(dt, 0.3 * dt**-0.7)
    assert power["better"] == "power" and power["power_exponent"] == pytest.approx(0.7)
    expo = cr.fit_decay(dt, 0.3 * np.exp(-dt / 9.0))
    assert expo["better"] == "exponential" and expo["correlation_length"] == pytest.approx(9.0)
    assert cr.fit_decay(dt[:2], [0.1, 0.05])["better"] == "none"


def test_frozen_and_free_sequences_give_growth_exponents_one_and_zero():
    rng = np.random.default_rng(3)
    frozen = [np.full(256, rng.integers(0, 3)) for _ in range(300)]   # never decorrelates
    free = [rng.integers(0, 3, 256) for _ in range(300)]
    lengths = [16, 32, 64, 128, 256]
    assert cr.growth_exponent(lengths, cr.total_tau(frozen, lengths, 3)) == pytest.approx(1.0)
    assert abs(cr.growth_exponent(lengths, cr.total_tau(free, lengths, 3))) < 0.1
    assert cr.critical_temperature([0.5, 1.0, 1.5], [1.0, 0.6, 0.2]) == pytest.approx(1.125)
    assert np.isnan(cr.critical_temperature([0.5, 1.0], [0.9, 0.8]))


def test_bootstrap_spread_and_repetition():
    rng = np.random.default_rng(4)
    sets = [[np.full(64, rng.integers(0, 2)) for _ in range(40)],
            [rng.integers(0, 2, 64) for _ in range(40)]]
    tc, err, values = cr.bootstrap_critical_temperature(sets, [0.5, 1.5], [8, 16, 32, 64], 2,
                                                        resamples=20, seed=0)
    assert 0.5 < tc < 1.5 and err >= 0 and values.size == 20
    assert cr.repetition_rate([[1, 2, 3, 1, 2, 3, 1, 2, 3]], n=3)[0] == pytest.approx(4 / 7)
    assert cr.repetition_rate([np.arange(50)], n=4)[0] == 0.0
