"""Configuration schema (dataclasses registered in Hydra's ConfigStore) and its validation.

The YAML files in ``conf/`` extend these schemas. :func:`validate` checks every value once,
before any work starts, and raises :class:`simlab.errors.ConfigError` naming the key, the
value and what is allowed.
"""

from dataclasses import dataclass, field
from typing import Any, List, Optional

import numpy as np
from omegaconf import ListConfig

from simlab.errors import ConfigError
from simlab.samplers.rules import ALGORITHMS
from simlab.samplers.mcmc import INITIAL_STATES, SCANS
from simlab.validation import choice, integer, number

MODELS = ("ising",)


@dataclass
class ModelConfig:
    """The energy model. ``size`` is one linear size L or a list of them (L x L torus)."""

    name: str = "ising"
    size: Any = field(default_factory=lambda: [8, 16, 32])
    coupling: float = 1.0
    field: float = 0.0


@dataclass
class SamplerConfig:
    """Monte Carlo settings: counts are per temperature and chain."""

    algorithm: str = "metropolis"
    scan: str = "random"
    chains: int = 8
    sweeps: int = 20_000
    thermalization: int = 2_000
    init: str = "ordered"
    blocks: int = 16
    threads: Optional[int] = None


@dataclass
class TemperatureConfig:
    """Temperature grid: the union of a uniform grid, a dense window and a high-T tail.

    ``points`` replaces all of them with an explicit list.
    """

    min: float = 1.0
    max: float = 4.0
    num: int = 16
    focus: Optional[float] = 2.269
    focus_width: float = 0.6
    focus_num: int = 16
    tail: int = 4
    points: Optional[List[float]] = None


@dataclass
class LLMConfig:
    """Language-model settings for the token-distribution tasks."""

    source: str = "auto"
    model: str = "smollm2"
    corpus: Optional[str] = None
    positions: int = 1024
    shuffled_positions: int = 512
    context: int = 256
    stride: int = 128
    batch_size: int = 4
    t_min: float = 0.05
    t_max: float = 20.0
    t_num: int = 128
    bundle: Optional[str] = None
    bundle_output: Optional[str] = None
    surprise_samples: int = 20_000
    surprise_temperatures: List[float] = field(default_factory=lambda: [0.5, 1.0, 2.0])
    ising_sizes: List[int] = field(default_factory=lambda: [8, 16, 32])


@dataclass
class ScheduleConfig:
    """A temperature schedule (see simlab.schedules.from_config); null values come from the problem."""

    kind: str = "geometric"
    n_steps: int = 1000
    sweeps_per_step: int = 1
    start: Optional[float] = None
    stop: Optional[float] = None
    alpha: Optional[float] = None
    rate: Optional[float] = None
    c: Optional[float] = None
    k0: float = 2.0
    temperature: Optional[float] = None
    in_beta: bool = False
    points: Optional[List[float]] = None


@dataclass
class AnnealConfig:
    """Annealing a problem: which problem, how many reads, which rule."""

    problem: str = "ea2d"
    size: int = 32
    degree: int = 3
    disorder: str = "pm"
    instance_seed: int = 0
    path: Optional[str] = None
    reads: int = 32
    algorithm: str = "metropolis"
    scan: str = "sequential"
    record_every: int = 10


@dataclass
class HajekConfig:
    """The hajek_threshold experiment."""

    depth: float = 1.0
    base: float = 1.0
    c_ratios: List[float] = field(default_factory=lambda: [0.5, 0.8, 1.0, 1.5, 2.0])
    k0: float = 2.0
    exact_steps: int = 10_000_000
    mc_steps: int = 100_000
    reads: int = 4000
    algorithm: str = "metropolis"


@dataclass
class TSPExperimentConfig:
    """The tsp_annealing experiment."""

    instances: List[str] = field(default_factory=lambda: ["berlin52", "eil51", "kroA100"])
    schedules: List[str] = field(default_factory=lambda: ["geometric", "linear", "logarithmic"])
    sweeps: List[int] = field(default_factory=lambda: [100, 300, 1000, 3000, 10000, 30000])
    reads: int = 10
    p_two_opt: float = 0.5
    algorithm: str = "metropolis"


@dataclass
class SpinGlassConfig:
    """The spin_glass_annealing experiment."""

    ea_size: int = 32
    sk_size: int = 256
    instances: int = 4
    schedules: List[str] = field(default_factory=lambda: ["geometric", "linear", "logarithmic"])
    sweeps: List[int] = field(default_factory=lambda: [10, 30, 100, 300, 1000, 3000])
    reads: int = 32
    reference_sweeps: int = 20000
    reference_reads: int = 32


