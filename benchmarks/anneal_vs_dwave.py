"""simlab's annealer against dwave-samplers' SimulatedAnnealingSampler, in one run.

Both get the identical instance, the identical beta schedule (geometric between the default
beta range of dwave-samplers, one sweep per beta), the identical number of sweeps and reads,
Metropolis acceptance and sequential site order; simlab runs its scalar kernel and its simd
kernel (reads as SIMD lanes; the multi-spin kernel is timed by ``multispin.py``). Reported:
mean and best energy, wall time per spin-update attempt (reads x sweeps x N) and the ratio
dwave time / simlab time. dwave-samplers runs on one thread; simlab is timed on one thread
and on all cores. Needs the ``peers`` extra.

    python benchmarks/anneal_vs_dwave.py [--reads 64] [--sweeps 1000]
"""

import argparse
import os
import time

import numpy as np
from machine import header  # benchmarks/machine.py


def instances():
    from simlab.models import graph

    return [graph.edwards_anderson(32, 2, "pm", seed=1),
            graph.edwards_anderson(8, 3, "gaussian", seed=2),
            graph.sherrington_kirkpatrick(256, seed=3)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=64)
    parser.add_argument("--sweeps", type=int, default=1000)
    args = parser.parse_args()
    header("dwave-samplers", "dimod")
    import numba
    from dwave.samplers import SimulatedAnnealingSampler
    from dwave.samplers.sa.sampler import _default_ising_beta_range

    from simlab import schedules
    from simlab.models.graph import to_dimod
    from simlab.samplers.annealing import anneal

    sampler = SimulatedAnnealingSampler()
    all_threads = numba.config.NUMBA_NUM_THREADS
    print(f"reads {args.reads}, sweeps {args.sweeps}, Metropolis, sequential order; "
          f"ns/update = wall time / (reads x sweeps x N)")
    print(f"{'instance':>22} {'sampler':>22} {'mean E ± s.e.':>20} {'best E':>11} {'ns/update':>10} {'x dwave':>8}")
    for model in instances():
        bqm = to_dimod(model)
        h, J = bqm.linear, bqm.quadratic
        b_hot, b_cold = _default_ising_beta_range(dict(h), dict(J))
        betas = np.geomspace(b_hot, b_cold, args.sweeps)
        schedule = schedules.custom(betas, in_beta=True)
        rows = []
        for kernel in ("scalar", "simd"):
            anneal(model, schedules.custom(betas[:2], in_beta=True), reads=2, seed=0,
                   kernel=kernel)  # compile
            for threads in (1, all_threads):
                res = anneal(model, schedule, reads=args.reads, seed=1, threads=threads,
                             kernel=kernel)
                rows.append((f"simlab {kernel} ({threads} thr)", res.energies, res.wall_time))
        start = time.perf_counter()
        ss = sampler.sample(bqm, num_reads=args.reads, beta_schedule_type="custom",
                            beta_schedule=betas, num_sweeps_per_beta=1, seed=1,
                            randomize_order=False, proposal_acceptance_criteria="Metropolis")
        wall = time.perf_counter() - start
        # dimod energies use dimod's sign convention, which to_dimod mapped exactly.
        rows.append(("dwave-samplers 1.8", ss.record.energy, wall))
        updates = args.reads * args.sweeps * model.n_sites
        for name, energies, seconds in rows:
            se = energies.std(ddof=1) / np.sqrt(energies.size)
            print(f"{model.name:>22} {name:>22} {energies.mean():>12.3f} ± {se:<5.2f} "
                  f"{energies.min():>11.4f} {1e9 * seconds / updates:>10.2f} "
                  f"{wall / seconds:>7.2f}x")


if __name__ == "__main__":
    os.environ.setdefault("NUMBA_NUM_THREADS", str(os.cpu_count()))
    main()
