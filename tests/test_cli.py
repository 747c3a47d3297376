"""The real command line: one-line errors before any work, the main job, python -m, seeds."""

import shutil
import subprocess

import numpy as np
import pytest
import xarray as xr
from helpers import run_cli

from simlab import results

SMALL = ["sampler.chains=2", "sampler.sweeps=400", "sampler.thermalization=50",
         "sampler.blocks=4", "temperature.num=4", "temperature.focus_num=3", "temperature.tail=2",
         "output.progress=false"]


# One case per kind of problem; tests/runs/test_settings.py covers every key in-process.
@pytest.mark.parametrize("override,key,value,allowed", [
    ("temperature.points=[2.0,-0.5]", "temperature.points[1]", "-0.5", ">= 0"),
    ("model.size=1", "model.size[0]", "1", "from 2"),
    ("model=potts", "model", "potts", "one of ising"),
    ("sampler.sweeps=abc", "sampler.sweeps", "abc", "an integer"),
    ("task=anneal sampler.chains=3", "sampler.chains", "3", "not a key of task anneal"),
    ("task=anneal anneal.problem=edge_list anneal.path=/none.txt", "anneal.path", "/none.txt",
     "an existing file"),
])
def test_command_line_rejects_bad_values_in_one_line(tmp_path, override, key, value, allowed):
    proc = run_cli(override.split(), tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("simlab: error: ")
    assert f"{key}=" in lines[0] and value in lines[0] and allowed in lines[0], lines[0]
    assert not list(tmp_path.rglob("*.nc"))  # rejected before any work


def test_paths_are_checked_before_the_model_loads(tmp_path):
    # The language model takes ~25 s to load; a bad corpus must be refused at once.
    proc = run_cli(["experiment=llm_vs_ising", "llm.source=live", "llm.corpus=/nonexistent"],
                   tmp_path, timeout=60)
    assert proc.returncode == 2 and "llm.corpus" in proc.stderr
    assert "Loading" not in proc.stderr and "GGUF" not in proc.stderr


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
    assert ds.attrs["task"] == "ising_sweep"
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


def test_same_seed_same_dataset(tmp_path):
    a = run_cli(SMALL + ["model.size=4", "hydra.run.dir=a"], tmp_path)
    b = run_cli(SMALL + ["model.size=4", "hydra.run.dir=b"], tmp_path)
    c = run_cli(SMALL + ["model.size=4", "hydra.run.dir=c", "seed=1"], tmp_path)
    assert a.returncode == b.returncode == c.returncode == 0
    da, db, dc = (results.load(tmp_path / d / "results.nc") for d in "abc")
    xr.testing.assert_identical(da.drop_attrs(), db.drop_attrs())
    assert not np.array_equal(da["energy"].values, dc["energy"].values)


def test_tasks_command_lists_every_task_and_its_keys(tmp_path):
    proc = run_cli(["tasks"], tmp_path)
    assert proc.returncode == 0 and "spin_glass_annealing" in proc.stdout
    proc = run_cli(["tasks", "anneal"], tmp_path)
    assert proc.returncode == 0
    assert "anneal.reads" in proc.stdout and "schedule.kind" in proc.stdout
    assert "sampler.chains" not in proc.stdout  # another task's key
    proc = run_cli(["tasks", "nothing"], tmp_path)
    assert proc.returncode == 2 and "one of anneal" in proc.stderr


def test_help_is_simlabs_own_and_hydras_stays_reachable(tmp_path):
    from simlab import __version__

    for flag in (["--help"], ["-h"], ["help"]):
        proc = run_cli(flag, tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"simlab {__version__}:")
        for text in ("simlab tasks [NAME]", "simlab report", "simlab collect", "simlab rerun",
                     "simlab -m", "simlab.run(", "experiment=ising_exact", "--hydra-help"):
            assert text in proc.stdout, (flag, text)
        assert "powered by Hydra" not in proc.stdout
    proc = run_cli(["--hydra-help"], tmp_path)
    assert proc.returncode == 0 and "Hydra (" in proc.stdout
    assert not list(tmp_path.rglob("status.json"))  # help runs nothing


@pytest.mark.slow  # compiles the sweep's kernels into an empty cache
def test_the_first_run_says_it_is_compiling_kernels(tmp_path):
    proc = run_cli(SMALL[:-1] + ["model.size=[4]", "hydra.run.dir=run"], tmp_path,
                   env={"NUMBA_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr
    assert "[simlab] preparing the task's kernels (Numba compiles them on first use)" \
        in proc.stderr
    assert "compiled" in proc.stderr and "first run only" in proc.stderr
    again = run_cli(SMALL[:-1] + ["model.size=[4]", "hydra.run.dir=again"], tmp_path,
                    env={"NUMBA_CACHE_DIR": str(tmp_path / "cache")})
    assert "(loaded from cache)" in again.stderr
    quiet = run_cli(SMALL + ["model.size=[4]", "hydra.run.dir=quiet"], tmp_path)
    assert "kernels" not in quiet.stderr  # output.progress=false


def test_simlab_run_from_python_equals_the_command_line(tmp_path, monkeypatch):
    import simlab
    from simlab.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    overrides = SMALL + ["model.size=[4]"]
    first = simlab.run(*overrides, output=tmp_path / "api")
    second = simlab.run(*overrides)  # a default folder under outputs/, as the command's
    assert first.attrs["run_folder"] == str(tmp_path / "api")
    assert second.attrs["run_folder"].startswith(str(tmp_path / "outputs"))
    proc = run_cli(overrides + ["hydra.run.dir=cli"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    command = results.load(tmp_path / "cli" / "results.nc")
    for ds in (first, second):
        for name in command.data_vars:
            np.testing.assert_array_equal(ds[name].values, command[name].values, name)
        assert ds.attrs["config"] == command.attrs["config"]
    for name in ("results.nc", "report.html", "status.json", ".hydra/config.yaml"):
        assert (tmp_path / "api" / name).is_file(), name
    # the command line's one-line errors, raised, and no folder left behind
    with pytest.raises(ConfigError, match=r"^model.size\[0\]=1 is not allowed"):
        simlab.run("model.size=1", output=tmp_path / "refused")
    with pytest.raises(ConfigError, match="not a key of task anneal"):
        simlab.run("task=anneal", "sampler.chains=3", output=tmp_path / "refused")
    with pytest.raises(ConfigError, match="output=FOLDER"):
        simlab.run("hydra.run.dir=x")
    assert not (tmp_path / "refused").exists()
