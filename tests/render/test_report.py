"""The HTML report: its views against the Dataset, the file on disk, and the page in a real
browser (headless Chromium driven by Selenium; skipped with a message where Chromium is not
installed, required under CI=true)."""

import math
import os
import re
import shutil

import numpy as np
import pytest
import xarray as xr

from simlab.errors import DataError
from simlab.render.report import SIZE_BUDGET, payload, report_for, write_report
from simlab.render.views import views, x_dim


def sweep_like():
    """A Dataset shaped like an ising_sweep result: (size, temperature) curves with errors,
    exact curves and a NaN with its reason, a 1-D reference curve and a scalar."""
    t = np.linspace(1.0, 4.0, 7)
    rng = np.random.default_rng(1)
    energy = -2.0 + 0.4 * t[None, :] + 0.01 * np.arange(2)[:, None]
    c = rng.uniform(0.1, 1.5, (2, 7))
    c[1, 3] = np.nan
    ds = xr.Dataset(
        {"energy": (("size", "temperature"), energy),
         "energy_err": (("size", "temperature"), np.full((2, 7), 1.234567e-3)),
         "energy_exact": (("size", "temperature"), energy + 1e-4),
         "specific_heat": (("size", "temperature"), c),
         "energy_onsager": ("temperature", -2.0 + 0.4 * t),
         "binder": (("seed", "size", "temperature"), rng.uniform(0, 0.6, (3, 2, 7))),
         "block_length": ((), 1250.0)},
        coords={"size": [8, 16], "temperature": t, "seed": [0, 1, 2]})
    ds["specific_heat"].attrs.update(long_name="specific heat C/N", units="1",
                                     missing_reason="too few samples at one point")
    ds.attrs.update(title="test sweep", task="ising_sweep", seed=3, config="a: 1\n</script>")
    return ds


def _by_name(ds):
    return {v.name: v for v in views(ds)[0]}


def test_points_kept_for_an_integral_are_not_drawn():
    ds = sweep_like().assign_coords(entropy_tail=("temperature", [False] * 5 + [True] * 2))
    energy = _by_name(ds)["energy"]
    assert energy.x.tolist() == ds.temperature.values[:5].tolist()
    assert energy.series[0].y.tolist() == ds.energy.values[0, :5].tolist()


def test_views_hold_the_datasets_numbers_and_overlay_short_dimensions():
    ds = sweep_like()
    shown = _by_name(ds)
    assert list(shown) == ["energy", "specific_heat", "binder"]  # companions attach
    e = shown["energy"]
    assert e.kind == "curves" and e.x_name == "temperature"
    assert [s.label for s in e.series] == ["size = 8", "size = 16"]
    for k, s in enumerate(e.series):
        assert s.y.tolist() == ds.energy.values[k].tolist()
        assert s.err.tolist() == ds.energy_err.values[k].tolist()
    # the exact curve per size in its colour; Onsager's, without a size, once and shared
    [(label, exact, shared), (onsager_label, onsager, onsager_shared)] = e.series[0].references
    assert label == "exact" and not shared and exact.tolist() == ds.energy_exact.values[0].tolist()
    assert onsager_label == "Onsager, L = inf" and onsager_shared
    assert onsager.tolist() == ds.energy_onsager.values.tolist()
    assert [r[0] for r in e.series[1].references] == ["exact"]
    assert "up to 0.00123" in e.describe()  # the caption says how small the error bars are
    b = shown["binder"]
    assert [s.label for s in b.series][:2] == ["seed = 0, size = 8", "seed = 0, size = 16"]
    assert np.array_equal(np.array([s.y for s in b.series]), ds.binder.values.reshape(6, 7))
    c = shown["specific_heat"]
    assert np.isnan(c.series[1].y[3]) and c.missing_reason == "too few samples at one point"
    assert c.title == "specific heat C/N"
    assert payload(ds)["scalars"] == [{"name": "block_length", "long_name": "", "units": "",
                                       "missing_reason": "", "value": 1250.0,
                                       "text": "1250"}]


