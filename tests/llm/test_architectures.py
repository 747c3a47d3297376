"""Any causal architecture a user brings, at its precision and within a memory budget.

Tiny randomly initialised GPT-2, GPT-NeoX, Llama, Qwen2, Mistral, Gemma 2 and Phi-3 models
saved to folders with a tokenizer beside them (tests/tiny_models.py) go through the three
things simlab does with a language model: the spectra (equal to a plain forward pass), the
generation at T = 0 (equal to transformers' greedy decoding) and the entropy-target control.
GGUF files of Qwen2 and Llama models, written as llama.cpp lays them out, load with the same
logits and tokens as their folders.
Tokenizers without BOS, without BOS or EOS, a masked model (BERT) and a folder without a
tokenizer are handled or refused in one line before any heavy work.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from tiny_models import (
    ARCHITECTURES,
    GGUF_ARCHITECTURES,
    save_gguf,
    save_model,
    text_ids,
    tokenizer,
)

from simlab.errors import ConfigError, ModelError
from simlab.llm import memory, models, spectra
from simlab.llm.controls import EntropyTarget, FixedTemperature
from simlab.llm.generation import generate
from simlab.thermo import logit_thermodynamics

pytestmark = pytest.mark.skipif(os.environ.get("SIMLAB_SKIP_LLM") == "1",
                                reason="SIMLAB_SKIP_LLM=1")


@pytest.fixture(scope="module")
def tok():
    return tokenizer()


@pytest.fixture(scope="module", params=list(ARCHITECTURES))
def tiny(request, tok, tmp_path_factory):
    folder = save_model(tmp_path_factory.mktemp(request.param), request.param, tok)
    return models.load(str(folder), device="auto")


def _greedy(lm, start, n):
    import torch

    begin = torch.tensor([[start]])
    with torch.inference_mode():
        out = lm.model.generate(begin, attention_mask=torch.ones_like(begin), do_sample=False,
                                max_new_tokens=n, min_new_tokens=n,
                                pad_token_id=lm.tokenizer.eos_token_id)
    return out[0, 1:].numpy()


def test_spectra_equal_a_plain_forward_pass(tiny, tok):
    import torch

    assert (tiny.dtype, tiny.device) == ("float32", "cpu")  # auto on this CPU
    ids = text_ids(tok, 120)
    starts, context, stride = spectra.plan_windows(ids.size, 60, 32, 16)
    batches = list(spectra.model_batches(tiny, ids, starts, context, stride, 3))
    positions = np.concatenate([b.position for b in batches])
    assert positions.size == np.unique(positions).size >= 60
    for batch in batches[:2]:
        for k, p in enumerate(batch.position[::5]):
            start = next(s for s in starts if s + context - stride <= p < s + context)
            with torch.inference_mode():
                direct = tiny.model(torch.as_tensor(ids[None, start:start + context])).logits
            expected = direct[0, p - start].numpy()
            np.testing.assert_allclose(batch.levels[5 * k], expected, rtol=1e-4, atol=1e-4)
    thermo = logit_thermodynamics(batches[0].levels[:8], np.array([0.5, 1.0, 2.0]))
    entropy = np.asarray(thermo["entropy"])
    assert np.all(np.isfinite(entropy)) and np.all(entropy <= np.log(tiny.vocab_size) + 1e-9)


def test_zero_temperature_is_greedy_decoding(tiny):
    out = generate(tiny, [FixedTemperature(0.0)], 2, 12, seed=1)
    greedy = _greedy(tiny, tiny.tokenizer.bos_token_id, 12)
    assert np.array_equal(out.steps["token_id"][0, 0], greedy)
    assert np.array_equal(out.steps["token_id"][0, 1], greedy)
    ds = out.to_dataset()
    assert ds.attrs["start_token"] == "BOS '<s>'"
    assert (ds.attrs["model_dtype"], ds.attrs["model_device"]) == ("float32", "cpu")


def test_the_entropy_target_is_met(tiny):
    out = generate(tiny, [EntropyTarget(1.5)], 2, 10, seed=2)
    t = out.steps["sampling_temperature"][0].astype(np.float64)
    s = out.steps["entropy"][0].astype(np.float64)
    hit = np.isfinite(t) & (t > 0)
    assert hit.sum() >= 10
    assert np.max(np.abs(s[hit] - 1.5)) < 1e-5


def test_a_tokenizer_without_bos_starts_from_eos_and_one_without_either_is_refused(tmp_path):
    eos_only = tokenizer(("eos",))
    lm = models.load(str(save_model(tmp_path / "eos", "llama", eos_only)))
    out = generate(lm, [FixedTemperature(0.0)], 1, 6, seed=0)
    assert out.to_dataset().attrs["start_token"] == "EOS '</s>'"
    assert np.array_equal(out.steps["token_id"][0, 0],
                          _greedy(lm, eos_only.eos_token_id, 6))
    bare = models.load(str(save_model(tmp_path / "bare", "llama", tokenizer(()))))
    with pytest.raises(ModelError, match="neither a beginning-of-sequence nor an end-of"):
        generate(bare, [FixedTemperature(1.0)], 1, 4)
    # spectra need no start token
    ids = text_ids(bare.tokenizer, 40)
    starts, context, stride = spectra.plan_windows(ids.size, 16, 16, 8)
    assert next(spectra.model_batches(bare, ids, starts, context, stride, 2)).levels.shape[1] \
        == bare.vocab_size


@pytest.mark.parametrize("architecture", list(GGUF_ARCHITECTURES))
def test_gguf_files_of_other_architectures_load_as_their_folders(architecture, tok, tmp_path):
    import torch

    folder = save_model(tmp_path / architecture, architecture, tok)
    path = save_gguf(tmp_path / f"{architecture}.gguf", folder)
    from_folder, from_file = models.load(str(folder)), models.load(str(path))
    assert from_file.revision.startswith("sha256:")
    ids = text_ids(tok, 40)
    with torch.inference_mode():
        a = from_folder.model(torch.as_tensor(ids[None])).logits
        b = from_file.model(torch.as_tensor(ids[None])).logits
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-5)
    assert np.array_equal(from_file.encode("hello world"), from_folder.encode("hello world"))
    out = generate(from_file, [FixedTemperature(0.0)], 1, 8, seed=0)
    assert np.array_equal(out.steps["token_id"][0, 0], _greedy(from_folder, tok.bos_token_id, 8))


def test_bfloat16_on_the_cpu_runs_and_upcasts(tok, tmp_path):
    folder = str(save_model(tmp_path / "llama", "llama", tok))
    full = models.load(folder, dtype="float32", device="cpu")
    half = models.load(folder, dtype="bfloat16", device="cpu")
    assert half.dtype == "bfloat16" and half.attributes["model_dtype"] == "bfloat16"
    ids = text_ids(tok, 60)
    starts, context, stride = spectra.plan_windows(ids.size, 20, 32, 16)
    a = next(spectra.model_batches(full, ids, starts, context, stride, 2))
    b = next(spectra.model_batches(half, ids, starts, context, stride, 2))
    assert b.levels.dtype == np.float32  # upcast exactly; the thermodynamics is float64
    # bfloat16 keeps 8 bits of mantissa: on this two-layer model the logits differ from
    # float32 by 0.013 (median) and 0.28 at most (of a scale of 6), and S by up to 0.05
    # nats of ~4 (measured 2026-12-07)
    difference = np.abs(a.levels - b.levels)
    assert np.median(difference) < 0.05 and difference.max() < 0.1 * np.abs(a.levels).max()
    t = np.array([0.5, 1.0, 2.0])
    entropy = [np.asarray(logit_thermodynamics(x.levels, t)["entropy"]) for x in (a, b)]
    assert np.max(np.abs(entropy[0] - entropy[1])) < 0.15
    out = generate(half, [FixedTemperature(0.0)], 1, 8, seed=0)
    assert np.array_equal(out.steps["token_id"][0, 0], _greedy(half, tok.bos_token_id, 8))


@pytest.mark.parametrize("device, allowed", [
    ("cuda", "no CUDA device is visible"), ("cuda:3", "no CUDA device is visible"),
    ("mps", "Apple MPS is not available"), ("tpu", "one of auto, cpu, cuda, mps, map"),
])
def test_a_device_this_machine_lacks_is_refused_before_loading(device, allowed):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    with pytest.raises(ConfigError, match=allowed) as error:
        models.load("no-such-model-is-loaded", device=device)
    assert error.value.key == "llm.device"
    with pytest.raises(ConfigError, match="float32, bfloat16"):
        models.load("no-such-model-is-loaded", dtype="float64", device="cpu")


def test_a_masked_model_and_a_folder_without_tokenizer_are_refused(tok, tmp_path):
    import transformers

    from simlab.llm.sources import check_model_folder

    config = transformers.BertConfig(vocab_size=len(tok), hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=32)
    masked = tmp_path / "bert"
    transformers.BertForMaskedLM(config).save_pretrained(masked)
    tok.save_pretrained(masked)
    with pytest.raises(ConfigError, match="BertForMaskedLM, which does not predict"):
        check_model_folder(str(masked), "llm")
    # saved under a head whose name passes the config check, it is caught by the probe
    lm_head = tmp_path / "bert_lm_head"
    transformers.BertLMHeadModel(config).save_pretrained(lm_head)
    tok.save_pretrained(lm_head)
    check_model_folder(str(lm_head), "llm")
    with pytest.raises(ModelError, match="not a causal language model"):
        models.load(str(lm_head))
    bare = save_model(tmp_path / "no_tokenizer", "gpt2", tok)
    for name in os.listdir(bare):
        if "token" in name or name in ("vocab.json", "merges.txt"):
            os.remove(bare / name)
    with pytest.raises(ConfigError, match="a folder with its tokenizer"):
        check_model_folder(str(bare), "generation")


def test_a_task_refuses_a_masked_model_in_one_line(tok, tmp_path):
    import transformers

    config = transformers.BertConfig(vocab_size=len(tok), hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=32)
    transformers.BertForMaskedLM(config).save_pretrained(tmp_path / "bert")
    tok.save_pretrained(tmp_path / "bert")
    proc = subprocess.run([sys.executable, "-m", "simlab", "experiment=llm_vs_ising",
                           f"llm.model={tmp_path / 'bert'}", "hydra.run.dir=out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "llm.model=" in proc.stderr
    assert "BertForMaskedLM" in proc.stderr and "Traceback" not in proc.stderr


PEAK_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import torch
    sys.path.insert(0, {tests!r})
    from tiny_models import save_model, text_ids, tokenizer
    from simlab.llm import memory, models, spectra
    from simlab.llm.controls import FixedTemperature
    from simlab.llm.generation import generate

    def status(field):  # MB
        with open("/proc/self/status") as handle:
            return next(int(line.split()[1]) for line in handle if line.startswith(field)) / 1024

    def start_peak():  # resets the peak resident memory (Linux's clear_refs)
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return status("VmRSS:")

    tok = tokenizer()
    lm = models.load(save_model({folder!r}, "llama", tok, vocab_size=256_000))
    ids = text_ids(tok, 800)
    starts, context, stride = spectra.plan_windows(ids.size, 640, 64, 32)
    with torch.inference_mode():  # the model's own buffers, with the logits of one position
        lm.model(lm.inputs(ids[None, :context]), logits_to_keep=1)
    spectra.compress(np.random.default_rng(0).normal(size=(4, 1000)))
    generate(lm, [FixedTemperature(1.0)], 1, 2, seed=0)
    for budget in (300, 1200):
        before, windows = start_peak(), 0
        for batch in spectra.model_batches(lm, ids, starts, context, stride, 64,
                                           memory_mb=budget):
            batch.compressed_spectra()
            windows = max(windows, len(batch.position) // stride)
        print("spectra", budget, windows, status("VmHWM:") - before)
    cache = memory.kv_cache_bytes(lm.model.config, 6, lm.dtype)
    for budget in (150, 600):
        before = start_peak()
        generate(lm, [FixedTemperature(1.0)], 48, 6, seed=0, batch_size=64, memory_mb=budget)
        rows = memory.rows_per_batch(budget, lm.vocab_size, lm.dtype, cache, 64)
        print("generation", budget, rows, status("VmHWM:") - before)
""")


