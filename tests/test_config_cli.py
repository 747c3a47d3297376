"""Configs compose and validate; the real command line rejects bad values in one line."""

import shutil
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from hydra import compose, initialize_config_module

from simlab import config, results
from simlab.errors import ConfigError

SMALL = ["sampler.chains=2", "sampler.sweeps=400", "sampler.thermalization=50",
         "sampler.blocks=4", "temperature.num=4", "temperature.focus_num=3", "temperature.tail=2",
         "output.progress=false"]


def composed(overrides=()):
    config.register()
    with initialize_config_module(config_module="simlab.conf", version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides))


@pytest.mark.parametrize("group", ["sampler", "experiment", "model", "schedule"])
def test_every_config_in_the_tree_composes_and_validates(group):
    options = config.group_options(group)
    assert options
    for option in options:
        config.validate(composed([f"{group}={option}"]))


def test_default_grid_is_what_the_docs_say():
    cfg = composed()
    grid = config.temperature_grid(cfg.temperature)
    assert grid.min() == 1.0 and 4.0 in grid and grid.size == 36
    assert np.sum((grid > 1.96) & (grid < 2.58)) >= 16
    assert config.sizes(cfg.model) == [8, 16, 32]


@pytest.mark.parametrize("override,key", [
    ("temperature.min=0", "temperature.min"),
    ("temperature.max=0.5", "temperature.max"),
    ("temperature.points=[]", "temperature.points"),
    ("model.size=[8,8]", "model.size"),
    ("model.coupling=0", "model.coupling"),
    ("sampler.blocks=0", "sampler.blocks"),
    ("sampler.scan=diagonal", "sampler.scan"),
    ("sampler.threads=0", "sampler.threads"),
    ("seed=-1", "seed"),
    ("task=nothing", "task"),
    ("output.results=out.txt", "output.results"),
])
def test_invalid_values_are_rejected_by_validate(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        config.validate(composed([override]))


def run_cli(args, cwd, module=False):
    exe = [sys.executable, "-m", "simlab"] if module else [shutil.which("simlab")]
    return subprocess.run(exe + args, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("override,key,value,allowed", [
    ("temperature.min=-1", "temperature.min", "-1.0", "> 0"),
    ("temperature.points=[2.0,-0.5]", "temperature.points", "-0.5", "> 0"),
    ("model.size=1", "model.size", "1", "from 2"),
    ("model.name=potts", "model.name", "potts", "one of ising"),
    ("model=potts", "model", "potts", "one of ising"),
    ("sampler.sweeps=0", "sampler.sweeps", "0", ">= 1"),
])
def test_command_line_rejects_bad_values_in_one_line(tmp_path, override, key, value, allowed):
    proc = run_cli([override], tmp_path)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert key in lines[0] and value in lines[0] and allowed in lines[0]
    assert not list(tmp_path.rglob("*.nc"))  # rejected before any work


def test_main_job_end_to_end(tmp_path):
    proc = run_cli(SMALL + ["model.size=[4,6]", "hydra.run.dir=run"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "T_peak (MC)" in proc.stdout and "max|z| C" in proc.stdout
    ds = results.load(tmp_path / "run" / "results.nc")
    assert list(ds["size"].values) == [4, 6]
    assert ds.sizes["temperature"] == 9
    for name in ("energy", "specific_heat", "entropy", "free_energy", "abs_magnetization",
                 "susceptibility", "binder"):
        assert name in ds and name + "_err" in ds
    for name in ("energy", "specific_heat", "entropy", "free_energy"):
        assert name + "_exact" in ds
    assert "model:" in ds.attrs["config"] and ds.attrs["seed"] == 0
    for png in ("thermodynamics.png", "deviations.png"):
        assert (tmp_path / "run" / png).stat().st_size > 10_000


def test_python_dash_m_and_multirun_collect_equal_single_run(tmp_path):
    single = run_cli(SMALL + ["model.size=[4,6]", "hydra.run.dir=single"], tmp_path, module=True)
    assert single.returncode == 0, single.stderr
    multi = run_cli(["-m"] + SMALL + ["model.size=4,6", "hydra.sweep.dir=multi"], tmp_path)
    assert multi.returncode == 0, multi.stderr
    collect = subprocess.run([shutil.which("simlab-collect"), str(tmp_path / "multi")],
                             capture_output=True, text=True, timeout=300)
    assert collect.returncode == 0, collect.stderr
    merged = results.load(tmp_path / "multi" / "merged.nc")
    reference = results.load(tmp_path / "single" / "results.nc")
    assert merged.attrs["swept_keys"] == "model.size"
    # Streams are keyed by (size, temperature, chain): splitting the run changes nothing.
    xr.testing.assert_equal(merged.drop_attrs(), reference.drop_attrs())


def test_collect_reports_missing_results(tmp_path):
    proc = run_cli(["-m"] + SMALL + ["model.size=4,6", "hydra.sweep.dir=multi"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    job = next(p for p in (tmp_path / "multi").iterdir() if p.name.startswith("model.size=6"))
    (job / "results.nc").unlink()
    collect = subprocess.run([shutil.which("simlab-collect"), str(tmp_path / "multi")],
                             capture_output=True, text=True, timeout=300)
    assert collect.returncode == 2
    assert "model.size=6" in collect.stderr and "missing" in collect.stderr


def test_same_seed_same_dataset(tmp_path):
    a = run_cli(SMALL + ["model.size=4", "hydra.run.dir=a"], tmp_path)
    b = run_cli(SMALL + ["model.size=4", "hydra.run.dir=b"], tmp_path)
    c = run_cli(SMALL + ["model.size=4", "hydra.run.dir=c", "seed=1"], tmp_path)
    assert a.returncode == b.returncode == c.returncode == 0
    da, db, dc = (results.load(tmp_path / d / "results.nc") for d in "abc")
    xr.testing.assert_identical(da.drop_attrs(), db.drop_attrs())
    assert not np.array_equal(da["energy"].values, dc["energy"].values)


LLM_SMALL = ["llm.source=bundle", "llm.positions=48", "llm.shuffled_positions=24",
             "output.progress=false"]


@pytest.mark.parametrize("override,key", [
    ("llm.source=cloud", "llm.source"),
    ("llm.stride=300", "llm.stride"),
    ("llm.t_max=0.01", "llm.t_max"),
    ("llm.positions=0", "llm.positions"),
])
def test_invalid_llm_values(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        config.validate(composed([override]))


def test_llm_vs_ising_runs_from_the_bundle(tmp_path):
    proc = run_cli(["experiment=llm_vs_ising", "hydra.run.dir=run"] + LLM_SMALL, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "T* of C(T)" in proc.stdout and "r =" in proc.stdout
    ds = results.load(tmp_path / "run" / "results.nc")
    assert ds.sizes["position"] == 48
    assert {"entropy", "specific_heat", "ising_entropy", "entropy_rescaled",
            "peak_temperature", "token"} <= set(ds.variables)
    assert ds.attrs["source"] == "bundled sample"
    assert (tmp_path / "run" / "llm_vs_ising.png").stat().st_size > 20_000


def test_logpartition_confidence_runs_from_the_bundle(tmp_path):
    proc = run_cli(["experiment=logpartition_confidence", "hydra.run.dir=run"] + LLM_SMALL,
                   tmp_path)
    assert proc.returncode == 0, proc.stderr
    ds = results.load(tmp_path / "run" / "results.nc")
    assert list(ds["score"].values) == ["log_z", "neg_entropy", "max_probability",
                                        "neg_varentropy"]
    assert np.all((ds["auroc_ood"] > 0) & (ds["auroc_ood"] < 1))
    assert (tmp_path / "run" / "confidence.png").exists()


@pytest.mark.skipif(__import__("os").environ.get("SIMLAB_SKIP_LLM") == "1",
                    reason="SIMLAB_SKIP_LLM=1")
def test_llm_vs_ising_runs_live_on_the_model(tmp_path):
    proc = run_cli(["experiment=llm_vs_ising", "hydra.run.dir=run", "llm.source=live",
                    "llm.positions=32", "llm.shuffled_positions=8", "llm.batch_size=1",
                    "llm.surprise_samples=500", "output.progress=false"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    ds = results.load(tmp_path / "run" / "results.nc")
    assert ds.attrs["source"] == "live model" and "surprise_running_mean" in ds
    assert (tmp_path / "run" / "surprise.png").exists()


@pytest.mark.parametrize("override,key", [
    ("schedule=logarithmic schedule.c=-1", "schedule.c"),
    ("schedule.alpha=1.5", "schedule.alpha"),
    ("schedule=custom schedule.points=[1.0,2.0]", "schedule.points"),
    ("anneal.problem=potts", "anneal.problem"),
    ("hajek.c_ratios=[0.5,-1]", "hajek.c_ratios"),
    ("tsp.instances=[att48]", "tsp.instances"),
])
def test_invalid_annealing_values(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        config.validate(composed(override.split()))


def test_anneal_task_on_an_edge_list_file(tmp_path):
    from simlab.models import graph

    graph.write_edge_list(graph.random_regular(16, 3, seed=1, disorder="gaussian"),
                          tmp_path / "model.txt")
    proc = run_cli(["task=anneal", "anneal.problem=edge_list", f"anneal.path={tmp_path / 'model.txt'}",
                    "schedule.n_steps=100", "anneal.reads=8", "hydra.run.dir=run",
                    "output.progress=false"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    ds = results.load(tmp_path / "run" / "results.nc")
    assert ds.sizes["read"] == 8 and "schedule_temperature" in ds
    assert (tmp_path / "run" / "annealing.png").exists()


def test_annealing_experiments_end_to_end_small(tmp_path):
    runs = {
        "hajek_threshold": ["hajek.exact_steps=20000", "hajek.mc_steps=2000", "hajek.reads=500"],
        "tsp_annealing": ["tsp.instances=[eil51]", "tsp.sweeps=[30,100]", "tsp.reads=3"],
        "spin_glass_annealing": ["spin_glass.ea_size=6", "spin_glass.sk_size=20",
                                 "spin_glass.instances=2", "spin_glass.sweeps=[10,30]",
                                 "spin_glass.reads=4", "spin_glass.reference_sweeps=100",
                                 "spin_glass.reference_reads=4"],
    }
    figures = {"hajek_threshold": "hajek_threshold.png", "tsp_annealing": "tsp_tours.png",
               "spin_glass_annealing": "spin_glass_annealing.png"}
    for name, extra in runs.items():
        proc = run_cli([f"experiment={name}", f"hydra.run.dir={name}",
                        "output.progress=false"] + extra, tmp_path)
        assert proc.returncode == 0, (name, proc.stderr)
        results.load(tmp_path / name / "results.nc")
        assert (tmp_path / name / figures[name]).exists()


def test_machine_experiments_end_to_end_small(tmp_path):
    runs = {
        "bm_encoder": ["encoder.encoders=[[4,2,4,400]]"],
        "rbm_digits": ["rbm.n_hidden=16", "rbm.n_hidden_exact=6", "rbm.n_iter=2",
                       "rbm.ais_runs=10", "rbm.ais_betas=200", "rbm.t_num=4", "rbm.chains=8",
                       "rbm.sweeps=100"],
        "hopfield_capacity": ["hopfield.n_units=100", "hopfield.loads=[0.05,0.2]",
                              "hopfield.pattern_sets=1", "hopfield.tested_patterns=3",
                              "hopfield.temperatures=[0.0,0.5]", "hopfield.phase_loads=[0.05]",
                              "hopfield.phase_sweeps=3", "hopfield.theory_points=2"],
        "three_way_thermodynamics": ["llm.source=bundle", "llm.positions=16",
                                     "rbm.n_hidden_exact=6", "rbm.n_iter=1"],
    }
    for name, extra in runs.items():
        proc = run_cli([f"experiment={name}", f"hydra.run.dir={name}",
                        "output.progress=false"] + extra, tmp_path)
        assert proc.returncode == 0, (name, proc.stderr[-2000:])
        results.load(tmp_path / name / "results.nc")
        assert list((tmp_path / name).glob("*.png")), name
