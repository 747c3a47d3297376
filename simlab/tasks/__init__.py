"""Experiment kinds ("tasks"): each is one package under ``simlab/tasks/`` that registers itself.

A task package declares, beside its code, a :class:`Task`: its name, its config schema (a
dataclass of sections, defaults in exactly one place, see :mod:`simlab.schema`),
``run(settings, ctx) -> xarray.Dataset``, an optional ``warm_up(settings)`` that compiles
its kernels, its figures (drawn from the Dataset only) and a text report. Calling
:func:`register` at import adds it; :func:`discover` imports every package here (and any
installed plugin under the entry-point group ``simlab.tasks``), so adding a task touches
only its own package, its YAML and its tests. Tasks never import each other; shared
sections and helpers live in :mod:`simlab.tasks.common`.
"""

import importlib
import importlib.metadata
import pkgutil
from dataclasses import dataclass, field
from typing import Callable, Optional

from simlab.errors import ConfigError


@dataclass(frozen=True)
class RunContext:
    """What a task's ``run`` gets besides its settings.

    Attributes
    ----------
    seed : int
        The run's seed; derive every sub-seed from it with :mod:`simlab.rng`.
    progress : bool
        Show progress bars.
    """

    seed: int = 0
    progress: bool = False


@dataclass(frozen=True)
class Figure:
    """A figure a task draws from its Dataset.

    Attributes
    ----------
    file : str
        File name in the run folder, e.g. ``"thermodynamics.png"``.
    draw : callable
        ``draw(ds, path)``, reading only the Dataset.
    when : callable, optional
        ``when(ds) -> bool``; the figure is drawn only if it returns True.
    """

    file: str
    draw: Callable
    when: Optional[Callable] = None


@dataclass(frozen=True)
class Task:
    """An experiment kind.

    Attributes
    ----------
    name : str
        The value of the config key ``task``.
    description : str
        One line for ``simlab tasks``.
    config : type
        Dataclass of the task's config sections (see :mod:`simlab.schema`).
    run : callable
        ``run(settings, ctx) -> xarray.Dataset`` (annotated, no provenance yet).
    warm_up : callable, optional
        ``warm_up(settings)``: compile the task's kernels on tiny inputs.
    figures : tuple of Figure
    report : callable, optional
        ``report(ds) -> str`` printed after the run.
    groups : dict
        Hydra config groups of the task and their default option, e.g.
        ``{"sampler": "metropolis"}`` (files in ``conf/<group>/``).
    dims : dict
        Config keys that map to a Dataset dimension when sweeps are collected, e.g.
        ``{"model.size": "size"}``.
    compress : bool
        Store the results file with zlib compression.
    exports : callable, optional
        ``exports(settings) -> list of paths`` the saved results file is also copied to.
    report_views : callable, optional
        ``report_views(ds) -> list of simlab.render.views.View``: the task's own views,
        drawn first on its report page (e.g. a scatter the general rules would not draw).
    sweep_figures : tuple of Figure
        Figures of a collected sweep (``simlab collect`` draws them beside ``merged.nc``
        when their ``when`` holds), e.g. a comparison across the swept models.
    """

    name: str
    description: str
    config: type
    run: Callable
    warm_up: Optional[Callable] = None
    figures: tuple = ()
    report: Optional[Callable] = None
    groups: dict = field(default_factory=dict)
    dims: dict = field(default_factory=dict)
    compress: bool = False
    exports: Optional[Callable] = None
    report_views: Optional[Callable] = None
    sweep_figures: tuple = ()

    def views(self, ds):
        """The task's own report views of ``ds`` (none without a ``report_views`` hook)."""
        return list(self.report_views(ds)) if self.report_views is not None else []


_REGISTRY: dict = {}
_DISCOVERED = False
ENTRY_POINT_GROUP = "simlab.tasks"


def register(task):
    """Add ``task`` to the registry (idempotent for the same object); returns it."""
    if not isinstance(task, Task):
        raise TypeError(f"register() takes a simlab.tasks.Task, got {type(task).__name__}")
    existing = _REGISTRY.get(task.name)
    if existing is not None and existing.run is not task.run:
        raise ValueError(f"two tasks are named {task.name!r}")
    _REGISTRY[task.name] = task
    return task


def discover():
    """Import every task package of simlab and every plugin of the entry-point group."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg and not info.name.startswith("_") and info.name != "common":
            importlib.import_module(f"{__name__}.{info.name}")
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        entry.load()
    _DISCOVERED = True


def names():
    """Sorted names of the registered tasks."""
    discover()
    return sorted(_REGISTRY)


def get(name):
    """The :class:`Task` called ``name``; ConfigError listing the known ones otherwise."""
    discover()
    if name not in _REGISTRY:
        raise ConfigError("task", name, "one of " + ", ".join(sorted(_REGISTRY)))
    return _REGISTRY[name]


__all__ = ["Figure", "RunContext", "Task", "discover", "get", "names", "register"]
