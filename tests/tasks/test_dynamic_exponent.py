"""The dynamic exponent of cluster_dynamics from tau against L: the plain power law, the
form tau = a L^z / C_L with Kaufman's C_L, and the task's columns."""

import numpy as np
import pytest
from helpers import run_task

from simlab.tasks.cluster_dynamics import exact_specific_heat, power_law_exponent, report

SIZES = np.array([16, 32, 64, 128, 256])
A0 = 0.4945   # Onsager's amplitude of C ~ A0 ln L at T_c (REFERENCES.md)


def test_exact_specific_heat_grows_by_onsagers_amplitude_per_doubling():
    # At T_c the torus's C_L = A0 ln L + B + O(ln L / L): each doubling adds A0 ln 2.
    heat = exact_specific_heat(np.array([64, 128, 256, 512]))
    steps = np.diff(heat) / np.log(2.0)
    assert steps == pytest.approx(A0, abs=0.01)
    assert abs(steps[-1] - A0) < abs(steps[0] - A0)


def test_both_forms_are_exact_on_their_own_noise_free_data():
    z, err = 2.1665, 0.01 * np.ones(SIZES.size)
    heat = exact_specific_heat(SIZES)
    plain = 3.0 * SIZES**z
    fitted, fit_err, chi2 = power_law_exponent(SIZES, plain, err * plain)
    assert fitted == pytest.approx(z, rel=1e-12) and chi2 < 1e-20
    assert fit_err == pytest.approx(0.01 / np.sqrt(np.sum((np.log(SIZES)
                                                            - np.log(SIZES).mean())**2)))
    corrected = 3.0 * SIZES**z / heat
    assert power_law_exponent(SIZES, corrected, err * corrected, heat)[0] == \
        pytest.approx(z, rel=1e-12)


def test_a_plain_fit_of_log_corrected_data_falls_short_by_the_heats_slope():
    # The bias the corrected form removes: over L = 64 to 256 the plain exponent of
    # L^z / C_L is z minus the mean slope of ln C_L, about A0 / C_L = 0.2.
    z = 2.1665
    heat = exact_specific_heat(SIZES)
    tau = SIZES**z / heat
    fit = SIZES >= 64
    plain = power_law_exponent(SIZES[fit], tau[fit], 0.01 * tau[fit])[0]
    slope = power_law_exponent(SIZES[fit], heat[fit], 0.01 * heat[fit])[0]
    assert plain == pytest.approx(z - slope, rel=1e-12)
    assert 0.15 < slope < 0.25


def test_the_task_fits_the_corrected_form_for_metropolis_only(tmp_path):
    ds = run_task(["experiment=cluster_dynamics", "dynamics.metropolis_sizes=[4,6,8]",
                   "dynamics.metropolis_sweeps=[400,400,400]", "dynamics.metropolis_chains=2",
                   "dynamics.cluster_sizes=[4,6]", "dynamics.cluster_sweeps=200",
                   "dynamics.fit_min_size=4", "dynamics.metropolis_fit_min_size=4",
                   "relaxation.enabled=false"], tmp_path)
    heat = ds["specific_heat_exact"].values
    np.testing.assert_allclose(heat, exact_specific_heat(ds["size"].values))
    d = ds.sel(algorithm="metropolis")
    for window in ("energy", "energy_wide"):
        expected = power_law_exponent(ds["size"].values, d[f"tau_{window}"].values,
                                      d[f"tau_{window}_err"].values, heat)
        got = [float(d[f"z_{window}_log_corrected{s}"]) for s in ("", "_err", "_chi2")]
        np.testing.assert_allclose(got, expected)
        for alg in ("wolff", "swendsen-wang"):
            assert np.isnan(ds[f"z_{window}_log_corrected"].sel(algorithm=alg))
    lines = [line for line in report(ds).splitlines() if "a L^z / C_L" in line]
    assert len(lines) == 1 and f"{float(d['z_energy_log_corrected']):.3f}" in lines[0]