@dataclass
class EncoderConfig:
    """The bm_encoder experiment: (n_in, n_hidden, runs, max_cycles) per encoder."""

    encoders: List[List[int]] = field(default_factory=lambda: [[4, 2, 250, 5000],
                                                                [4, 3, 100, 5000],
                                                                [8, 3, 20, 5000]])
    step: float = 2.0
    stat_sweeps: int = 10


@dataclass
class RBMConfig:
    """The rbm_digits experiment."""

    n_hidden: int = 64
    n_hidden_exact: int = 16
    learning_rate: float = 0.1
    batch_size: int = 10
    n_iter: int = 7
    threshold: float = 8.0
    ais_runs: int = 200
    ais_betas: int = 10000
    test_fraction: float = 0.2
    t_min: float = 0.15
    t_max: float = 8.0
    t_num: int = 24
    chains: int = 64
    sweeps: int = 2000


@dataclass
class HopfieldConfig:
    """The hopfield_capacity experiment."""

    n_units: int = 1000
    loads: List[float] = field(default_factory=lambda: [round(0.01 * k, 2) for k in range(1, 23)])
    pattern_sets: int = 3
    tested_patterns: int = 20
    corruption: float = 0.0
    temperatures: List[float] = field(default_factory=lambda: [round(0.1 * k, 2) for k in range(0, 11)])
    phase_loads: List[float] = field(default_factory=lambda: [round(0.02 * k, 2) for k in range(1, 10)])
    phase_sweeps: int = 30
    theory_points: int = 21


@dataclass
class OutputConfig:
    """What a run writes besides the dataset."""

    results: str = "results.nc"
    plots: bool = True
    progress: bool = True


@dataclass
class SimlabConfig:
    """Root of the configuration tree."""

    task: str = "ising_sweep"
    seed: int = 0
    force: bool = False
    model: ModelConfig = field(default_factory=ModelConfig)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    temperature: TemperatureConfig = field(default_factory=TemperatureConfig)
    llm: LLMConfig = field(default_factory=LLMConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    anneal: AnnealConfig = field(default_factory=AnnealConfig)
    hajek: HajekConfig = field(default_factory=HajekConfig)
    tsp: TSPExperimentConfig = field(default_factory=TSPExperimentConfig)
    spin_glass: SpinGlassConfig = field(default_factory=SpinGlassConfig)
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    rbm: RBMConfig = field(default_factory=RBMConfig)
    hopfield: HopfieldConfig = field(default_factory=HopfieldConfig)
    output: OutputConfig = field(default_factory=OutputConfig)


GROUPS = ("model", "sampler", "experiment", "schedule")
PROBLEMS = ("ea2d", "ea3d", "sk", "rrg", "edge_list", "tsplib")


def register():
    """Register the root schema in Hydra's ConfigStore (idempotent).

    The group YAMLs merge into the typed fields of :class:`SimlabConfig`, so their keys and
    types are checked against the dataclasses above.
    """
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="simlab_schema", node=SimlabConfig)


def group_options(group):
    """Names of the YAML files of a config group in the installed ``simlab.conf`` package."""
    from importlib.resources import files

    folder = files("simlab.conf") / group
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def check_group_choices(overrides):
    """Reject an unknown choice of a config group (``model=potts``) in one line.

    Parameters
    ----------
    overrides : list of str
        Command-line overrides; multirun lists (``model=a,b``) are checked item by item.
    """
    for item in overrides:
        key, sep, value = item.lstrip("+~").partition("=")
        if not sep or key not in GROUPS:
            continue
        allowed = group_options(key)
        for choice_ in value.split(","):
            if choice_ not in allowed and not (key == "experiment" and choice_ == "null"):
                raise ConfigError(key, choice_, "one of " + ", ".join(allowed))


def sizes(model_cfg):
    """``model.size`` as a list of distinct integers >= 2."""
    raw = model_cfg.size
    values = list(raw) if isinstance(raw, (list, tuple, ListConfig)) else [raw]
    if not values:
        raise ConfigError("model.size", raw, "an integer >= 2 or a non-empty list of them")
    out = [integer("model.size", v, 2, 4096) for v in values]
    if len(set(out)) != len(out):
        raise ConfigError("model.size", values, "distinct sizes")
    return out