def test_categories_become_bars_draws_a_histogram_and_many_series_say_so():
    rng = np.random.default_rng(5)
    ds = xr.Dataset({"share": ("pos", [0.5, 0.3, 0.2]),
                     "t_star": ("bootstrap", rng.normal(1.2, 0.1, 200)),
                     "final_energy": ("read", rng.normal(-10, 1, 32)),
                     "curve": (("instance", "step"), rng.normal(size=(20, 4)).round()),
                     "count": (("size", "step"), np.arange(8).reshape(2, 4))},
                    coords={"pos": ["NOUN", "VERB", "ADJ"], "size": [8, 16]})
    shown = _by_name(ds)
    assert shown["share"].kind == "bars" and shown["share"].categories == ["NOUN", "VERB",
                                                                           "ADJ"]
    assert shown["t_star"].kind == "histogram" and shown["final_energy"].kind == "histogram"
    assert shown["count"].integer  # integers print as integers in the page
    # 20 instances of a float curve are a band (median, quartiles, deciles)
    band = shown["curve"].series[0]
    assert band.outer is not None and np.allclose(
        band.y, np.median(ds.curve.values, axis=0))


def test_show_displays_the_same_views_in_a_notebook(monkeypatch):
    import bokeh.io

    import simlab.render

    shown = []
    monkeypatch.setattr(bokeh.io, "show", shown.append)
    monkeypatch.setattr(bokeh.io, "output_notebook", lambda **kw: None)
    simlab.render.show(sweep_like())
    [root] = shown
    assert [c.name for c in root.children] == ["box-energy", "box-specific_heat", "box-binder"]


def test_report_file_is_self_contained_atomic_and_small(tmp_path):
    path = write_report(sweep_like(), tmp_path / "report.html")
    html = path.read_text()
    assert path.stat().st_size < SIZE_BUDGET
    # Nothing fetched: no address outside Bokeh's own library (whose MathJax loader, for
    # TeX labels that simlab never writes, the page's Content-Security-Policy would block).
    ours = re.sub(r"/\* BEGIN bokeh.*?/\* END bokeh[^*]*\*/", "", html, flags=re.DOTALL)
    assert len(ours) < len(html) - 10**6
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", ours)
    assert '<meta name="viewport"' in html and "Content-Security-Policy" in html
    assert "a: 1\n&lt;/script&gt;" in html  # the config cannot end an element early
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary left
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # readable like any user file
    assert payload(sweep_like())["attrs"]["seed"] == "3"


def test_report_command_finds_the_results_and_rejects_bad_input(tmp_path):
    sweep_like().to_netcdf(tmp_path / "results.nc", engine="h5netcdf")
    assert report_for(tmp_path) == tmp_path / "report.html"
    assert (tmp_path / "report.html").stat().st_size > 0
    with pytest.raises(DataError, match="no such file"):
        report_for(tmp_path / "none")
    (tmp_path / "bad.nc").write_text("not netcdf")
    with pytest.raises(DataError, match="not a NetCDF dataset"):
        report_for(tmp_path / "bad.nc")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="no results.nc or merged.nc"):
        report_for(empty)


# --- in a real browser ---------------------------------------------------------------------

def _chromium():
    for browser in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(browser)
        if path:
            return path, shutil.which("chromedriver")
    return None, None


@pytest.fixture(scope="module")
def browser():
    binary, driver_path = _chromium()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        binary = None
    if binary is None or driver_path is None:
        message = ("Chromium, chromedriver or selenium not installed (apt-get install "
                   "chromium chromium-driver; pip install -e '.[test]')")
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": required under CI=true")
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1200,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def _significant(value, digits=6):
    return float(f"{value:.{digits - 1}e}")


def _wait_for_bokeh(browser, seconds=20):
    """Wait until Bokeh has built the page's document (it does so after the page loads)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, seconds).until(lambda b: b.execute_script(
        "return window.Bokeh !== undefined && Bokeh.documents.length > 0"))


def _bokeh(browser, name, field):
    """A field of a named model of the page's Bokeh document, as the browser holds it."""
    return browser.execute_script(
        "const m = Bokeh.documents[0].get_model_by_name(arguments[0]);"
        "const v = m.data[arguments[1]]; return v === undefined ? null : Array.from(v);",
        name, field)


def _clean_page(browser):
    assert browser.execute_script(
        "return performance.getEntriesByType('resource').length") == 0
    assert [m for m in browser.get_log("browser") if m["level"] == "SEVERE"] == []


