"""simlab as a new user calls it, with no kernel flags, against dwave-samplers' defaults.

The instance is the 2D +-J spin glass L = 32 (``graph.edwards_anderson(32, 2, "pm",
seed=1)``), written to an edge-list file. Rows:

- ``simlab task=anneal anneal.problem=edge_list anneal.path=F anneal.reads=R`` through the
  command line (the task's default schedule, ``record_every=10``, kernel ``auto``), and the
  same with ``anneal.multispin_mode=shared``; the time is the kernel's ``run_seconds`` from
  ``results.nc`` (without start-up and compilation, which a second run does not pay);
- ``simlab.ocean.SimulatedAnnealingSampler().sample(bqm, num_reads=R, seed=1)`` on one
  thread, all defaults;
- ``dwave.samplers.SimulatedAnnealingSampler().sample(bqm, num_reads=R, seed=1)``, all
  defaults (1,000 sweeps, geometric over its default beta range), one thread.

Each row reports ns per spin update (reads x sweeps x N / time), the ratio to dwave-samplers
(same reads), and the final energies' mean with its standard error, and the difference to
dwave-samplers' mean in units of the combined standard error (negative: lower energy than
dwave-samplers). Needs the ``peers`` extra.

    python benchmarks/defaults.py [--task-reads 1024] [--ocean-reads 256] [--repeats 3]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from machine import best_of, header, wall  # benchmarks/machine.py


def mean_se(energies):
    e = np.asarray(energies, dtype=float)
    return e.mean(), e.std(ddof=1) / np.sqrt(e.size)


def task_run(path, reads, folder, extra):
    """Run the anneal task on the command line; (final energies, kernel seconds, kernel)."""
    import xarray as xr

    cmd = [sys.executable, "-m", "simlab", "task=anneal", "anneal.problem=edge_list",
           f"anneal.path={path}", f"anneal.reads={reads}", "seed=1",
           f"hydra.run.dir={folder}", *extra]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={
        **os.environ, "NUMBA_NUM_THREADS": "1"})
    with xr.open_dataset(os.path.join(folder, "results.nc")) as ds:
        return (ds.final_energy.values.copy(), float(ds.run_seconds),
                f"{ds.attrs['kernel']} {ds.attrs.get('multispin_mode', '')}".strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task-reads", type=int, default=1024)
    parser.add_argument("--ocean-reads", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    header("dwave-samplers", "dimod")
    from dwave.samplers import SimulatedAnnealingSampler as DWave

    from simlab.models import graph
    from simlab.ocean import SimulatedAnnealingSampler as Simlab

    model = graph.edwards_anderson(32, 2, "pm", seed=1)
    bqm = graph.to_dimod(model)
    sweeps = 1000
    print(f"{model.name}: {model.n_sites} spins; all defaults (1,000 sweeps); one thread; "
          f"best of {args.repeats}")
    print(f"{'call':>44} {'kernel':>22} {'reads':>6} {'ns/update':>10} {'x dwave':>8} "
          f"{'mean E':>10} {'+- se':>6} {'vs dwave (se)':>14}")

    def dwave_row(reads):
        ss, seconds = best_of(args.repeats, wall(
            lambda: DWave().sample(bqm, num_reads=reads, seed=1)))
        return ss.record.energy, seconds

    def show(call, kernel, reads, energies, seconds, ref):
        (m, se), (m0, se0) = mean_se(energies), mean_se(ref[0])
        ns = seconds / (reads * sweeps * model.n_sites) * 1e9
        z = (m - m0) / np.hypot(se, se0)
        print(f"{call:>44} {kernel:>22} {reads:>6d} {ns:>10.3f} {ref[1] / seconds:>8.1f} "
              f"{m:>10.2f} {se:>6.2f} {z:>14.1f}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ea2d_L32.txt")
        graph.write_edge_list(model, path)
        ref = dwave_row(args.task_reads)
        show("dwave-samplers defaults", "C++ scalar", args.task_reads, *ref, ref)
        for extra in ((), ("anneal.multispin_mode=shared",)):
            runs = [task_run(path, args.task_reads, os.path.join(tmp, f"run{i}{len(extra)}"),
                             extra) for i in range(args.repeats + 1)][1:]  # first compiles
            energies, seconds, kernel = min(runs, key=lambda r: r[1])
            show("simlab task=anneal" + (" (shared)" if extra else ""), kernel,
                 args.task_reads, energies, seconds, ref)

        ref = dwave_row(args.ocean_reads)
        show("dwave-samplers defaults", "C++ scalar", args.ocean_reads, *ref, ref)
        sampler = Simlab()
        sampler.sample(bqm, num_reads=64, num_sweeps=2, threads=1)  # compile
        ss, seconds = best_of(args.repeats, wall(
            lambda: sampler.sample(bqm, num_reads=args.ocean_reads, seed=1, threads=1)))
        show("simlab.ocean defaults", ss.info["kernel"], args.ocean_reads, ss.record.energy,
             seconds, ref)
    print("Isakov et al., Comput. Phys. Commun. 192, 265 (2015): up to 50 spin flips per ns "
          "(0.02 ns per update) with multi-spin C++ on a multi-core Intel CPU.")


if __name__ == "__main__":
    main()
