"""The comparison an Ocean user runs: the same BQM through dwave-samplers'
SimulatedAnnealingSampler and simlab.ocean's, in one run.

Both samplers get the same dimod model, reads, sweeps and schedule (geometric in beta over
the range dwave-samplers picks by default, one sweep per beta, Metropolis, sequential
order). Problems: a 2D +-J spin glass (L = 32), a 3D Gaussian spin glass (L = 8), SK
(N = 256), a +-J random 3-regular graph (N = 1000), a Max-Cut of a networkx G(n, p) graph
(N = 300), and a planted problem (a gauge-transformed random-bond ferromagnet on the 3D
L = 8 lattice, :func:`simlab.models.graph.planted`; ground state known).

Reported per problem and sampler:

- time of ``sample`` (seconds; simlab on all cores, and on one thread), spin flips
  attempted per ns (reads x sweeps x N / time), the ratio dwave / simlab;
- at equal reads and sweeps: mean, 10% quantile and best energy of the reads;
- at equal time: simlab's sweeps scaled so that it takes dwave's time, and the mean, 10%
  quantile and best energy it then reaches;
- planted problem (run with ``--planted-sweeps``, 40 by default, so that not every read
  succeeds): the fraction p of reads in the ground state and the time to solution with 99%
  confidence, TTS99 = t_read ln(0.01) / ln(1 - p), with t_read the time per read.

    python benchmarks/ocean.py [--reads 64] [--sweeps 1000]

Needs the ``peers`` extra (dwave-samplers, networkx).
"""

import argparse
import time

import numpy as np
from machine import header  # benchmarks/machine.py


def problems():
    import networkx as nx

    from simlab.models import graph

    out = [("2D +-J L=32", graph.to_dimod(graph.edwards_anderson(32, 2, "pm", seed=1))),
           ("3D Gauss L=8", graph.to_dimod(graph.edwards_anderson(8, 3, "gaussian", seed=2))),
           ("SK N=256", graph.to_dimod(graph.sherrington_kirkpatrick(256, seed=3))),
           ("3-regular N=1000", graph.to_dimod(graph.random_regular(1000, 3, seed=4)))]
    g = nx.gnp_random_graph(300, 0.05, seed=5)
    edges = np.array(g.edges)
    out.append(("Max-Cut G(300,.05)", graph.to_dimod(graph.maxcut(300, edges[:, 0],
                                                                   edges[:, 1]))))
    # a gauge-transformed random-bond ferromagnet: ground state known, not always reached
    planted, _, ground = graph.planted(graph.edwards_anderson(8, 3, "gaussian", seed=7))
    out.append(("planted 3D L=8", graph.to_dimod(planted), ground))
    return out


def timed(sampler, bqm, **kwargs):
    start = time.perf_counter()
    result = sampler.sample(bqm, **kwargs)
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=64)
    parser.add_argument("--sweeps", type=int, default=1000)
    parser.add_argument("--planted-sweeps", type=int, default=40,
                        help="sweeps for the planted problem, short enough that not every "
                             "read finds the ground state (TTS99 needs P < 1)")
    args = parser.parse_args()
    header("dwave-samplers", "dimod")
    import numba
    from dwave.samplers import SimulatedAnnealingSampler as DWave
    from dwave.samplers.sa.sampler import _default_ising_beta_range

    from simlab.ocean import SimulatedAnnealingSampler as Simlab

    dwave, simlab = DWave(), Simlab()
    cores = numba.config.NUMBA_NUM_THREADS
    print(f"reads {args.reads}, sweeps {args.sweeps}, geometric beta schedule over dwave's "
          f"default range, Metropolis, sequential order; simlab on {cores} threads "
          "(and 1); dwave-samplers on 1 thread")
    print(f"{'problem':>20} {'sampler':>26} {'time s':>8} {'flips/ns':>8} {'x dwave':>8} "
          f"{'mean E':>11} "
          f"{'10% E':>11} {'best E':>11} {'equal time: mean / 10% / best E':>40} {'P(ground)':>10} "
          f"{'TTS99 s':>9}")
    for item in problems():
        name, bqm = item[:2]
        ground = item[2] if len(item) > 2 else None
        beta_range = _default_ising_beta_range(dict(bqm.spin.linear), dict(bqm.spin.quadratic))
        sweeps = args.sweeps if ground is None else args.planted_sweeps
        reads = args.reads if ground is None else 4 * args.reads
        common = dict(num_reads=reads, num_sweeps=sweeps, beta_range=beta_range,
                      beta_schedule_type="geometric", seed=1)
        simlab.sample(bqm, **{**common, "num_reads": 2, "num_sweeps": 2})  # compile
        rows = {"dwave-samplers": timed(dwave, bqm, **common),
                f"simlab {cores} thr": timed(simlab, bqm, **common, threads=cores),
                "simlab 1 thr": timed(simlab, bqm, **common, threads=1)}
        t_dwave = rows["dwave-samplers"][1]
        for label, (result, seconds) in rows.items():
            e = result.record.energy
            if label.startswith("simlab"):
                label += f" {result.info['kernel']}"
            equal = ""
            if label.startswith(f"simlab {cores} "):
                longer = max(1, int(sweeps * t_dwave / seconds))
                same, _ = timed(simlab, bqm, **{**common, "num_sweeps": longer},
                                threads=cores)
                q = same.record.energy
                equal = f"{q.mean():.2f} / {np.quantile(q, 0.1):.2f} / {q.min():.2f} ({longer} sw)"
            p = tts = ""
            if ground is not None:
                hit = float(np.mean(np.isclose(e, ground, rtol=0, atol=1e-9)))
                p = f"{hit:.3f}"
                per_read = seconds / reads
                tts = ("inf" if hit == 0 else f"{per_read:.4f}" if hit == 1 else
                       f"{per_read * np.log(0.01) / np.log(1 - hit):.4f}")
            flips = reads * sweeps * bqm.num_variables / seconds / 1e9
            print(f"{name:>20} {label:>26} {seconds:8.3f} {flips:8.3f} {t_dwave / seconds:8.2f} "
                  f"{e.mean():11.2f} {np.quantile(e, 0.1):11.2f} {e.min():11.2f} "
                  f"{equal:>40} {p:>10} {tts:>9}", flush=True)


if __name__ == "__main__":
    main()
