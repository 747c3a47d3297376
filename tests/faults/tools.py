"""Helpers of the fault-injection suite: real processes, real signals, real full disks.

Imported as ``faults.tools`` (``tests/`` is on pytest's path).
"""

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: A main job of a few seconds.
SMALL = ["model.size=4", "sampler.chains=2", "sampler.sweeps=400", "sampler.thermalization=40",
         "sampler.blocks=4", "temperature.num=3", "temperature.focus_num=2",
         "temperature.tail=2", "output.progress=false"]
#: A main job of tens of seconds, in kernels most of the time (for signals and locks).
LONG = ["model.size=32", "sampler.chains=64", "sampler.sweeps=40000",
        "sampler.thermalization=100", "temperature.num=8", "temperature.focus_num=0",
        "temperature.tail=2", "output.progress=false", "output.plots=false"]
#: 4 jobs of about a second each.
SWEEP = ["model.size=4,6", "seed=1,2", "sampler.chains=2", "sampler.sweeps=2000",
         "sampler.thermalization=40", "sampler.blocks=4", "temperature.num=3",
         "temperature.focus_num=2", "temperature.tail=2", "output.progress=false",
         "output.plots=false", "output.report=false"]


def simlab_program():
    return [shutil.which("simlab")]


def start(args, cwd, preexec_fn=None, program=None):
    """Start ``simlab ARGS`` in its own process group (as a shell starts a job), with
    SIGINT not ignored (even when the tests run as a background job, which ignores it)."""
    def prepare():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if preexec_fn is not None:
            preexec_fn()
    return subprocess.Popen((program or simlab_program()) + list(args), cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=prepare)


def run(args, cwd, timeout=600, preexec_fn=None, program=None):
    """Run ``simlab ARGS`` to the end: (return code, stdout, stderr)."""
    proc = start(args, cwd, preexec_fn, program)
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def one_line(stderr):
    """The single non-empty line of ``stderr`` (asserting there is one and no traceback)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


def no_traceback(*texts):
    for text in texts:
        assert "Traceback" not in text, text
        assert "leaked semaphore" not in text, text


def wait_for(predicate, timeout=120, interval=0.05):
    """Poll until ``predicate()`` is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {predicate}")


def status_of(folder):
    try:
        return json.loads((Path(folder) / "status.json").read_text())
    except (OSError, ValueError):
        return None


def running(folder):
    """True once the job in ``folder`` has started its computation."""
    return (status_of(folder) or {}).get("status") == "running"


def leftovers(folder):
    """Temporary and lock files under ``folder`` (none may stay after a run ends)."""
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*")
                  if p.name.endswith(".tmp") or ".tmp." in p.name or p.name == ".simlab.lock")


def signal_group(proc, signum):
    """Send ``signum`` to the process group of ``proc``, as a terminal's Ctrl-C does."""
    os.killpg(proc.pid, signum)


def file_size_limit(n_bytes):
    """A ``preexec_fn`` that limits every file the process writes to ``n_bytes`` (writes
    beyond it fail with EFBIG; Python ignores SIGXFSZ)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, n_bytes))
    return limit


def require(message):
    """Skip with ``message``, or fail under CI=true (where .ci/run provides everything)."""
    if os.environ.get("CI") == "true":
        pytest.fail(message + ": required under CI=true")
    pytest.skip(message)


def can_mount():
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(f"/tmp/simlab-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", str(probe)], capture_output=True)
        return ok
    finally:
        probe.rmdir()


@contextlib.contextmanager
def tmpfs(path, size, read_only=False):
    """A tmpfs of ``size`` bytes mounted at ``path`` (root only; skips otherwise)."""
    if not can_mount():
        require("mounting a tmpfs needs root (run the fault tests as root, as .ci/run does)")
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={int(size)}" + (",ro" if read_only else "")
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def python_program(*lines):
    """``python -c`` running ``lines`` then simlab's command line (for tasks defined in a
    test)."""
    code = "\n".join(lines + ("import sys", "from simlab.cli import main",
                              "sys.argv[0] = 'simlab'", "main()"))
    return [sys.executable, "-c", code]
