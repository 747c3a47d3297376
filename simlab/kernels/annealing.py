"""Simulated annealing of sparse Ising models and small explicit landscapes.

Ising graphs (CSR, see :mod:`simlab.models.graph`): each read keeps the local fields
f_i = sum_j J_ij s_j + h_i, so a flip attempt costs O(1) and an accepted flip O(degree);
dE = 2 s_i f_i, accepted by the shared rules of :mod:`simlab.kernels.acceptance` (Metropolis
or heat bath). One sweep is N attempts, sites in order or uniformly at random.
The best configuration is checked at the end of every sweep.

Landscapes (:mod:`simlab.models.landscape`): one proposal per step to one of ``max_degree``
slots (a missing neighbour means "stay"), accepted by Metropolis or heat bath (Barker).
"""

import numpy as np
from numba import njit, prange

from simlab.kernels.acceptance import accept
from simlab.kernels.rng import next_below, next_double


@njit(cache=True)
def ising_energy(indptr, indices, couplings, fields, spins):
    """E = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i for one configuration."""
    e = 0.0
    for i in range(spins.size):
        acc = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            acc += couplings[k] * spins[indices[k]]
        e -= spins[i] * (0.5 * acc + fields[i])
    return e


@njit(inline="always", cache=True)
def set_local_fields(indptr, indices, couplings, fields, s, f):
    """f_i = sum_j J_ij s_j + h_i for one configuration (written into ``f``)."""
    for i in range(s.size):
        acc = fields[i]
        for k in range(indptr[i], indptr[i + 1]):
            acc += couplings[k] * s[indices[k]]
        f[i] = acc


@njit(inline="always", cache=True)
def graph_sweep(indptr, indices, couplings, dense, use_dense, beta, heat_bath, random_scan,
                s, f, st, e):
    """One sweep of N flip attempts at inverse temperature ``beta``, keeping the local
    fields ``f`` up to date (dense rows if ``use_dense``); returns the energy ``e`` after
    it (accumulated flip by flip, as before the helper existed)."""
    n = s.size
    for k in range(n):
        i = next_below(st, n) if random_scan else k
        de = 2.0 * s[i] * f[i]
        if accept(beta * de, heat_bath, st):
            s[i] = -s[i]
            e += de
            twice = 2.0 * s[i]
            if use_dense:
                row = dense[i]
                for q in range(n):
                    f[q] += twice * row[q]
            else:
                for q in range(indptr[i], indptr[i + 1]):
                    f[indices[q]] += twice * couplings[q]
    return e


