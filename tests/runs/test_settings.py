"""Config composition and validation: every config in the tree, every kind of bad value."""

import pytest
from helpers import compose

from simlab import schema, tasks
from simlab.errors import ConfigError
from simlab.runs import settings


@pytest.mark.parametrize("group", ["task", "experiment", "sampler", "model", "schedule"])
def test_every_config_in_the_tree_composes_and_validates(group):
    options = settings.group_options(group)
    assert options
    for option in options:
        extra = {"sampler": ["task=ising_sweep"], "model": ["task=ising_sweep"],
                 "schedule": ["task=anneal"]}.get(group, [])
        loaded = settings.load_settings(compose(extra + [f"{group}={option}"]))
        assert isinstance(loaded.params, loaded.task.config)


def test_a_run_carries_only_its_own_task_sections():
    cfg = compose(["task=anneal"])
    assert set(cfg) == {"task", "seed", "force", "threads", "output", "anneal", "schedule"}
    cfg = compose(["experiment=hajek_threshold"])
    assert set(cfg) == {"task", "seed", "force", "threads", "output", "hajek"}


def test_defaults_live_in_the_dataclasses():
    # The experiment files hold no key equal to a default: the dataclass is the one place.
    for experiment in settings.group_options("experiment"):
        cfg = compose([f"experiment={experiment}"])
        task = tasks.get(cfg.task)
        plain = settings.flatten(schema.to_dict(settings.load_settings(cfg).params))
        defaults = settings.flatten(schema.defaults(task.config))
        from importlib.resources import files

        import yaml
        text = (files("simlab.conf") / "experiment" / f"{experiment}.yaml").read_text()
        own = settings.flatten({k: v for k, v in (yaml.safe_load(text) or {}).items()
                                if k != "defaults"})
        for key, value in own.items():
            assert defaults.get(key) != value, f"{experiment}: {key} repeats its default"
            assert plain[key] == value


def test_default_grid_is_what_the_docs_say():
    params = settings.load_settings(compose()).params
    grid = params.temperature.values()
    assert grid.min() == 1.0 and 4.0 in grid and grid.size == 32 + 4
    assert ((grid > 1.96) & (grid < 2.58)).sum() >= 16
    assert params.model.size == [8, 16, 32]
    assert params.temperature.tail_mask().sum() == 4


@pytest.mark.parametrize("override,key", [
    ("temperature.min=0", "temperature.min"),
    ("temperature.max=0.5", "temperature.max"),
    ("temperature.points=[]", "temperature.points"),
    ("temperature.points=[2.0,2.0]", "temperature.points"),
    ("temperature.spacing=cubic", "temperature.spacing"),
    ("model.size=[8,8]", "model.size"),
    ("model.coupling=0", "model.coupling"),
    ("sampler.blocks=0", "sampler.blocks"),
    ("sampler.scan=diagonal", "sampler.scan"),
    ("sampler.sweeps=abc", "sampler.sweeps"),
    ("sampler.sweeps=2.5", "sampler.sweeps"),
    ("sampler.chains=true", "sampler.chains"),
    ("threads=0", "threads"),
    ("seed=-1", "seed"),
    ("output.results=out.txt", "output.results"),
    ("output.plots=maybe", "output.plots"),
    ("+model.spin=3", "model.spin"),
    ("+hajek.depth=2", "hajek"),
])
def test_invalid_values_are_rejected_with_the_full_key(override, key):
    with pytest.raises(ConfigError, match="^" + key.replace(".", r"\.").replace("[", r"\[")):
        settings.load_settings(compose([override]))


def test_settings_derived_from_another_follow_it_unless_set():
    loaded = settings.load_settings(compose(["experiment=llm_vs_ising", "llm.context=64"]))
    assert loaded.params.llm.scored_per_window == 32  # half the context, not 128 > 64
    loaded = settings.load_settings(compose(["experiment=llm_vs_ising", "llm.stride=16"]))
    assert loaded.params.llm.scored_per_window == 16
    loaded = settings.load_settings(compose(["experiment=llm_phase_transition",
                                             "generation.steps=64"]))
    assert loaded.params.text.for_steps(64).lengths == [16, 32, 64]
    with pytest.raises(ConfigError, match="^text.lengths"):
        settings.load_settings(compose(["experiment=llm_phase_transition",
                                        "generation.steps=64", "text.lengths=[16,128]"]))


