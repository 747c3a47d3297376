"""The multi-spin coded annealer against simlab's scalar kernel and dwave-samplers, in one run.

Every sampler gets the identical +-J instance, the identical geometric beta schedule (one
sweep per beta, dwave-samplers' default beta range), the same reads and sweeps, Metropolis
acceptance and sequential site order, on one thread (then simlab on all cores). Reported:
flips per ns (reads x sweeps x N / wall time), the ratio to dwave-samplers, mean and best
final energy, how many distinct final states the reads reached, and a two-sample KS test of
the final energies against the scalar kernel, and the vector instructions LLVM emitted for the
sweep kernels (from Numba's assembly). In shared mode the 64 reads of a word share
their random numbers, so its KS p-value treats correlated reads as independent and is only
indicative; independent mode has exactly the scalar kernel's law. Needs the ``peers`` extra.

    python benchmarks/multispin.py [--reads 1024] [--sweeps 1000] [--repeats 3]
"""

import argparse
import os
import time

import numpy as np
from machine import best_of, emitted, header  # benchmarks/machine.py


def instances():
    from simlab.models import graph

    return [graph.edwards_anderson(32, 2, "pm", seed=1),
            graph.edwards_anderson(8, 3, "pm", seed=2),
            graph.random_regular(1000, 3, seed=4)]


def sweep_kernels(model):
    """Fresh (uncached, so inspectable) compilations of the three sweep kernels, each run
    once on ``model``'s bit graph with a full chunk of words: {name: dispatcher}."""
    import numba

    from simlab.kernels import multispin as k
    from simlab.samplers.multispin import bit_graph

    g = bit_graph(model)
    args = (g["neighbours"], g["signs"], g["degree"], g["slots"])
    width = len(g["slots"])
    tables = k.new_tables(1, width)
    k.word_tables(np.array([1.0]), width, False, tables)
    spins = np.zeros((model.n_sites + 1, k.CHUNK), dtype=np.uint64)
    lane = np.zeros(k.LANE_FIELDS * k.CHUNK, dtype=np.uint64)
    lane[k._S0:k._S0 + 4 * k.CHUNK] = np.arange(1, 4 * k.CHUNK + 1)  # the streams
    which = np.zeros(k.CHUNK, dtype=np.int64)
    masks = np.zeros((width + 1) * k.CHUNK, dtype=np.uint64)
    out = {name: numba.njit(getattr(k, name).py_func)
           for name in ("_sweep_words", "_sweep_each", "_sweep_shared")}
    out["_sweep_words"](*args, tables, which, spins, k.CHUNK, lane, masks)
    out["_sweep_each"](*args, tables, which, spins, k.CHUNK, lane,
                       np.zeros(width + 1, dtype=np.int64),
                       np.zeros(width + 1, dtype=np.uint64))
    out["_sweep_shared"](*args, tables[0][0], spins, 0, k.CHUNK,
                         np.arange(1, 5, dtype=np.uint64))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=1024)
    parser.add_argument("--sweeps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    header("dwave-samplers", "dimod")
    import numba
    from dwave.samplers import SimulatedAnnealingSampler
    from dwave.samplers.sa.sampler import _default_ising_beta_range
    from scipy.stats import ks_2samp

    from simlab import schedules
    from simlab.models.graph import to_dimod
    from simlab.samplers.annealing import anneal

    sampler = SimulatedAnnealingSampler()
    cores = numba.config.NUMBA_NUM_THREADS
    print(f"reads {args.reads}, sweeps {args.sweeps}, Metropolis, sequential order, geometric "
          f"beta schedule; best of {args.repeats}")
    print(f"{'instance':>24} {'sampler':>34} {'flips/ns':>9} {'x dwave':>8} {'mean E':>10} "
          f"{'best E':>9} {'distinct':>8} {'KS p':>7}")
    for model in instances():
        bqm = to_dimod(model)
        b_hot, b_cold = _default_ising_beta_range(dict(bqm.linear), dict(bqm.quadratic))
        betas = np.geomspace(b_hot, b_cold, args.sweeps)
        schedule = schedules.custom(betas, in_beta=True)
        flips = args.reads * args.sweeps * model.n_sites
        rows = []

        def simlab_run(kernel, mode, threads):
            def run():
                res = anneal(model, schedule, reads=args.reads, seed=1, threads=threads,
                             kernel=kernel, multispin_mode=mode)
                return res.states, res.wall_time
            return run

        for kernel, mode in (("scalar", "independent"), ("multispin", "independent"),
                             ("multispin", "shared")):
            simlab_run(kernel, mode, 1)()  # compile
            for threads in (1, cores):
                states, seconds = best_of(args.repeats, simlab_run(kernel, mode, threads))
                label = kernel if kernel == "scalar" else f"{kernel} {mode}"
                rows.append((f"simlab {label} ({threads} thr)", states, seconds))

        def dwave_run():
            start = time.perf_counter()
            ss = sampler.sample(bqm, num_reads=args.reads, beta_schedule_type="custom",
                                beta_schedule=betas, num_sweeps_per_beta=1, seed=1,
                                randomize_order=False,
                                proposal_acceptance_criteria="Metropolis")
            wall = time.perf_counter() - start
            order = [ss.variables.index(v) for v in range(model.n_sites)]
            return ss.record.sample[:, order], wall

        states, seconds = best_of(args.repeats, dwave_run)
        rows.append(("dwave-samplers (1 thr)", states, seconds))
        dwave_seconds = seconds
        scalar_energies = model.energy(rows[0][1])
        for name, states, seconds in rows:
            energies = model.energy(states)
            distinct = np.unique(states, axis=0).shape[0]
            p = ks_2samp(energies, scalar_energies).pvalue if "scalar" not in name else np.nan
            print(f"{model.name:>24} {name:>34} {flips / seconds / 1e9:>9.3f} "
                  f"{dwave_seconds / seconds:>8.1f} {energies.mean():>10.2f} "
                  f"{energies.min():>9.1f} {distinct:>8d} {p:>7.3f}")
    for name, dispatcher in sweep_kernels(instances()[0]).items():
        print(f"instructions of {name}: {emitted(dispatcher)}")
    print("anchor: Isakov et al., Comput. Phys. Commun. 192, 265 (2015), multi-spin C++ on a "
          "multi-core Intel CPU: up to 50 flips per ns")


if __name__ == "__main__":
    os.environ.setdefault("NUMBA_NUM_THREADS", str(os.cpu_count()))
    main()
