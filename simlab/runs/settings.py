"""A run's configuration: the shared keys, the task's own sections, and how Hydra gets them.

The composed config of a run holds the shared keys (:class:`SharedConfig`: ``seed``,
``force``, ``threads``, ``output``), ``task`` and the task's own sections, nothing else.
:func:`load_settings` turns it into typed, validated objects (see :mod:`simlab.schema`);
every problem, type errors and missing files included, is a one-line ConfigError naming
the full dotted key, raised before any work.

Hydra composes plain YAML: :func:`register_hydra` stores the shared defaults and one node
per task (group ``task``) in Hydra's ConfigStore, built from the dataclasses, so defaults
live only there; ``conf/`` holds the group options (``sampler``, ``schedule``, ``model``),
the experiments and Hydra's own settings. :func:`check_overrides` rejects an unknown key or
group option on the command line in one line, before Hydra starts.
"""

import dataclasses
from dataclasses import dataclass
from importlib.resources import files
from typing import Optional

import yaml
from omegaconf import OmegaConf

from simlab import schema, tasks
from simlab.errors import ConfigError
from simlab.schema import section, setting

#: Config keys that change how a run looks or runs, not what it computes.
NON_SCIENTIFIC_KEYS = ("output.progress", "output.plots", "output.report", "threads", "force")
#: Config groups of Hydra that tasks may use (files in conf/<group>/).
GROUPS = ("model", "sampler", "schedule")


@dataclass
class OutputConfig:
    """What a run writes besides the dataset."""

    results: str = setting("results.nc", doc="file name of the dataset in the run folder")
    plots: bool = setting(True, doc="draw the task's figures")
    report: bool = setting(True, doc="write report.html, a self-contained interactive page")
    progress: bool = setting(True, doc="show progress bars")

    def check(self, key):
        if not self.results.endswith(".nc") or "/" in self.results:
            raise ConfigError(f"{key}.results", self.results,
                              "a file name ending in .nc (no folders)")


@dataclass
class SharedConfig:
    """Keys every run has, whatever its task."""

    task: str = setting("ising_sweep", doc="the experiment kind (simlab tasks lists them)")
    seed: int = setting(0, minimum=0, doc="one integer reproduces the run bit for bit")
    force: bool = setting(False, doc="redo a job whose complete result already exists")
    threads: Optional[int] = setting(None, minimum=1,
                                     doc="Numba threads (null: every core the job may use)")
    output: OutputConfig = section(OutputConfig)


@dataclass(frozen=True)
class Settings:
    """A validated run configuration.

    Attributes
    ----------
    shared : SharedConfig
    task : simlab.tasks.Task
    params : object
        Instance of ``task.config``.
    """

    shared: SharedConfig
    task: object
    params: object

    def to_dict(self):
        """The full configuration as plain nested dicts (shared keys first)."""
        return {**schema.to_dict(self.shared), **schema.to_dict(self.params)}

    def to_yaml(self):
        """The full configuration as YAML (stored in every results file)."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False)


def _plain(cfg):
    if OmegaConf.is_config(cfg):
        # Hydra's own node holds values (the run folder) known only once the job starts.
        return OmegaConf.to_container(
            OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]), resolve=True)
    if isinstance(cfg, str):
        return yaml.safe_load(cfg) or {}
    return dict(cfg)


def load_settings(cfg):
    """Validated :class:`Settings` from a composed config (DictConfig, dict or YAML text).

    Raises
    ------
    ConfigError
        For an unknown task, an unknown key (a section of another task included), a value
        of the wrong type or out of range, or a path that does not exist.
    """
    data = _plain(cfg)
    data.pop("hydra", None)
    task = tasks.get(data.get("task", SharedConfig.task))
    shared_names = [f.name for f in dataclasses.fields(SharedConfig)]
    shared = schema.load(SharedConfig, {k: data[k] for k in shared_names if k in data})
    task_names = {f.name for f in dataclasses.fields(task.config)}
    extra = [k for k in data if k not in shared_names and k not in task_names]
    if extra:
        raise ConfigError(extra[0], data[extra[0]],
                          f"not a key of task {task.name} (its sections: "
                          f"{', '.join(sorted(task_names)) or 'none'}; shared: "
                          f"{', '.join(shared_names)})")
    params = schema.load(task.config, {k: v for k, v in data.items() if k in task_names})
    return Settings(shared, task, params)


def scientific_config(config):
    """The config as a plain dict without :data:`NON_SCIENTIFIC_KEYS`.

    Parameters
    ----------
    config : DictConfig, dict, Settings or str (YAML)
    """
    data = config.to_dict() if isinstance(config, Settings) else _plain(config)
    for key in NON_SCIENTIFIC_KEYS:
        node, *rest = key.split(".")
        if not rest:
            data.pop(node, None)
        elif isinstance(data.get(node), dict):
            data[node].pop(rest[0], None)
    return data


def flatten(data, prefix=""):
    """{dotted.key: value} of a nested dict."""
    out = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def config_differences(a, b):
    """Dotted keys whose values differ between two configs (see :func:`scientific_config`)."""
    fa, fb = flatten(scientific_config(a)), flatten(scientific_config(b))
    return sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))


# --- Hydra -------------------------------------------------------------------------------------

def register_hydra():
    """Store the shared defaults and every task's node in Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    from hydra_plugins.simlab_launchers import submitit_tolerant, sweeper

    store = ConfigStore.instance()
    submitit_tolerant.register()
    sweeper.register()
    store.store(name="simlab_shared", node=schema.defaults(SharedConfig))
    for name in tasks.names():
        task = tasks.get(name)
        node = {"defaults": ["_self_"] + [{f"/{g}": option} for g, option in task.groups.items()],
                "task": name, **schema.defaults(task.config)}
        store.store(group="task", name=name, node=node, package="_global_")


