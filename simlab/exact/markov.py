"""Exact distributions of small Markov chains by matrix products.

For a model on at most 12 binary sites, :func:`sweep_matrix` builds the transition matrix of
one single-spin-flip sweep as the kernels do it (N attempts, sites in order or uniformly at
random) under the Metropolis or heat-bath rule, and :func:`evolve` propagates a distribution
through any number of sweeps. :func:`closed_classes` finds the chain's closed communicating
classes: more than one means the chain is not irreducible. Monte Carlo visit frequencies after t sweeps can then be compared with the
exact distribution at t, not only with the stationary one.

Distributions are row vectors over the states of :func:`simlab.exact.enumerate.all_states`.
"""

import math

import numpy as np
from numba import njit

from simlab.errors import ConfigError
from simlab.exact.enumerate import enumerate_energies
from simlab.rules import ALGORITHMS, SCANS
from simlab.validation import choice, integer, number

MAX_SITES = 12


def sweep_matrix(energy, n_sites, temperature, algorithm="metropolis", scan="sequential"):
    """Transition matrix of one sweep of N single-spin-flip attempts.

    Parameters
    ----------
    energy : callable
        Energy of int8 states of shape (k, n_sites) in {-1, +1}, returns shape (k,).
    n_sites : int
        At most :data:`MAX_SITES`.
    temperature : float
        T > 0.
    algorithm : {"metropolis", "heatbath"}
    scan : {"sequential", "random"}
        Sites 0..N-1 in order, or N sites drawn uniformly with replacement.

    Returns
    -------
    ndarray, shape (2**n_sites, 2**n_sites)
        Row-stochastic P with P[a, b] = probability of state b after one sweep from a.
    """
    n_sites = integer("n_sites", n_sites, 1, MAX_SITES)
    temperature = number("temperature", temperature, positive=True)
    choice("algorithm", algorithm, ALGORITHMS)
    choice("scan", scan, SCANS)
    energies = enumerate_energies(energy, n_sites)
    n_states = energies.size
    index = np.arange(n_states)
    steps = []
    for site in range(n_sites):
        flipped = index ^ (1 << (n_sites - 1 - site))  # site 0 is the most significant bit
        d_e = energies[flipped] - energies
        with np.errstate(over="ignore"):
            if algorithm == "metropolis":
                p_flip = np.minimum(1.0, np.exp(-d_e / temperature))
            else:
                p_flip = 1.0 / (1.0 + np.exp(d_e / temperature))
        step = np.zeros((n_states, n_states))
        step[index, index] = 1.0 - p_flip
        step[index, flipped] += p_flip
        steps.append(step)
    if scan == "random":
        return np.linalg.matrix_power(sum(steps) / n_sites, n_sites)
    sweep = np.eye(n_states)
    for step in steps:
        sweep = sweep @ step
    return sweep


def closed_classes(matrix):
    """Closed communicating classes of a transition matrix (lists of state indices).

    An irreducible chain has exactly one, holding every state.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    graph = csr_matrix(np.asarray(matrix) > 0)
    n_comp, label = connected_components(graph, directed=True, connection="strong")
    classes = []
    for k in range(n_comp):
        members = np.flatnonzero(label == k)
        if np.all(label[graph[members].indices] == k):
            classes.append(members)
    return classes


def evolve(initial, matrix, n_steps):
    """Distribution after ``n_steps`` applications of ``matrix`` to the row vector ``initial``."""
    p = np.asarray(initial, dtype=np.float64)
    for _ in range(integer("n_steps", n_steps, 0)):
        p = p @ matrix
    return p


def total_variation(p, q):
    """Total-variation distance 1/2 sum |p - q| between two distributions."""
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


def uniform(n_sites):
    """The uniform distribution over 2**n_sites states (a random initial configuration)."""
    return np.full(2**n_sites, 1.0 / 2**n_sites)


def point_mass(state, n_sites):
    """The distribution concentrated on one configuration (e.g. all spins +1)."""
    from simlab.exact.enumerate import state_index

    p = np.zeros(2**n_sites)
    p[int(state_index(np.asarray(state)))] = 1.0
    return p


def landscape_annealing(landscape, schedule, record_steps, algorithm="metropolis", start=0):
    """Exact distribution of the annealing walker on a landscape (time-inhomogeneous chain).

    The chain is the one :func:`simlab.samplers.landscape.anneal_landscape` simulates: one
    proposal per step to one of ``max_degree`` slots (a missing neighbour means "stay"),
    accepted by Metropolis, min(1, exp(-beta dE)), or heat bath, 1 / (1 + exp(beta dE)), at
    the schedule's temperature of that step. Written here, independently of the sampler.

    Returns
    -------
    float64[len(record_steps), n_states]
        The law of the state after each recorded number of steps.
    """
    choice("algorithm", algorithm, ALGORITHMS)
    steps = np.asarray(record_steps, dtype=np.int64).ravel()
    if steps.size == 0 or np.any(np.diff(steps) <= 0) or steps[0] < 0 \
            or steps[-1] > schedule.n_sweeps:
        raise ConfigError("record_steps", list(steps[:5]),
                          f"increasing step counts in 0..{schedule.n_sweeps}")
    p0 = np.zeros(landscape.n_states)
    p0[integer("start", start, 0, landscape.n_states - 1)] = 1.0
    out = np.empty((steps.size, landscape.n_states))
    _landscape_law(landscape.energies, landscape.indptr, landscape.indices,
                   landscape.max_degree, np.ascontiguousarray(schedule.temperatures),
                   schedule.sweeps_per_step, algorithm == "heatbath", p0, steps, out)
    return out


@njit(cache=True)
def _landscape_law(energies, indptr, indices, max_degree, temperatures, sweeps_per_step,
                   heat_bath, p0, record_steps, out):
    """Propagate the law p0 through the steps; write it after each recorded step count."""
    n = energies.size
    p = p0.copy()
    q = np.empty(n)
    j = 0
    while j < record_steps.size and record_steps[j] == 0:
        out[j] = p
        j += 1
    n_total = temperatures.size * sweeps_per_step
    for t in range(n_total):
        beta = 1.0 / temperatures[t // sweeps_per_step]
        q[:] = 0.0
        for x in range(n):
            stay = 1.0
            for k in range(indptr[x], indptr[x + 1]):
                y = indices[k]
                bde = beta * (energies[y] - energies[x])
                if heat_bath:
                    a = 1.0 / (1.0 + math.exp(min(bde, 700.0)))
                else:
                    a = 1.0 if bde <= 0.0 else math.exp(-bde)
                move = a / max_degree
                q[y] += p[x] * move
                stay -= move
            q[x] += p[x] * stay
        p[:] = q
        while j < record_steps.size and record_steps[j] == t + 1:
            out[j] = p
            j += 1
