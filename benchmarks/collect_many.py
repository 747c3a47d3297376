"""Time ``simlab collect`` on a synthetic sweep of many job folders.

Writes N job folders shaped like a real Hydra sweep (``.hydra/overrides.yaml``,
``.hydra/config.yaml``, ``status.json`` and a small ``results.nc`` with dims size x
temperature), then merges them. Run:

    python benchmarks/collect_many.py [--jobs 1000] [--dir /tmp/simlab_collect_bench]
"""

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
import xarray as xr
import yaml
from machine import header  # benchmarks/machine.py


def make_sweep(root, n_jobs):
    from simlab import results
    from simlab.rng import generator
    from simlab.runs.status import write_status

    sizes = [4, 6, 8, 10]
    seeds = range(n_jobs // len(sizes))
    temps = np.linspace(1.0, 4.0, 16)
    config = {"task": "ising_sweep", "seed": 0, "output": {"results": "results.nc"},
              "model": {"size": 4}}
    for size in sizes:
        for seed in seeds:
            job = root / f"model.size={size},seed={seed}"
            (job / ".hydra").mkdir(parents=True)
            (job / ".hydra" / "overrides.yaml").write_text(
                yaml.safe_dump([f"model.size={size}", f"seed={seed}"]))
            cfg = dict(config, seed=seed, model={"size": size})
            (job / ".hydra" / "config.yaml").write_text(yaml.safe_dump(cfg))
            rng = generator(seed, "collect_benchmark", size)
            ds = xr.Dataset({"energy": (("size", "temperature"), rng.normal(size=(1, 16))),
                             "energy_err": (("size", "temperature"), np.full((1, 16), 0.01))},
                            coords={"size": [size], "temperature": temps})
            ds = results.annotate(ds)
            ds.attrs.update(results.provenance(yaml.safe_dump(cfg), seed, 0.0))
            ds.attrs["config_dims"] = "model.size:size"
            path = results.save(ds, job / "results.nc")
            write_status(job, status="complete", overrides=[], wall_time_s=0.0,
                         results_sha256=results.file_digest(path))  # as run_job records


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--dir", default="/tmp/simlab_collect_bench")
    args = parser.parse_args()
    header("xarray", "h5netcdf")
    from simlab.runs.collect import collect_to_file

    root = Path(args.dir)
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.perf_counter()
    make_sweep(root, args.jobs)
    t1 = time.perf_counter()
    path, report = collect_to_file(root)
    t2 = time.perf_counter()
    print(f"wrote {args.jobs} job folders in {t1 - t0:.1f} s; collect: {t2 - t1:.1f} s")
    print(report.splitlines()[0], "->", path)


if __name__ == "__main__":
    main()