def test_page_in_a_browser_shows_the_datasets_numbers(browser, tmp_path):
    from selenium.webdriver.common.by import By

    ds = sweep_like()
    path = write_report(ds, tmp_path / "report.html")
    browser.get(path.as_uri())
    assert browser.find_element(By.ID, "title").text == "test sweep"
    _wait_for_bokeh(browser)
    # every size overlaid, every digit of the Dataset in the page
    for k in range(2):
        assert _bokeh(browser, f"data-energy-{k}", "y") == ds.energy.values[k].tolist()
        assert _bokeh(browser, f"data-energy-{k}", "err") == ds.energy_err.values[k].tolist()
    heat = _bokeh(browser, "data-specific_heat-1", "y")
    assert heat[3] is None  # NaN (WebDriver's JSON has no NaN)
    assert heat[:3] == ds.specific_heat.values[1, :3].tolist()
    legend = browser.execute_script(
        "const f = Bokeh.documents[0].get_model_by_name('view-energy');"
        "const l = f.below.find((m) => m.items !== undefined);"
        "return [l.click_policy, l.items.map((i) => i.label.value)];")
    assert legend[0] == "hide"
    assert {"size = 8", "size = 16", "size = 8 exact",
            "Onsager, L = inf"} <= set(legend[1])
    tips = browser.execute_script(
        "const f = Bokeh.documents[0].get_model_by_name('view-energy');"
        "return f.toolbar.tools.filter((t) => t.tooltips).map((t) => t.tooltips);")
    assert ["energy", "@y{%.6g}"] in tips[0]
    # values spanning a decade get a log-y twin, one tab away, drawing the same data
    assert browser.execute_script(
        "const doc = Bokeh.documents[0];"
        "const tabs = doc.get_model_by_name('tabs-specific_heat');"
        "const log = doc.get_model_by_name('view-specific_heat-log');"
        "const data = doc.get_model_by_name('data-specific_heat-0');"
        "return [tabs.tabs.map((t) => t.title), log.y_scale.type,"
        "        log.renderers.some((r) => r.data_source === data)];") == [
        ["linear y", "log y"], "LogScale", True]
    assert browser.execute_script(
        "return Bokeh.documents[0].get_model_by_name('tabs-energy')") is None  # negative
    caption = browser.execute_script(
        "return Bokeh.documents[0].get_model_by_name('caption-specific_heat').text")
    assert "Gaps are NaN: too few samples at one point" in caption
    assert browser.find_element(By.ID, "scalar-block_length").text == "1250"
    _clean_page(browser)


def test_page_fits_a_phone(browser, tmp_path):
    ds = sweep_like()
    ds.attrs["git_commit"] = "56aad4ae16727c28bd5b307cd1e33fd5cc5f2bf3"  # a long word
    # long legend entries beside wide tick labels (a time to solution in seconds)
    wide = tsp_like().assign_coords(instance=["berlin52-long-name", "kroA100-long-name"])
    wide["median_excess"] = wide["median_excess"] * 1e6 + 1e6
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 420, "height": 900, "deviceScaleFactor": 1, "mobile": True})
    try:
        for k, page in enumerate((ds, wide)):
            browser.get(write_report(page, tmp_path / f"report{k}.html").as_uri())
            _wait_for_bokeh(browser)
            assert browser.execute_script(
                "return document.documentElement.scrollWidth <= window.innerWidth"), k
            assert browser.execute_script("return window.innerWidth") == 420
            _clean_page(browser)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def tsp_like():
    """A Dataset shaped like tsp_annealing's: excess against sweeps per instance and
    schedule, and the best tours (NaN-padded) as city coordinates in visiting order."""
    xy = np.random.default_rng(2).uniform(0, 100, (2, 6, 2))
    xy[1, 4:] = np.nan  # the second instance has 4 cities
    return xr.Dataset(
        {"median_excess": (("instance", "schedule", "sweeps"),
                           np.linspace(0.3, 0.0, 12).reshape(2, 2, 3)),
         "city_x": (("instance", "city"), xy[..., 0]),
         "city_y": (("instance", "city"), xy[..., 1])},
        coords={"instance": ["a6", "b4"], "schedule": ["geometric", "linear"],
                "sweeps": [100, 1000, 10000], "city": np.arange(6)})


