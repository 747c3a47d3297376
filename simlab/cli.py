"""Command-line entry points: thin wrappers over :mod:`simlab.runs`.

``simlab [overrides...]`` (or ``python -m simlab``) is a Hydra application over ``conf/``;
``simlab tasks [NAME]`` lists the tasks and their keys; ``simlab collect DIR`` (or
``simlab-collect DIR``) merges a sweep folder into one dataset; ``simlab rerun FILE`` (or
``simlab-rerun FILE``) recomputes a dataset from its stored config; ``simlab report
DIR_OR_FILE`` writes the interactive HTML page of a run folder or results file.
"""

import sys

import hydra
from omegaconf import DictConfig

from simlab.errors import SimlabError
from simlab.runs import settings as run_settings


@hydra.main(version_base="1.3", config_path="pkg://simlab.conf", config_name="config")
def _hydra_main(cfg: DictConfig):
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from simlab.runs.job import run_job

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    try:
        return run_job(cfg, hc.runtime.output_dir, list(hc.overrides.task), multirun, hc)
    except SimlabError as exc:  # single runs only: a multirun records failures and goes on
        print(f"simlab: error: {exc}", file=sys.stderr)
        sys.exit(2)


def main():
    """The ``simlab`` console script (and ``simlab tasks|collect|rerun|report``)."""
    arguments = sys.argv[1:]
    commands = {"collect": collect_main, "rerun": rerun_main, "tasks": tasks_main,
                "report": report_main}
    if arguments and arguments[0] in commands:
        sys.exit(commands[arguments[0]](arguments[1:]))
    try:
        run_settings.check_overrides(arguments)
    except SimlabError as exc:
        print(f"simlab: error: {exc}", file=sys.stderr)
        sys.exit(2)
    run_settings.register_hydra()
    _hydra_main()


def tasks_main(argv=None):
    """``simlab tasks [NAME]``: the tasks, or one task's keys with defaults and meanings."""
    import argparse

    from simlab import schema, tasks

    parser = argparse.ArgumentParser(prog="simlab tasks",
                                     description="List simlab's tasks, or one task's keys.")
    parser.add_argument("name", nargs="?", help="a task name")
    args = parser.parse_args(argv)
    if args.name is None:
        for name in tasks.names():
            print(f"{name:<26} {tasks.get(name).description}")
        print("\nsimlab tasks NAME lists a task's keys; run one with simlab task=NAME")
        return 0
    try:
        task = tasks.get(args.name)
    except SimlabError as exc:
        print(f"simlab tasks: error: {exc}", file=sys.stderr)
        return 2
    print(f"{task.name}: {task.description}")
    if task.groups:
        print("config groups: " + ", ".join(f"{g} (default {o}: "
                                            f"{'|'.join(run_settings.group_options(g))})"
                                            for g, o in task.groups.items()))
    rows = schema.describe(task.config) + schema.describe(run_settings.SharedConfig)
    width = max(len(r[0]) for r in rows)
    for key, default, kind, doc in rows:
        if key == "task":
            continue
        print(f"  {key:<{width}}  {default!s:<18} {doc}")
    return 0


def collect_main(argv=None):
    """The ``simlab-collect`` console script: merge a multirun folder into one dataset."""
    import argparse

    from simlab.runs import collect

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

    from simlab.runs.rerun import rerun

    parser = argparse.ArgumentParser(
        prog="simlab-rerun",
        description="Recompute a simlab results file from its stored config and compare.")
    parser.add_argument("results", help="a results.nc written by simlab")
    parser.add_argument("-o", "--output", help="folder for the new run (default: FILE.rerun)")
    args = parser.parse_args(argv)
    try:
        path, diffs = rerun(args.results, args.output)
    except SimlabError as exc:
        print(f"simlab-rerun: error: {exc}", file=sys.stderr)
        return 2
    if diffs:
        print(f"{path}: differs from {args.results}:\n  " + "\n  ".join(diffs))
        return 1
    print(f"{path}: identical to {args.results} (all variables and coordinates, bit for bit; "
          "wall times excepted)")
    return 0


def report_main(argv=None):
    """``simlab report DIR_OR_FILE``: write the HTML report of a run folder or results file."""
    import argparse

    from simlab.render.report import report_for

    parser = argparse.ArgumentParser(
        prog="simlab report",
        description="Write the self-contained HTML report of a simlab run folder or results "
                    "file (a sweep's merged.nc included).")
    parser.add_argument("source", help="a run folder, results.nc or merged.nc")
    parser.add_argument("-o", "--output", help="the page to write (default: beside the file)")
    args = parser.parse_args(argv)
    try:
        path = report_for(args.source, args.output)
    except SimlabError as exc:
        print(f"simlab report: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