@njit(parallel=True, cache=True, nogil=True)
def anneal_ising(indptr, indices, couplings, fields, dense, temperatures, sweeps_per_step,
                 heat_bath, random_scan, randomize, states, spins, best_spins, final_energy,
                 best_energy, record_every, trajectory, done):
    """Anneal R independent reads of one Ising graph.

    Parameters
    ----------
    indptr, indices, couplings, fields : the model's CSR arrays
    dense : float64[N, N] or float64[0, 0]
        The coupling matrix of a dense graph (then an accepted flip updates the local fields
        with one contiguous, vectorised row), or empty to use the CSR lists.
    temperatures : float64[n_steps], each held for ``sweeps_per_step`` sweeps
    heat_bath, random_scan, randomize : bool
        Acceptance rule, site order, and whether to start from random spins (else from
        ``spins`` as given).
    states : uint64[R, 4], RNG streams, advanced in place
    spins : int8[R, N], initial state if not ``randomize``; final state on return
    best_spins : int8[R, N], written
    final_energy, best_energy : float64[R], written (recomputed exactly at the end)
    record_every : int, record the energy after every ``record_every`` sweeps (0: never)
    trajectory : float64[R, n_records], written
    done : int64[R], written while the kernel runs: the sweeps each read has finished (a
        caller's thread polls it for a progress bar; the kernel releases the GIL)
    """
    n_reads, n = spins.shape
    n_sweeps = temperatures.size * sweeps_per_step
    for r in prange(n_reads):
        s = spins[r]
        st = states[r]
        if randomize:
            for i in range(n):
                s[i] = 1 if next_double(st) < 0.5 else -1
        f = np.empty(n)
        set_local_fields(indptr, indices, couplings, fields, s, f)
        e = ising_energy(indptr, indices, couplings, fields, s)
        best = e
        best_spins[r, :] = s
        rec = 0
        use_dense = dense.shape[0] == n
        for t in range(n_sweeps):
            beta = 1.0 / temperatures[t // sweeps_per_step]
            e = graph_sweep(indptr, indices, couplings, dense, use_dense, beta, heat_bath,
                            random_scan, s, f, st, e)
            if e < best - 1e-9 * (1.0 + abs(best)):
                best = e
                best_spins[r, :] = s
            if record_every > 0 and (t + 1) % record_every == 0:
                trajectory[r, rec] = e
                rec += 1
            done[r] = t + 1
        final_energy[r] = ising_energy(indptr, indices, couplings, fields, s)
        best_energy[r] = ising_energy(indptr, indices, couplings, fields, best_spins[r])


@njit(parallel=True, cache=True)
def anneal_landscape(energies, indptr, indices, max_degree, temperatures, sweeps_per_step,
                     heat_bath, states, start, record_steps, out):
    """Walkers on a landscape under a schedule; record the state after given step counts.

    Parameters
    ----------
    temperatures : float64[n_steps] (one proposal per sweep)
    start : int64[R], initial states
    record_steps : int64[n_rec], increasing step counts (0 = the initial state)
    out : int32[R, n_rec], written
    """
    n_reads = start.size
    n_total = temperatures.size * sweeps_per_step
    for r in prange(n_reads):
        st = states[r]
        x = start[r]
        j = 0
        while j < record_steps.size and record_steps[j] == 0:
            out[r, j] = x
            j += 1
        for t in range(n_total):
            beta = 1.0 / temperatures[t // sweeps_per_step]
            slot = next_below(st, max_degree)
            if slot < indptr[x + 1] - indptr[x]:
                y = indices[indptr[x] + slot]
                if accept(beta * (energies[y] - energies[x]), heat_bath, st):
                    x = y
            while j < record_steps.size and record_steps[j] == t + 1:
                out[r, j] = x
                j += 1


@njit(parallel=True, cache=True)
def sweep_ising_replicas(indptr, indices, couplings, fields, dense, betas, n_sweeps, heat_bath,
                         random_scan, states, spins, local_fields, energy):
    """Sweep R replicas of one Ising graph, each at its own fixed inverse temperature.

    Unlike :func:`anneal_ising`, the local fields and energies persist between calls, so a
    replica-exchange driver can alternate short calls with exchanges at no extra cost.

    Parameters
    ----------
    indptr, indices, couplings, fields, dense : as :func:`anneal_ising`
    betas : float64[R], inverse temperature of each replica
    n_sweeps : int
    heat_bath, random_scan : bool
    states : uint64[R, 4], advanced in place
    spins : int8[R, N], modified in place
    local_fields : float64[R, N], f_i = sum_j J_ij s_j + h_i, kept up to date
    energy : float64[R], kept up to date (accumulated dE)
    """
    n_reads, n = spins.shape
    use_dense = dense.shape[0] == n
    for r in prange(n_reads):
        s = spins[r]
        st = states[r]
        f = local_fields[r]
        beta = betas[r]
        e = energy[r]
        for t in range(n_sweeps):
            e = graph_sweep(indptr, indices, couplings, dense, use_dense, beta, heat_bath,
                            random_scan, s, f, st, e)
        energy[r] = e


@njit(parallel=True, cache=True)
def graph_local_fields(indptr, indices, couplings, fields, spins, local_fields, energy):
    """Set f_i = sum_j J_ij s_j + h_i and E(s) of every replica (int8[R, N] spins)."""
    for r in prange(spins.shape[0]):
        s = spins[r]
        set_local_fields(indptr, indices, couplings, fields, s, local_fields[r])
        energy[r] = ising_energy(indptr, indices, couplings, fields, s)
