"""Restricted Boltzmann machines: a scikit-learn estimator with AIS and Gibbs thermodynamics.

:class:`BernoulliRBM` learns data in [0, 1] (binary, or probabilities of the visible units)
with persistent contrastive divergence (PCD, the default, as scikit-learn's
``BernoulliRBM``) or CD-k. It is a scikit-learn estimator (``clone``, ``Pipeline``,
``GridSearchCV``) with ``fit``, ``partial_fit``, ``transform`` and ``score_samples``, plus
``gibbs``, ``sample``, ``log_partition`` (annealed importance sampling with an error bar, or
exact enumeration for small machines), ``log_likelihood`` and ``thermodynamics``.
Energies: E(v, h) = - v.W.h - b.v - c.h (units in {0, 1}).
"""

import time

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from simlab import thermo
from simlab.errors import ConfigError, DataError
from simlab.exact.rbm import rbm_thermodynamics
from simlab.models.boltzmann import RBMParameters
from simlab.samplers.ais import AISEstimate, ais_log_partition
from simlab.samplers.rbm_chains import random_stream, rbm_energy_series
from simlab.validation import integer, number, temperatures


def pseudo_log_likelihood(params, v):
    """Besag's pseudo-log-likelihood sum_i ln P(v_i | v_rest) of each row of ``v``, exactly.

    P(v_i | v_rest) = sigmoid(F(v with v_i flipped) - F(v)) for binary v (T = 1).

    Returns
    -------
    float64[n_samples]
    """
    v = np.asarray(v, dtype=np.float64)
    f = params.free_energy(v)
    total = np.zeros(v.shape[0])
    for i in range(v.shape[1]):
        flipped = v.copy()
        flipped[:, i] = 1.0 - flipped[:, i]
        total -= np.logaddexp(0.0, -(params.free_energy(flipped) - f))
    return total


