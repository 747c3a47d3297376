"""The language-model layer on a CUDA device: precision, device, memory budget, and the
same numbers as the CPU within float tolerances.

Marked ``gpu``; skipped with a message on a machine without CUDA (as on the CI machine).
Run them on a GPU machine with ``pytest -m gpu tests/llm/test_gpu.py``.
"""

import os

import numpy as np
import pytest
from tiny_models import save_model, text_ids, tokenizer

from simlab.llm import models, spectra
from simlab.llm.controls import FixedTemperature
from simlab.llm.generation import generate

torch = pytest.importorskip("torch")

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(os.environ.get("SIMLAB_SKIP_LLM") == "1", reason="SIMLAB_SKIP_LLM=1"),
    pytest.mark.skipif(not torch.cuda.is_available(),
                       reason="needs a CUDA device (torch.cuda.is_available() is False here)"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    tok = tokenizer()
    return str(save_model(tmp_path_factory.mktemp("llama"), "llama", tok, vocab_size=32_000))


def _first_batch(lm, n=40):
    ids = text_ids(lm.tokenizer, 120)
    starts, context, stride = spectra.plan_windows(ids.size, n, 32, 16)
    return next(spectra.model_batches(lm, ids, starts, context, stride, 2))


def test_auto_picks_the_gpu_and_its_precision(folder):
    lm = models.load(folder)
    assert lm.device == "cuda:0"
    assert lm.dtype == ("bfloat16" if torch.cuda.is_bf16_supported() else "float16")
    assert str(next(lm.model.parameters()).device) == "cuda:0"


@pytest.mark.parametrize("dtype, tolerance", [("float32", 1e-4), ("bfloat16", 3e-2),
                                              ("float16", 3e-3)])
def test_gpu_logits_equal_the_cpu_within_the_precision(folder, dtype, tolerance):
    cpu = _first_batch(models.load(folder, dtype="float32", device="cpu"))
    gpu = _first_batch(models.load(folder, dtype=dtype, device="cuda"))
    assert gpu.levels.dtype == np.float32
    scale = np.abs(cpu.levels).max()
    assert np.max(np.abs(gpu.levels - cpu.levels)) < tolerance * scale


def test_greedy_decoding_on_the_gpu(folder):
    lm = models.load(folder, dtype="float32", device="cuda")
    out = generate(lm, [FixedTemperature(0.0)], 2, 10, seed=0)
    start = torch.tensor([[lm.tokenizer.bos_token_id]], device="cuda")
    greedy = lm.model.generate(start, attention_mask=torch.ones_like(start), do_sample=False,
                               max_new_tokens=10, min_new_tokens=10,
                               pad_token_id=lm.tokenizer.eos_token_id)
    assert np.array_equal(out.steps["token_id"][0, 0], greedy[0, 1:].cpu().numpy())


def test_the_memory_budget_bounds_the_gpu_peak(folder):
    lm = models.load(folder, dtype="float32", device="cuda")
    ids = text_ids(lm.tokenizer, 400)
    starts, context, stride = spectra.plan_windows(ids.size, 256, 64, 32)
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    for _ in spectra.model_batches(lm, ids, starts, context, stride, 64, memory_mb=64):
        pass
    added_mb = (torch.cuda.max_memory_allocated() - base) / 2 ** 20
    assert added_mb <= 64
