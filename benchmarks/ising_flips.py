"""Nanoseconds per spin-flip attempt of simlab's lattice kernels against two peers in one run.

Peers, both timed here on the same lattices: a plain Numba checkerboard Metropolis (one
chain, the loop a physicist writes first, defined below) and the vectorised NumPy
checkerboard. simlab: the scalar kernels (one chain; sequential and random scan) and the
multi-spin kernel (64 chains per 64-bit word, every chain its own random bits: the
default of the ``ising_sweep`` task), with and without recording E and M after every sweep,
at T = T_c (one word) and at the 36 temperatures of the task's default grid (36 words in
chunks of up to 16, as the task runs them). J = 1, h = 0, one thread, best of repeats. Run:

    python benchmarks/ising_flips.py [--sizes 64 256 1024] [--seconds 2]

Prints ns per attempted flip (chains x sweeps x sites / time) and the ratio to the plain
Numba checkerboard (below 1: faster than the peer).
"""

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numba  # noqa: E402
import numpy as np  # noqa: E402
from machine import header  # noqa: E402

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


@numba.njit(cache=True)
def numba_checkerboard(spins, accept, sweeps):
    """Checkerboard Metropolis in plain Numba: int8 spins (L, L), accept[s n + 4]."""
    L = spins.shape[0]
    for _ in range(sweeps):
        for colour in range(2):
            for i in range(L):
                up, down = (i - 1) % L, (i + 1) % L
                for j in range((i + colour) % 2, L, 2):
                    s = spins[i, j]
                    n = (spins[up, j] + spins[down, j] + spins[i, (j - 1) % L]
                         + spins[i, (j + 1) % L])
                    if np.random.random() < accept[s * n + 4]:
                        spins[i, j] = -s
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


def default_grid():
    """The temperatures of the ``ising_sweep`` task's default grid (36 of them)."""
    from simlab.tasks.ising_sweep import IsingSweepConfig

    return IsingSweepConfig().temperature.values()


def simlab_run(model, sweeps, algorithm, scan, chains, record, temperatures=(T_C,)):
    def run():
        sample_lattice(model, list(temperatures), chains=chains, sweeps=sweeps if record else 1,
                       thermalization=0 if record else sweeps - 1, algorithm=algorithm,
                       scan=scan, record=record, threads=1)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    numba.set_num_threads(1)
    header()
    print(f"numba threads: {numba.get_num_threads()}, T = T_c, J = 1, h = 0")
    accept = np.exp(-2.0 * np.arange(-4, 5) / T_C)
    cases = {
        "numba checkerboard (peer)": None,
        "numpy checkerboard (peer)": None,
        "scalar metropolis/sequential": ("metropolis", "sequential", 1, False),
        "scalar metropolis/random": ("metropolis", "random", 1, False),
        "scalar heatbath/sequential": ("heatbath", "sequential", 1, False),
        "multi-spin heatbath x64": ("heatbath", "sequential", 64, False),
        "multi-spin heatbath x64, E,M recorded": ("heatbath", "sequential", 64, True),
        "multi-spin metropolis x64": ("metropolis", "sequential", 64, False),
        "multi-spin heatbath x64, E,M, default grid": ("heatbath", "sequential", 64, True,
                                                       default_grid()),
    }
    rows = []
    for L in args.sizes:
        sweeps = max(2, int(2e7 / L**2))
        model = IsingLattice(L)
        timings = {}
        for name, case in cases.items():
            if name.startswith("numba"):
                spins = np.ones((L, L), dtype=np.int8)
                numba_checkerboard(spins, accept, 1)
                func, chains = (lambda: numba_checkerboard(spins, accept, sweeps)), 1
            elif name.startswith("numpy"):
                func, chains = (lambda: numpy_checkerboard(L, T_C, sweeps)), 1
            else:
                algorithm, scan, chains, record, *grid = case
                temperatures = grid[0] if grid else [T_C]
                n = max(2, sweeps // (chains * len(temperatures)))
                func = simlab_run(model, n, algorithm, scan, chains, record, temperatures)
                func()  # compile / warm up
                timings[name] = time_per_flip(func, chains * len(temperatures) * n * L * L,
                                              args.seconds)
                continue
            func()
            timings[name] = time_per_flip(func, chains * sweeps * L * L, args.seconds)
        rows.append((L, timings))
    peer = "numba checkerboard (peer)"
    print(f"ns per flip attempt (ratio to the {peer.split(' (')[0]} in brackets)")
    print(f"{'':40}" + "".join(f"{'L = ' + str(L):>20}" for L, _ in rows))
    for name in cases:
        cells = [f"{t[name] * 1e9:8.2f} ({t[name] / t[peer]:5.2f}x)" for _, t in rows]
        print(f"{name:40}" + "".join(f"{c:>20}" for c in cells))


if __name__ == "__main__":
    main()
