"""The exchange step of parallel tempering (replica exchange), for any model.

Each of C independent systems holds R replicas at the R temperatures of a ladder. Replicas
stay in place and exchange temperatures: ``replica_at[c, i]`` is the replica at ladder rung
i. Neighbouring rungs i, i+1 (even i on one call, odd i on the next) exchange with
probability min(1, exp((beta_i - beta_{i+1}) (E_a - E_b))), a and b their replicas, which
keeps the product of the Boltzmann laws invariant (Swendsen & Wang 1986; Hukushima &
Nemoto 1996). Each system draws from its own stream.
"""

import math

from numba import njit, prange

from simlab.kernels.rng import next_double


@njit(parallel=True, cache=True)
def exchange(betas, energy, replica_at, rung_of, parity, states, accepted, attempted):
    """One exchange sweep over the pairs of rungs (i, i+1) with i % 2 == parity.

    Parameters
    ----------
    betas : float64[R], inverse temperature of each rung
    energy : float64[C * R], energy of each replica (replica index c * R + j)
    replica_at : int64[C, R], replica (0 .. R-1 within its system) at each rung, updated
    rung_of : int64[C, R], rung of each replica, updated
    parity : int
    states : uint64[C, 4], one stream per system, advanced in place
    accepted, attempted : int64[C, R - 1], counts per pair of rungs, updated
    """
    n_systems, n_rungs = replica_at.shape
    for c in prange(n_systems):
        for i in range(parity, n_rungs - 1, 2):
            a = replica_at[c, i]
            b = replica_at[c, i + 1]
            x = (betas[i] - betas[i + 1]) * (energy[c * n_rungs + a] - energy[c * n_rungs + b])
            attempted[c, i] += 1
            if x >= 0.0 or next_double(states[c]) < math.exp(x):
                accepted[c, i] += 1
                replica_at[c, i] = b
                replica_at[c, i + 1] = a
                rung_of[c, a] = i + 1
                rung_of[c, b] = i