@pytest.mark.parametrize("overrides,key", [
    ("experiment=llm_vs_ising llm.source=cloud", "llm.source"),
    ("experiment=llm_vs_ising llm.device=cuda:7", "llm.device"),
    ("experiment=llm_vs_ising llm.dtype=float64", "llm.dtype"),
    ("experiment=llm_vs_ising llm.memory_mb=0", "llm.memory_mb"),
    ("experiment=llm_phase_transition generation.device=tpu", "generation.device"),
    ("experiment=llm_vs_ising llm.stride=300", "llm.stride"),
    ("experiment=llm_vs_ising temperature.max=0.01", "temperature.max"),
    ("experiment=llm_vs_ising llm.positions=0", "llm.positions"),
    ("experiment=llm_vs_ising llm.source=bundle llm.corpus=/etc/hostname", "llm.corpus"),
    ("experiment=llm_vs_ising llm.bundle=/nonexistent.nc", "llm.bundle"),
    ("task=anneal schedule=logarithmic schedule.c=-1", "schedule.c"),
    ("task=anneal schedule.alpha=1.5", "schedule.alpha"),
    ("task=anneal schedule=custom schedule.points=[1.0,2.0]", "schedule.points"),
    ("task=anneal anneal.problem=potts", "anneal.problem"),
    ("task=anneal anneal.problem=edge_list", "anneal.path"),
    ("task=anneal anneal.problem=tsplib anneal.path=/nope.tsp", "anneal.path"),
    ("experiment=hajek_threshold hajek.c_ratios=[0.5,-1]", "hajek.c_ratios[1]"),
    ("experiment=hajek_threshold hajek.mc_steps=100 hajek.exact_steps=10", "hajek.exact_steps"),
    ("experiment=tsp_annealing tsp.instances=[att48]", "tsp.instances[0]"),
    ("experiment=bm_encoder encoder.encoders=[[4,2,10]]", "encoder.encoders[0]"),
    ("experiment=rbm_digits rbm.test_fraction=1.5", "rbm.test_fraction"),
    ("experiment=hopfield_capacity hopfield.loads=[0.1,1.5]", "hopfield.loads[1]"),
    ("experiment=llm_bundle bundle.output=x.txt", "bundle.output"),
])
def test_invalid_task_values(overrides, key):
    with pytest.raises(ConfigError, match="^" + key.replace(".", r"\.").replace("[", r"\[")):
        settings.load_settings(compose(overrides.split()))


def test_only_the_selected_task_is_validated():
    # A bad value in another task's defaults cannot exist: another task's keys are refused.
    with pytest.raises(ConfigError, match="not a key of task anneal"):
        settings.load_settings({"task": "anneal", "hajek": {"depth": 1.0}})
    loaded = settings.load_settings({"task": "hajek_threshold", "hajek": {"depth": 2.0}})
    assert loaded.params.hajek.depth == 2.0 and loaded.shared.seed == 0


@pytest.mark.parametrize("arguments,message", [
    (["hajek.depth=2"], "hajek.depth='2' is not allowed: not a key of task ising_sweep"),
    (["task=anneal", "sampler.chains=3"], "not a key of task anneal"),
    (["experiment=tsp_annealing", "spin_glass.reads=3"], "not a key of task tsp_annealing"),
    (["-m", "task=anneal", "schedule=linear,cubic"], "schedule='cubic'"),
    (["task=anneal", "model=ising"], "not a config group of task anneal"),
])
def test_command_line_keys_are_checked_before_hydra(arguments, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        settings.check_overrides(arguments)


def test_valid_command_lines_pass_the_check():
    for arguments in (["-m", "model.size=8,16", "seed=0,1"], ["task=anneal", "anneal.reads=4",
                      "schedule=linear"], ["experiment=ising_exact", "sampler=heatbath"],
                      ["hydra.run.dir=x", "+hydra.job.chdir=false", "--cfg", "job"],
                      ["experiment=llm_vs_ising", "llm.source=bundle", "ising.sizes=[4]"]):
        settings.check_overrides(arguments)


def test_settings_round_trip_through_the_stored_yaml():
    loaded = settings.load_settings(compose(["task=anneal", "anneal.reads=7"]))
    again = settings.load_settings(loaded.to_yaml())
    assert again == loaded and not settings.config_differences(loaded, again)
