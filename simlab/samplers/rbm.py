"""Restricted Boltzmann machines: a scikit-learn style estimator, AIS and thermodynamics.

:class:`BernoulliRBM` learns binary data with contrastive divergence (CD-k) or persistent
contrastive divergence (PCD, the default, as scikit-learn's ``BernoulliRBM``), with the same
methods (``fit``, ``partial_fit``, ``transform``, ``score_samples``, ``gibbs``) plus
``sample``, ``log_partition`` (annealed importance sampling with an error bar, or exact
enumeration for small machines), ``log_likelihood`` and ``thermodynamics``.
Energies: E(v, h) = - v.W.h - b.v - c.h (units in {0, 1}).
"""

import time

import numpy as np
from scipy.special import expit, logsumexp

from simlab.errors import ConfigError, DataError
from simlab.models.boltzmann import RBMParameters, rbm_exact_thermodynamics
from simlab.validation import integer, number


def _rng(random_state, *key):
    if isinstance(random_state, np.random.Generator):
        return random_state
    from simlab.rng import key_part

    seed = 0 if random_state is None else integer("random_state", random_state, 0)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=tuple(
        key_part(k) for k in key)))


class BernoulliRBM:
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
    random_state : int, optional
        Seeds initialisation, batch order, sampling; the same value gives the same model.
    verbose : bool
        Print the mean pseudo-likelihood and time after each epoch.

    Attributes
    ----------
    components_ : float64[n_components, n_features]  (W transposed, as in scikit-learn)
    intercept_visible_, intercept_hidden_ : float64
    epoch_seconds_ : list of float
    """

    def __init__(self, n_components=256, learning_rate=0.1, batch_size=10, n_iter=10, k=1,
                 persistent=True, random_state=None, verbose=False):
        self.n_components = integer("n_components", n_components, 1)
        self.learning_rate = number("learning_rate", learning_rate, positive=True)
        self.batch_size = integer("batch_size", batch_size, 1)
        self.n_iter = integer("n_iter", n_iter, 1)
        self.k = integer("k", k, 1)
        self.persistent = bool(persistent)
        self.random_state = random_state
        self.verbose = verbose

    # -- validation ---------------------------------------------------------------------------
    def _check(self, X, binary, fitted=True):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] == 0:
            raise DataError(f"X must be a non-empty 2-D array (samples, features), got {X.shape}")
        if not np.all(np.isfinite(X)):
            row, col = np.argwhere(~np.isfinite(X))[0]
            raise DataError(f"X contains NaN or inf at sample {row}, feature {col}")
        if binary and not np.all((X == 0) | (X == 1)):
            row, col = np.argwhere((X != 0) & (X != 1))[0]
            raise DataError(f"X must be binary (0 or 1) for training; sample {row}, feature "
                            f"{col} is {X[row, col]!r} (binarise it, e.g. X > threshold)")
        if not binary and (X.min() < 0 or X.max() > 1):
            raise DataError("X must lie in [0, 1] (probabilities of the visible units)")
        if fitted:
            if not hasattr(self, "components_"):
                raise DataError("this BernoulliRBM is not fitted yet; call fit first")
            if X.shape[1] != self.components_.shape[1]:
                raise DataError(f"X has {X.shape[1]} features but the RBM was fitted with "
                                f"{self.components_.shape[1]}")
        return X

    @property
    def params(self):
        """The machine as :class:`RBMParameters` (weights (n_visible, n_hidden))."""
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
        """P(h = 1 | v) for each sample, shape (n_samples, n_components)."""
        return self._mean_hiddens(self._check(X, binary=False))

    def gibbs(self, v):
        """One block-Gibbs step v -> h -> v'; returns the sampled v', shape like ``v``."""
        v = self._check(v, binary=False)
        return self._sample(self._mean_visibles(self._sample(self._mean_hiddens(v))))

    def free_energy(self, v, temperature=1.0):
        """F(v) at temperature T, shape (n_samples,)."""
        return self.params.free_energy(np.asarray(v, dtype=np.float64), temperature)

    # -- learning -----------------------------------------------------------------------------
    def _initialise(self, n_features):
        self._random = _rng(self.random_state, "rbm")
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

    def partial_fit(self, X):
        """One update on the batch X (initialising the model if needed)."""
        X = self._check(X, binary=True, fitted=False)
        if not hasattr(self, "components_"):
            self._initialise(X.shape[1])
        elif X.shape[1] != self.components_.shape[1]:
            raise DataError(f"X has {X.shape[1]} features but the RBM was fitted with "
                            f"{self.components_.shape[1]}")
        self._update(X)
        return self

    def fit(self, X):
        """Learn X (binary, shape (n_samples, n_features)) for ``n_iter`` epochs."""
        X = self._check(X, binary=True, fitted=False)
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
                print(f"[BernoulliRBM] epoch {epoch + 1}: pseudo-likelihood "
                      f"{self.score_samples(X).mean():.2f}, {self.epoch_seconds_[-1]:.2f} s")
        return self

    # -- evaluation ---------------------------------------------------------------------------
    def score_samples(self, X):
        """Pseudo-likelihood of each sample (as scikit-learn: one random unit flipped),
        n_features * ln sigmoid(F(v~) - F(v)); shape (n_samples,)."""
        v = self._check(X, binary=False)
        rng = _rng(self.random_state, "score_samples")
        flip = v.copy()
        idx = rng.integers(0, v.shape[1], v.shape[0])
        flip[np.arange(v.shape[0]), idx] = 1 - flip[np.arange(v.shape[0]), idx]
        return v.shape[1] * -np.logaddexp(0.0, -(self.free_energy(flip) - self.free_energy(v)))

    def sample(self, n_samples, n_steps=1000, seed=0):
        """Visible samples from ``n_samples`` independent chains after ``n_steps`` block-Gibbs
        steps from random visible states."""
        self._check(np.zeros((1, self.components_.shape[1])), binary=False)
        rng = _rng(seed, "rbm_sample")
        v = (rng.random((integer("n_samples", n_samples, 1), self.components_.shape[1])) < 0.5)
        v = v.astype(np.float64)
        for _ in range(integer("n_steps", n_steps, 1)):
            h = (rng.random((v.shape[0], self.n_components)) < self._mean_hiddens(v)) * 1.0
            v = (rng.random(v.shape) < self._mean_visibles(h)) * 1.0
        return v

    def log_partition(self, method="ais", n_runs=100, n_betas=10000, data=None, seed=0):
        """ln Z at T = 1 and its standard error.

        ``method="exact"`` enumerates the smaller layer (at most 20 units; error 0).
        ``method="ais"``: annealed importance sampling (Neal 2001; Salakhutdinov & Murray
        2008) from a base-rate machine (no weights; visible biases from the mean of ``data``
        if given), ``n_runs`` runs over ``n_betas`` equally spaced inverse temperatures.
        The error is the delta-method standard error of ln(mean importance weight).
        """
        self._check(np.zeros((1, self.components_.shape[1])), binary=False)
        if method == "exact":
            return float(rbm_exact_thermodynamics(self.params, 1.0)["log_z"][0]), 0.0
        if method != "ais":
            raise ConfigError("method", method, "'ais' or 'exact'")
        return ais_log_partition(self.params, n_runs, n_betas, data, seed)

    def log_likelihood(self, X, log_z=None):
        """Average log-likelihood -F(v) - ln Z of the rows of X (ln Z by AIS if not given)."""
        X = self._check(X, binary=False)
        if log_z is None:
            log_z = self.log_partition(data=X)[0]
        return float(np.mean(-self.free_energy(X)) - log_z)

    def thermodynamics(self, temperature, method="exact", chains=64, sweeps=2000,
                       thermalization=500, seed=0, max_r_hat=1.02):
        """U, C, S, F per unit of the trained machine against temperature.

        ``method="exact"`` enumerates the smaller layer (<= 20 units). ``method="mc"``
        runs block-Gibbs chains at each T (energies recorded every sweep, jackknife errors)
        and integrates C/T from T = inf (S/N = ln 2) for the entropy; the temperature grid
        should then reach high T (see :func:`simlab.thermo.entropy_by_integration`).
        Trained machines freeze into separate modes at low T, where Gibbs chains stop
        mixing. Going down from the hottest temperature, MC values are reported only until
        the first temperature where the chains' Gelman-Rubin R-hat of the energy exceeds
        ``max_r_hat``; below it (where chains may also all freeze into one mode and look
        consistent) every value is NaN. ``r_hat_energy`` is returned for every temperature.

        Returns
        -------
        dict of float64[T]
        """
        from simlab import thermo

        t = np.atleast_1d(np.asarray(temperature, dtype=np.float64))
        n_units = self.components_.shape[0] + self.components_.shape[1]
        if method == "exact":
            r = rbm_exact_thermodynamics(self.params, t)
            return {"energy": r["energy"] / n_units, "specific_heat": r["specific_heat"] / n_units,
                    "entropy": r["entropy"] / n_units, "free_energy": r["free_energy"] / n_units}
        if method != "mc":
            raise ConfigError("method", method, "'exact' or 'mc'")
        energy = rbm_energy_series(self.params, t, chains, sweeps, thermalization, seed)
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
        return est


def ais_log_partition(params, n_runs=100, n_betas=10000, data=None, seed=0):
    """ln Z of an RBM by annealed importance sampling; returns (ln Z, standard error)."""
    n_runs = integer("n_runs", n_runs, 2)
    n_betas = integer("n_betas", n_betas, 2)
    W, b, c = params.weights, params.visible_bias, params.hidden_bias
    if data is not None:
        mean = np.clip(np.asarray(data, dtype=np.float64).mean(axis=0), 1e-3, 1 - 1e-3)
        base = np.log(mean / (1 - mean))
    else:
        base = np.zeros_like(b)
    rng = _rng(seed, "ais")
    betas = np.linspace(0.0, 1.0, n_betas)

    def log_p_star(v, beta):
        return (1 - beta) * (v @ base) + beta * (v @ b) + np.logaddexp(
            0.0, beta * (v @ W + c)).sum(axis=1)

    v = (rng.random((n_runs, b.size)) < expit(base)).astype(np.float64)
    log_w = np.zeros(n_runs)
    for k in range(1, n_betas):
        log_w += log_p_star(v, betas[k]) - log_p_star(v, betas[k - 1])
        h = (rng.random((n_runs, c.size)) < expit(betas[k] * (v @ W + c))) * 1.0
        v = (rng.random(v.shape) < expit((1 - betas[k]) * base + betas[k] * (h @ W.T + b))) * 1.0
    log_z_base = np.logaddexp(0.0, base).sum() + c.size * np.log(2.0)
    log_mean = logsumexp(log_w) - np.log(n_runs)
    r = np.exp(log_w - log_w.max())
    error = r.std(ddof=1) / (r.mean() * np.sqrt(n_runs))
    return float(log_z_base + log_mean), float(error)


def rbm_energy_series(params, temperatures, chains, sweeps, thermalization, seed=0):
    """Energies E(v, h) after every block-Gibbs sweep at each temperature.

    Returns
    -------
    float64[T, chains, sweeps]
    """
    W, b, c = params.weights, params.visible_bias, params.hidden_bias
    out = np.empty((len(temperatures), chains, sweeps))
    for k, t in enumerate(temperatures):
        rng = _rng(seed, "rbm_energy", float(t))
        v = (rng.random((chains, b.size)) < 0.5) * 1.0
        for step in range(thermalization + sweeps):
            h = (rng.random((chains, c.size)) < expit((v @ W + c) / t)) * 1.0
            v = (rng.random(v.shape) < expit((h @ W.T + b) / t)) * 1.0
            if step >= thermalization:
                out[k, :, step - thermalization] = params.energy(v, h)
    return out
