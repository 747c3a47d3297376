"""The phases' mean energies of potts_first_order on a known two-peaked distribution."""

import numpy as np
import pytest

from simlab.tasks.potts_first_order import phase_means


@pytest.mark.parametrize("temperature", [0.701232, 0.65])
def test_phase_means_recover_the_two_gaussians(temperature):
    n_sites = 4096
    e = np.arange(-2 * n_sites, 1) / n_sites
    means, width, weights = (-1.66, -0.97), 0.02, (10.0, 1.0)
    density = sum(w * np.exp(-0.5 * ((e - m) / width) ** 2) for w, m in zip(weights, means))
    log_g = np.log(density) + n_sites * e / temperature   # so that P_T(E) is the mixture
    e_o, e_d, ratio = phase_means(e, log_g, n_sites, temperature, (-1.55, -1.05))
    assert e_o == pytest.approx(means[0], abs=1e-9)
    assert e_d == pytest.approx(means[1], abs=1e-9)
    assert ratio == pytest.approx(weights[0] / weights[1], rel=1e-9)


def test_phase_means_is_nan_without_levels_between_the_bounds():
    e = np.array([-1.8, -1.7, -0.9, -0.8])
    assert np.isnan(phase_means(e, np.zeros(4), 16, 0.7, (-1.6, -1.0))).all()