def group_options(group):
    """Options of a config group: task names, or the YAML files in ``conf/<group>/``."""
    if group == "task":
        return tasks.names()
    folder = files("simlab.conf") / group
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def experiment_task(name):
    """The task an experiment file selects (``override /task: X`` in its defaults)."""
    path = files("simlab.conf") / "experiment" / f"{name}.yaml"
    data = yaml.safe_load(path.read_text()) or {}
    for item in data.get("defaults", []) or []:
        if isinstance(item, dict):
            for key, value in item.items():
                if key.replace("override", "").strip().lstrip("/") == "task":
                    return value
    return SharedConfig.task


def _values(value):
    """The items of a command-line sweep value ``a,b,c`` (brackets and quotes kept whole)."""
    if value.startswith(("[", "{", "'", '"', "range(", "choice(", "interval(", "glob(")):
        return [value]
    return value.split(",")


def check_overrides(arguments):
    """Reject, in one line, a command-line override with an unknown key or group option.

    Parameters
    ----------
    arguments : list of str
        The command line after ``simlab`` (flags such as ``-m`` are skipped; so are
        ``hydra.*`` keys, ``+key`` additions and ``~key`` deletions, which Hydra checks).
    """
    overrides = {}
    for item in arguments:
        if item.startswith("-") or "=" not in item or item.startswith(("+", "~")):
            continue
        key, _, value = item.partition("=")
        overrides[key] = value
    task_names = None
    if "experiment" in overrides:
        for option in _values(overrides["experiment"]):
            if option not in ("null",) + tuple(group_options("experiment")):
                raise ConfigError("experiment", option,
                                  "one of " + ", ".join(group_options("experiment")))
        task_names = [experiment_task(o) for o in _values(overrides["experiment"])
                      if o != "null"] or None
    if "task" in overrides:
        task_names = _values(overrides["task"])
        for option in task_names:
            tasks.get(option)
    task_names = task_names or [SharedConfig.task]
    selected = [tasks.get(n) for n in task_names]
    known = set(schema.keys(SharedConfig))
    for task in selected:
        known |= set(schema.keys(task.config))
    groups = {g for task in selected for g in task.groups}
    for key, value in overrides.items():
        if key in ("task", "experiment") or key.startswith("hydra.") or key.startswith("hydra/"):
            continue
        if key in GROUPS:
            if key not in groups:
                raise ConfigError(key, value, f"not a config group of task "
                                  f"{'/'.join(task_names)}" + (
                                      f" (its groups: {', '.join(sorted(groups))})"
                                      if groups else " (it has none)"))
            for option in _values(value):
                if option not in group_options(key):
                    raise ConfigError(key, option, "one of " + ", ".join(group_options(key)))
            continue
        if key not in known:
            parent = key.rsplit(".", 1)[0]
            if "." in key and any(k.startswith(parent + ".") for k in known):
                hint = f"keys of {parent}: " + ", ".join(
                    k.rsplit(".", 1)[1] for k in sorted(known)
                    if k.startswith(parent + ".") and k.count(".") == key.count("."))
            else:
                sections = sorted({k.split(".")[0] for task in selected
                                   for k in schema.keys(task.config)})
                hint = (f"its sections: {', '.join(sections) or 'none'}; shared: "
                        + ", ".join(f.name for f in dataclasses.fields(SharedConfig)
                                    if f.name != "task"))
            raise ConfigError(key, value, f"not a key of task {'/'.join(task_names)} ({hint})")
