"""The generated-text tasks on their shipped bundles: the analysis of a bundle repeats the
analysis of the live run that wrote it, number for number (to 12 significant digits), and
bad settings fail early."""

import numpy as np
import pytest
from helpers import run_task

from simlab import results
from simlab.errors import ConfigError
from simlab.tasks.llm_phase_transition import default_bundle as phase_bundle
from simlab.tasks.thermostat_generation import default_bundle as thermostat_bundle

ANALYSIS = ["tau", "tau_err", "tau_total", "growth_exponent", "growth_exponent_err",
            "correlation", "power_exponent", "correlation_length", "better_fit",
            "class_frequency", "repetition_rate", "perplexity", "perplexity_err",
            "mean_entropy", "mean_specific_heat", "fisher_information", "entropy_by_step"]


@pytest.mark.parametrize("experiment, bundle, extra", [
    ("llm_phase_transition", phase_bundle, ["critical_temperature", "critical_temperature_err",
                                            "fisher_peak_temperature"]),
    ("thermostat_generation", thermostat_bundle, ["mean_sampling_temperature",
                                                  "extreme_temperature_fraction"]),
])
def test_the_bundle_reproduces_the_live_analysis(experiment, bundle, extra, tmp_path):
    live = results.load(bundle())
    assert live.attrs["source"] == "live model"
    overrides = [f"experiment={experiment}", "generation.source=bundle"]
    if experiment == "llm_phase_transition":
        overrides += ["ising.sizes=[4]", "ising.sweeps=50"]  # the Ising side is not compared
    ds = run_task(overrides, tmp_path)
    assert "bundled sequences" in ds.attrs["model"]
    for name in ANALYSIS + extra:
        a, b = live[name].values, ds[name].values
        if a.dtype.kind == "f":
            # Equal up to the last bits: a least-squares fit (growth_exponent) rounds
            # differently under other numpy/LAPACK builds than the one that wrote the bundle.
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=name)
        else:
            assert np.array_equal(a, b), name


def test_bundles_are_small_and_say_how_they_were_made():
    for bundle, task in ((phase_bundle(), "llm_phase_transition"),
                         (thermostat_bundle(), "thermostat_generation")):
        assert bundle.stat().st_size < 6e6
        ds = results.load(bundle)
        assert f"experiment={task}" in ds.attrs["regenerate_with"]
        assert ds.attrs["tagger"].startswith("spacy en_core_web_sm")
        assert ds["token_class"].dtype == np.int8


def test_lengths_and_lags_follow_the_generated_length_unless_set(tmp_path):
    from simlab.tasks.common.generated import TextAnalysis, derived_dt_max, derived_lengths

    assert derived_lengths(512) == [16, 32, 64, 128, 256, 512]  # the defaults before
    assert derived_lengths(100) == [16, 32, 64] and derived_lengths(20) == [2, 4, 8, 16]
    assert (derived_dt_max(512), derived_dt_max(64), derived_dt_max(3)) == (64, 32, 1)
    base = ["experiment=thermostat_generation", "generation.source=bundle",
            "generation.sequences=8", "text.bootstrap=5", "generation.steps=64"]
    ds = run_task(base, tmp_path / "derived")  # steps alone: no other key to change
    assert list(ds["length"].values) == [16, 32, 64] and ds.sizes["dt"] == 32
    set_by_user = TextAnalysis(lengths=[16, 48], dt_max=8).for_steps(64)
    assert (set_by_user.lengths, set_by_user.dt_max) == ([16, 48], 8)


@pytest.mark.parametrize("overrides, key", [
    (["experiment=llm_phase_transition", "text.lengths=[16,1024]"], "text.lengths"),
    (["experiment=llm_phase_transition", "text.dt_max=512"], "text.dt_max"),
    (["experiment=llm_phase_transition", "sweep.temperatures=[1.0,0.5]"],
     "sweep.temperatures"),
    (["experiment=thermostat_generation", "controls.use=[T:1,S:-1]"], "controls.use[1]"),
    (["experiment=thermostat_generation", "generation.export=x.txt"], "generation.export"),
    (["experiment=llm_phase_transition", "generation.source=bundle", "text.tagger=rules"],
     "text.tagger"),
    (["experiment=llm_phase_transition", "generation.source=bundle",
      "sweep.temperatures=[0.3,0.65]"], "sweep.temperatures"),
    (["experiment=thermostat_generation", "generation.source=bundle", "controls.use=[S:4]"],
     "controls.use"),
    (["experiment=thermostat_generation", "generation.source=bundle", "text.unit=word",
      "generation.steps=128", "text.lengths=[16,32]", "text.dt_max=8"], "generation.steps"),
    (["experiment=llm_phase_transition", "generation.source=bundle",
      "generation.sequences=1000"], "generation.sequences"),
])
def test_bad_settings_are_refused_naming_the_key(overrides, key, tmp_path):
    with pytest.raises(ConfigError) as error:
        run_task(overrides, tmp_path)
    assert error.value.key == key
    assert not (tmp_path / "results.nc").exists()


def test_generated_examples_are_shown_coloured_by_word_class():
    import html
    import re

    import xarray as xr

    from simlab.llm.wordclasses import CLASSES, RuleTagger
    from simlab.tasks.common.generated import text_views

    texts = [["The cat sat on 3 mats.", "a <b> & c"], ["Quickly, run!", ""]]
    ds = xr.Dataset({"example_text": (("temperature", "example"),
                                      np.array(texts, dtype=object))},
                    coords={"temperature": [0.5, 1.5]}, attrs={"tagger": "rules"})
    [view] = text_views(ds)
    assert view.kind == "text" and "Classes by simlab's rule tagger" in view.describe()
    paragraphs = re.findall(r"<p style='white[^>]*>(.*?)</p>", view.html, re.S)
    assert len(paragraphs) == 4
    for shown, text in zip(paragraphs, sum(texts, [])):
        # the text itself, every character, escaped; each word in a span naming its class
        assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == text
        words, classes = RuleTagger().spans([text])[0]
        assert re.findall(r"title='(\w+)'", shown) == [CLASSES[c] for c in classes]
    assert "temperature = 0.5" in view.html and "&lt;" in view.html and "<b>" not in view.html
    assert text_views(ds.drop_vars("example_text")) == []
