"""Asynchronous Hopfield dynamics: zero temperature (s_i <- sign h_i) or heat bath at T > 0.

Each read keeps the local fields h = W s; a flip of unit i adds 2 s_i W[:, i] (a contiguous
row, since W is symmetric). Sweeps visit units in order. At T = 0 a unit with h_i = 0 keeps
its state and a read stops after a sweep without flips.
"""

import numpy as np
from numba import njit, prange

from simlab.kernels.acceptance import heat_bath


@njit(parallel=True, cache=True)
def relax(W, spins, temperature, max_sweeps, states, sweeps_done):
    """Run the dynamics on every read in place.

    Parameters
    ----------
    W : float64[N, N], symmetric, zero diagonal
    spins : int8[R, N], initial states, final states on return
    temperature : float (0: deterministic)
    max_sweeps : int
    states : uint64[R, 4]
    sweeps_done : int64[R], written
    """
    n_reads, n = spins.shape
    beta = 1.0 / temperature if temperature > 0 else np.inf
    for r in prange(n_reads):
        s = spins[r]
        st = states[r]
        h = np.zeros(n)
        for i in range(n):
            if s[i] != 0:
                for j in range(n):
                    h[j] += W[i, j] * s[i]
        done = max_sweeps
        for t in range(max_sweeps):
            flips = 0
            for i in range(n):
                if temperature > 0:
                    # Heat bath: +1 with probability 1 / (1 + exp(-2 beta h_i)), the Glauber
                    # acceptance of the move -1 -> +1 (dE = -2 h_i).
                    new = 1 if heat_bath(-2.0 * beta * h[i], st) else -1
                else:
                    new = 1 if h[i] > 0 else (-1 if h[i] < 0 else s[i])
                if new != s[i]:
                    s[i] = new
                    flips += 1
                    row = W[i]
                    twice = 2.0 * new
                    for j in range(n):
                        h[j] += twice * row[j]
            if temperature == 0 and flips == 0:
                done = t + 1
                break
        sweeps_done[r] = done
