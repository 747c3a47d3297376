"""Command-line entry points: thin wrappers over :mod:`simlab.runs`.

``simlab [overrides...]`` (or ``python -m simlab``) is a Hydra application over ``conf/``;
``simlab tasks [NAME]`` lists the tasks and their keys; ``simlab collect DIR`` (or
``simlab-collect DIR``) merges a sweep folder into one dataset; ``simlab rerun FILE`` (or
``simlab-rerun FILE``) recomputes a dataset from its stored config; ``simlab report
DIR_OR_FILE`` writes the interactive HTML page of a run folder or results file.
"""

import sys
from pathlib import Path

# Only what the signal handlers need is imported before they are installed: Ctrl-C during
# the seconds the other imports take ends in one line too, not in a traceback.
from simlab.errors import SimlabError
from simlab.runs import signals


def _run_hydra():
    """Hand the command line to Hydra (imported here, after the signal handlers)."""
    import hydra
    from omegaconf import DictConfig

    @hydra.main(version_base="1.3", config_path="pkg://simlab.conf", config_name="config")
    def _hydra_main(cfg: DictConfig):
        from hydra.core.hydra_config import HydraConfig
        from hydra.types import RunMode

        from simlab.runs.job import run_job

        hc = HydraConfig.get()
        multirun = hc.mode == RunMode.MULTIRUN
        try:
            return run_job(cfg, hc.runtime.output_dir, list(hc.overrides.task), multirun, hc)
        except (SimlabError, OSError) as exc:  # past Hydra, which would print more lines
            raise _UserFault(exc) from exc

    _hydra_main()


class _UserFault(BaseException):
    """Carries a fault the user can act on out of Hydra to :func:`main`."""


def _guarded(prog):
    """Decorate a subcommand: SIGINT, SIGTERM and a file that cannot be written (a full
    disk, a read-only folder) end it in one line, as :func:`main` does."""
    import functools

    def wrap(command):
        @functools.wraps(command)
        def guarded(argv=None):
            signals.install()
            try:
                return command(argv)
            except KeyboardInterrupt as exc:
                stopped = signals.as_interrupted(exc)
                print(f"{prog}: interrupted by {stopped.signal_name}", file=sys.stderr)
                return stopped.exit_code
            except OSError as exc:
                from simlab.runs.job import failure_text

                print(f"{prog}: error: {failure_text(exc)}", file=sys.stderr)
                return 1
        return guarded
    return wrap


def main():
    """The ``simlab`` console script (and ``simlab tasks|collect|rerun|report``).

    Every fault the user can act on ends in one line on stderr, never a traceback: an
    invalid config or input (exit 2), a folder held by another run (2), a full disk or a
    folder that cannot be written (1), SIGINT or SIGTERM (130 or 143, after recording what
    was kept). Unexpected errors (bugs) keep their traceback.
    """
    import os

    arguments = sys.argv[1:]
    commands = {"collect": collect_main, "rerun": rerun_main, "tasks": tasks_main,
                "report": report_main, "help": help_main}
    if arguments and arguments[0] in ("--help", "-h"):
        sys.exit(help_main(arguments[1:]))
    if arguments and arguments[0] == "--hydra-app-help":  # Hydra's own --help
        arguments[0] = "--help"
        sys.argv[1] = "--help"
    if arguments and arguments[0] in commands:
        sys.exit(commands[arguments[0]](arguments[1:]))
    signals.install()
    # Hydra would print the traceback of any exception itself; let them reach this function.
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        from simlab.runs import settings as run_settings

        with signals.deferred():  # a Ctrl-C here is raised once the config store is whole
            run_settings.check_overrides(arguments)
            run_settings.register_hydra()
        _run_hydra()
    except KeyboardInterrupt as exc:
        stopped = signals.as_interrupted(exc)
        _discard_unstarted_folders()
        print(f"simlab: interrupted by {stopped.signal_name}"
              + (f"; {stopped.detail}" if stopped.detail else "; nothing was saved"),
              file=sys.stderr, flush=True)
        sys.exit(stopped.exit_code)
    except (SimlabError, OSError, _UserFault) as exc:
        from simlab.runs.job import failure_text

        fault = exc.__cause__ if isinstance(exc, _UserFault) else exc
        _discard_unstarted_folders(failed=True)
        print(f"simlab: error: {failure_text(fault)}", file=sys.stderr, flush=True)
        # a full disk, a read-only or forbidden folder: 1; a refused input: 2
        sys.exit(2 if isinstance(fault, SimlabError) else 1)
    except Exception as exc:
        from hydra.errors import HydraException

        if not (isinstance(exc, HydraException) or _raised_by_hydra(exc)):
            raise
        _discard_unstarted_folders(failed=True)
        print(f"simlab: error: {str(exc).strip().splitlines()[0]}", file=sys.stderr,
              flush=True)
        sys.exit(2)


