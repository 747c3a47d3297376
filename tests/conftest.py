"""Shared fixtures and helpers for the simlab test suite."""

import os

import numpy as np
import pytest

# Tests must not depend on the number of cores; two threads exercise the parallel paths.
os.environ.setdefault("NUMBA_NUM_THREADS", "2")


def torus_energy(rows, cols, coupling=1.0, field=0.0):
    """Energy function of the Ising torus written independently of simlab (np.roll)."""

    def energy(states):
        s = np.asarray(states, dtype=np.int64).reshape(-1, rows, cols)
        bonds = (s * np.roll(s, 1, axis=1)).sum((1, 2)) + (s * np.roll(s, 1, axis=2)).sum((1, 2))
        return -coupling * bonds - field * s.sum((1, 2))

    return energy


@pytest.fixture
def tmp_cwd(tmp_path, monkeypatch):
    """Run in a fresh temporary working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
