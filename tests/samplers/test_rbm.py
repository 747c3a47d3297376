"""The RBM: exact and Monte Carlo thermodynamics, AIS, learning, and scikit-learn's contract."""

import numpy as np
import pytest
from scipy.special import expit

from simlab.errors import DataError
from simlab.exact.rbm import rbm_thermodynamics
from simlab.models.boltzmann import RBMParameters, all_binary_states
from simlab.samplers.rbm import BernoulliRBM, pseudo_log_likelihood
from simlab.tasks.common.digits import binary_digits


def small_rbm(seed=0, n_visible=10, n_hidden=7, scale=1.0):
    """A fitted RBM whose parameters are then replaced by random ones of the given scale."""
    rng = np.random.default_rng(seed)
    rbm = BernoulliRBM(n_components=n_hidden, n_iter=1, random_state=seed)
    rbm.fit(np.zeros((2, n_visible)))
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
        fast = rbm_thermodynamics(p, t)
        for key in ("log_z", "energy", "specific_heat", "entropy"):
            assert fast[key][0] == pytest.approx(full[key][0], rel=1e-10), key
    # Swapping the layers' roles (enumerate the other side) gives the same numbers.
    swapped = RBMParameters(p.weights.T.copy(), p.hidden_bias, p.visible_bias)
    np.testing.assert_allclose(rbm_thermodynamics(swapped, [0.7, 2.0])["log_z"],
                               rbm_thermodynamics(p, [0.7, 2.0])["log_z"], rtol=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ais_log_partition_within_its_error_of_exact(seed):
    rbm = small_rbm(seed, n_visible=12, n_hidden=9, scale=0.8)
    exact = rbm.log_partition("exact").log_z
    ais = rbm.log_partition("ais", n_runs=200, n_betas=3000, seed=seed)
    assert 0 < ais.log_z_err < 0.1
    assert abs(ais.log_z - exact) < 4 * ais.log_z_err
    ds = ais.to_dataset()
    assert ds.sizes["run"] == 200 and float(ds["log_z"]) == ais.log_z


def test_mc_thermodynamics_of_an_rbm_match_exact():
    rbm = small_rbm(4, n_visible=8, n_hidden=6, scale=0.9)
    t = np.concatenate([np.geomspace(0.3, 4.0, 14), [6.0, 10.0, 20.0]])
    exact = rbm.thermodynamics(t, "exact")
    mc = rbm.thermodynamics(t, "mc", chains=64, sweeps=1500, thermalization=200, seed=5)
    for name in ("energy", "specific_heat"):
        z = (mc[name] - exact[name]) / mc[name + "_err"]
        assert np.all(np.abs(z.values) < 4.5), (name, z.values)
    s_err = np.hypot(mc["entropy_err"], mc["entropy_quadrature_err"])
    assert np.all(np.abs(mc["entropy"] - exact["entropy"]).values < 4.5 * s_err.values + 2e-3)


def test_pseudo_log_likelihood_is_the_sum_of_exact_conditionals():
    rbm = small_rbm(5, n_visible=6, n_hidden=4)
    p = rbm.params
    v = all_binary_states(6).astype(float)
    # ln P(v_i | rest) from the joint law over the visible layer, by enumeration.
    log_p = -p.free_energy(v)
    expected = np.zeros(v.shape[0])
    index = np.arange(v.shape[0])
    for i in range(6):
        flipped = index ^ (1 << (5 - i))  # all_binary_states: site 0 is the top bit
        expected += log_p - np.logaddexp(log_p, log_p[flipped])
    np.testing.assert_allclose(pseudo_log_likelihood(p, v), expected, rtol=1e-12)
    np.testing.assert_allclose(rbm.score_samples(v), expected, rtol=1e-12)


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
    assert c.components_.shape == (32, 64) and c.n_features_in_ == 64


def test_rbm_rejects_bad_data_naming_it():
    with pytest.raises(DataError, match=r"\[0, 1\].*sample 1, feature 0 is .*2\.0"):
        BernoulliRBM(4).fit(np.array([[0.0, 0.5], [2.0, 0.0]]))
    with pytest.raises(ValueError, match="NaN"):
        BernoulliRBM(4).fit(np.array([[0.0, np.nan], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="0 sample"):
        BernoulliRBM(4).fit(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="n_components=0"):
        BernoulliRBM(0).fit(np.eye(3))
    rbm = BernoulliRBM(4, n_iter=1, random_state=0).fit(np.eye(6))
    with pytest.raises(ValueError, match="X has 5 features, but BernoulliRBM is expecting 6"):
        rbm.transform(np.zeros((2, 5)))
    # transform accepts any finite data (test data scaled with the training range).
    assert rbm.transform(np.full((1, 6), 1.2)).shape == (1, 4)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        BernoulliRBM(4).transform(np.zeros((1, 6)))


def test_rbm_monte_carlo_is_withheld_where_chains_do_not_mix():
    train, _ = binary_digits(8, 0.2, 0)
    rbm = BernoulliRBM(16, learning_rate=0.1, batch_size=10, n_iter=7, random_state=0).fit(train)
    t = np.concatenate([np.geomspace(0.15, 8, 16), [12.0, 20.0, 40.0]])
    mc = rbm.thermodynamics(t, "mc", chains=32, sweeps=800, thermalization=200, seed=1)
    exact = rbm.thermodynamics(t, "exact")
    reported = np.isfinite(mc["specific_heat"].values)
    assert not reported[0] and reported[-1]          # frozen at T = 0.15, reported at T = 40
    assert np.all(reported[np.argmax(reported):])   # reported from some T upwards
    assert np.all(mc["r_hat_energy"].values[reported] <= 1.02)
    assert "do not mix" in mc["specific_heat"].attrs["missing_reason"]
    z = (mc["specific_heat"].values[reported] - exact["specific_heat"].values[reported]) / \
        mc["specific_heat_err"].values[reported]
    assert np.all(np.abs(z) < 4.5)
    assert np.nanmin(mc["entropy"].values) > 0


def test_rbm_tempering_reaches_the_temperatures_where_gibbs_chains_freeze():
    # The trained machine of the test above: plain Gibbs chains stop mixing at low T;
    # replica exchange over the same temperatures keeps them mixing, and agrees with exact.
    train, _ = binary_digits(8, 0.2, 0)
    rbm = BernoulliRBM(16, learning_rate=0.1, batch_size=10, n_iter=7, random_state=0).fit(train)
    t = np.concatenate([np.geomspace(0.15, 8, 40), [12.0, 20.0, 40.0]])
    mc = rbm.thermodynamics(t, "mc", chains=16, sweeps=1500, thermalization=300, seed=1)
    pt = rbm.thermodynamics(t, "tempering", chains=16, sweeps=1500, thermalization=300, seed=1)
    exact = rbm.thermodynamics(t, "exact")
    mc_reported = np.isfinite(mc["specific_heat"].values)
    pt_reported = np.isfinite(pt["specific_heat"].values)
    assert pt_reported.sum() > mc_reported.sum() + 5
    assert pt.attrs["exchange_acceptance_min"] > 0.1
    z = (pt["specific_heat"].values[pt_reported] - exact["specific_heat"].values[pt_reported]) \
        / pt["specific_heat_err"].values[pt_reported]
    assert np.all(np.abs(z) < 4.5), z


# --- scikit-learn's contract -----------------------------------------------------------------

#: check_estimator's checks that fit on data outside [0, 1] (make_blobs, uniform(0, 3), ...).
#: A Bernoulli RBM models binary data or probabilities and refuses such data in fit, so these
#: checks cannot apply as written; test_every_check_passes_on_data_in_the_unit_interval runs
#: each of them again with the data mapped into (0, 1).
OUT_OF_RANGE = ("check_estimators_overwrite_params", "check_dont_overwrite_parameters",
                "check_estimators_fit_returns_self", "check_readonly_memmap_input",
                "check_n_features_in_after_fitting", "check_positive_only_tag_during_fit",
                "check_estimators_dtypes", "check_pipeline_consistency",
                "check_estimators_pickle", "check_f_contiguous_array_estimator",
                "check_transformer_data_not_an_array", "check_transformer_general",
                "check_transformer_preserve_dtypes", "check_methods_sample_order_invariance",
                "check_methods_subset_invariance", "check_fit2d_1sample",
                "check_fit2d_1feature", "check_dict_unchanged", "check_fit_idempotent",
                "check_fit_check_is_fitted", "check_n_features_in", "check_fit2d_predict1d")
REASON = "fits on data outside [0, 1], which a Bernoulli RBM refuses by design"


class UnitIntervalRBM(BernoulliRBM):
    """The same estimator with its input mapped into (0, 1) by a logistic function, so that
    scikit-learn's checks that fit on unbounded data exercise everything else."""

    def _check_X(self, X, reset, bounded=True):
        return expit(super()._check_X(X, reset, bounded=False))


def _outcomes(estimator, **kwargs):
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(estimator, on_fail=None, **kwargs)
    return {r["check_name"]: r["status"] for r in results}, results


def test_check_estimator_passes_but_for_the_unit_interval():
    outcomes, results = _outcomes(BernoulliRBM(n_components=3, n_iter=2),
                                  expected_failed_checks=dict.fromkeys(OUT_OF_RANGE, REASON))
    failed = [r for r in results if r["status"] == "failed"]
    assert not failed, [(r["check_name"], str(r["exception"])[:200]) for r in failed]
    assert {name for name, status in outcomes.items() if status == "xfail"} == set(OUT_OF_RANGE)
    assert sum(status == "passed" for status in outcomes.values()) >= 20


def test_every_check_passes_on_data_in_the_unit_interval():
    outcomes, results = _outcomes(UnitIntervalRBM(n_components=3, n_iter=2))
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results
              if r["status"] == "failed"]
    assert not failed, failed
    assert set(OUT_OF_RANGE) <= {n for n, s in outcomes.items() if s == "passed"}


def test_clone_pipeline_and_grid_search():
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import Pipeline

    from sklearn.datasets import load_digits

    digits = load_digits()
    X, y = (digits.data[:500] >= 8).astype(float), digits.target[:500]
    rbm = BernoulliRBM(n_components=32, learning_rate=0.1, n_iter=10, random_state=0)
    copy = clone(rbm)
    assert copy.get_params() == rbm.get_params() and not hasattr(copy, "components_")
    pipe = Pipeline([("rbm", rbm), ("logistic", LogisticRegression(C=100, max_iter=1000))])
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.7  # ten classes: chance is 0.1 (measured: 0.81)
    search = GridSearchCV(pipe, {"rbm__n_components": [16, 32],
                                 "rbm__learning_rate": [0.05, 0.1]}, cv=2)
    search.fit(X, y)
    assert set(search.best_params_) == {"rbm__n_components", "rbm__learning_rate"}
    assert search.best_estimator_.named_steps["rbm"].n_features_in_ == 64