def _raised_by_hydra(exc):
    """True for a usage error Hydra raises as a plain exception from its own code (e.g.
    ``-m`` with ``--cfg``), not from a job."""
    import traceback

    import hydra

    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and isinstance(exc, ValueError) and \
        frames[-1].filename.startswith(str(Path(hydra.__file__).parent))


def _discard_unstarted_folders(failed=False):
    """Remove the run folders this command created and that hold nothing worth keeping: no
    job status (Hydra had not started the job) or, after a user-facing error, no results."""
    from simlab.runs import claims
    from simlab.runs.status import read_status

    for claim in claims.held():
        status = read_status(claim.folder)
        if claim.kind == "run" and claim.created and (
                status is None or (failed and status.get("status") == "failed")):
            claim.remove_folder()
        else:
            claim.release()


HELP = """\
simlab {version}: statistical physics and language-model thermodynamics, config-driven.

usage:
  simlab [KEY=VALUE ...]          run a task (default: the 2D Ising sweep against Kaufman)
  simlab -m KEY=A,B [...]         a sweep: one job per combination (Hydra multirun)
  simlab tasks [NAME]             list the tasks, or one task's keys with defaults and docs
  simlab report DIR_OR_FILE       write the interactive report page of a run or results file
  simlab collect SWEEP_DIR        merge a sweep's jobs into one dataset (merged.nc)
  simlab rerun RESULTS.nc         recompute a dataset from the config stored in it
  simlab help                     this text (also simlab --help, simlab -h)

examples:
  simlab                                        the main job (about 2 minutes on 2 cores)
  simlab task=anneal anneal.reads=64            annealing of a spin glass
  simlab experiment=ising_exact                 a shipped experiment (see experiments/)
  simlab -m model.size=16,32 sampler.chains=64  two jobs, then: simlab collect outputs/sweeps/...
  simlab tasks anneal                           the keys of one task

Each run writes results.nc, figures, report.html and status.json into its own folder
(outputs/DATE/TIME by default, hydra.run.dir=PATH to choose). From Python:
simlab.run("task=anneal", "anneal.reads=64") returns the run's xarray Dataset.

Documentation: the site built from docs/ (mkdocs serve, in a checkout) and README.md;
Hydra's own options: simlab --hydra-help (and simlab --hydra-app-help for its app help).
"""


def help_main(argv=None):
    """``simlab help`` (``--help``, ``-h``): simlab's own help, with the subcommands, how to
    list tasks and their keys, examples and where the documentation is."""
    from simlab._version import __version__

    print(HELP.format(version=__version__), end="")
    return 0


@_guarded("simlab tasks")
def tasks_main(argv=None):
    """``simlab tasks [NAME]``: the tasks, or one task's keys with defaults and meanings."""
    import argparse

    from simlab import schema, tasks
    from simlab.runs import settings as run_settings

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


@_guarded("simlab-collect")
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


@_guarded("simlab-rerun")
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


def _task_views(ds):
    """The own report views of the task that wrote ``ds`` (none for an unknown task)."""
    from simlab import tasks
    from simlab.errors import ConfigError

    try:
        return tasks.get(str(ds.attrs.get("task", ""))).views(ds)
    except ConfigError:
        return []


@_guarded("simlab report")
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
        path = report_for(args.source, args.output, views_for=_task_views)
    except SimlabError as exc:
        print(f"simlab report: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
