"""A memory budget instead of a window count, and several models in one comparison.

The budget is measured with a vocabulary of 256,000 in a fresh process; the comparison runs
two tiny models through the generated-text task as a sweep and collects them along a
``model`` dimension (marked slow: it runs in CI's slow step).
"""

import os
import subprocess
import sys
import textwrap

import pytest
from tiny_models import save_model, tokenizer

from simlab.errors import ConfigError
from simlab.llm import memory

pytestmark = pytest.mark.skipif(os.environ.get("SIMLAB_SKIP_LLM") == "1",
                                reason="SIMLAB_SKIP_LLM=1")


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
    ids = text_ids(tok, 400)
    starts, context, stride = spectra.plan_windows(ids.size, 320, 64, 32)
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


@pytest.mark.slow
def test_a_sweep_over_models_collects_along_a_model_dimension(tmp_path):
    """Two tiny models through the generated-text task as a sweep, then ``simlab collect``:
    one Dataset with a ``model`` dimension, the comparison figure and the report."""
    tok = tokenizer()
    folders = [str(save_model(tmp_path / name, name, tok, seed=k))
               for k, name in enumerate(("llama", "gpt2"))]
    args = ["-m", "experiment=llm_phase_transition", "generation.source=live",
            f"generation.model={','.join(folders)}", "generation.sequences=6",
            "generation.steps=32", "sweep.temperatures=[0.3,1.0,3.0]", "text.bootstrap=4",
            "text.tagger=rules", "ising.sizes=[4]", "ising.sweeps=48",
            "ising.reduced_temperatures=[0.8,1.2]", "output.progress=false",
            "output.plots=false", "output.report=false", "hydra/launcher=basic",
            "hydra.sweep.dir=models"]
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
