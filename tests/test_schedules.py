import numpy as np
import pytest

from simlab import schedules as sch
from simlab.errors import ConfigError


def test_values_against_formulas():
    k = np.arange(5)
    np.testing.assert_allclose(sch.constant(1.5, 5).temperatures, 1.5)
    np.testing.assert_allclose(sch.linear(3.0, 1.0, 5).temperatures, 3.0 - 0.5 * k)
    np.testing.assert_allclose(sch.linear(0.1, 0.5, 5, in_beta=True).temperatures,
                               1 / (0.1 + 0.1 * k))
    np.testing.assert_allclose(sch.geometric(10.0, 0.9, 5).temperatures, 10 * 0.9**k)
    g = sch.geometric_range(10.0, 0.1, 5)
    np.testing.assert_allclose(g.temperatures[[0, -1]], [10.0, 0.1])
    np.testing.assert_allclose(sch.exponential(4.0, 0.3, 5).temperatures, 4 * np.exp(-0.3 * k))
    np.testing.assert_allclose(sch.logarithmic(2.0, 5, k0=3.0).temperatures, 2 / np.log(k + 3))
    np.testing.assert_allclose(sch.custom([0.5, 1.0], in_beta=True).temperatures, [2.0, 1.0])


def test_sweeps_and_betas():
    s = sch.geometric(2.0, 0.5, 3, sweeps_per_step=4)
    assert s.n_sweeps == 12
    np.testing.assert_allclose(s.per_sweep(), np.repeat([2.0, 1.0, 0.5], 4))
    np.testing.assert_allclose(s.betas, [0.5, 1.0, 2.0])
    assert "geometric" in s.describe() and s.to_dataset().sizes["step"] == 3


@pytest.mark.parametrize("make,key", [
    (lambda: sch.logarithmic(0.0, 10), "schedule.c"),
    (lambda: sch.logarithmic(-1.0, 10), "schedule.c"),
    (lambda: sch.logarithmic(1.0, 10, k0=1.0), "schedule.k0"),
    (lambda: sch.geometric(1.0, 1.0, 10), "schedule.alpha"),
    (lambda: sch.geometric(1.0, 0.0, 10), "schedule.alpha"),
    (lambda: sch.geometric(1.0, 1.2, 10), "schedule.alpha"),
    (lambda: sch.custom([]), "schedule.points"),
    (lambda: sch.custom([1.0, 2.0]), "schedule.points"),
    (lambda: sch.custom([1.0, -2.0]), "schedule.points"),
    (lambda: sch.linear(1.0, 2.0, 10), "schedule.stop"),
    (lambda: sch.linear(0.5, 0.1, 10, in_beta=True), "schedule.stop"),
    (lambda: sch.exponential(1.0, 0.0, 10), "schedule.rate"),
    (lambda: sch.constant(1.0, 0), "schedule.n_steps"),
    (lambda: sch.constant(0.0, 3), "schedule.temperature"),
])
def test_invalid_parameters_rejected(make, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        make()


def test_non_cooling_custom_allowed_when_asked():
    assert sch.custom([1.0, 2.0], cooling=False).n_steps == 2
