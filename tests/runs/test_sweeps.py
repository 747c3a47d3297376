"""Sweeps: launchers, resumption after SIGKILL, corrupted files, collect checks, rerun."""

import os
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest
import xarray as xr

from simlab import results
from simlab.runs import collect, folders, job, rerun, settings, status
from simlab.errors import DataError

#: 4 fast jobs: 2 sizes x 2 seeds.
SWEEP = ["model.size=4,6", "seed=1,2", "sampler.chains=2", "sampler.sweeps=400",
         "sampler.thermalization=40", "sampler.blocks=4", "temperature.num=3",
         "temperature.focus_num=2", "temperature.tail=2", "output.progress=false",
         "output.plots=false"]


def simlab(args, cwd, **kwargs):
    return subprocess.run([shutil.which("simlab")] + args, cwd=cwd, capture_output=True,
                          text=True, timeout=900, **kwargs)


def sweep(tmp_path, name, *extra):
    proc = simlab(["-m"] + SWEEP + [f"hydra.sweep.dir={name}"] + list(extra), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def merged(path):
    ds, _ = collect.collect(path)
    return ds.drop_attrs()


@pytest.fixture(scope="module")
def local_sweep(tmp_path_factory):
    """One sweep of SWEEP with the default launcher (local) and its output; tests that
    change a sweep folder work on a copy (:func:`copy_of`)."""
    folder = tmp_path_factory.mktemp("sweeps")
    proc = sweep(folder, "base")
    return folder / "base", proc


def copy_of(local_sweep, tmp_path, name):
    """A copy of the module's sweep at tmp_path / name (the same config: reruns skip it)."""
    shutil.copytree(local_sweep[0], tmp_path / name)
    return tmp_path / name


def test_launchers_and_worker_counts_give_identical_merged_results(tmp_path, local_sweep):
    runs = {"basic": ["hydra/launcher=basic"],
            "joblib_1_worker": ["hydra/launcher=local", "hydra.launcher.n_jobs=1"],
            "submitit_local": ["hydra/launcher=submitit_local"]}
    data = {"local": merged(local_sweep[0])}  # the default launcher
    for name, extra in runs.items():
        proc = sweep(tmp_path, name, *extra)
        assert "4 complete, 0 skipped, 0 failed" in proc.stdout, proc.stdout
        data[name] = merged(tmp_path / name)
    reference = data.pop("basic")
    assert dict(reference.sizes) == {"seed": 2, "size": 2, "temperature": 7, "row": 6,
                                     "col": 6}  # spin snapshots, padded to L = 6
    assert reference["seed"].dtype.kind == "i"
    for name, ds in data.items():
        xr.testing.assert_identical(ds, reference)


def test_a_sweep_compiles_its_kernels_once(local_sweep):
    statuses = [status.read_status(j) for j in folders.job_dirs(local_sweep[0])]
    # Only the first job of each worker process can compile; with a warm cache none does,
    # and a worker that finds the cache written by another loads it instead of compiling.
    compiled = [s["kernel_compilations"] for s in statuses]
    assert sum(1 for c in compiled if c > 0) <= 1 or max(compiled) == 0


def test_rerun_skips_complete_jobs_and_force_redoes_them(tmp_path, local_sweep):
    assert "4 jobs: 4 complete, 0 skipped, 0 failed" in local_sweep[1].stdout
    copy_of(local_sweep, tmp_path, "s")
    again = sweep(tmp_path, "s")
    assert "0 complete, 4 skipped" in again.stdout
    forced = sweep(tmp_path, "s", "force=true")
    assert "4 complete, 0 skipped" in forced.stdout


def test_kill_and_resume_gives_the_uninterrupted_result(tmp_path):
    # Longer jobs than the other tests, so the kill lands in the middle of the sweep.
    args = [shutil.which("simlab"), "-m"] + SWEEP + ["hydra.sweep.dir=resumed",
                                                     "hydra/launcher=basic",
                                                     "sampler.sweeps=20000"]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    done = 0
    while time.time() < deadline and proc.poll() is None:
        done = len(list((tmp_path / "resumed").rglob("status.json")))
        if done >= 2:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 2 <= done < 4, f"kill happened after {done} jobs"
    # Resume with the same command as the killed one: complete jobs are skipped.
    resumed = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr
    assert "skipped" in resumed.stdout
    first = merged(tmp_path / "resumed")
    # And an uninterrupted run of that command gives the same numbers.
    clean = subprocess.run([a.replace("resumed", "clean") for a in args], cwd=tmp_path,
                           capture_output=True, text=True, timeout=900)
    assert clean.returncode == 0, clean.stderr
    xr.testing.assert_identical(first, merged(tmp_path / "clean"))
    assert not list((tmp_path / "resumed").rglob("*.tmp"))


def test_truncated_job_file_is_detected_and_redone(tmp_path, local_sweep):
    copy_of(local_sweep, tmp_path, "t")
    reference = merged(tmp_path / "t")
    job = folders.job_dirs(tmp_path / "t")[3]
    data = (job / "results.nc").read_bytes()
    (job / "results.nc").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="unreadable"):
        collect.collect(tmp_path / "t")
    again = sweep(tmp_path, "t")
    assert "1 complete, 3 skipped" in again.stdout
    xr.testing.assert_identical(merged(tmp_path / "t"), reference)


