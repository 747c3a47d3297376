"""One run per folder: runs launched together, named folders held by live runs, stale and
foreign locks, and two sweeps into one folder. Real processes, no mocks."""

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from faults.tools import (LONG, SMALL, SWEEP, leftovers, one_line, no_traceback, run, running,
                          start, status_of, wait_for)

from simlab import results


def test_eight_runs_launched_together_write_eight_folders(tmp_path):
    procs = {seed: start(SMALL + ["output.plots=false", "output.report=false", f"seed={seed}"],
                         tmp_path) for seed in range(1, 9)}
    outs = {seed: p.communicate(timeout=600) for seed, p in procs.items()}
    for seed, (out, err) in outs.items():
        assert procs[seed].returncode == 0, err
        no_traceback(out, err)
    folders = sorted(p.parent for p in tmp_path.glob("outputs/*/*/results.nc"))
    assert len(folders) == 8, folders
    written = {line.split()[-1] for out, _ in outs.values() for line in out.splitlines()
               if line.startswith("wrote") and line.endswith("results.nc")}
    assert len(written) == 8  # every run said where its results went, each somewhere else
    for folder in folders:
        over = yaml.safe_load((folder / ".hydra" / "overrides.yaml").read_text())
        seed = int(next(o for o in over if o.startswith("seed=")).split("=")[1])
        assert results.load(folder / "results.nc").attrs["seed"] == seed  # its own run's
        assert status_of(folder)["status"] == "complete"
        assert leftovers(folder) == []
    shared = [f.name for f in folders if "_" in f.name]
    print(f"{len(shared)} of 8 runs found their second taken and used the next name: {shared}")


CLAIM_AT = """
import sys, time
from simlab.runs import claims
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
claim = claims.claim_new(sys.argv[2])
print(claim.folder.name)
"""


def test_claim_new_gives_every_process_its_own_folder(tmp_path):
    """16 processes claim the same new folder at the same instant of the clock."""
    start = time.time() + 3.0
    target = tmp_path / "outputs" / "12-00-00"
    procs = [subprocess.Popen([sys.executable, "-c", CLAIM_AT, str(start), str(target)],
                              stdout=subprocess.PIPE, text=True) for _ in range(16)]
    names = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert sorted(names) == sorted(["12-00-00"] + [f"12-00-00_{k}" for k in range(2, 17)])
    assert not list(tmp_path.rglob(".simlab.lock"))  # each released at exit


def test_a_named_folder_held_by_a_live_run_is_refused_then_taken_over_when_stale(tmp_path):
    holder = start(LONG + ["hydra.run.dir=held"], tmp_path)
    wait_for(lambda: running(tmp_path / "held"))
    code, out, err = run(SMALL + ["hydra.run.dir=held"], tmp_path)
    line = one_line(err)
    assert code == 2, err
    assert line.startswith("simlab: error: held: in use by another simlab run")
    assert f"PID {holder.pid} on host {socket.gethostname()}" in line
    assert status_of(tmp_path / "held")["pid"] == holder.pid  # the holder's folder untouched
    # Killed without a chance to clean up, the holder leaves its lock; the next run on this
    # host sees that PID is gone, takes the folder over and says so.
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / "held" / ".simlab.lock").exists()
    code, out, err = run(SMALL + ["hydra.run.dir=held"], tmp_path)
    assert code == 0, err
    assert f"took over the stale lock of PID {holder.pid}" in one_line(err)
    assert status_of(tmp_path / "held")["status"] == "complete"
    assert leftovers(tmp_path / "held") == []


@pytest.mark.slow
def test_a_lock_from_another_host_is_refused_with_the_way_out(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    lock = {"pid": 4242, "host": "node-elsewhere", "started": "2026-12-01T00:00:00+00:00",
            "command": ["simlab", "seed=3"], "token": "x"}
    (folder / ".simlab.lock").write_text(json.dumps(lock))
    code, _, err = run(SMALL + [f"hydra.run.dir={folder}"], tmp_path)
    line = one_line(err)
    assert code == 2
    assert "PID 4242 on host node-elsewhere" in line and f"rm '{folder}/.simlab.lock'" in line
    assert sorted(p.name for p in folder.iterdir()) == [".simlab.lock"]


@pytest.mark.slow
def test_a_second_sweep_into_a_running_sweeps_folder_is_refused(tmp_path):
    first = start(["-m"] + SWEEP + ["sampler.sweeps=40000", "hydra.sweep.dir=sweep",
                                    "hydra/launcher=basic"], tmp_path)
    wait_for(lambda: list((tmp_path / "sweep" / "manifests").glob("*.yaml")))
    code, out, err = run(["-m"] + SWEEP + ["hydra.sweep.dir=sweep"], tmp_path)
    line = one_line(err)
    assert code == 2 and f"PID {first.pid} on host" in line, err
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert "4 jobs: 4 complete, 0 skipped, 0 failed" in out
    assert len(list((tmp_path / "sweep" / "manifests").glob("*.yaml"))) == 1
    assert leftovers(tmp_path / "sweep") == []


@pytest.mark.slow
def test_refused_configs_leave_no_folder(tmp_path):
    bad = [["model.size=1"], ["sampler.sweeps=abc"], ["temperature.points=[2.0,-0.5]"],
           ["sampler.chains=0"], ["temperature.points=[2.0,2.0]"], ["model=potts"],
           ["task=anneal", "anneal.problem=edge_list", "anneal.path=/nonexistent"],
           ["-m", "model.size=4,1"], ["-m", "seed=1,2", "threads=1,2"]]
    for args in bad:
        flags = [a for a in args if a.startswith("-")]  # -m first; later overrides win
        code, out, err = run(flags + SMALL + [a for a in args if a not in flags], tmp_path)
        assert code == 2, (args, err)
        assert one_line(err).startswith("simlab: error: "), args
        assert not (tmp_path / "outputs").exists(), (args, list(tmp_path.rglob("*")))


@pytest.mark.slow
def test_python_dash_m_claims_its_folder_too(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "simlab"] + SMALL + ["output.plots=false"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (folder,) = [p.parent for p in Path(tmp_path).glob("outputs/*/*/results.nc")]
    assert leftovers(folder) == []
