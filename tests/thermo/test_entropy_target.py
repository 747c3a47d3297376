"""The temperature at which a next-token distribution has a given entropy."""

import numpy as np
import pytest

from simlab.errors import ConfigError
from simlab.thermo import logit_thermodynamics
from simlab.thermo.logits import temperature_for_entropy


def test_solver_hits_the_target_entropy_on_random_logits():
    rng = np.random.default_rng(7)
    z = rng.normal(0.0, 3.0, (40, 5000))
    z[:5, :10] = -np.inf  # masked logits are not part of the distribution
    s_max = np.log(np.isfinite(z).sum(axis=1))
    target = rng.uniform(0.05, 0.95, 40) * s_max
    t = temperature_for_entropy(z, target)
    reached = np.array([logit_thermodynamics(z[i], [t[i]])["entropy"][0] for i in range(40)])
    assert np.max(np.abs(reached - target)) < 1e-6
    # S(T) is increasing: a larger target needs a larger temperature.
    assert np.all(temperature_for_entropy(z[:1], target[0] + 0.1) > t[0])


def test_the_ends_of_the_range_are_zero_and_infinite_temperature():
    z = np.array([[2.0, 2.0, 0.0, -1.0]])
    assert temperature_for_entropy(z, np.log(2.0))[0] == 0.0
    assert temperature_for_entropy(z, np.log(4.0))[0] == np.inf


@pytest.mark.parametrize("target", [0.5, 1.5])
def test_a_target_outside_ln_g_ln_v_is_refused_with_the_range(target):
    z = np.array([[3.0, 3.0, 0.0, -np.inf], [1.0, 0.0, 0.0, 0.0]])  # [ln 2, ln 3], [0, ln 4]
    with pytest.raises(ConfigError, match=r"entropy=.*\[ln g, ln V'\] = \[0.693147, 1.09861\]"
                       r".*position \(0,\)"):
        temperature_for_entropy(z, target if target < np.log(2) else 1.2)
    with pytest.raises(ConfigError, match="finite targets"):
        temperature_for_entropy(z, np.nan)
