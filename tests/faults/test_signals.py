"""SIGINT (Ctrl-C) and SIGTERM (a scheduler's cancel or preemption) stop runs and sweeps
politely: one line, no traceback, status recorded, finished pieces kept, nothing leaked; an
interrupted sweep resumed gives the uninterrupted result bit for bit. One case of each kind
runs by default; the others are marked slow (``pytest -m slow``, as .ci/run runs them)."""

import random
import signal
import time

import pytest
import xarray as xr
import yaml
from faults.tools import (LONG, SWEEP, leftovers, no_traceback, one_line, run, running,
                          signal_group, start, status_of, wait_for)

from simlab.runs import collect


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_single_run_stopped_by_a_signal_records_it_in_one_line(tmp_path, signum):
    proc = start(LONG + ["hydra.run.dir=run"], tmp_path)
    wait_for(lambda: running(tmp_path / "run"))
    time.sleep(1.0)  # inside the kernels
    sent = time.monotonic()
    signal_group(proc, signum)
    out, err = proc.communicate(timeout=120)
    elapsed = time.monotonic() - sent
    name = signal.Signals(signum).name
    assert proc.returncode == 128 + signum, err
    assert one_line(err).startswith(f"simlab: interrupted by {name}; nothing saved")
    assert elapsed < 10, f"took {elapsed:.1f} s to stop"
    status = status_of(tmp_path / "run")
    assert status["status"] == "interrupted" and status["signal"] == name
    assert leftovers(tmp_path / "run") == [] and not (tmp_path / "run" / "results.nc").exists()
    print(f"{name}: stopped {elapsed:.2f} s after the signal")


@pytest.mark.parametrize("delay", [pytest.param(0.05, marks=pytest.mark.slow), 0.4,
                                   pytest.param(1.0, marks=pytest.mark.slow), 2.0])
def test_ctrl_c_during_start_up_leaves_no_half_made_folder(tmp_path, delay):
    proc = start(LONG, tmp_path)
    time.sleep(delay)
    signal_group(proc, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    if delay >= 0.4:
        assert proc.returncode == 130, err
    if proc.returncode == 130:
        assert one_line(err).startswith("simlab: interrupted by SIGINT")
    else:  # so early that Python had not started running simlab: killed by the signal
        assert proc.returncode == -signal.SIGINT, err
    for folder in tmp_path.glob("outputs/*/*"):
        # a folder is only left once the job has started, and then it says how it ended
        assert status_of(folder)["status"] == "interrupted", list(folder.iterdir())
        assert leftovers(folder) == []


def _merged(path):
    ds, _ = collect.collect(path)
    return ds.drop_attrs()


#: 4 jobs of a few seconds each, so that a signal within the first 2 s finds work to stop.
SLOWER = SWEEP + ["sampler.sweeps=20000"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted sweep."""
    folder = tmp_path_factory.mktemp("reference")
    code, out, err = run(["-m"] + SLOWER + ["hydra.sweep.dir=ref", "hydra/launcher=basic"],
                         folder)
    assert code == 0, err
    return _merged(folder / "ref")


@pytest.mark.parametrize("launcher,signum,seed", [
    pytest.param("basic", signal.SIGINT, 1, marks=pytest.mark.slow),
    pytest.param("basic", signal.SIGTERM, 2, marks=pytest.mark.slow),
    ("local", signal.SIGINT, 3),
    pytest.param("local", signal.SIGTERM, 4, marks=pytest.mark.slow)])
def test_a_sweep_stopped_at_a_random_point_resumes_to_the_same_result(tmp_path, reference,
                                                                      launcher, signum, seed):
    args = ["-m"] + SLOWER + ["hydra.sweep.dir=s", f"hydra/launcher={launcher}"]
    name = signal.Signals(signum).name
    proc = start(args, tmp_path)
    wait_for(lambda: list((tmp_path / "s").glob("*/status.json")))  # a job has started
    time.sleep(random.Random(seed).uniform(0.0, 2.0))
    if signum == signal.SIGINT:
        signal_group(proc, signum)  # Ctrl-C reaches every process of the terminal's job
    else:
        proc.send_signal(signum)  # kill PID / a scheduler: the command's process
    out, err = proc.communicate(timeout=120)
    no_traceback(out, err)
    assert proc.returncode == 128 + signum, err
    assert one_line(err).startswith(f"simlab: interrupted by {name}; sweep s: 4 jobs:")
    (manifest,) = (tmp_path / "s" / "manifests").glob("*.yaml")
    assert yaml.safe_load(manifest.read_text())["outcome"] == "interrupted"
    states = [(status_of(job) or {}).get("status") for job in (tmp_path / "s").glob("*=*")]
    assert set(states) <= {"complete", "interrupted", None}, states
    assert leftovers(tmp_path / "s") == []
    # the same command finishes the sweep: what was complete is skipped
    code, out, err = run(args, tmp_path)
    assert code == 0, err
    complete = states.count("complete")
    assert f"4 jobs: {4 - complete} complete, {complete} skipped, 0 failed" in out, out
    xr.testing.assert_identical(_merged(tmp_path / "s"), reference)


def test_a_signal_landing_in_a_garbage_collector_callback_reaches_the_run(capfd):
    # Python cannot raise out of a __del__ or a weakref callback: the interruption is not
    # printed as "Exception ignored" but delivered again, in the run's own flow
    import time

    from simlab.errors import Interrupted
    from simlab.runs import signals

    class Dropped:
        def __del__(self):
            signals._received.append(signal.SIGINT)  # as the handler does
            raise Interrupted(signal.SIGINT)

    try:
        with signals.job(), pytest.raises(Interrupted) as stopped:
            Dropped()  # collected at once: its __del__ raises where nothing can catch it
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                time.sleep(0.001)
    finally:
        signals._received.clear()
    assert stopped.value.signum == signal.SIGINT
    assert "Exception ignored" not in capfd.readouterr().err
