"""Exact thermodynamics of token distributions (softmax = Boltzmann with E = -logit)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from simlab.errors import ConfigError, DataError
from simlab.thermo import (logit_specific_heat_peak, logit_thermodynamics,
                           spectrum_thermodynamics)

LN2 = np.log(2.0)


def direct(z, t):
    """Reference in plain NumPy float64 (T > 0 finite, no masks)."""
    z = np.asarray(z, dtype=np.float64)
    a = z / t
    m = a.max()
    w = np.exp(a - m)
    zsum = w.sum()
    p = w / zsum
    log_z = m + np.log(zsum)
    u = -(p * z).sum()
    var = (p * (-z - u) ** 2).sum()
    s = -(p[p > 0] * np.log(p[p > 0])).sum()
    return log_z, u, s, var / t**2


# --- exact values computed by hand -----------------------------------------------------------

def test_two_level_system_peak():
    gap = 0.8
    t_star, c_max = logit_specific_heat_peak(np.array([0.0, -gap]))
    assert gap / t_star == pytest.approx(2.39936, abs=1e-5)
    assert c_max == pytest.approx(0.439229, abs=1e-6)
    # C(T) of the two-level system, formula (D/T)^2 e^(D/T) / (1 + e^(D/T))^2.
    t = np.array([0.1, 0.3, 1.0, 5.0])
    x = gap / t
    expected = x**2 * np.exp(x) / (1 + np.exp(x)) ** 2
    np.testing.assert_allclose(logit_thermodynamics([0.0, -gap], t)["specific_heat"], expected,
                               rtol=1e-12)


def test_uniform_spectrum():
    r = logit_thermodynamics(np.full(1000, 3.7), [0.0, 1e-4, 0.5, 1.0, 1e4, np.inf])
    np.testing.assert_allclose(r["entropy"], np.log(1000), rtol=1e-13)
    np.testing.assert_allclose(r["perplexity"], 1000, rtol=1e-12)
    assert np.all(r["specific_heat"] == 0) and np.all(r["varentropy"] == 0)
    np.testing.assert_allclose(r["energy"], -3.7)


def test_degenerate_ground_states_residual_entropy():
    z = np.array([5.0, 5.0, 5.0, 1.0, -2.0, 0.5])
    r = logit_thermodynamics(z, [0.0, 1e-3, 0.05])
    assert r["entropy"][0] == pytest.approx(np.log(3), abs=1e-15)
    assert r["entropy"][1] == pytest.approx(np.log(3), abs=1e-12)
    assert r["entropy"][2] == pytest.approx(np.log(3), abs=1e-12)
    assert r["free_energy"][0] == -5.0 and r["energy"][0] == -5.0
    assert r["perplexity"][0] == pytest.approx(3.0)


def test_matches_direct_numpy_and_spectrum_oracle():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 300)) * 4
    t = np.array([0.05, 0.3, 1.0, 2.5, 40.0])
    r = logit_thermodynamics(z, t)
    for i in range(4):
        for j, tj in enumerate(t):
            log_z, u, s, c = direct(z[i], tj)
            assert r["log_z"][i, j] == pytest.approx(log_z, rel=1e-12)
            assert r["energy"][i, j] == pytest.approx(u, rel=1e-11, abs=1e-12)
            assert r["entropy"][i, j] == pytest.approx(s, rel=1e-10, abs=1e-13)
            assert r["specific_heat"][i, j] == pytest.approx(c, rel=1e-9, abs=1e-13)
    oracle = spectrum_thermodynamics(-z[2], t)
    np.testing.assert_allclose(r["free_energy"][2], oracle["free_energy"], rtol=1e-12)


def test_input_dtypes_accumulate_in_float64():
    rng = np.random.default_rng(2)
    z16 = (rng.normal(size=(2, 2000)) * 5).astype(np.float16)
    t = [0.2, 1.0, 7.0]
    ref = logit_thermodynamics(z16.astype(np.float64), t)
    for arr in (z16, z16.astype(np.float32)):
        got = logit_thermodynamics(arr, t)
        for name in ref:
            np.testing.assert_allclose(got[name], ref[name], rtol=1e-12, err_msg=name)


def test_torch_bfloat16_input():
    torch = pytest.importorskip("torch")
    z = torch.randn(3, 500, generator=torch.Generator().manual_seed(0)).to(torch.bfloat16) * 4
    exact_f64 = z.to(torch.float64).numpy()  # bfloat16 -> float64 is exact
    got = logit_thermodynamics(z, [0.5, 2.0])
    ref = logit_thermodynamics(exact_f64, [0.5, 2.0])
    for name in ref:
        np.testing.assert_allclose(got[name], ref[name], rtol=1e-12)


def test_extreme_logits_and_temperatures_are_stable():
    rng = np.random.default_rng(3)
    z = rng.uniform(-1e6, 1e6, size=5000)
    z[:3] = 1e6  # three tied maxima
    t = np.array([1e-4, 1e-2, 1.0, 1e2, 1e4])
    r = logit_thermodynamics(z, t)
    for v in r.values():
        assert np.all(np.isfinite(v))
    assert r["entropy"][0] == pytest.approx(np.log(3), abs=1e-12)
    np.testing.assert_allclose(r["free_energy"], r["energy"] - t * r["entropy"],
                               rtol=1e-12, atol=1e-9 * 1e6)
    # Against the direct computation at T = 1e4 where every term is O(1).
    log_z, u, s, c = direct(z, 1e4)
    assert r["entropy"][-1] == pytest.approx(s, rel=1e-10)
    assert r["specific_heat"][-1] == pytest.approx(c, rel=1e-8)


# --- properties on random logits ------------------------------------------------------------

finite_logits = arrays(np.float64, st.integers(2, 60),
                       elements=st.floats(-50, 50, allow_nan=False, allow_infinity=False))
temps = st.floats(0.01, 100.0)


@settings(max_examples=150, deadline=None)
@given(z=finite_logits, t=temps)
def test_free_energy_identity(z, t):
    r = logit_thermodynamics(z, t)
    assert r["free_energy"][0] == pytest.approx(r["energy"][0] - t * r["entropy"][0],
                                                rel=1e-10, abs=1e-10)


@settings(max_examples=100, deadline=None)
@given(z=finite_logits)
def test_entropy_monotone_in_temperature(z):
    t = np.geomspace(0.01, 100, 60)
    s = logit_thermodynamics(z, t)["entropy"]
    assert np.all(np.diff(s) >= -1e-12)
    assert np.all(s >= -1e-15) and np.all(s <= np.log(z.size) + 1e-12)


@settings(max_examples=100, deadline=None)
@given(z=finite_logits, t=st.floats(0.05, 20.0))
def test_entropy_derivative_against_finite_difference(z, t):
    h = t * 1e-5
    r = logit_thermodynamics(z, [t - h, t, t + h])
    fd = (r["entropy"][2] - r["entropy"][0]) / (2 * h)
    assert r["entropy_derivative"][1] == pytest.approx(fd, rel=1e-4, abs=1e-7)
    assert r["entropy_derivative"][1] == pytest.approx(r["specific_heat"][1] / t, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(z=finite_logits)
def test_zero_and_infinite_temperature_limits(z):
    r = logit_thermodynamics(z, [0.0, np.inf])
    ties = np.sum(z == z.max())
    assert r["entropy"][0] == pytest.approx(np.log(ties), abs=1e-14)
    assert r["entropy"][1] == pytest.approx(np.log(z.size), abs=1e-12)
    assert r["specific_heat"][0] == 0 and r["specific_heat"][1] == 0
    assert r["energy"][1] == pytest.approx(-z.mean(), abs=1e-10)


@settings(max_examples=100, deadline=None)
@given(z=finite_logits, t=temps, shift=st.floats(-1e3, 1e3))
def test_invariant_under_constant_shift(z, t, shift):
    a = logit_thermodynamics(z, t)
    b = logit_thermodynamics(z + shift, t)
    for name in ("entropy", "specific_heat", "varentropy", "perplexity"):
        assert b[name][0] == pytest.approx(a[name][0], rel=1e-7, abs=1e-9)
    assert b["energy"][0] == pytest.approx(a["energy"][0] - shift, rel=1e-9, abs=1e-7)


@settings(max_examples=100, deadline=None)
@given(z=finite_logits, t=temps, data=st.data())
def test_masking_equals_removal(z, t, data):
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=z.size, max_size=z.size)))
    assume(not mask.all())
    masked = np.where(mask, -np.inf, z)
    a = logit_thermodynamics(masked, [0.0, t, np.inf])
    b = logit_thermodynamics(z[~mask], [0.0, t, np.inf])
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-12)


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("bad,message", [
    (np.nan, r"NaN at position \(1,\), vocabulary index 3"),
    (np.inf, r"\+inf at position \(1,\), vocabulary index 3"),
])
def test_nan_and_plus_inf_name_the_position(bad, message):
    z = np.zeros((2, 5))
    z[1, 3] = bad
    with pytest.raises(DataError, match=message):
        logit_thermodynamics(z, 1.0)


def test_all_masked_row_and_empty_vocabulary():
    z = np.zeros((2, 3, 4))
    z[1, 2] = -np.inf
    with pytest.raises(DataError, match=r"position \(1, 2\) are all -inf"):
        logit_thermodynamics(z, 1.0)
    with pytest.raises(DataError, match="empty vocabulary"):
        logit_thermodynamics(np.zeros((3, 0)), 1.0)
    with pytest.raises(DataError, match="real numbers"):
        logit_thermodynamics(np.array(["a", "b"]), 1.0)


@pytest.mark.parametrize("t", [-1.0, np.nan, [1.0, -0.1]])
def test_negative_or_nan_temperature(t):
    with pytest.raises(ConfigError, match="temperature"):
        logit_thermodynamics(np.zeros(3), t)


def test_degeneracy_equals_repetition_and_zero_masks():
    levels = np.array([1.0, 0.2, -0.5, 3.0])
    g = np.array([2.0, 3.0, 1.0, 0.0])
    expanded = np.array([1.0, 1.0, 0.2, 0.2, 0.2, -0.5])
    t = [0.0, 0.1, 1.0, 5.0, np.inf]
    a = logit_thermodynamics(levels, t, degeneracy=g)
    b = logit_thermodynamics(expanded, t)
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-13, err_msg=name)
    ta, ca = logit_specific_heat_peak(levels, degeneracy=g)
    tb, cb = logit_specific_heat_peak(expanded)
    assert ta == pytest.approx(tb, rel=1e-6) and ca == pytest.approx(cb, rel=1e-9)
    with pytest.raises(DataError, match="degeneracy"):
        logit_thermodynamics(levels, 1.0, degeneracy=[1.0, -1.0, 1.0, 1.0])


def test_peak_search_finds_global_maximum_of_two_scales():
    # Two well-separated gaps: C(T) has two Schottky peaks; the larger one must be found.
    z = np.concatenate([[0.0], np.full(50, -0.05), np.full(1, -8.0)])
    t_star, c_star = logit_specific_heat_peak(z)
    grid = np.geomspace(1e-3, 1e2, 20001)
    c = logit_thermodynamics(z, grid)["specific_heat"]
    assert c_star == pytest.approx(c.max(), rel=1e-6)
    assert t_star == pytest.approx(grid[np.argmax(c)], rel=2e-3)
