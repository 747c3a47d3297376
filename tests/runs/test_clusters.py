"""Sweeps on real clusters: a private single-node SLURM cluster (ci/slurm/start.sh) through
Hydra's submitit launcher, and a local Ray head (ci/ray/start.sh) through the Ray launcher.
Skipped with a message when no cluster answers; under CI=true they must run (.ci/run starts
both clusters). Marked slow (about 4 minutes): `pytest -m slow` runs them, as .ci/run does."""

import os
import shutil
import subprocess
import time

import pytest
import xarray as xr

from simlab.runs import collect, folders, status

pytestmark = pytest.mark.slow

#: 4 fast jobs: 2 sizes x 2 seeds (the sweep of tests/runs/test_sweeps.py).
SWEEP = ["model.size=4,6", "seed=1,2", "sampler.chains=2", "sampler.sweeps=400",
         "sampler.thermalization=40", "sampler.blocks=4", "temperature.num=3",
         "temperature.focus_num=2", "temperature.tail=2", "output.progress=false",
         "output.plots=false", "output.report=false"]


def _require(message):
    if os.environ.get("CI") == "true":
        pytest.fail(message + ": required under CI=true")
    pytest.skip(message)


@pytest.fixture(scope="module")
def partition():
    """The partition of a running SLURM cluster (SLURM_CONF and SIMLAB_SLURM_PARTITION as
    `eval "$(ci/slurm/start.sh)"` exports them)."""
    if not shutil.which("sinfo") or "SLURM_CONF" not in os.environ:
        _require("no SLURM cluster (run: eval \"$(sudo ci/slurm/start.sh)\"; see README)")
    name = os.environ.get("SIMLAB_SLURM_PARTITION", "simlab")
    probe = subprocess.run(["sinfo", "-h", "-p", name, "-o", "%t"], capture_output=True,
                           text=True, timeout=30)
    if probe.returncode != 0 or not probe.stdout.strip():
        _require(f"SLURM partition {name} does not answer: {probe.stderr.strip()}")
    return name


def simlab(args, cwd, background=False):
    command = [shutil.which("simlab")] + args
    if background:
        return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


def slurm_sweep(tmp_path, name, partition, *extra):
    return ["-m"] + SWEEP + [f"hydra.sweep.dir={tmp_path / name}", "hydra/launcher=submitit_slurm",
                             f"hydra.launcher.partition={partition}",
                             "hydra.launcher.cpus_per_task=1"] + list(extra)


def merged(path):
    ds, _ = collect.collect(path)
    return ds.drop_attrs()


