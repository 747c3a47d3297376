"""Annealing of Ising graphs with real couplings, vectorised across reads (SIMD lanes).

A block of W reads is held as float64 spins[N, W] (+-1.0), one read per column, so each step
of a site update is a short loop over the W reads that LLVM turns into SIMD instructions.
Every loop touches few arrays (LLVM gives up vectorising when too many could overlap):

1. the local field f[r] = h_i + sum_j J_ij s_j[r], recomputed from the CSR row (when some
   lane flips at almost every site this costs what keeping fields up to date costs, without
   the stores);
2. each lane's xoshiro256** step (the four state words of all lanes in one uint64[4, W]
   array) and its output made into a uniform in [1, 2) with 52 random bits by bit assembly
   (AVX2 has no packed 64-bit integer to float conversion);
3. exp(-|beta dE|), dE = 2 s_i f_i, by the branch-free exp of :mod:`simlab.kernels.vexp`
   (relative error < 4e-16), as a mantissa and a power of two;
4. the acceptance probability (Metropolis min(1, exp(-beta dE)), heat bath
   1 / (1 + exp(beta dE))), the flip as a select, and each lane's energy moved by dE where
   it flipped.

Every lane is an independent read with the law of the scalar kernel's sequential scan
(:mod:`simlab.kernels.annealing`) up to the 52-bit uniforms and last-bit differences of exp.
A read's result depends only on its stream, not on the block it ran in or the thread count.
"""

import numpy as np
from numba import njit, prange

from simlab.kernels.rng import xoshiro_step
from simlab.kernels.vexp import _FLOOR, EXP_FLAGS, exp_split
from simlab.kernels.vexp import power_bits as vexp_power_bits

_ONE_BITS = np.uint64(0x3FF0000000000000)
_U12 = np.uint64(12)


@njit(fastmath=EXP_FLAGS, cache=True)
def _fields(indptr, indices, couplings, h, i, spins, field):
    width = field.size
    for r in range(width):
        field[r] = h
    for q in range(indptr[i], indptr[i + 1]):
        j = indices[q]
        c = couplings[q]
        for r in range(width):
            field[r] += c * spins[j, r]


@njit(cache=True)
def _uniforms(st, out):
    """One xoshiro256** step per lane (state st[:, r]); out[r] = bits of a float in [1, 2)."""
    for r in range(out.size):
        x, st[0, r], st[1, r], st[2, r], st[3, r] = xoshiro_step(st[0, r], st[1, r],
                                                                  st[2, r], st[3, r])
        out[r] = (x >> _U12) | _ONE_BITS


@njit(fastmath=EXP_FLAGS, cache=True)
def _boltzmann(spin_row, field, beta, mantissa, powers, power_bits):
    """exp(-|beta dE|) per lane as mantissa * 2^k; ``powers`` is the float64 view of
    ``power_bits``, which ends up holding the bits of 2^k."""
    for r in range(field.size):
        mantissa[r], powers[r] = exp_split(max(-abs(2.0 * beta * spin_row[r] * field[r]),
                                               _FLOOR))
    for r in range(field.size):
        power_bits[r] = vexp_power_bits(power_bits[r])


@njit(fastmath=EXP_FLAGS, cache=True)
def _flip(spin_row, field, heat_bath, mantissa, powers, uniforms, energy):
    for r in range(field.size):
        s = spin_row[r]
        de = 2.0 * s * field[r]
        e = mantissa[r] * powers[r]
        if heat_bath:
            p = e / (1.0 + e) if de >= 0.0 else 1.0 / (1.0 + e)
        else:
            p = e if de > 0.0 else 1.0
        flip = uniforms[r] - 1.0 < p
        spin_row[r] = -s if flip else s
        energy[r] += de if flip else 0.0


@njit(parallel=True, cache=True, nogil=True)
def anneal_lanes(indptr, indices, couplings, fields, temperatures, sweeps_per_step, heat_bath,
                 states, spins, best_spins, record_every, trajectory, width, done):
    """Anneal R reads of one Ising graph in blocks of ``width`` lanes, blocks in parallel.

    Parameters
    ----------
    indptr, indices, couplings, fields : the model's CSR arrays
    temperatures : float64[S] (> 0), each held for ``sweeps_per_step`` sweeps
    heat_bath : bool
    states : uint64[R, 4], one stream per read (advanced)
    spins : int8[R, N], the reads' starts; overwritten with the final configurations
    best_spins : int8[R, N], written: the lowest-energy configuration seen at the end of a
        sweep (the caller recomputes energies exactly)
    record_every : int; trajectory : float64[R, n_records], energy every so many sweeps
    width : int, lanes per block
    done : int64[n_blocks], written while the kernel runs: the sweeps each block's reads
        have finished, summed over its reads (a caller's thread polls it for a progress bar;
        the kernel releases the GIL)
    """
    n_reads, n = spins.shape
    n_blocks = (n_reads + width - 1) // width
    n_sweeps = temperatures.size * sweeps_per_step
    for b in prange(n_blocks):
        lo = b * width
        w = min(width, n_reads - lo)
        block = np.empty((n, w))
        st = np.empty((4, w), dtype=np.uint64)
        for r in range(w):
            for i in range(n):
                block[i, r] = spins[lo + r, i]
            for k in range(4):
                st[k, r] = states[lo + r, k]
        energy = np.zeros(w)
        for r in range(w):
            e = 0.0
            for i in range(n):
                acc = 0.0
                for q in range(indptr[i], indptr[i + 1]):
                    acc += couplings[q] * block[indices[q], r]
                e -= block[i, r] * (0.5 * acc + fields[i])
            energy[r] = e
            for i in range(n):
                best_spins[lo + r, i] = np.int8(block[i, r])
        best = energy.copy()
        field = np.empty(w)
        mantissa = np.empty(w)
        power_bits = np.empty(w, dtype=np.int64)
        uniform_bits = np.empty(w, dtype=np.uint64)
        powers = power_bits.view(np.float64)
        uniforms = uniform_bits.view(np.float64)
        rec = 0
        for t in range(n_sweeps):
            beta = 1.0 / temperatures[t // sweeps_per_step]
            for i in range(n):
                _fields(indptr, indices, couplings, fields[i], i, block, field)
                _uniforms(st, uniform_bits)
                _boltzmann(block[i], field, beta, mantissa, powers, power_bits)
                _flip(block[i], field, heat_bath, mantissa, powers, uniforms, energy)
            for r in range(w):
                if energy[r] < best[r] - 1e-9 * (1.0 + abs(best[r])):
                    best[r] = energy[r]
                    for i in range(n):
                        best_spins[lo + r, i] = np.int8(block[i, r])
            if record_every > 0 and (t + 1) % record_every == 0:
                for r in range(w):
                    trajectory[lo + r, rec] = energy[r]
                rec += 1
            done[b] = (t + 1) * w
        for r in range(w):
            for i in range(n):
                spins[lo + r, i] = np.int8(block[i, r])
            for k in range(4):
                states[lo + r, k] = st[k, r]
