import numpy as np
import pytest

from simlab.errors import DataError
from simlab.stats import (
    binning_analysis,
    block_means,
    chi_square_test,
    integrated_time,
    jackknife,
    successive_slopes,
    weighted_mean,
)


def ar1(phi, shape, seed):
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=shape)
    x = np.empty(shape)
    x[..., 0] = noise[..., 0] / np.sqrt(1 - phi**2)
    for t in range(1, shape[-1]):
        x[..., t] = phi * x[..., t - 1] + noise[..., t]
    return x


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9])
def test_integrated_time_of_ar1(phi):
    # AR(1): tau = (1 + phi) / (1 - phi). Compare in units of the returned error.
    tau, err = integrated_time(ar1(phi, (8, 100_000), seed=1))
    exact = (1 + phi) / (1 - phi)
    assert abs(tau - exact) < 4 * err + 0.02 * exact


def test_pooled_mean_removes_the_short_chain_bias_of_tau():
    # 1,000 AR(1) chains of 30 tau each (tau = 99). Centred on its own mean, a chain loses
    # about tau / n of its autocorrelation at every lag: over Sokal's window 2W + 1 = 11 tau
    # lags that is a third of tau. Centred on the pooled mean the loss is 1,000 times smaller.
    phi = 0.98
    exact = (1 + phi) / (1 - phi)
    x = ar1(phi, (1000, 3000), seed=5)
    own = integrated_time(x)[0]
    pooled, err = integrated_time(x, pooled_mean=True)
    assert abs(pooled - exact) < 3 * err, (pooled, err)
    assert own < exact - 5 * err, (own, err)


def test_successive_slopes_skip_missing_points():
    # y = 1 + 2x with a gap: the pair across the gap has the slope 2 too, and each error is
    # the two points' errors combined over the span.
    x = np.array([0.0, 1.0, 2.0, 4.0])
    y = np.array([1.0, 3.0, np.nan, 9.0])
    sigma = np.array([0.1, 0.2, 0.3, 0.2])
    slope, err = successive_slopes(x, y, sigma)
    np.testing.assert_allclose(slope, [np.nan, 2.0, np.nan, 2.0])
    np.testing.assert_allclose(err, [np.nan, np.hypot(0.1, 0.2), np.nan, np.hypot(0.2, 0.2) / 3])


def test_weighted_mean_scales_its_error_only_for_inconsistent_estimates():
    # Consistent: 1 and 3 with errors 2 and 2 -> mean 2, error sqrt(2), chi^2/dof 0.5.
    mean, err, chi2 = weighted_mean([1.0, 3.0], [2.0, 2.0])
    assert (mean, chi2) == (2.0, 0.5) and err == pytest.approx(np.sqrt(2.0))
    # Inconsistent: 1 and 3 with errors 0.5 -> chi^2/dof 8, error (0.5 / sqrt 2) sqrt 8 = 1.
    mean, err, chi2 = weighted_mean([1.0, 3.0], [0.5, 0.5])
    assert (mean, chi2) == (2.0, 8.0) and err == pytest.approx(1.0)
    # Weights 1/err^2: 10 (err 1) and 20 (err 2) -> (10 + 20/4) / (1 + 1/4) = 12.
    assert weighted_mean([10.0, 20.0], [1.0, 2.0])[0] == pytest.approx(12.0)
    mean, err, chi2 = weighted_mean([5.0], [0.3])
    assert (mean, err) == (5.0, 0.3) and np.isnan(chi2)


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9])
def test_binning_and_sokal_window_recover_ar1_tau_within_10_percent(phi):
    # The AR(1) test of ALPS and Carlo.jl: tau = (1 + phi) / (1 - phi) is known exactly.
    x = ar1(phi, (8, 200_000), seed=3)
    exact = (1 + phi) / (1 - phi)
    binned = binning_analysis(x)
    assert binned["converged"]
    assert abs(binned["tau"] / exact - 1) < 0.10, binned["tau"]
    assert abs(integrated_time(x)[0] / exact - 1) < 0.10
    # The plateau error is the true standard error of the mean: sigma sqrt(tau / n).
    true_error = np.sqrt(exact / (1 - phi**2) / x.size)
    assert abs(binned["error"] / true_error - 1) < 0.10


