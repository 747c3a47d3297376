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
from simlab.llm import models, spectra
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


def test_random_weights_are_the_same_control_every_time(tok, tmp_path):
    folder = str(save_model(tmp_path / "qwen2", "qwen2", tok))
    first, again = (models.load(f"random:{folder}") for _ in range(2))
    trained = models.load(folder)
    assert first.name.startswith("random init of ")
    for a, b, c in zip(first.model.parameters(), again.model.parameters(),
                       trained.model.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    assert not all(np.array_equal(a.detach().numpy(), c.detach().numpy())
                   for a, c in zip(first.model.parameters(), trained.model.parameters()))
