"""Sets of replicas of one model, each at its own temperature: what parallel tempering moves.

A replica set holds ``n`` configurations (C systems x R rungs, flattened system-major), each
with its own random stream given by the caller, and knows three things: sweep every replica at its own temperature, report every replica's
energy, and return the configurations. :func:`replicas_for` picks the set for a model:

- lattice Ising and Potts models: the lattice kernels (single site or Swendsen-Wang);
- Ising graphs (spin glasses, SK, Max-Cut): fixed-temperature sweeps with local fields;
- restricted Boltzmann machines: block Gibbs sampling at temperature T (weights / T).

Each replica draws from its own xoshiro stream, so results do not depend on thread counts
(the RBM set draws its whole batch with numpy from a Generator seeded by the first stream:
its results depend on the number of systems).
"""

import numpy as np
from scipy.special import expit

from simlab.errors import ConfigError
from simlab.kernels import annealing, cluster, potts, single_spin
from simlab.models.boltzmann import RBMParameters
from simlab.models.graph import IsingGraph
from simlab.models.lattice import IsingLattice, PottsLattice
from simlab.rng import generator_from_states
from simlab.rules import (
    ALGORITHMS,
    SCANS,
    cluster_bond_probability,
    flip_probability_table,
    potts_table,
)
from simlab.validation import choice

#: Update rules a replica set can use (Wolff's clusters per sweep are not defined here).
REPLICA_ALGORITHMS = ALGORITHMS + ("swendsen-wang",)


class LatticeReplicas:
    """Replicas of an :class:`IsingLattice` or :class:`PottsLattice`."""

    def __init__(self, model, states, algorithm, scan):
        self.model = model
        self.algorithm = algorithm
        self.random_scan = scan == "random"
        self.ising = isinstance(model, IsingLattice)
        n = states.shape[0]
        self.states = states
        if self.ising:
            self.spins = np.ones((n, model.n_sites), dtype=np.int8)
            single_spin.randomize(self.spins, self.states)
            self.bond = model.bond_sum(self.spins).astype(np.int64)
            self.mag = self.spins.sum(axis=1, dtype=np.int64)
        else:
            self.spins = np.zeros((n, model.n_sites), dtype=np.int8)
            potts.randomize(self.spins, model.q, self.states)
            self.bond = model.bond_sum(self.spins)
            self.mag = model.order_parameter_sum(self.spins)
        self.no_series = np.zeros((n, 0), dtype=np.int32)
        self.work = np.zeros((n, 2), dtype=np.int64)
        self.per_sweep = np.zeros(n, dtype=np.int64)

    def sweep(self, n_sweeps, temperatures):
        """Advance replica j by ``n_sweeps`` sweeps at ``temperatures[j]``."""
        m = self.model
        z = m.neighbours.shape[1]
        if self.algorithm == "swendsen-wang":
            p_add = cluster_bond_probability(temperatures, m.coupling, self.ising)
            cluster.run_chains(self.spins, m.neighbours, p_add, self.ising,
                               getattr(m, "q", 2), cluster.SWENDSEN_WANG, self.per_sweep,
                               self.states, self.bond, self.mag, n_sweeps, self.no_series,
                               self.no_series, 0, self.work)
        elif self.ising:
            tables = _per_replica(lambda t: flip_probability_table(
                self.algorithm, t, m.coupling, m.field, z), temperatures)
            single_spin.run_chains(self.spins, m.neighbours, tables, self.states, self.bond,
                                   self.mag, n_sweeps, self.random_scan, self.no_series,
                                   self.no_series, 0)
        else:
            tables = _per_replica(lambda t: potts_table(self.algorithm, t, m.coupling, z),
                                  temperatures)
            rule = potts.HEAT_BATH if self.algorithm == "heatbath" else 0
            potts.run_chains(self.spins, m.neighbours, m.q, tables, rule, self.states,
                             self.bond, self.mag, n_sweeps, self.random_scan, self.no_series,
                             self.no_series, 0)

    @property
    def energy(self):
        """Energy of every replica, float64[n]."""
        return self.model.energy_from_sums(self.bond, self.mag)

    @property
    def magnetization(self):
        """M (Ising) or q max_k N_k - N (Potts) of every replica, float64[n]."""
        return self.mag.astype(np.float64)

    @property
    def configurations(self):
        return self.spins


