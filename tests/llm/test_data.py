"""Corpus, windows, compression and the bundle: no model needed."""

from dataclasses import replace

import numpy as np
import pytest

from simlab.errors import ConfigError, DataError
from simlab.llm import corpus, spectra
from simlab.thermo import logit_thermodynamics


def test_default_corpus_is_python_reference_text():
    text = corpus.default_text()
    assert len(text) > 100_000 and "assert" in text and "The" in text
    text2, description = corpus.load_corpus(None)
    assert text2 == text and "pydoc_data.topics" in description


def test_corpus_file_errors(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        corpus.read_text(tmp_path / "absent.txt")
    (tmp_path / "empty.txt").write_text("  \n")
    with pytest.raises(DataError, match="empty"):
        corpus.read_text(tmp_path / "empty.txt")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        corpus.read_text(tmp_path / "latin1.txt")
    (tmp_path / "ok.txt").write_text("hello world", encoding="utf-8")
    assert corpus.load_corpus(tmp_path / "ok.txt") == ("hello world", "file ok.txt")


@pytest.mark.parametrize("n_tokens,n_positions,context,stride", [
    (100_000, 1024, 256, 128), (1000, 1024, 256, 128), (50, 10, 256, 128), (300, 7, 64, 3),
    (1000, 10**6, 64, 32), (1001, 10**6, 64, 7)])
def test_windows_score_distinct_positions_with_context(n_tokens, n_positions, context, stride):
    starts, ctx, st = spectra.plan_windows(n_tokens, n_positions, context, stride)
    scored = (starts[:, None] + np.arange(ctx - st, ctx)[None, :]).ravel()
    positions = np.unique(scored)
    assert positions.max() + 1 < n_tokens                     # every position has a next token
    assert starts.min() >= 0 and ctx <= n_tokens - 1
    assert np.all(np.diff(starts) > 0)
    if n_positions >= n_tokens:
        # Asking for more than the corpus holds scores every position with full context.
        assert np.array_equal(positions, np.arange(ctx - st, n_tokens - 1))
    else:
        assert positions.size == scored.size                  # never scored twice
        assert positions.size >= min(n_positions, positions.size)


def test_plan_windows_rejects_bad_values():
    with pytest.raises(ConfigError, match="llm.stride"):
        spectra.plan_windows(1000, 10, 64, 0)


def test_compression_roundtrip_accuracy():
    rng = np.random.default_rng(0)
    z = (rng.normal(size=(6, 5000)) * 4).astype(np.float32)
    c = spectra.compress(z, top_k=64, bin_width=0.02)
    assert c["top_logits"].shape == (6, 64)
    assert np.array_equal(c["top_logits"][:, 0], z.max(axis=1))
    assert np.all(c["tail_counts"].sum(axis=1) == 5000 - 64)
    levels, g = spectra.decompress(c["top_logits"], c["tail_start"], c["tail_counts"], 0.02)
    t = np.geomspace(0.05, 20, 10)
    a = logit_thermodynamics(levels, t, degeneracy=g)
    b = logit_thermodynamics(z, t)
    assert np.max(np.abs(a["entropy"] - b["entropy"])) < 1e-3
    assert np.allclose(a["energy"], b["energy"], atol=2e-3)
    with pytest.raises(DataError, match="finite"):
        spectra.compress(np.array([[0.0, np.nan, 1.0]]), top_k=1)


def test_shipped_bundle_is_small_valid_and_documented():
    path = spectra.bundle_path()
    assert path.stat().st_size <= 5_000_000
    ds = spectra.load_bundle()
    for key in ("model", "model_revision", "corpus", "regenerate_with", "config", "created",
                "simlab_version"):
        assert key in ds.attrs, key
    assert float(ds["bin_width"]) == 0.02 and ds["bin_width"].attrs["units"] == "logit"
    assert "simlab experiment=llm_bundle" in ds.attrs["regenerate_with"]
    counts = {s: int((ds["split"].values == s).sum()) for s in spectra.SPLITS}
    assert counts == {"corpus": 1024, "shuffled": 512}
    # Every stored spectrum accounts for the whole vocabulary.
    total = ds["top_logits"].sizes["rank"] + ds["tail_counts"].values.astype(int).sum(axis=1)
    assert np.all(total == ds.attrs["vocab_size"])
    # The report page's text: the 20 most likely tokens in order, and the context
    assert ds["ranked_token_id"].sizes["ranked"] == spectra.RANKED
    assert np.array_equal(ds["ranked_token_id"].values[:, 0], ds["top_token_id"].values)
    text = spectra.bundle_strings(ds, "corpus", 3)
    assert all(c.endswith(t) for c, t in zip(text.context, text.token))
    assert len(text.ranked_token) == 3 and len(text.ranked_token[0]) == spectra.RANKED


def test_ranked_ids_are_the_largest_logits_in_order_ties_by_index():
    z = np.array([[0.5, 3.0, 3.0, -1.0, 2.0], [1.0, 0.0, 4.0, 2.0, 3.0]], dtype=np.float32)
    assert spectra.ranked_ids(z, 3).tolist() == [[1, 2, 4], [2, 4, 3]]
    assert spectra.ranked_ids(z, 9).shape == (2, 5)


def test_spectra_variables_join_batches_and_keep_the_bundles_compression():
    rng = np.random.default_rng(1)
    parts = []
    for n, width in ((3, 400), (2, 400)):
        z = rng.normal(0, 3, (n, width)).astype(np.float32)
        batch = spectra.SpectrumBatch(position=np.arange(n), token_id=np.zeros(n, int),
                                      next_token_id=np.ones(n, int),
                                      top_token_id=z.argmax(1), levels=z,
                                      ranked_token_id=spectra.ranked_ids(z))
        text = spectra.PositionText(["a"] * n, ["b"] * n, ["ctx a"] * n,
                                    [["t"] * spectra.RANKED] * n)
        parts.append((batch.compact(top_k=16, bin_width=0.1), text))
        assert parts[-1][0].levels is None  # compact keeps only the compressed form
    v = spectra.spectra_variables(parts, top_k=16, bin_width=0.1)
    assert v["top_logits"][1].shape == (5, 16) and v["bin_width"] == ((), 0.1)
    assert v["ranked_token"][0] == ("position", "ranked") and v["context"][1].shape == (5,)
    assert v["tail_counts"][1].sum(axis=1).tolist() == [400 - 16] * 5
    # a batch without text for the page leaves those variables out rather than misaligned
    parts[1] = (parts[1][0], spectra.PositionText(["a"] * 2, ["b"] * 2))
    assert "context" not in spectra.spectra_variables(parts, 16, 0.1)
    first = parts[0][0]
    wider = (replace(first, compressed={**first.compressed, "bin_width": 0.2}), parts[0][1])
    with pytest.raises(DataError, match="bin widths"):
        spectra.spectra_variables([wider, parts[1]], 16, 0.1)


def test_a_dials_token_bars_are_the_exact_softmax_of_the_median_position():
    from simlab.llm.analysis import typical_position_bars
    from simlab.thermo import logit_specific_heat_peak

    rng = np.random.default_rng(6)
    z = (rng.normal(0, 1, (5, 300)) * np.arange(1, 6)[:, None]).astype(np.float32)
    batch = spectra.SpectrumBatch(position=np.arange(10, 15), token_id=np.zeros(5, int),
                                  next_token_id=np.ones(5, int), top_token_id=z.argmax(1),
                                  levels=z, ranked_token_id=spectra.ranked_ids(z))
    ranked = [[f"t{i}-{j}" for j in range(spectra.RANKED)] for i in range(5)]
    text = spectra.PositionText(["a"] * 5, ["b"] * 5, [f"ctx {i}" for i in range(5)], ranked)
    x = np.array([0.5, 1.0, 2.0])
    bars = typical_position_bars(batch, text, x, n=4)
    t_star = logit_specific_heat_peak(z)[0]
    i = int(np.argsort(t_star)[2])  # the median of five
    assert bars["position"] == 10 + i and bars["context"] == f"ctx {i}"
    assert bars["token"] == ranked[i][:4] and bars["peak_temperature"] == t_star[i]
    for k, t in enumerate(x * t_star[i]):
        p = np.exp((z[i].astype(np.float64) - z[i].max()) / t)
        p /= p.sum()
        assert np.allclose(bars["probability"][k], np.sort(p)[::-1][:4], rtol=1e-12)
