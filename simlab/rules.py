"""Names of the single-spin update rules and scans, and the lattice flip-probability tables.

For a two-state spin the heat-bath (Gibbs) update, which draws the new value from its
conditional distribution, flips the spin with the Glauber probability 1/(1 + exp(dE/T)); the
Metropolis update flips it with min(1, exp(-dE/T)). Both satisfy detailed balance site by
site. The kernels decide with :mod:`simlab.kernels.acceptance`; the lattice kernel looks the
same probabilities up in the tables built here (held to the kernel functions by the tests).
"""

import numpy as np

from simlab.validation import choice

ALGORITHMS = ("metropolis", "heatbath")
#: Site order within a sweep: N uniformly random sites, or sites 0..N-1 in order.
SCANS = ("random", "sequential")
#: Kernel choice of the lattice sampler: scalar, or multi-spin coded (64 replicas per word).
LATTICE_KERNELS = ("auto", "scalar", "multispin")
#: Kernel choice of the annealer: also "simd", real couplings vectorised across reads.
KERNELS = LATTICE_KERNELS + ("simd",)
#: Initial states of lattice chains: all +1, or each spin +-1 with probability 1/2.
INITIAL_STATES = ("ordered", "random")


def flip_probability_table(algorithm, temperature, coupling, field, degree):
    """Flip probabilities p[(s + 1) // 2, (n + z) // 2] for spin s with neighbour sum n.

    Parameters
    ----------
    algorithm : {"metropolis", "heatbath"}
    temperature : float
        T > 0 (``inf`` allowed: every proposal has dE/T = 0).
    coupling, field : float
        J and h.
    degree : int
        Number of neighbours z.

    Returns
    -------
    ndarray, shape (2, z + 1), float64
    """
    choice("algorithm", algorithm, ALGORITHMS)
    spin = np.array([-1.0, 1.0])[:, None]
    neighbour_sum = np.arange(-degree, degree + 1, 2, dtype=np.float64)[None, :]
    beta_de = 2.0 * spin * (coupling * neighbour_sum + field) / temperature
    with np.errstate(over="ignore"):
        if algorithm == "metropolis":
            return np.minimum(1.0, np.exp(-beta_de))
        return 1.0 / (1.0 + np.exp(beta_de))

#: Cluster updates of ferromagnetic lattices without a field (:mod:`simlab.kernels.cluster`).
CLUSTER_ALGORITHMS = ("wolff", "swendsen-wang")
#: Every update rule of a lattice sampler.
LATTICE_ALGORITHMS = ALGORITHMS + CLUSTER_ALGORITHMS


def potts_table(algorithm, temperature, coupling, degree):
    """The table of :func:`simlab.kernels.potts.sweep` for one temperature.

    Metropolis: acceptance min(1, exp(beta J d)) at index d + z, d = n_new - n_old in [-z, z];
    heat bath: weights exp(beta J (n - n_max)) at index n in [0, z] (n_max = z for J > 0,
    0 otherwise, so no weight exceeds 1), the rest 0.

    Returns
    -------
    ndarray, shape (2z + 1,), float64
    """
    choice("algorithm", algorithm, ALGORITHMS)
    beta_j = coupling / temperature
    if algorithm == "metropolis":
        d = np.arange(-degree, degree + 1, dtype=np.float64)
        with np.errstate(over="ignore"):
            return np.minimum(1.0, np.exp(beta_j * d))
    n = np.arange(degree + 1, dtype=np.float64)
    n_max = degree if coupling > 0 else 0
    table = np.zeros(2 * degree + 1)
    table[:degree + 1] = np.exp(beta_j * (n - n_max))
    return table


def cluster_bond_probability(temperature, coupling, ising):
    """Fortuin-Kasteleyn bond probability 1 - exp(-beta J_eff), J_eff = 2J (Ising) or J."""
    return -np.expm1(-(2.0 if ising else 1.0) * coupling / temperature)