def _per_replica(table, temperatures):
    """``table(T)`` stacked for every replica, computed once per distinct temperature."""
    distinct, index = np.unique(temperatures, return_inverse=True)
    return np.ascontiguousarray(np.stack([table(t) for t in distinct])[index])


class GraphReplicas:
    """Replicas of an :class:`IsingGraph` (spins +-1, local fields kept per replica)."""

    magnetization = None

    def __init__(self, model, states, algorithm, scan):
        self.model = model
        self.heat_bath = algorithm == "heatbath"
        self.random_scan = scan == "random"
        n = states.shape[0]
        self.states = states
        self.spins = np.ones((n, model.n_sites), dtype=np.int8)
        single_spin.randomize(self.spins, self.states)
        self.local_fields = np.empty((n, model.n_sites))
        self._energy = np.empty(n)
        annealing.graph_local_fields(model.indptr, model.indices, model.couplings,
                                     model.fields, self.spins, self.local_fields, self._energy)
        self.dense = np.zeros((0, 0))   # CSR rows: replicas are many, graphs sparse

    def sweep(self, n_sweeps, temperatures):
        m = self.model
        annealing.sweep_ising_replicas(m.indptr, m.indices, m.couplings, m.fields, self.dense,
                                       1.0 / np.asarray(temperatures, dtype=np.float64),
                                       n_sweeps, self.heat_bath, self.random_scan,
                                       self.states, self.spins, self.local_fields,
                                       self._energy)

    @property
    def energy(self):
        return self._energy

    @property
    def configurations(self):
        return self.spins


class RBMReplicas:
    """Replicas (v, h) of a restricted Boltzmann machine under block Gibbs sampling."""

    magnetization = None

    def __init__(self, params, states, algorithm, scan):
        self.params = params
        self.rng = generator_from_states(states[0])
        n = states.shape[0]
        self.v = (self.rng.random((n, params.n_visible)) < 0.5) * 1.0
        self.h = (self.rng.random((n, params.n_hidden)) < 0.5) * 1.0

    def sweep(self, n_sweeps, temperatures):
        p = self.params
        t = np.asarray(temperatures, dtype=np.float64)[:, None]
        for _ in range(n_sweeps):
            self.h = (self.rng.random(self.h.shape) < expit((self.v @ p.weights
                                                             + p.hidden_bias) / t)) * 1.0
            self.v = (self.rng.random(self.v.shape) < expit((self.h @ p.weights.T
                                                             + p.visible_bias) / t)) * 1.0

    @property
    def energy(self):
        return self.params.energy(self.v, self.h)

    @property
    def configurations(self):
        return np.concatenate([self.v, self.h], axis=1).astype(np.int8)


def replicas_for(model, states, algorithm="metropolis", scan="random"):
    """The replica set of ``model`` with one replica per row of ``states`` (uint64[n, 4],
    the replicas' random streams, used in place); see the module docstring."""
    algorithm = choice("algorithm", algorithm, REPLICA_ALGORITHMS)
    scan = choice("scan", scan, SCANS)
    if isinstance(model, (IsingLattice, PottsLattice)):
        if algorithm == "swendsen-wang" and (model.coupling <= 0 or model.field != 0):
            raise ConfigError("algorithm", algorithm, "a single-site rule for a lattice with "
                                                      "J <= 0 or a field")
        return LatticeReplicas(model, states, algorithm, scan)
    if algorithm == "swendsen-wang":
        raise ConfigError("algorithm", algorithm, "'metropolis' or 'heatbath' for "
                                                  f"{type(model).__name__}")
    if isinstance(model, IsingGraph):
        return GraphReplicas(model, states, algorithm, scan)
    if isinstance(model, RBMParameters):
        return RBMReplicas(model, states, algorithm, scan)
    raise ConfigError("model", type(model).__name__,
                      "an IsingLattice, PottsLattice, IsingGraph or RBMParameters")
