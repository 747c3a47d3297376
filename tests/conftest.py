"""Shared fixtures of the simlab test suite (helpers live in tests/helpers.py)."""

import os

import pytest

# Tests must not depend on the number of cores; two threads exercise the parallel paths.
os.environ.setdefault("NUMBA_NUM_THREADS", "2")
# pytest-xdist runs two test files at once on two cores: a torch that also takes two threads
# per process spins on oversubscribed cores (a generation test took 89 s instead of 9 s).
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture
def tmp_cwd(tmp_path, monkeypatch):
    """Run in a fresh temporary working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