def test_binning_refuses_short_series():
    with pytest.raises(DataError, match="binning"):
        binning_analysis(np.ones(100))


def test_integrated_time_of_constant_is_nan():
    assert np.isnan(integrated_time(np.ones((2, 100)))[0])


def test_block_means_and_errors():
    x = np.arange(10.0)
    np.testing.assert_allclose(block_means(x, 3), [2.0, 5.0, 8.0])  # drops the first sample
    with pytest.raises(DataError):
        block_means(x, 11)


def test_jackknife_of_mean_is_standard_error():
    rng = np.random.default_rng(2)
    b = rng.normal(size=40)
    est, err = jackknife(lambda m: m["x"], {"x": b})
    assert est == pytest.approx(b.mean())
    assert err == pytest.approx(b.std(ddof=1) / np.sqrt(b.size))


def test_jackknife_error_of_variance_is_calibrated():
    # Over many repetitions, |estimate - truth| / err should be about standard normal.
    rng = np.random.default_rng(3)
    z = []
    for _ in range(400):
        x = rng.normal(size=(64, 50))  # 64 blocks of 50 samples, true variance 1
        blocks = {"x": x.mean(1), "x2": (x**2).mean(1)}
        est, err = jackknife(lambda m: m["x2"] - m["x"] ** 2, blocks)
        z.append((est - 1.0) / err)
    z = np.array(z)
    # The biased variance estimator has mean (1 - 1/3200); the jackknife removes most of it.
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert 0.85 < z.std() < 1.15


def test_chi_square_pools_small_bins_and_detects_bias():
    rng = np.random.default_rng(4)
    p = np.array([0.5, 0.3, 0.1998, 0.0001, 0.0001, 0.0000])  # expected 2, 2, 0: pooled
    counts = np.bincount(rng.choice(p.size, size=20_000, p=p), minlength=p.size)
    stat, dof, pvalue = chi_square_test(counts, p)
    assert dof == 2  # three large bins; the pooled bin (expected 4) folds into the smallest
    assert pvalue > 1e-3
    wrong = np.array([0.45, 0.35, 0.1998, 0.0001, 0.0001, 0.0000])
    assert chi_square_test(counts, wrong)[2] < 1e-6
    with pytest.raises(DataError):
        chi_square_test(counts, p * 2)


def test_auroc_against_brute_force_and_binormal_theory():
    from scipy.stats import norm

    from simlab.stats import auroc

    rng = np.random.default_rng(8)
    pos = rng.normal(1.0, 1.0, 300)
    neg = rng.normal(0.0, 1.0, 500)
    s = np.concatenate([pos, neg])
    y = np.r_[np.ones(300, bool), np.zeros(500, bool)]
    auc, se = auroc(s, y)
    brute = np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :])
    assert auc == pytest.approx(brute, abs=1e-12)
    # Binormal with unit variances and separation 1: AUROC = Phi(1 / sqrt 2) = 0.7602.
    assert abs(auc - norm.cdf(1 / np.sqrt(2))) < 4 * se
    assert 0.01 < se < 0.03
    # Ties count one half; reversing the score gives 1 - AUROC.
    assert auroc([1, 1, 1, 1], [True, False, True, False])[0] == 0.5
    assert auroc(-s, y)[0] == pytest.approx(1 - auc)
    with pytest.raises(DataError, match="both classes"):
        auroc([1.0, 2.0], [True, True])


def test_gelman_rubin_detects_stuck_chains():
    from simlab.stats import gelman_rubin

    rng = np.random.default_rng(0)
    mixed = rng.normal(size=(8, 2000))
    assert gelman_rubin(mixed) == pytest.approx(1.0, abs=0.01)
    stuck = mixed + np.arange(8)[:, None]  # each chain in its own mode
    assert gelman_rubin(stuck) > 1.5
