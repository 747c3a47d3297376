"""Command-line entry points: thin wrappers that compose a config, validate it and run a task.

``simlab [overrides...]`` (or ``python -m simlab``) is a Hydra application over ``conf/``;
``simlab-collect DIR`` merges a multirun folder into one dataset.
"""

import sys

import hydra
from omegaconf import DictConfig

from simlab import config
from simlab.errors import SimlabError


@hydra.main(version_base="1.3", config_path="pkg://simlab.conf", config_name="config")
def _hydra_main(cfg: DictConfig):
    from hydra.core.hydra_config import HydraConfig

    from simlab import tasks

    try:
        config.validate(cfg)
        return tasks.get(cfg.task)(cfg, HydraConfig.get().runtime.output_dir)
    except SimlabError as exc:
        print(f"simlab: error: {exc}", file=sys.stderr)
        sys.exit(2)


def main():
    """The ``simlab`` console script."""
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
    parser.add_argument("directory", help="multirun folder (e.g. multirun/2026-11-24/10-00-00)")
    parser.add_argument("-o", "--output", help="output file (default: DIRECTORY/merged.nc)")
    args = parser.parse_args(argv)
    try:
        path = collect.collect_to_file(args.directory, args.output)
    except SimlabError as exc:
        print(f"simlab-collect: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
