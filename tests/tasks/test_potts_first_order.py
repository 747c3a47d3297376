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


def test_the_report_draws_p_of_e_per_size_on_its_own_levels_beside_baxter():
    import xarray as xr

    from simlab.render import plots
    from simlab.tasks import potts_first_order as task
    from simlab.tasks.potts_first_order.figures import views

    levels = np.full((2, 6), np.nan)
    levels[0, :4] = [-1.8, -1.4, -1.0, -0.8]  # L = 4 has fewer levels than L = 6
    levels[1] = np.linspace(-1.8, -0.8, 6)
    log_p = np.where(np.isfinite(levels), -((levels + 1.3) ** 2), np.nan)
    ds = xr.Dataset({"energy_level": (("size", "level"), levels),
                     "log_probability": (("size", "level"), log_p),
                     "equal_height_temperature": ("size", [0.71, 0.705])},
                    coords={"size": [4, 6], "level": np.arange(6)})
    ds.attrs.update(e_ordered_exact=task.E_ORDERED, e_disordered_exact=task.E_DISORDERED)
    [view] = views(ds)
    assert [s.label for s in view.series] == ["L = 4, T_eq = 0.71000", "L = 6, T_eq = 0.70500"]
    assert view.series[0].x.tolist() == levels[0, :4].tolist()
    assert np.allclose(view.series[1].y, np.exp(log_p[1]))
    assert [x for _, x in view.marks] == [task.E_ORDERED, task.E_DISORDERED]
    figure = plots.figures([view])[0]
    sources = {m.name: m.data for m in figure.references() if m.name
               and m.name.startswith("data-task-probability")}
    assert list(sources["data-task-probability-0"]["x"]) == levels[0, :4].tolist()
