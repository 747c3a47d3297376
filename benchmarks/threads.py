"""Thread scaling of every parallel kernel: wall time on 1 thread and on all threads for the
same work, in one run, and whether the results are bit-identical.

Each case is run once to compile, then best of ``--repeats`` per thread count. The work is
parallel over independent units (chains, words of 64 replicas, reads), so the ideal ratio is
the number of cores when there are at least as many units as threads. The first row is the
machine's roof: independent integer arithmetic in registers, which only the cores' own
throughput limits (a virtual machine whose two vCPUs share a physical core shows it here).

    python benchmarks/threads.py [--repeats 3]
"""

import argparse
import time

import numba
import numpy as np
from machine import header

from simlab import schedules
from simlab.models import IsingLattice, graph
from simlab.models.tsp import load_tsplib
from simlab.samplers import sample_lattice
from simlab.samplers.annealing import anneal

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))


@numba.njit(parallel=True, cache=True)
def _roof(states, steps):
    """xorshift64 steps on independent units, in registers: no memory traffic, no sharing."""
    out = np.empty_like(states)
    for u in numba.prange(states.size):
        x = states[u]
        for _ in range(steps):
            x ^= x << np.uint64(13)
            x ^= x >> np.uint64(7)
            x ^= x << np.uint64(17)
        out[u] = x
    return out


def cases():
    states = np.arange(1, 65, dtype=np.uint64)
    yield ("roof: xorshift in registers, 64 units", lambda: _roof(states, 20_000_000))
    sched = schedules.geometric_range(3.0, 0.2, 1000)
    lattice = IsingLattice(64)
    temps = np.linspace(2.0, 2.6, 8)
    yield ("lattice scalar, 8 chains x 8 T, L=64", lambda: sample_lattice(
        lattice, temps, chains=8, sweeps=1000, thermalization=0, kernel="scalar").bond_sum)
    yield ("lattice multi-spin, 64 chains x 8 T, L=64", lambda: sample_lattice(
        lattice, temps, chains=64, sweeps=1000, thermalization=0, algorithm="heatbath",
        scan="sequential").bond_sum)
    for model, reads in ((graph.edwards_anderson(32, 2, "pm", seed=1), 64),
                         (graph.edwards_anderson(8, 3, "gaussian", seed=2), 64),
                         (graph.sherrington_kirkpatrick(256, 1, "gaussian"), 64)):
        yield (f"anneal scalar, {reads} reads, {model.name}", lambda m=model, r=reads: anneal(
            m, sched, reads=r, kernel="scalar").best_states)
    pm = graph.edwards_anderson(32, 2, "pm", seed=1)
    long = schedules.geometric_range(3.0, 0.2, 3000)
    for mode in ("independent", "shared"):
        for reads in (1024, 2048):  # 16 words: a chunk of 8 per thread; 32: a full chunk
            yield (f"anneal multi-spin {mode}, {reads} reads, {pm.name}",
                   lambda mode=mode, reads=reads: anneal(
                       pm, long, reads=reads, kernel="multispin", multispin_mode=mode).states)
    tsp = load_tsplib("d198")
    tsched = schedules.geometric_range(50.0, 0.5, 1000, sweeps_per_step=10)
    yield ("anneal TSP near moves, 16 reads, d198", lambda: anneal(
        tsp, tsched, reads=16).best_states)


def best_time(func, repeats):
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    header()
    most = numba.config.NUMBA_NUM_THREADS
    print(f"seconds on 1 and {most} threads (best of {args.repeats}), speed-up, identical?")
    print(f"{'case':>58} {'1 thread':>9} {f'{most} threads':>10} {'speed-up':>9} {'same':>5}")
    for name, func in cases():
        numba.set_num_threads(1)
        func()  # compile
        one, a = best_time(func, args.repeats)
        numba.set_num_threads(most)
        many, b = best_time(func, args.repeats)
        same = np.array_equal(a, b)
        print(f"{name:>58} {one:9.3f} {many:10.3f} {one / many:8.2f}x {str(same):>5}")


if __name__ == "__main__":
    main()