def test_tsp_report_draws_each_tour_and_overlays_schedules(browser, tmp_path):
    ds = tsp_like()
    shown = _by_name(ds)
    assert x_dim(ds) == "sweeps" and shown["median_excess"].log_x
    assert [s.label for s in shown["median_excess"].series] == [
        "instance = a6, schedule = geometric", "instance = a6, schedule = linear",
        "instance = b4, schedule = geometric", "instance = b4, schedule = linear"]
    # one plot per instance: their coordinates are not on one scale
    assert [shown[n].title for n in ("tour-0", "tour-1")] == ["best tour, instance = a6",
                                                               "best tour, instance = b4"]
    assert [shown[n].series[0].y.size for n in ("tour-0", "tour-1")] == [6, 4]  # no padding
    browser.get(write_report(ds, tmp_path / "report.html").as_uri())
    _wait_for_bokeh(browser)
    assert browser.execute_script(
        "return Bokeh.documents[0].get_model_by_name('view-tour-1').renderers.length") == 2
    # sweeps span two decades: a log x axis, and its linear twin one tab away (same data)
    assert browser.execute_script(
        "const doc = Bokeh.documents[0];"
        "const tabs = doc.get_model_by_name('tabs-median_excess');"
        "const twin = doc.get_model_by_name('view-median_excess-x');"
        "const data = doc.get_model_by_name('data-median_excess-0');"
        "return [tabs.tabs.map((t) => t.title), twin.x_scale.type,"
        "        twin.renderers.some((r) => r.data_source === data)];") == [
        ["linear y", "linear x"], "LinearScale", True]
    _clean_page(browser)


def test_x_is_the_dimension_most_curves_share_and_lone_references_are_views():
    # hajek_threshold's shape: an exact curve on one grid, Monte Carlo values on another
    ds = xr.Dataset({"p_exact": (("c", "step"), np.ones((2, 5))),
                     "p_mc": (("c", "mc_step"), np.ones((2, 3))),
                     "p_mc_lo": (("c", "mc_step"), np.zeros((2, 3))),
                     "p_mc_hi": (("c", "mc_step"), np.full((2, 3), 2.0)),
                     "q_mc": (("c", "mc_step"), np.ones((2, 3)))},
                    coords={"c": [0.5, 1.5], "step": np.arange(5), "mc_step": [1, 10, 100]})
    assert x_dim(ds) == "mc_step"
    # the exact curve runs along its own axis, after the page's x curves
    assert [(v.name, v.x_name) for v in views(ds)[0]] == [
        ("p_mc", "mc_step"), ("q_mc", "mc_step"), ("p_exact", "step")]
    mc = views(ds)[0][0].series[0]  # _lo / _hi: a shaded interval
    assert mc.lo.tolist() == [0.0] * 3 and mc.hi.tolist() == [2.0] * 3
    alone = views(ds[["p_exact"]])[0]  # no base variable: the reference is a curve itself
    assert x_dim(ds[["p_exact"]]) == "step" and alone[0].name == "p_exact"


def test_a_task_can_name_the_x_axis():
    # wang_landau_ising's shape: more scalars per size than curves over temperature
    ds = sweep_like()
    for k in range(4):
        ds[f"scalar_{k}"] = ("size", np.arange(2.0))
    assert x_dim(ds) == "size"
    ds.attrs["report_axis"] = "temperature"
    assert x_dim(ds) == "temperature"
    ds.attrs["report_axis"] = "seed_that_is_not_a_dimension"
    assert x_dim(ds) == "size"


def test_a_wide_dimension_is_a_band_and_drawn_with_curves_join_the_view():
    rng = np.random.default_rng(3)
    c = rng.gamma(2.0, 1.0, (100, 5))
    c[7, 2] = np.nan
    ds = xr.Dataset({"c": (("position", "temperature"), c),
                     "ising_c": (("size", "temperature"), np.arange(10.0).reshape(2, 5),
                                 {"long_name": "Ising C", "drawn_with": "c"}),
                     "gap": (("position",), rng.uniform(size=100))},
                    coords={"position": np.arange(100), "temperature": np.linspace(1, 2, 5),
                            "size": [8, 16]})
    shown = _by_name(ds)
    # "ising_c" joins "c"; "gap" is a curve along the position index
    assert [(v.name, v.x_name) for v in shown.values()] == [("c", "temperature"),
                                                            ("gap", "position")]
    band = shown["c"].series[0]
    expected = np.nanquantile(c, [0.1, 0.25, 0.5, 0.75, 0.9], axis=0)
    assert np.allclose([band.outer[0], band.lo, band.y, band.hi, band.outer[1]], expected,
                       rtol=0, atol=1e-15)
    assert "median over the 100 values of position" in shown["c"].describe()
    assert [s.label for s in shown["c"].series[1:]] == ["Ising C, size = 8",
                                                       "Ising C, size = 16"]
    assert shown["c"].series[2].y.tolist() == [5.0, 6.0, 7.0, 8.0, 9.0]