def temperature_grid(t_cfg):
    """The sorted temperatures a ``temperature`` config describes, shape (T,)."""
    if t_cfg.points is not None:
        values = np.array([number("temperature.points", v, positive=True)
                           for v in t_cfg.points])
        if values.size == 0:
            raise ConfigError("temperature.points", list(t_cfg.points), "a non-empty list")
        return np.unique(values)
    grid = [np.linspace(t_cfg.min, t_cfg.max, t_cfg.num)]
    if t_cfg.focus is not None and t_cfg.focus_num > 0:
        half = t_cfg.focus_width / 2
        grid.append(np.linspace(t_cfg.focus - half, t_cfg.focus + half, t_cfg.focus_num))
    if t_cfg.tail > 0:
        grid.append(1.0 / np.linspace(0.0, 1.0 / t_cfg.max, t_cfg.tail + 2)[1:-1])
    # Rounding to 1e-9 merges coincident points of the pieces.
    return np.unique(np.round(np.concatenate(grid), 9))


def llm_temperature_grid(llm_cfg):
    """Log-spaced temperatures from ``llm.t_min`` to ``llm.t_max``, with T = 1 included."""
    grid = np.geomspace(llm_cfg.t_min, llm_cfg.t_max, llm_cfg.t_num)
    return np.unique(np.concatenate([grid, [1.0]]))


def _validate_llm(c):
    from simlab.llm.sources import SOURCES

    choice("llm.source", c.source, SOURCES)
    if not isinstance(c.model, str) or not c.model:
        raise ConfigError("llm.model", c.model, "'smollm2', a Hugging Face id or a local path")
    for key in ("positions", "shuffled_positions", "batch_size", "surprise_samples"):
        integer(f"llm.{key}", getattr(c, key), 1)
    integer("llm.context", c.context, 2)
    integer("llm.stride", c.stride, 1, c.context)
    t_min = number("llm.t_min", c.t_min, positive=True)
    if not number("llm.t_max", c.t_max, positive=True) > t_min:
        raise ConfigError("llm.t_max", c.t_max, f"a number > llm.t_min ({t_min})")
    integer("llm.t_num", c.t_num, 3)
    for t in c.surprise_temperatures:
        number("llm.surprise_temperatures", t, positive=True)
    for size in c.ising_sizes:
        integer("llm.ising_sizes", size, 2, 4096)
    if c.source == "bundle" and c.corpus is not None:
        raise ConfigError("llm.corpus", c.corpus, "null with llm.source=bundle")


def _validate_annealing(cfg):
    from simlab import schedules
    from simlab.models.graph import DISORDERS

    sc = cfg.schedule
    choice("schedule.kind", sc.kind, schedules.KINDS)
    integer("schedule.n_steps", sc.n_steps, 1)
    integer("schedule.sweeps_per_step", sc.sweeps_per_step, 1)
    # Build it once with a stand-in range: every explicit parameter gets checked.
    schedules.from_config(sc, auto_range=(10.0, 0.1))
    a = cfg.anneal
    choice("anneal.problem", a.problem, PROBLEMS)
    integer("anneal.size", a.size, 2)
    integer("anneal.reads", a.reads, 1)
    integer("anneal.record_every", a.record_every, 1)
    integer("anneal.instance_seed", a.instance_seed, 0)
    choice("anneal.disorder", a.disorder, DISORDERS)
    choice("anneal.algorithm", a.algorithm, ALGORITHMS)
    choice("anneal.scan", a.scan, SCANS)
    if a.problem == "edge_list" and not a.path:
        raise ConfigError("anneal.path", a.path, "the edge-list file to anneal")
    h = cfg.hajek
    number("hajek.depth", h.depth, positive=True)
    number("hajek.base", h.base, positive=True)
    for r in h.c_ratios:
        number("hajek.c_ratios", r, positive=True)
    integer("hajek.mc_steps", h.mc_steps, 1)
    integer("hajek.exact_steps", h.exact_steps, h.mc_steps)
    integer("hajek.reads", h.reads, 1)
    choice("hajek.algorithm", h.algorithm, ALGORITHMS)
    from simlab.models.tsp import SHIPPED

    t = cfg.tsp
    for name in t.instances:
        choice("tsp.instances", name, SHIPPED)
    for kind in list(t.schedules) + list(cfg.spin_glass.schedules):
        choice("schedules", kind, ("geometric", "linear", "logarithmic", "exponential"))
    for n in list(t.sweeps) + list(cfg.spin_glass.sweeps):
        integer("sweeps", n, 1)
    integer("tsp.reads", t.reads, 1)
    g = cfg.spin_glass
    integer("spin_glass.ea_size", g.ea_size, 3)
    integer("spin_glass.sk_size", g.sk_size, 2)
    integer("spin_glass.instances", g.instances, 1)
    integer("spin_glass.reads", g.reads, 1)