class BernoulliRBM(TransformerMixin, BaseEstimator):
    """Bernoulli-Bernoulli RBM trained by (persistent) contrastive divergence.

    Parameters
    ----------
    n_components : int
        Hidden units.
    learning_rate : float
    batch_size : int
    n_iter : int
        Epochs for :meth:`fit`.
    k : int
        Gibbs steps per update of the negative phase.
    persistent : bool
        PCD (chains carried across updates) if True, else CD-k from the data.
    random_state : int, numpy Generator or None
        Seeds initialisation, batch order and sampling (None means 0); the same value gives
        the same machine.
    verbose : bool
        Print the mean pseudo-log-likelihood and time after each epoch.

    Attributes
    ----------
    components_ : float64[n_components, n_features]  (W transposed, as in scikit-learn)
    intercept_visible_, intercept_hidden_ : float64
    h_samples_ : float64[batch_size, n_components], the persistent chains
    epoch_seconds_ : list of float
    n_features_in_ : int

    Notes
    -----
    Parameters are stored as given and validated by :meth:`fit` (scikit-learn's rule).
    """

    def __init__(self, n_components=256, learning_rate=0.1, batch_size=10, n_iter=10, k=1,
                 persistent=True, random_state=None, verbose=False):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.k = k
        self.persistent = persistent
        self.random_state = random_state
        self.verbose = verbose

    # -- validation ---------------------------------------------------------------------------
    def _check_parameters(self):
        integer("n_components", self.n_components, 1)
        number("learning_rate", self.learning_rate, positive=True)
        integer("batch_size", self.batch_size, 1)
        integer("n_iter", self.n_iter, 1)
        integer("k", self.k, 1)

    def _check_X(self, X, reset, bounded=True):
        """X as finite float64 (n_samples, n_features), in [0, 1] if ``bounded``; counts the
        features when ``reset``, else checks their number."""
        X = validate_data(self, X, reset=reset, dtype=np.float64, copy=False)
        outside = (X < 0) | (X > 1)
        if bounded and outside.any():
            row, col = np.argwhere(outside)[0]
            raise DataError(f"X must lie in [0, 1] (binary data or probabilities of the visible "
                            f"units); sample {row}, feature {col} is {X[row, col]!r}")
        return X

    def _check_fitted_X(self, X, bounded=True):
        check_is_fitted(self, "components_")
        return self._check_X(X, reset=False, bounded=bounded)

    @property
    def params(self):
        """The machine as :class:`RBMParameters` (weights (n_visible, n_hidden))."""
        check_is_fitted(self, "components_")
        return RBMParameters(self.components_.T.copy(), self.intercept_visible_.copy(),
                             self.intercept_hidden_.copy())

    # -- conditionals -------------------------------------------------------------------------
    def _mean_hiddens(self, v, beta=1.0):
        return expit(beta * (v @ self.components_.T + self.intercept_hidden_))

    def _mean_visibles(self, h, beta=1.0):
        return expit(beta * (h @ self.components_ + self.intercept_visible_))

    def _sample(self, p):
        return (self._random.random(p.shape) < p).astype(np.float64)

    def transform(self, X):
        """P(h = 1 | v) for each sample, shape (n_samples, n_components).

        Any finite X is accepted (test data scaled with the training data's range may fall
        slightly outside [0, 1]); :meth:`fit` requires [0, 1].
        """
        return self._mean_hiddens(self._check_fitted_X(X, bounded=False))

    def gibbs(self, v):
        """One block-Gibbs step v -> h -> v'; returns the sampled v', shape like ``v``."""
        v = self._check_fitted_X(v)
        return self._sample(self._mean_visibles(self._sample(self._mean_hiddens(v))))

    def free_energy(self, v, temperature=1.0):
        """F(v) at temperature T, shape (n_samples,) (any finite v, as :meth:`transform`)."""
        return self.params.free_energy(self._check_fitted_X(v, bounded=False), temperature)

    # -- learning -----------------------------------------------------------------------------
    def _initialise(self, n_features):
        self._random = random_stream(self.random_state, "rbm")
        self.components_ = self._random.normal(0.0, 0.01, (self.n_components, n_features))
        self.intercept_hidden_ = np.zeros(self.n_components)
        self.intercept_visible_ = np.zeros(n_features)
        self.h_samples_ = np.zeros((self.batch_size, self.n_components))
        self.epoch_seconds_ = []

    def _update(self, v_pos):
        h_pos = self._mean_hiddens(v_pos)
        if self.persistent:
            h = self.h_samples_[: v_pos.shape[0]]
        else:
            h = self._sample(h_pos)
        for _ in range(self.k):
            v_neg = self._sample(self._mean_visibles(h))
            h_neg = self._mean_hiddens(v_neg)
            h = self._sample(h_neg)
        lr = self.learning_rate / v_pos.shape[0]
        self.components_ += lr * (h_pos.T @ v_pos - h_neg.T @ v_neg)
        self.intercept_hidden_ += lr * (h_pos.sum(0) - h_neg.sum(0))
        self.intercept_visible_ += lr * (v_pos.sum(0) - v_neg.sum(0))
        if self.persistent:
            self.h_samples_[: v_pos.shape[0]] = h

    def partial_fit(self, X, y=None):
        """One update on the batch X (initialising the model on the first call)."""
        self._check_parameters()
        first = not hasattr(self, "components_")
        X = self._check_X(X, reset=first)
        if first:
            self._initialise(X.shape[1])
        self._update(X)
        return self

    def fit(self, X, y=None):
        """Learn X (values in [0, 1], shape (n_samples, n_features)) for ``n_iter`` epochs."""
        self._check_parameters()
        X = self._check_X(X, reset=True)
        self._initialise(X.shape[1])
        n = X.shape[0]
        n_batches = int(np.ceil(n / self.batch_size))
        for epoch in range(self.n_iter):
            start = time.perf_counter()
            order = self._random.permutation(n)
            for b in range(n_batches):
                self._update(X[order[b * self.batch_size:(b + 1) * self.batch_size]])
            self.epoch_seconds_.append(time.perf_counter() - start)
            if self.verbose:
                print(f"[BernoulliRBM] epoch {epoch + 1}: pseudo-log-likelihood "
                      f"{self.score_samples(X).mean():.2f}, {self.epoch_seconds_[-1]:.2f} s")
        return self

    # -- evaluation ---------------------------------------------------------------------------
    def score_samples(self, X):
        """Pseudo-log-likelihood of each sample, sum_i ln P(v_i | v_rest), computed exactly
        (scikit-learn's estimator samples one unit and multiplies by n_features; the
        expectation is the same). Shape (n_samples,)."""
        return pseudo_log_likelihood(self.params, self._check_fitted_X(X))

    def sample(self, n_samples, n_steps=1000, seed=0):
        """Visible samples from ``n_samples`` independent chains after ``n_steps`` block-Gibbs
        steps from random visible states."""
        check_is_fitted(self, "components_")
        rng = random_stream(seed, "rbm_sample")
        v = (rng.random((integer("n_samples", n_samples, 1), self.components_.shape[1])) < 0.5)
        v = v.astype(np.float64)
        for _ in range(integer("n_steps", n_steps, 1)):
            h = (rng.random((v.shape[0], self.components_.shape[0])) < self._mean_hiddens(v)) * 1.0
            v = (rng.random(v.shape) < self._mean_visibles(h)) * 1.0
        return v

    def log_partition(self, method="ais", n_runs=100, n_betas=10000, data=None, seed=0):
        """ln Z at T = 1 with its standard error, as an :class:`AISEstimate`.

        ``method="exact"`` enumerates the smaller layer (at most 20 units; error 0).
        ``method="ais"``: annealed importance sampling (see :func:`ais_log_partition`).
        """
        check_is_fitted(self, "components_")
        if method == "exact":
            return AISEstimate(float(rbm_thermodynamics(self.params, 1.0)["log_z"][0]), 0.0,
                               np.zeros(0), "exact", int(seed))
        if method != "ais":
            raise ConfigError("method", method, "'ais' or 'exact'")
        return ais_log_partition(self.params, n_runs, n_betas, data, seed)

    def log_likelihood(self, X, log_z=None):
        """Average log-likelihood -F(v) - ln Z of the rows of X (ln Z by AIS if not given;
        a float or an :class:`AISEstimate`)."""
        X = self._check_fitted_X(X)
        if log_z is None:
            log_z = self.log_partition(data=X)
        log_z = getattr(log_z, "log_z", log_z)
        return float(np.mean(-self.params.free_energy(X)) - log_z)

    def thermodynamics(self, temperature, method="exact", chains=64, sweeps=2000,
                       thermalization=500, seed=0, max_r_hat=1.02):
        """U, C, S, F per unit of the trained machine against temperature, as a Dataset.

        ``method="exact"`` enumerates the smaller layer (<= 20 units). ``method="mc"``
        runs block-Gibbs chains at each T (energies recorded every sweep, jackknife errors)
        and integrates C/T from T = inf (S/N = ln 2) for the entropy; the temperature grid
        should then reach high T (see :func:`simlab.thermo.entropy_by_integration`).
        ``method="tempering"`` does the same with ``chains`` replica-exchange ladders whose
        rungs are the given temperatures (distinct; exchanges after every sweep), which
        keeps chains mixing at low T as long as neighbouring temperatures exchange.
        Trained machines freeze into separate modes at low T, where Gibbs chains stop
        mixing. Going down from the hottest temperature, MC values are reported only until
        the first temperature where the chains' Gelman-Rubin R-hat of the energy exceeds
        ``max_r_hat``; below it (where chains may also all freeze into one mode and look
        consistent) every value is NaN, with the reason in ``missing_reason``.

        Returns
        -------
        xarray.Dataset
            Dim ``temperature``; ``energy``, ``specific_heat``, ``entropy``, ``free_energy``
            per unit (and for "mc" their ``_err``, ``entropy_quadrature_err``,
            ``r_hat_energy`` and ``tau_energy``).
        """
        import xarray as xr

        from simlab.results import annotate, mark_missing

        t = temperatures("temperature", temperature)
        n_units = self.components_.shape[0] + self.components_.shape[1]
        if method == "exact":
            r = rbm_thermodynamics(self.params, t)
            ds = xr.Dataset({name: ("temperature", r[name] / n_units) for name in (
                "energy", "specific_heat", "entropy", "free_energy")},
                coords={"temperature": t})
            return annotate(ds, RBM_META)
        if method == "mc":
            energy = rbm_energy_series(self.params, t, chains, sweeps, thermalization,
                                       seed).energy
        elif method == "tempering":
            from simlab.samplers.tempering import replica_exchange

            run = replica_exchange(self.params, t, systems=chains, sweeps=sweeps,
                                   thermalization=thermalization, seed=seed)
            energy = run.energy[np.searchsorted(run.temperatures, t)]
        else:
            raise ConfigError("method", method, "'exact', 'mc' or 'tempering'")
        est = thermo.energy_estimators(energy, n_units, t)
        mixed = est["r_hat_energy"] <= max_r_hat
        # Usable: from the hottest temperature down to (not including) the first unmixed one.
        order = np.argsort(-t)
        usable = np.zeros(t.size, dtype=bool)
        usable[order[: np.argmin(mixed[order])] if not mixed.all() else order] = True
        for name in ("entropy", "entropy_err", "entropy_quadrature_err"):
            est[name] = np.full(t.size, np.nan)
        if usable.sum() >= 2:
            part = thermo.entropy_by_integration(t[usable], est["specific_heat"][usable],
                                                 est["specific_heat_err"][usable], np.log(2.0))
            for name, value in part.items():
                est[name][usable] = value
        for name in ("energy", "energy_err", "specific_heat", "specific_heat_err"):
            est[name] = np.where(usable, est[name], np.nan)
        est["free_energy"] = est["energy"] - t * est["entropy"]
        est["free_energy_err"] = np.hypot(est["energy_err"], t * np.hypot(
            est["entropy_err"], est["entropy_quadrature_err"]))
        names = ("energy", "energy_err", "specific_heat", "specific_heat_err", "entropy",
                 "entropy_err", "entropy_quadrature_err", "free_energy", "free_energy_err",
                 "r_hat_energy", "tau_energy")
        ds = annotate(xr.Dataset({n: ("temperature", est[n]) for n in names},
                                 coords={"temperature": t}), RBM_META)
        if method == "tempering":
            ds.attrs["exchange_acceptance_min"] = float(np.nanmin(run.acceptance))
            ds.attrs["round_trip_time"] = run.round_trip_time
        if not usable.all():
            lowest = float(t[usable].min()) if usable.any() else float("inf")
            for name in names[:9]:
                mark_missing(ds, name, f"Gibbs chains do not mix below T = {lowest:g} "
                             f"(R-hat of the energy > {max_r_hat})")
        return ds


#: Meanings of the thermodynamic variables of an RBM (units: the weights' energy scale).
RBM_META = {
    "temperature": ("temperature T (weights divided by T)", "1"),
    "energy": ("energy per unit U/N", "1"),
    "specific_heat": ("specific heat per unit C/N", "1"),
    "entropy": ("entropy per unit S/N", "nats"),
    "free_energy": ("free energy per unit F/N", "1"),
    "r_hat_energy": ("Gelman-Rubin R-hat of the energy across chains", "1"),
    "tau_energy": ("integrated autocorrelation time of the energy", "sweeps"),
}