def test_the_memory_budget_bounds_the_peak_with_a_vocabulary_of_256000(tmp_path):
    """The logits of a 256,000-token vocabulary, in a fresh process: the budget sets the
    windows of the spectra per forward pass and the sequences generated together, and the
    resident memory each pass adds to the peak (reset just before it; the model's own
    buffers were counted before) stays within the budget."""
    script = PEAK_SCRIPT.format(tests=os.path.dirname(os.path.dirname(__file__)),
                                folder=str(tmp_path / "llama"))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr
    results = {}
    for line in proc.stdout.splitlines():
        fields = line.split()
        if fields and fields[0] in ("spectra", "generation"):
            results[fields[0], int(fields[1])] = int(fields[2]), float(fields[3])
    print("batch and added MB per budget:", results)
    # spectra: 32 positions x 256,000 logits x 16 bytes (float32) = 125 MB per window, and
    # 48 MB for the ranking and compression; generation: 48 bytes per logit of a sequence
    assert [n for n, _ in results.values()] == [2, 9, 12, 51]
    for (_, budget), (_, added) in results.items():
        assert added <= budget, results
    assert results["spectra", 1200][1] > results["spectra", 300][1]
    assert results["generation", 600][1] > results["generation", 150][1]
    with pytest.raises(ConfigError, match="at least 158 MB"):  # 14 bytes in bfloat16
        memory.windows_per_batch(100, 32, 256_000, "bfloat16", 4)


