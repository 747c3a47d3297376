"""Exact thermodynamics of a restricted Boltzmann machine by enumerating its smaller layer."""

import numpy as np

from simlab.errors import ModelError
from simlab.models.boltzmann import all_binary_states


def rbm_thermodynamics(params, temperature):
    """Exact ln Z, U, C, S, F of an RBM at each temperature, enumerating the smaller layer.

    With the smaller layer enumerated (at most 20 units), the other layer's units are
    independent given it: their mean and variance of the energy follow in closed form, and
    the totals from the laws of total expectation and variance.

    Returns
    -------
    dict of float64[T]
        Whole-machine ``log_z``, ``energy``, ``specific_heat`` (Var(E)/T^2), ``entropy``
        (nats) and ``free_energy``.
    """
    W, b, c = params.weights, params.visible_bias, params.hidden_bias
    if params.n_visible <= params.n_hidden:
        small, other_w, small_bias, other_bias = params.n_visible, W, b, c
    else:
        small, other_w, small_bias, other_bias = params.n_hidden, W.T, c, b
    if small > 20:
        raise ModelError(f"exact RBM thermodynamics enumerates the smaller layer; it has "
                         f"{small} units (at most 20)")
    states = all_binary_states(small).astype(np.float64)
    base = -states @ small_bias                     # energy part of the enumerated layer
    x = states @ other_w + other_bias               # fields on the other layer: E = base - x.o
    out = {k: [] for k in ("log_z", "energy", "specific_heat", "entropy", "free_energy")}
    for t in np.atleast_1d(np.asarray(temperature, dtype=np.float64)):
        p_on = 1.0 / (1.0 + np.exp(-x / t))
        log_w = -base / t + np.logaddexp(0.0, x / t).sum(axis=1)
        mean_e = base - (p_on * x).sum(axis=1)
        var_e = (p_on * (1 - p_on) * x**2).sum(axis=1)
        shift = log_w.max()
        weights = np.exp(log_w - shift)
        z = weights.sum()
        weights /= z
        u = weights @ mean_e
        var = weights @ (var_e + (mean_e - u) ** 2)
        log_z = shift + np.log(z)
        out["log_z"].append(log_z)
        out["energy"].append(u)
        out["specific_heat"].append(var / t**2)
        out["entropy"].append(log_z + u / t)
        out["free_energy"].append(-t * log_z)
    return {k: np.array(v) for k, v in out.items()}
