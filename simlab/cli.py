"""Command-line entry points: thin wrappers that compose a config, validate it and run a task.

``simlab [overrides...]`` (or ``python -m simlab``) is a Hydra application over ``conf/``;
``simlab collect DIR`` (or ``simlab-collect DIR``) merges a sweep folder into one dataset;
``simlab rerun FILE`` (or ``simlab-rerun FILE``) recomputes a dataset from its stored config.
"""

import sys

import hydra
from omegaconf import DictConfig

from simlab import config
from simlab.errors import SimlabError


@hydra.main(version_base="1.3", config_path="pkg://simlab.conf", config_name="config")
def _hydra_main(cfg: DictConfig):
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from simlab import jobs, tasks

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    overrides = list(hc.overrides.task)
    try:
        config.validate(cfg)
        return jobs.run_job(cfg, hc.runtime.output_dir, tasks.get(cfg.task), overrides,
                            multirun, hc)
    except SimlabError as exc:
        if multirun:  # only reached for invalid configs: record and let the others run
            jobs.write_status(hc.runtime.output_dir, status="failed", overrides=overrides,
                              error=str(exc), wall_time_s=0.0)
            print(f"[simlab] {' '.join(overrides)}: FAILED: {exc}", flush=True)
            return "failed"
        print(f"simlab: error: {exc}", file=sys.stderr)
        sys.exit(2)


def main():
    """The ``simlab`` console script (``simlab collect DIR`` and ``simlab rerun FILE`` too)."""
    if len(sys.argv) > 1 and sys.argv[1] in ("collect", "rerun"):
        command = sys.argv[1]
        sys.exit((collect_main if command == "collect" else rerun_main)(sys.argv[2:]))
    try:
        config.check_group_choices([a for a in sys.argv[1:] if not a.startswith("-")])
    except SimlabError as exc:
        print(f"simlab: error: {exc}", file=sys.stderr)
        sys.exit(2)
    config.register()
    _hydra_main()


def collect_main(argv=None):
    """The ``simlab-collect`` console script: merge a multirun folder into one dataset."""
    import argparse

    from simlab import collect

    parser = argparse.ArgumentParser(
        prog="simlab-collect",
        description="Merge the results of a Hydra multirun folder into one NetCDF dataset.")
    parser.add_argument("directory", help="sweep folder (e.g. outputs/sweeps/ising_sweep)")
    parser.add_argument("-o", "--output", help="output file (default: DIRECTORY/merged.nc)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="merge the complete jobs even if some are missing or failed")
    args = parser.parse_args(argv)
    try:
        path, report = collect.collect_to_file(args.directory, args.output, args.allow_missing)
    except SimlabError as exc:
        print(f"simlab-collect: error: {exc}", file=sys.stderr)
        return 2
    print(report)
    print(f"wrote {path}")
    return 0


def rerun_main(argv=None):
    """The ``simlab-rerun`` console script: recompute a dataset and compare it bit for bit."""
    import argparse

    from simlab import jobs

    parser = argparse.ArgumentParser(
        prog="simlab-rerun",
        description="Recompute a simlab results file from its stored config and compare.")
    parser.add_argument("results", help="a results.nc written by simlab")
    parser.add_argument("-o", "--output", help="folder for the new run (default: FILE.rerun)")
    args = parser.parse_args(argv)
    try:
        path, diffs = jobs.rerun(args.results, args.output)
    except SimlabError as exc:
        print(f"simlab-rerun: error: {exc}", file=sys.stderr)
        return 2
    if diffs:
        print(f"{path}: differs from {args.results}:\n  " + "\n  ".join(diffs))
        return 1
    print(f"{path}: identical to {args.results} (all variables and coordinates, bit for bit)")
    return 0