def test_collect_refuses_mixed_configs_naming_the_keys(tmp_path, local_sweep):
    copy_of(local_sweep, tmp_path, "m")
    job = folders.job_dirs(tmp_path / "m")[0]
    ds = results.load(job / "results.nc")
    ds.attrs["config"] = ds.attrs["config"].replace("sweeps: 400", "sweeps: 500")
    results.save(ds, job / "results.nc")
    with pytest.raises(DataError, match="not swept: sampler.sweeps"):
        collect.collect(tmp_path / "m")


def test_padded_integers_get_their_padding_back_or_stay_float(tmp_path, local_sweep):
    ds = merged(local_sweep[0])
    # The snapshot names its padding: a merge over sizes pads with it and keeps int8, as one
    # run over both sizes writes it.
    assert ds["snapshot"].dtype == np.int8
    assert (ds["snapshot"].sel(size=4, row=slice(4, None)) == 0).all()
    assert set(np.unique(ds["snapshot"].sel(size=6))) == {-1, 1}
    # An integer variable without one is saved as float with NaN, never cast back.
    copy_of(local_sweep, tmp_path, "p")
    for folder in folders.job_dirs(tmp_path / "p"):
        one = results.load(folder / "results.nc")
        del one["snapshot"].attrs["pad_value"]
        results.save(one, folder / "results.nc")
    path, _ = collect.collect_to_file(tmp_path / "p")
    snapshot = results.load(path)["snapshot"]
    assert snapshot.dtype.kind == "f"
    assert snapshot.sel(size=4, row=slice(4, None)).isnull().all()
    assert snapshot.sel(size=6).notnull().all()