def test_a_sweep_over_models_collects_along_a_model_dimension(tok, tmp_path):
    """Two tiny models through the generated-text task as a sweep, then ``simlab collect``:
    one Dataset with a ``model`` dimension, the comparison figure and the report."""
    folders = [str(save_model(tmp_path / name, name, tok, seed=k))
               for k, name in enumerate(("llama", "gpt2"))]
    args = ["-m", "experiment=llm_phase_transition", "generation.source=live",
            f"generation.model={','.join(folders)}", "generation.sequences=6",
            "generation.steps=32", "sweep.temperatures=[0.3,1.0,3.0]", "text.bootstrap=4",
            "text.tagger=rules", "ising.sizes=[4]", "ising.sweeps=48",
            "ising.reduced_temperatures=[0.8,1.2]", "output.progress=false",
            "hydra/launcher=basic", "hydra.sweep.dir=models"]
    env = {**os.environ, "SIMLAB_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "simlab", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    from simlab import results
    from simlab.render.report import report_for
    from simlab.runs.collect import collect_to_file

    path, report = collect_to_file(tmp_path / "models")  # what `simlab collect` runs
    assert f"drew {tmp_path / 'models' / 'model_comparison.png'}" in report
    merged = results.load(path)
    assert sorted(merged["model"].values) == sorted(folders)
    assert merged["critical_temperature"].dims == ("model",)
    assert merged["growth_exponent"].dims == ("model", "temperature")
    assert list(merged["length"].values) == [16, 32]  # derived from generation.steps
    assert merged.attrs["title"] == "llm_phase_transition: 2 jobs merged along generation.model"
    assert (tmp_path / "models" / "model_comparison.png").stat().st_size > 10_000
    html = report_for(path).read_text()  # what `simlab report merged.nc` writes
    assert all(os.path.basename(f) in html for f in folders)