def test_slurm_array_sweep_equals_the_basic_launcher_bit_for_bit(tmp_path, partition):
    local = simlab(["-m"] + SWEEP + [f"hydra.sweep.dir={tmp_path / 'basic'}",
                                     "hydra/launcher=basic"], tmp_path)
    assert local.returncode == 0, local.stdout + local.stderr
    # array submission, at most one task at a time
    proc = simlab(slurm_sweep(tmp_path, "slurm", partition,
                              "hydra.launcher.array_parallelism=1"), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 jobs: 4 complete, 0 skipped, 0 failed" in proc.stdout, proc.stdout
    xr.testing.assert_identical(merged(tmp_path / "slurm"), merged(tmp_path / "basic"))
    statuses = [status.read_status(j) for j in folders.job_dirs(tmp_path / "slurm")]
    arrays = {s["slurm_job_id"].split("_")[0] for s in statuses}
    tasks = sorted(int(s["slurm_job_id"].split("_")[1]) for s in statuses)
    assert len(arrays) == 1 and tasks == [0, 1, 2, 3]  # one array job, four tasks
    # Numba's threads follow the allocation (one CPU per task)
    assert all(s["slurm_cpus_per_task"] == "1" and s["numba_threads"] == 1 for s in statuses)
    accounting = subprocess.run(["sacct", "-n", "-X", "-P", "-j", arrays.pop(), "-o",
                                 "JobID,State"], capture_output=True, text=True, timeout=30)
    assert accounting.stdout.count("COMPLETED") == 4, accounting.stdout


def test_a_cancelled_job_is_interrupted_politely_and_the_rerun_completes_only_it(tmp_path,
                                                                                 partition):
    args = slurm_sweep(tmp_path, "cancel", partition, "model.size=4,24",
                       "sampler.sweeps=60000")
    args = [a for a in args if a not in ("model.size=4,6", "sampler.sweeps=400", "seed=1,2")]
    run = simlab(args, tmp_path, background=True)
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline:  # the L = 24 job (task 1)
        queue = subprocess.run(["squeue", "-h", "-o", "%i"], capture_output=True, text=True)
        victim = next((j for j in queue.stdout.split() if j.endswith("_1")), None)
        time.sleep(0.5)
    assert victim is not None, "the sweep's jobs never reached the queue"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # cancel it while it computes
        jobs = [j for j in (tmp_path / "cancel").glob("model.size=24,*")]
        if jobs and (status.read_status(jobs[0]) or {}).get("status") == "running":
            break
        time.sleep(0.2)
    subprocess.run(["scancel", victim], check=True)  # SLURM sends SIGTERM, later SIGKILL
    out, _ = run.communicate(timeout=300)
    assert run.returncode == 0, out
    assert "2 jobs: 1 complete, 0 skipped, 0 failed, 1 interrupted" in out, out
    assert f"scheduler job {victim} ended CANCELLED" in out
    assert "model.size=24" in out.split("jobs without a result")[1]
    states = {j.name.split(",")[0]: status.read_status(j)
              for j in (tmp_path / "cancel").glob("model.size=*")}
    assert states["model.size=4"]["status"] == "complete"
    assert states["model.size=24"]["status"] == "interrupted"
    assert states["model.size=24"]["signal"] == "SIGTERM"
    # the same command again: the complete job is skipped, the cancelled one runs
    again = simlab(args, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "2 jobs: 1 complete, 1 skipped, 0 failed" in again.stdout, again.stdout
    ds, report = collect.collect(tmp_path / "cancel")
    assert list(ds["size"].values) == [4, 24]


def test_a_job_that_raises_is_reported_with_its_error(tmp_path, partition):
    # A file that is valid when the sweep is planned and damaged before its job reads it.
    good = tmp_path / "model.txt"
    good.write_text("0 1 1\n1 2 -1\n2 0 1\n")
    args = ["-m", "task=anneal", "anneal.problem=edge_list", f"anneal.path={good}",
            "anneal.reads=4", "schedule.n_steps=10", "seed=1,2", "output.progress=false",
            "output.plots=false", "output.report=false", f"hydra.sweep.dir={tmp_path / 'raises'}",
            "hydra/launcher=submitit_slurm", f"hydra.launcher.partition={partition}",
            "hydra.launcher.cpus_per_task=1",
            "hydra.launcher.setup=[\"echo '0 0 1' >> " + str(good) + "\"]"]
    proc = simlab(args, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 jobs: 0 complete, 0 skipped, 2 failed" in proc.stdout, proc.stdout
    failures = proc.stdout.split("jobs without a result")[1]
    lines = [line for line in failures.splitlines() if "anneal.path" in line]
    assert len(lines) == 2 and all("self-loop 0-0" in line for line in lines), lines


# --- Ray -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ray_cluster():
    """(simlab of the ray environment, head address) of a running local Ray cluster, as
    `eval "$(ci/ray/start.sh)"` exports them."""
    venv, address = os.environ.get("SIMLAB_RAY_VENV"), os.environ.get("SIMLAB_RAY_ADDRESS")
    if not venv or not address or not os.path.exists(os.path.join(venv, "bin", "simlab")):
        _require("no Ray cluster (run: eval \"$(ci/ray/start.sh)\"; see README)")
    probe = subprocess.run([os.path.join(venv, "bin", "ray"), "status", f"--address={address}"],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        _require(f"the Ray head at {address} does not answer: {probe.stderr.strip()[-300:]}")
    return os.path.join(venv, "bin", "simlab"), address


def ray_run(cluster, args, cwd, background=False):
    program, _ = cluster
    command = [program] + args
    if background:
        return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


def ray_sweep(tmp_path, name, cluster, *extra):
    return ["-m"] + SWEEP + list(extra) + [
        f"hydra.sweep.dir={tmp_path / name}", "hydra/launcher=ray",
        f"hydra.launcher.ray.init.address={cluster[1]}",
        "+hydra.launcher.ray.init.object_store_memory=null"]


def test_ray_sweep_equals_the_basic_launcher_bit_for_bit(tmp_path, ray_cluster):
    # the basic launcher from the same environment: the same library versions
    local = ray_run(ray_cluster, ["-m"] + SWEEP + [f"hydra.sweep.dir={tmp_path / 'basic'}",
                                                   "hydra/launcher=basic"], tmp_path)
    assert local.returncode == 0, local.stdout + local.stderr
    proc = ray_run(ray_cluster, ray_sweep(tmp_path, "ray", ray_cluster), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 jobs: 4 complete, 0 skipped, 0 failed" in proc.stdout, proc.stdout + proc.stderr
    xr.testing.assert_identical(merged(tmp_path / "ray"), merged(tmp_path / "basic"))
    statuses = [status.read_status(j) for j in folders.job_dirs(tmp_path / "ray")]
    assert all(s["numba_threads"] == s["cores"] == 1 for s in statuses)  # Ray's CPU per task


def test_a_killed_ray_worker_and_the_rerun_complete_the_sweep(tmp_path, ray_cluster):
    args = [a for a in ray_sweep(tmp_path, "killed", ray_cluster, "model.size=4,24",
                                 "sampler.sweeps=60000")
            if a not in ("model.size=4,6", "sampler.sweeps=400")]
    run = ray_run(ray_cluster, args, tmp_path, background=True)
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline:  # a worker running a job
        found = subprocess.run(["pgrep", "-f", "ray::_run_job"], capture_output=True,
                               text=True)
        pids = found.stdout.split()
        victim = int(pids[0]) if pids else None
        time.sleep(0.3)
    assert victim is not None, "no Ray worker ever ran a job"
    os.kill(victim, 9)
    out, _ = run.communicate(timeout=600)
    # Ray retries a task whose worker died, or the launcher reports it; either way the same
    # command completes whatever is missing
    again = ray_run(ray_cluster, args, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 failed" in again.stdout, out + again.stdout
    ds, _ = collect.collect(tmp_path / "killed")
    assert sorted(ds["size"].values.tolist()) == [4, 24] and ds.sizes["seed"] == 2
