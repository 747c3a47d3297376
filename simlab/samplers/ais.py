"""Annealed importance sampling of the log-partition function of an RBM.

From a base-rate machine (no weights) to the machine, over equally spaced inverse
temperatures (Neal 2001; Salakhutdinov & Murray 2008), with a delta-method error bar.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logsumexp

from simlab.results import Result
from simlab.samplers.rbm_chains import random_stream
from simlab.validation import integer


@dataclass
class AISEstimate(Result):
    """ln Z of an RBM and its standard error (:func:`ais_log_partition`).

    Attributes
    ----------
    log_z, log_z_err : float
    log_weights : float64[n_runs]
        Log importance weights of the runs (empty for exact enumeration).
    method : str
        "ais" or "exact".
    seed : int
    """

    log_z: float
    log_z_err: float
    log_weights: np.ndarray
    method: str
    seed: int

    META = {"log_z": ("ln Z at T = 1", "1"),
            "log_weight": ("log importance weight of the AIS run", "1")}

    def to_dataset(self):
        """``log_z`` and ``log_z_err`` (scalars) and ``log_weight`` (run)."""
        return self._dataset({"log_z": ((), self.log_z), "log_z_err": ((), self.log_z_err),
                              "log_weight": ("run", self.log_weights)},
                             {"run": np.arange(self.log_weights.size)}, method=self.method,
                             seed=self.seed)


def ais_log_partition(params, n_runs=100, n_betas=10000, data=None, seed=0):
    """ln Z of an RBM by annealed importance sampling (Neal 2001; Salakhutdinov & Murray 2008).

    From a base-rate machine (no weights; visible biases from the mean of ``data`` if given),
    ``n_runs`` runs over ``n_betas`` equally spaced inverse temperatures. The error is the
    delta-method standard error of ln(mean importance weight).

    Returns
    -------
    AISEstimate
    """
    n_runs = integer("n_runs", n_runs, 2)
    n_betas = integer("n_betas", n_betas, 2)
    W, b, c = params.weights, params.visible_bias, params.hidden_bias
    if data is not None:
        mean = np.clip(np.asarray(data, dtype=np.float64).mean(axis=0), 1e-3, 1 - 1e-3)
        base = np.log(mean / (1 - mean))
    else:
        base = np.zeros_like(b)
    rng = random_stream(seed, "ais")
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
    return AISEstimate(float(log_z_base + log_mean), float(error), log_w, "ais", int(seed))


