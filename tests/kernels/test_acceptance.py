"""The acceptance rules written once: probabilities, decisions, the lattice tables held to them."""

import numpy as np
import pytest
from numba import njit

from simlab.kernels import acceptance
from simlab.kernels.rng import next_double
from simlab.rng import stream_states
from simlab.rules import flip_probability_table


@njit(cache=True)
def _accept_fraction(beta_de, heat_bath_rule, state, n):
    hits = 0
    for _ in range(n):
        hits += acceptance.accept(beta_de, heat_bath_rule, state)
    return hits / n


@njit(cache=True)
def _heat_bath_decisions(beta_de, skip, state, n):
    out = np.empty(n, dtype=np.bool_)
    for i in range(n):
        out[i] = acceptance.heat_bath(beta_de, state, skip)
    return out


@njit(cache=True)
def _probabilities(beta_de):
    out = np.empty((2, beta_de.size))
    for i in range(beta_de.size):
        out[0, i] = acceptance.metropolis_probability(beta_de[i])
        out[1, i] = acceptance.heat_bath_probability(beta_de[i])
    return out


@njit(cache=True)
def _draw(state):
    return next_double(state)


@pytest.mark.parametrize("beta_de", [-3.0, -0.2, 0.0, 0.05, 0.7, 2.5, 9.0])
@pytest.mark.parametrize("heat_bath_rule", [False, True])
def test_decisions_follow_the_probabilities(beta_de, heat_bath_rule):
    n = 400_000
    state = stream_states(0, ("acceptance", beta_de, heat_bath_rule), 1)[0]
    p = _probabilities(np.array([beta_de]))[int(heat_bath_rule), 0]
    fraction = _accept_fraction(beta_de, heat_bath_rule, state, n)
    sigma = np.sqrt(max(p * (1 - p), 1e-12) / n)
    assert abs(fraction - p) < 5 * sigma + 1e-12


def test_probabilities_are_the_textbook_formulas():
    x = np.linspace(-50, 800, 2001)
    p = _probabilities(x)
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(p[0], np.minimum(1.0, np.exp(-x)), rtol=1e-15)
        np.testing.assert_allclose(p[1], 1.0 / (1.0 + np.exp(x)), rtol=1e-15, atol=1e-300)
    # Detailed balance: p(x) / p(-x) = exp(-x) for both rules.
    y = np.linspace(0.01, 30, 300)
    ratio = _probabilities(y) / _probabilities(-y)
    np.testing.assert_allclose(ratio, np.broadcast_to(np.exp(-y), ratio.shape), rtol=1e-12)


@pytest.mark.parametrize("algorithm", ["metropolis", "heatbath"])
@pytest.mark.parametrize("temperature", [0.3, 1.0, 2.269, 7.0, np.inf])
def test_lattice_tables_hold_the_kernel_probabilities(algorithm, temperature):
    # The lattice kernel looks its flip probabilities up in NumPy tables; they must be the
    # shared rule's values (to the last bit but one: NumPy's exp may round differently).
    table = flip_probability_table(algorithm, temperature, 1.3, 0.4, 4)
    spin = np.array([-1.0, 1.0])[:, None]
    nb = np.arange(-4, 5, 2, dtype=np.float64)[None, :]
    beta_de = (2.0 * spin * (1.3 * nb + 0.4) / temperature).ravel()
    shared = _probabilities(beta_de)[0 if algorithm == "metropolis" else 1].reshape(table.shape)
    np.testing.assert_allclose(table, shared, rtol=4e-16, atol=0)


def test_the_skip_threshold_changes_draws_never_decisions():
    # Beyond |beta dE| = 37 a draw cannot change the heat-bath outcome in float64.
    for beta_de in (-44.0, -41.0, 38.0, 43.0):
        a = _heat_bath_decisions(beta_de, 37.0, stream_states(1, ("skip",), 1)[0], 10_000)
        b = _heat_bath_decisions(beta_de, acceptance.SKIP, stream_states(1, ("skip",), 1)[0],
                                 10_000)
        assert np.array_equal(a, b) and (a.all() or not a.any())