def test_a_sweep_with_an_invalid_value_is_refused_before_any_job(tmp_path):
    proc = simlab(["-m", "model.size=4,1,6"] + SWEEP[2:] + ["hydra.sweep.dir=f"], tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip() == ("simlab: error: sweep job 1 (model.size=1): model.size[0]=1 "
                                   "is not allowed: an integer from 2 to 4096")
    assert not (tmp_path / "f").exists()


#: A task defined by the test: its job raises when boom.fail is true, and its figure always
#: raises (a plotting error after the results are saved is a warning, not a failure).
BOOM = """
from dataclasses import dataclass
import xarray as xr
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register

@dataclass
class Boom:
    fail: bool = setting(False, doc="raise in the run")

@dataclass
class BoomConfig:
    boom: Boom = section(Boom)

def run(params, ctx):
    if params.boom.fail:
        raise RuntimeError("boom")
    return xr.Dataset({"x": ((), 1.0, {"units": "1", "long_name": "x"})})

def figure(ds, path):
    raise ValueError("cannot draw x")

register(Task(name="boom", description="a test task", config=BoomConfig, run=run,
              figures=(Figure("x.png", figure),)))
"""


def test_a_job_that_fails_does_not_stop_the_others(tmp_path):
    import sys

    program = [sys.executable, "-c", BOOM + "\nimport sys\nfrom simlab.cli import main\n"
               "sys.argv[0] = 'simlab'\nmain()"]
    proc = subprocess.run(program + ["-m", "task=boom", "boom.fail=true,false", "seed=1,2",
                                     "hydra.sweep.dir=f", "hydra/launcher=basic"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "4 jobs: 2 complete, 0 skipped, 2 failed" in proc.stdout, proc.stdout
    assert proc.stdout.count("RuntimeError: boom") == 4  # as each failed, and in the summary
    assert proc.stderr.count("simlab: warning: x.png not written: ValueError: cannot draw x") \
        == 2
    with pytest.raises(DataError, match="boom.fail=True seed=1: failed .RuntimeError: boom"):
        collect.collect(tmp_path / "f")
    ds, report = collect.collect(tmp_path / "f", allow_missing=True)
    assert list(ds["seed"].values) == [1, 2] and "left out 2" in report
    state = status.read_status(tmp_path / "f" / "boom.fail=False,seed=1,task=boom")
    assert state["status"] == "complete" and state["warnings"] == [
        "x.png not written: ValueError: cannot draw x"]
    failed = status.read_status(tmp_path / "f" / "boom.fail=True,seed=1,task=boom")
    assert failed["status"] == "failed" and "in run\nRuntimeError: boom" in failed["traceback"]


def test_a_sweep_counts_its_own_jobs_and_names_those_that_never_started(tmp_path):
    first = sweep(tmp_path, "s", "hydra/launcher=basic")
    assert "4 jobs: 4 complete, 0 skipped, 0 failed" in first.stdout
    # another sweep into the same folder: two new sizes, the old ones skipped
    other = simlab(["-m", "model.size=6,8", "seed=1"] + SWEEP[2:] + ["hydra.sweep.dir=s"],
                   tmp_path)
    assert other.returncode == 0, other.stderr
    assert "2 jobs: 1 complete, 1 skipped, 0 failed" in other.stdout, other.stdout
    manifests = sorted((tmp_path / "s" / "manifests").glob("*.yaml"))
    assert len(manifests) == 2  # one per sweep, none overwritten
    # a job that never started (killed before Hydra made its folder) is still known
    (victim,) = (tmp_path / "s").glob("model.size=8,*")
    shutil.rmtree(victim)
    with pytest.raises(DataError, match="1 of 5 jobs.*model.size=8 seed=1 .*: not started"):
        collect.collect(tmp_path / "s")
    ds, report = collect.collect(tmp_path / "s", allow_missing=True)
    assert "merged 4 of 5 jobs" in report and "not started" in report.split("left out 1")[1]
    again = sweep(tmp_path, "s", "hydra/launcher=basic")
    assert "4 jobs: 0 complete, 4 skipped, 0 failed" in again.stdout, again.stdout


def test_rerun_reproduces_a_dataset_bit_for_bit(tmp_path, local_sweep):
    target = folders.job_dirs(local_sweep[0])[3] / "results.nc"
    proc = simlab(["rerun", str(target), "-o", str(tmp_path / "again")], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "identical" in proc.stdout
    path, diffs = rerun.rerun(target, tmp_path / "again2")
    assert diffs == [] and path.exists()


def test_open_sweep_is_lazy_with_dask(tmp_path, local_sweep):
    pytest.importorskip("dask")
    copy_of(local_sweep, tmp_path, "d")
    lazy = collect.open_sweep(tmp_path / "d")
    assert type(lazy["energy"].data).__module__.startswith("dask")
    np.testing.assert_array_equal(lazy["energy"].transpose(*merged(tmp_path / "d")["energy"].dims)
                                  .values, merged(tmp_path / "d")["energy"].values)


def test_thread_budget_splits_cores_between_joblib_workers():
    from omegaconf import OmegaConf

    cores = len(os.sched_getaffinity(0))
    joblib = OmegaConf.create({"launcher": {"_target_": "x.JoblibLauncher", "n_jobs": -1}})
    assert job.thread_budget(joblib) == max(1, cores // cores)
    basic = OmegaConf.create({"launcher": {"_target_": "x.BasicLauncher"}})
    assert job.thread_budget(basic) == cores
    assert job.thread_budget(None) == cores  # single runs: no launcher shares the cores


def test_single_run_uses_every_core(tmp_path):
    proc = simlab(["model.size=4", "sampler.sweeps=100", "sampler.thermalization=10",
                   "sampler.chains=2", "sampler.blocks=2", "temperature.num=2",
                   "temperature.focus_num=0", "temperature.tail=1", "output.progress=false",
                   "output.plots=false", "hydra.run.dir=single"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    state = status.read_status(tmp_path / "single")
    assert state["numba_threads"] == min(len(os.sched_getaffinity(0)),
                                          __import__("numba").config.NUMBA_NUM_THREADS)


def test_config_differences_ignore_presentation_keys():
    a = "seed: 1\nthreads: 2\nsampler:\n  sweeps: 10\noutput:\n  progress: true\n"
    b = "seed: 1\nthreads: null\nsampler:\n  sweeps: 12\noutput:\n  progress: false\n"
    assert settings.config_differences(a, b) == ["sampler.sweeps"]


def test_report_of_a_collected_sweep_overlays_every_swept_key(tmp_path, local_sweep):
    from simlab import results
    from simlab.render.views import views

    copy_of(local_sweep, tmp_path, "s")
    proc = simlab(["collect", "s"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = simlab(["report", "s/merged.nc"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (tmp_path / "s" / "merged.html").read_text()
    ds = results.load(tmp_path / "s" / "merged.nc")
    energy = {v.name: v for v in views(ds)[0]}["energy"]
    labels = [s.label for s in energy.series]
    assert labels == ["seed = 1, L = 4", "seed = 1, L = 6", "seed = 2, L = 4",
                      "seed = 2, L = 6"]
    assert all(label in html for label in labels)  # the legend entries on the page
    assert "the merged sweep, the first value of seed (1)" in html  # the dial says so
    proc = simlab(["report", "s/nothing.nc"], tmp_path)
    assert proc.returncode == 2 and "simlab report: error:" in proc.stderr
