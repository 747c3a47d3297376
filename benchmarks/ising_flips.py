"""Nanoseconds per spin-flip attempt of simlab's single-spin kernels vs a NumPy peer.

The peer is the standard vectorised NumPy checkerboard Metropolis update (both sublattices
updated in turn with array operations and a precomputed acceptance table), timed in the same
run on the same lattice sizes. Both use one thread. Run:

    python benchmarks/ising_flips.py [--sizes 64 256 1024] [--seconds 2]

Prints ns per attempted flip and, in brackets, the speed-up ratio NumPy time / simlab time.
"""

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numba  # noqa: E402
import numpy as np  # noqa: E402

from simlab.models import IsingLattice  # noqa: E402
from simlab.samplers import sample_lattice  # noqa: E402

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))


def numpy_checkerboard(L, temperature, sweeps, seed=0):
    """Checkerboard Metropolis in plain NumPy (J = 1, h = 0); returns the final spins."""
    rng = np.random.default_rng(seed)
    spins = np.ones((L, L), dtype=np.int8)
    accept = np.exp(-2.0 * np.arange(-4, 5) / temperature)  # indexed by s * n + 4
    parity = np.add.outer(np.arange(L), np.arange(L)) % 2
    masks = [parity == 0, parity == 1]
    for _ in range(sweeps):
        for mask in masks:
            n = (np.roll(spins, 1, 0) + np.roll(spins, -1, 0) + np.roll(spins, 1, 1)
                 + np.roll(spins, -1, 1))
            sn = spins * n
            flip = mask & (rng.random((L, L)) < accept[sn + 4])
            spins[flip] *= -1
    return spins


def time_per_flip(func, n_flips, seconds):
    """Best-of-repeats seconds per flip attempt, repeating for about ``seconds``."""
    best = np.inf
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t0)
        if time.perf_counter() - start > seconds:
            return best / n_flips


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    numba.set_num_threads(1)
    print(f"numba threads: {numba.get_num_threads()}, T = T_c, J = 1, h = 0")
    rows = []
    for L in args.sizes:
        sweeps = max(2, int(2e7 / L**2))
        n_flips = sweeps * L * L
        model = IsingLattice(L)
        timings = {}
        for algorithm, scan in (("metropolis", "sequential"), ("metropolis", "random"),
                                ("heatbath", "sequential")):
            run = lambda: sample_lattice(model, [T_C], chains=1, sweeps=1,  # noqa: E731
                                         thermalization=sweeps - 1, algorithm=algorithm,
                                         scan=scan, record=False, threads=1)
            run()  # compile / warm up
            timings[f"{algorithm}/{scan}"] = time_per_flip(run, n_flips, args.seconds)
        timings["numpy checkerboard"] = time_per_flip(
            lambda: numpy_checkerboard(L, T_C, sweeps), n_flips, args.seconds)
        rows.append((L, timings))
    names = list(rows[0][1])
    print("ns per flip attempt (ratio: numpy checkerboard time / simlab time)")
    print(f"{'L':>6}" + "".join(f"{n:>30}" for n in names))
    for L, t in rows:
        peer = t["numpy checkerboard"]
        cells = [f"{t[n] * 1e9:>8.2f} ns ({peer / t[n]:4.1f}x)" for n in names]
        print(f"{L:>6}" + "".join(f"{c:>30}" for c in cells))


if __name__ == "__main__":
    main()
