"""The single-site acceptance rules, written once for every kernel.

A move that changes the energy by dE at inverse temperature beta is accepted with

    Metropolis:  min(1, exp(-beta dE)),      heat bath (Glauber):  1 / (1 + exp(beta dE)).

For a two-state variable the heat-bath update (draw the new value from its conditional
distribution) is the Glauber acceptance of the move to the other value, so one function
serves spins, {0, 1} units and walkers on a landscape.

:func:`accept` and :func:`heat_bath` decide with one uniform draw and skip the draw where
the outcome is certain in float64: Metropolis never draws for beta dE <= 0, and neither
rule draws for |beta dE| > ``skip``. Any ``skip`` >= 37 is exact (1 + e^-37 rounds to 1,
and a 53-bit uniform is never below e^-37 except when it is 0), so the choice of ``skip``
changes which draws are consumed, never the law of the chain. Metropolis calls ``exp``
only when the uniform lies between the bounds 1 - x <= exp(-x) <= 1 / (1 + x).

The lattice kernel (:mod:`simlab.kernels.single_spin`) looks the same probabilities up in
a table built by :func:`simlab.rules.flip_probability_table`; the tests hold the table to
:func:`metropolis_probability` and :func:`heat_bath_probability`.
"""

import math

from numba import njit

from simlab.kernels.rng import next_double

#: beta dE above this: exp(-beta dE) < 2^-64, a move that is never accepted.
SKIP = 44.3614195558365


@njit(inline="always", cache=True)
def metropolis_probability(beta_de):
    """min(1, exp(-beta dE))."""
    if beta_de <= 0.0:
        return 1.0
    return math.exp(-beta_de)


@njit(inline="always", cache=True)
def heat_bath_probability(beta_de):
    """1 / (1 + exp(beta dE)), without overflow."""
    if beta_de > 700.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(beta_de))


@njit(inline="always", cache=True)
def heat_bath(beta_de, state, skip=SKIP):
    """Whether the move is accepted under the heat-bath (Glauber) rule; one draw at most."""
    if beta_de > skip:
        return False
    if beta_de < -skip:
        return True
    return next_double(state) * (1.0 + math.exp(beta_de)) < 1.0


@njit(inline="always", cache=True)
def metropolis(beta_de, state):
    """Whether the move is accepted under the Metropolis rule; one draw at most."""
    if beta_de <= 0.0:
        return True
    if beta_de > SKIP:
        return False
    r = next_double(state)
    if r * (1.0 + beta_de) >= 1.0:
        return False
    if r < 1.0 - beta_de:
        return True
    return r < math.exp(-beta_de)


@njit(inline="always", cache=True)
def accept(beta_de, heat_bath_rule, state):
    """Whether a move with beta * dE is accepted (heat bath if ``heat_bath_rule``)."""
    if heat_bath_rule:
        return heat_bath(beta_de, state)
    return metropolis(beta_de, state)