def _validate_machines(cfg):
    for k, item in enumerate(cfg.encoder.encoders):
        if len(item) != 4:
            raise ConfigError(f"encoder.encoders[{k}]", list(item),
                              "[n_in, n_hidden, runs, max_cycles]")
        integer(f"encoder.encoders[{k}] n_in", item[0], 2, 16)
        integer(f"encoder.encoders[{k}] n_hidden", item[1], 1, 8)
        integer(f"encoder.encoders[{k}] runs", item[2], 1)
        integer(f"encoder.encoders[{k}] max_cycles", item[3], 1)
    number("encoder.step", cfg.encoder.step, positive=True)
    integer("encoder.stat_sweeps", cfg.encoder.stat_sweeps, 1)
    r = cfg.rbm
    integer("rbm.n_hidden_exact", r.n_hidden_exact, 1, 20)
    for key in ("n_hidden", "batch_size", "n_iter", "ais_runs", "ais_betas", "t_num", "chains",
                "sweeps"):
        integer(f"rbm.{key}", getattr(r, key), 2 if key in ("ais_runs", "ais_betas") else 1)
    number("rbm.learning_rate", r.learning_rate, positive=True)
    if not 0 < number("rbm.test_fraction", r.test_fraction) < 1:
        raise ConfigError("rbm.test_fraction", r.test_fraction, "a fraction in (0, 1)")
    if not 0 < number("rbm.t_min", r.t_min, positive=True) < number("rbm.t_max", r.t_max):
        raise ConfigError("rbm.t_max", r.t_max, f"a temperature > rbm.t_min ({r.t_min})")
    h = cfg.hopfield
    integer("hopfield.n_units", h.n_units, 10)
    for a in list(h.loads) + list(h.phase_loads):
        if not 0 < number("hopfield.loads", a) <= 1:
            raise ConfigError("hopfield.loads", a, "loads P/N in (0, 1]")
    for t in h.temperatures:
        number("hopfield.temperatures", t, minimum=0.0)
    integer("hopfield.pattern_sets", h.pattern_sets, 1)
    integer("hopfield.tested_patterns", h.tested_patterns, 1)
    integer("hopfield.phase_sweeps", h.phase_sweeps, 1)
    integer("hopfield.theory_points", h.theory_points, 2)
    if not 0 <= number("hopfield.corruption", h.corruption) <= 0.5:
        raise ConfigError("hopfield.corruption", h.corruption, "a fraction in [0, 0.5]")


def _validate_temperature(t):
    if t.points is not None:
        temperature_grid(t)
        return
    t_min = number("temperature.min", t.min, positive=True)
    number("temperature.max", t.max, positive=True)
    if t.max < t_min:
        raise ConfigError("temperature.max", t.max, f"a number >= temperature.min ({t_min})")
    integer("temperature.num", t.num, 1 if t.max == t_min else 2)
    integer("temperature.focus_num", t.focus_num, 0)
    if t.focus is not None and t.focus_num > 0:
        focus = number("temperature.focus", t.focus, positive=True)
        width = number("temperature.focus_width", t.focus_width, positive=True)
        if focus - width / 2 <= 0:
            raise ConfigError("temperature.focus_width", t.focus_width,
                              f"a width < 2 * temperature.focus ({2 * focus}) so all T > 0")
    integer("temperature.tail", t.tail, 0)


def validate(cfg):
    """Check every value of a composed config; raise ConfigError on the first bad one."""
    from simlab.tasks import TASKS

    choice("task", cfg.task, tuple(TASKS))
    integer("seed", cfg.seed, 0)
    choice("model.name", cfg.model.name, MODELS)
    sizes(cfg.model)
    number("model.coupling", cfg.model.coupling, nonzero=True)
    number("model.field", cfg.model.field)
    s = cfg.sampler
    choice("sampler.algorithm", s.algorithm, ALGORITHMS)
    choice("sampler.scan", s.scan, SCANS)
    integer("sampler.chains", s.chains, 1)
    integer("sampler.sweeps", s.sweeps, 1)
    integer("sampler.thermalization", s.thermalization, 0)
    choice("sampler.init", s.init, INITIAL_STATES)
    integer("sampler.blocks", s.blocks, 1 if s.chains > 1 else 2, s.sweeps)
    if s.threads is not None:
        integer("sampler.threads", s.threads, 1)
    _validate_temperature(cfg.temperature)
    _validate_llm(cfg.llm)
    _validate_annealing(cfg)
    _validate_machines(cfg)
    if not str(cfg.output.results).endswith(".nc"):
        raise ConfigError("output.results", cfg.output.results, "a file name ending in .nc")
    return cfg
