"""The replica-symmetric theory of the Hopfield network (Amit, Gutfreund & Sompolinsky)."""

import pytest

from simlab.exact.hopfield_theory import critical_load, retrieval_overlap


def test_hopfield_theory_critical_load():
    assert critical_load(0.0) == pytest.approx(0.1379, abs=5e-4)
    assert retrieval_overlap(0.1, 0.0) == pytest.approx(0.998, abs=2e-3)
    assert retrieval_overlap(0.2, 0.0) == 0.0
    assert critical_load(0.5) < critical_load(0.3) < critical_load(0.1) < 0.139