# --- the token view ----------------------------------------------------------------------

def spectra_like(n=5, vocab=3000, seed=4):
    """Compressed spectra of random logits as the bundle stores them; position 0 has two
    tied largest logits (S(T = 0) = ln 2)."""
    from simlab.llm import spectra

    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 2.5, (n, vocab)).astype(np.float32)
    logits[0, 10] = logits[0, 11] = logits[0].max() + 1.5
    c = spectra.compress(logits, top_k=64, bin_width=0.05)
    ds = xr.Dataset({"top_logits": (("position", "rank"), c["top_logits"]),
                     "tail_start": ("position", c["tail_start"]),
                     "tail_counts": (("position", "bin"), c["tail_counts"]),
                     "bin_width": ((), 0.05),
                     "context": ("position", [f"text number {i} about alpha{i}"
                                              for i in range(n)]),
                     "ranked_token": (("position", "ranked"),
                                      [[f"tok{i}_{r}" for r in range(20)] for i in range(n)]),
                     "token": ("position", [f"alpha{i}" for i in range(n)]),
                     "next_token": ("position", [" next"] * n)},
                    coords={"position": np.arange(n)})
    ds.attrs.update(title="spectra", task="llm_bundle")
    return ds


def levels_of(ds, i):
    from simlab.llm import spectra

    return spectra.decompress(ds.top_logits.values[i:i + 1], ds.tail_start.values[i:i + 1],
                              ds.tail_counts.values[i:i + 1], float(ds.bin_width))


def test_token_payload_carries_the_stored_spectra_exactly():
    import base64

    from simlab.render.tokens import chosen_positions, token_payload

    ds = spectra_like()
    tokens = payload(ds)["tokens"]
    assert tokens["total"] == 5 and tokens["bin_width"] == 0.05
    for p in tokens["positions"]:
        i = p["index"]
        top = np.frombuffer(base64.b64decode(p["top"]), dtype="<f4")
        assert np.array_equal(top, ds.top_logits.values[i])
        tail = np.frombuffer(base64.b64decode(p["tail"]), dtype="<u2" if p["tail_bytes"] == 2
                             else "u1")
        stored = ds.tail_counts.values[i]
        assert np.array_equal(tail, stored[:tail.size]) and not stored[tail.size:].any()
        assert p["ranked"] == [f"tok{i}_{r}" for r in range(20)]
    assert chosen_positions(1000, 160).size == 160
    assert chosen_positions(1000, 160)[[0, -1]].tolist() == [0, 999]
    assert token_payload(sweep_like()) is None


def _set(browser, name, field, value):
    """Set a field of a named Bokeh model in the page. (A script run by WebDriver is exempt
    from the page's Content-Security-Policy: each test also works a widget with real
    input events, which are not.)"""
    browser.execute_script("Bokeh.documents[0].get_model_by_name(arguments[0])[arguments[1]]"
                           " = arguments[2];", name, field, value)


def _until(browser, condition, seconds=10):
    """Wait for ``condition()`` (Bokeh runs CustomJS callbacks asynchronously)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, seconds).until(lambda _: condition())


def _widget(browser, selector, text=None):
    """The element of a Bokeh widget (inside its shadow root) matching ``selector`` (and
    showing ``text``)."""
    found = [e for e in _shadow_query(browser, selector) if text is None or e.text == text]
    assert len(found) == 1, (selector, text, len(found))
    return found[0]


def _readouts(browser):
    """{key: (text, data-value)} of the token view's readout table."""
    html = browser.execute_script(
        "return Bokeh.documents[0].get_model_by_name('tok-readouts').text")
    return {k: (text, v) for k, v, text in re.findall(
        r"data-key='(\w+)' data-value='([^']*)'[^>]*>([^<]*)<", html)}


