"""The replica-symmetric theory of the Hopfield network (Amit, Gutfreund & Sompolinsky)."""

import pytest

from simlab.exact.hopfield_theory import critical_load, retrieval_overlap


def test_hopfield_theory_at_zero_temperature():
    assert critical_load(0.0) == pytest.approx(0.1379, abs=5e-4)
    assert retrieval_overlap(0.1, 0.0) == pytest.approx(0.998, abs=2e-3)
    assert retrieval_overlap(0.2, 0.0) == 0.0


@pytest.mark.slow
def test_critical_load_falls_with_temperature():
    # 40 s: each alpha_c(T > 0) is a bisection over slowly converging fixed points.
    assert critical_load(0.5) < critical_load(0.3) < critical_load(0.1) < 0.139
