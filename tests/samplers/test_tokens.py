"""The seeded token sampler: frequencies against softmax(z / T), limits and seeds."""

import numpy as np

from simlab.samplers.tokens import sample_from_logits
from simlab.thermo import logit_thermodynamics

LN2 = np.log(2.0)


def test_running_surprise_converges_to_entropy_within_its_confidence_interval():
    rng = np.random.default_rng(4)
    z = rng.normal(size=3000) * 3
    t = np.array([0.3, 1.0, 2.0])
    n = 200_000
    tokens = sample_from_logits(z, t, n, seed=5).tokens
    r = logit_thermodynamics(z, t)
    for j, tj in enumerate(t):
        log_p = z / tj - r["log_z"][j]
        surprise_bits = -log_p[tokens[j]] / LN2
        sigma = np.sqrt(r["varentropy"][j]) / LN2  # exact std of the surprise in bits
        assert abs(surprise_bits.mean() - r["entropy_bits"][j]) < 4 * sigma / np.sqrt(n)


def test_sampler_frequencies_chi_square_and_limits():
    from simlab.stats import chi_square_test

    z = np.array([2.0, 1.0, 0.0, -1.0, -np.inf, 2.0])
    counts = np.bincount(sample_from_logits(z, 0.7, 60_000, seed=6).tokens[0], minlength=6)
    p = np.where(np.isfinite(z), np.exp(z / 0.7), 0.0)
    p /= p.sum()
    assert counts[4] == 0
    assert chi_square_test(counts, p)[2] > 1e-3
    greedy = sample_from_logits(z, 0.0, 2000, seed=7).tokens[0]
    assert set(np.unique(greedy)) == {0, 5}
    uniform = sample_from_logits(z, np.inf, 5000, seed=8).tokens[0]
    assert set(np.unique(uniform)) == {0, 1, 2, 3, 5}


def test_sampler_is_seeded():
    z = np.linspace(0, 3, 100)
    a = sample_from_logits(z, [0.5, 1.0], 100, seed=1).tokens
    assert np.array_equal(a, sample_from_logits(z, [0.5, 1.0], 100, seed=1).tokens)
    assert not np.array_equal(a, sample_from_logits(z, [0.5, 1.0], 100, seed=2).tokens)


def test_a_draw_depends_on_its_row_and_temperature_only():
    # Stream key (row, T): row 0 at T = 0.8 draws the same tokens alone or in a batch of
    # rows and temperatures.
    z = np.random.default_rng(3).normal(size=(4, 50))
    alone = sample_from_logits(z[:1], [0.8], 200, seed=3).tokens
    batch = sample_from_logits(z, [0.5, 0.8], 200, seed=3).tokens
    assert np.array_equal(alone[0, 0], batch[0, 1])
    ds = sample_from_logits(z, [0.5, 0.8], 10, seed=3).to_dataset()
    assert ds["token"].dims == ("row", "temperature", "sample")
    assert ds["token"].attrs["units"] == "1"