def test_token_page_matches_logit_thermodynamics_in_a_browser(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    from simlab.render.tokens import dial_labels
    from simlab.thermo import logit_specific_heat_peak, logit_thermodynamics

    ds = spectra_like()
    browser.get(write_report(ds, tmp_path / "report.html").as_uri())
    _wait_for_bokeh(browser)
    labels = dial_labels()
    model = lambda name, field: browser.execute_script(  # noqa: E731
        "return Bokeh.documents[0].get_model_by_name(arguments[0])[arguments[1]];",
        name, field)

    def shown(position):
        _until(browser, lambda: f"data-position='{position}'" in model("tok-context", "text"))
        assert model("tok-position", "value") == str(position)

    def t_shown(value):
        _until(browser, lambda: float(_readouts(browser).get("T", ("", "nan"))[1])
               == pytest.approx(value, rel=1e-12))

    def shown_matches(position, t):
        shown(position)
        levels, g = levels_of(ds, position)
        exact = {k: v[0, 0] for k, v in logit_thermodynamics(levels, [t], g).items()}
        values = _readouts(browser)
        for key in ("entropy_bits", "entropy", "perplexity", "specific_heat",
                    "entropy_derivative", "energy", "free_energy"):
            text, value = values[key][0], exact[key]
            if math.isinf(value):
                assert text == ("inf" if value > 0 else "-inf"), key
            else:
                assert float(text) == _significant(value), (key, t, text, value)
        if 0 < t < math.inf:
            top = ds.top_logits.values[position, :20].astype(np.float64)  # decreasing
            p = np.exp(top / t - exact["log_z"])
            got = np.array(_bokeh(browser, "tok-bars", "p"))
            assert got.shape == p.shape and np.allclose(got, p, rtol=1e-9, atol=0), (
                got.shape, np.abs(got / p - 1).max() if got.shape == p.shape else None)

    def at(k):
        _set(browser, "tok-dial", "value", labels[k + 1])
        t = 10 ** (-2 + k / 100)
        _until(browser, lambda: float(_readouts(browser)["T"][1]) == pytest.approx(t, 1e-12))
        return float(_readouts(browser)["T"][1])

    shown(0)  # the page's own script shows the first position once loaded
    assert "5 of 5 positions carried. Each spectrum" in model("tok-note", "text")
    # five temperatures: both ends, the dial's ends and T = 1, and one step
    _widget(browser, "button", "T = 0").click()
    t_shown(0.0)
    assert model("tok-dial", "value") == labels[0]
    shown_matches(0, 0.0)
    assert _readouts(browser)["entropy"][0] == "0.693147"  # two tied maxima: S = ln 2
    assert float(_readouts(browser)["entropy"][1]) == pytest.approx(math.log(2), abs=1e-15)
    for k in (0, 400, 200):
        shown_matches(0, at(k))
    _widget(browser, ".noUi-handle").send_keys(Keys.ARROW_RIGHT)  # a keyboard step
    t_shown(10 ** 0.01)
    shown_matches(0, 10 ** 0.01)
    _widget(browser, "button", "T = ∞").click()
    t_shown(math.inf)
    shown_matches(0, math.inf)
    assert float(_readouts(browser)["entropy"][1]) == pytest.approx(
        math.log(3000), rel=1e-12)  # uniform over the whole vocabulary
    # T* as logit_specific_heat_peak finds it, and marked on the curves
    levels, g = levels_of(ds, 0)
    t_star, c_star = logit_specific_heat_peak(levels, degeneracy=g)
    assert float(_readouts(browser)["peak_temperature"][1]) == pytest.approx(t_star[0],
                                                                               rel=1e-5)
    assert model("tok-tstar", "location") == pytest.approx(t_star[0], rel=1e-5)
    # another position: next, the list, and the search box, as a user works them
    _widget(browser, "button", "next →").click()
    shown(1)
    Select(_widget(browser, "select")).select_by_visible_text('position 3: "alpha3"')
    shown(3)
    shown_matches(3, at(150))
    search = _widget(browser, "input[type=text]")
    search.send_keys("alpha4")
    shown(4)
    _until(browser, lambda: "1 match" in model("tok-matches", "text"))
    assert "alpha4" in model("tok-context", "text")
    assert [o[0] for o in model("tok-position", "options")] == ["4"]
    # a query that stops matching keeps the list, the context and the numbers together
    search.send_keys("x")
    _until(browser, lambda: "0 matches" in model("tok-matches", "text"))
    shown(4)
    assert len(model("tok-position", "options")) == 5
    search.clear()
    search.send_keys("about alpha")  # every position: 4 stays
    _until(browser, lambda: "5 matches" in model("tok-matches", "text"))
    shown_matches(4, at(200))
    # the dial announces T, not its step
    assert _widget(browser, ".noUi-handle").get_attribute("aria-valuetext") == "T = 1.00"
    _until(browser, lambda: "Probabilities at T = 1.00: 1. " in model("tok-bars-text",
                                                                         "text"))
    _clean_page(browser)


def test_variables_over_a_category_become_a_table_and_bars(browser, tmp_path):
    from selenium.webdriver.common.by import By

    ds = xr.Dataset({"z": ("algorithm", [1.862, 0.245]), "z_err": ("algorithm", [0.045, 0.021]),
                     "tau": (("algorithm", "size"), [[1.0, 2.0], [3.0, 4.0]])},
                    coords={"algorithm": ["metropolis", "wolff"], "size": [8, 16]})
    p = payload(ds)
    [table] = p["tables"]
    assert table["dim"] == "algorithm" and table["labels"] == ["metropolis", "wolff"]
    assert table["columns"][0]["values"] == [1.862, 0.245]
    assert table["columns"][0]["err"] == [0.045, 0.021]
    shown = _by_name(ds)
    assert shown["z"].kind == "bars" and shown["z"].series[0].err.tolist() == [0.045, 0.021]
    assert [s.label for s in shown["tau"].series] == ["algorithm = metropolis",
                                                      "algorithm = wolff"]
    browser.get(write_report(ds, tmp_path / "report.html").as_uri())
    rows = browser.find_element(By.ID, "table-algorithm").find_elements(By.TAG_NAME, "tr")
    assert rows[2].text.split() == ["wolff", "0.245", "±", "0.021"]
    _clean_page(browser)


def schedules_like():
    """Curves over (schedule, size, temperature): 15 combinations, more than a legend
    should carry, so one dimension gets a control."""
    rng = np.random.default_rng(8)
    return xr.Dataset(
        {"energy": (("schedule", "size", "temperature"), rng.normal(size=(5, 3, 6))),
         "energy_err": (("schedule", "size", "temperature"), rng.uniform(0, .1, (5, 3, 6))),
         "heat": (("size", "temperature"), rng.uniform(1, 2, (3, 6)))},
        coords={"schedule": list("abcde"), "size": [8, 16, 32],
                "temperature": np.linspace(1, 3, 6)})


def test_a_dimension_past_the_legend_gets_one_control_that_the_views_follow(browser,
                                                                           tmp_path):
    ds = schedules_like()
    energy = _by_name(ds)["energy"]
    assert [s.label for s in energy.series] == [f"size = {L}" for L in (8, 16, 32)]
    assert [d for d, _, _ in energy.selectors] == ["schedule"] and len(energy.choices) == 5
    assert np.array_equal(energy.choices[3][2].y, ds.energy.values[3, 2])
    path = write_report(ds, tmp_path / "report.html")
    browser.get(path.as_uri())
    _wait_for_bokeh(browser)
    assert _bokeh(browser, "data-energy-2", "y") == ds.energy.values[0, 2].tolist()
    captions = browser.execute_script(
        "const d = Bokeh.documents[0];"
        "return ['energy', 'heat'].map((n) => d.get_model_by_name('caption-' + n).text);")
    assert "Follows the control for schedule" in captions[0]
    assert "Does not depend on the control for schedule" in captions[1]
    # choose schedule d in the page's one control: every series shows schedule d
    from selenium.webdriver.support.ui import Select

    Select(_widget(browser, "select")).select_by_visible_text("d")
    for k in range(3):
        _until(browser, lambda: _bokeh(browser, f"data-energy-{k}", "y")
               == ds.energy.values[3, k].tolist())
        assert _bokeh(browser, f"data-energy-{k}", "err") == \
            ds.energy_err.values[3, k].tolist()
    _clean_page(browser)


def _shadow_query(browser, selector):
    """Elements matching ``selector`` anywhere in the page, shadow roots included (Bokeh
    renders its widgets inside them)."""
    return browser.execute_script(
        "const out = [];"
        "const walk = (root) => { root.querySelectorAll(arguments[0]).forEach((e) =>"
        "  out.push(e)); root.querySelectorAll('*').forEach((e) => {"
        "  if (e.shadowRoot) walk(e.shadowRoot); }); };"
        "walk(document); return out;", selector)


def test_one_dial_moves_the_spins_the_token_bars_and_the_markers(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys

    from simlab.render.views import Dial, markers

    rng = np.random.default_rng(3)
    temps = np.array([1.0, 2.0, 3.0])
    frames = rng.choice(np.array([-1, 1], dtype=np.int8), size=(3, 4, 4))
    bars = rng.dirichlet(np.ones(5), size=3)
    x = np.linspace(0.5, 4, 50)
    y = np.sin(x)
    at = markers(x, y, temps, log=False)
    assert np.allclose(at, np.interp(temps, x, y))
    dial = Dial("seeds", "The seeds' picture", "temperature T [J/k_B]", temps,
                [f"T = {t:g} J/k_B" for t in temps], image=frames, image_title="spins",
                bars=bars, bar_labels=["a", " b", "\n", "c", "d"], bar_title="tokens",
                panels=[("C against T", "C", [("L = 4", x, y, at)])], start=1)
    path = write_report(sweep_like(), tmp_path / "report.html", extra=[dial])
    browser.get(path.as_uri())
    _wait_for_bokeh(browser)
    image = lambda: browser.execute_script(  # noqa: E731
        "const d = Bokeh.documents[0].get_model_by_name('image-seeds').data.image[0];"
        "return Array.from(d);")
    for k in (1, 2, 0):
        if k == 2:  # a keyboard step, as a user makes it
            _widget(browser, ".noUi-handle").send_keys(Keys.ARROW_RIGHT)
        elif k == 0:
            _set(browser, "dial-seeds", "value", f"T = {temps[k]:g} J/k_B")
        _until(browser, lambda: image() == frames[k].ravel().tolist())
        assert _bokeh(browser, "bars-seeds", "p") == bars[k].tolist()
        marker = browser.execute_script(
            "const f = Bokeh.documents[0].get_model_by_name('panel-C against T');"
            "const r = f.renderers.filter((r) => r.data_source.data.x.length === 1)[0];"
            "return [r.data_source.data.x[0], r.data_source.data.y[0]];")
        assert marker == [temps[k], at[k]]
        # the handle announces the temperature with its unit, not an index
        handles = _shadow_query(browser, ".noUi-handle")
        assert [h.get_attribute("aria-valuetext") for h in handles] == [
            f"T = {temps[k]:g} J/k_B"]
    labels = browser.execute_script(
        "return Bokeh.documents[0].get_model_by_name('bars-seeds').data.label;")
    assert labels == ["1. 'a'", "2. '·b'", "3. '\\n'", "4. 'c'", "5. 'd'"]
    _clean_page(browser)


def test_a_token_page_carries_what_fits_its_budget_and_says_why(monkeypatch, tmp_path):
    import json

    from simlab.render import report

    ds = spectra_like(n=300, vocab=2000)
    page = report.render(ds)
    carried = json.loads(re.search(r'<script id="payload" type="application/json">(.*?)'
                                   r"</script>", page, re.S).group(1))["tokens"]
    assert len(carried["positions"]) == 300 and len(page) <= report.TOKEN_SIZE_BUDGET
    monkeypatch.setattr(report, "TOKEN_SIZE_BUDGET", 2_150_000)  # room for about 230
    page = report.render(ds)
    carried = json.loads(re.search(r'<script id="payload" type="application/json">(.*?)'
                                   r"</script>", page, re.S).group(1))["tokens"]
    n = len(carried["positions"])
    assert report.MIN_POSITIONS <= n < 300 and len(page) <= 2_150_000
    assert carried["budget"] == 2_150_000 and carried["bytes_per_position"] > 1000
    indices = [p["index"] for p in carried["positions"]]
    assert indices[0] == 0 and indices[-1] == 299  # evenly spaced over all of them
