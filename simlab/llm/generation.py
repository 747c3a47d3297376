"""Generation of token sequences at temperature, with their per-step thermodynamics.

:func:`generate` runs a causal language model from the beginning-of-sequence token, batched
over sequences, with the model's key-value cache, and draws each next token with simlab's
seeded sampler (:func:`simlab.samplers.tokens.draw_next`): pure temperature sampling, no
top-k or top-p unless a control truncates (:mod:`simlab.llm.controls`). Sequence i of a
control uses the stream ``derive(seed, "generation", *control.key, i)``, so its random
numbers depend on the seed, the control and its index only, never on the batch it ran in.
Its logits do depend on the batch in the last float32 bits (the model's matrix products round
differently for other batch shapes, by about 1e-5 here), which can move a draw that lies
on the boundary between two tokens: the same batch size reproduces a run bit for bit, another
batch size almost always does. Every step records
the drawn token, the temperature used, the exact ln Z, entropy and specific heat of the
distribution it was drawn from, and the token's log-probability under the model at T = 1
(for the perplexity). The thermodynamic variables are stored as float32: the analysis reads
exactly what a saved dataset or the shipped bundle holds.

With ``checkpoint_dir`` every finished batch is saved there, and a run interrupted and
started again with the same arguments resumes from the batches it finds.
"""

import hashlib
import inspect
import json
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from simlab.errors import ConfigError, ModelError
from simlab.llm import memory
from simlab.results import Result, written_atomically
from simlab.rng import stream_states
from simlab.samplers.tokens import draw_next
from simlab.thermo.logits import row_thermodynamics
from simlab.validation import integer

#: Per-step variables besides the token: name -> (long_name, units).
STEP_META = {
    "token_id": ("drawn token", "1"),
    "sampling_temperature": ("temperature the token was drawn at", "logit"),
    "log_z": ("ln Z of the distribution drawn from, at its temperature", "1"),
    "entropy": ("entropy of the distribution drawn from", "nats"),
    "specific_heat": ("specific heat C = Var(E)/T^2 of the distribution drawn from", "1"),
    "log_prob": ("log-probability of the drawn token under the model at T = 1", "nats"),
}


@dataclass
class GeneratedText(Result):
    """Sequences drawn by :func:`generate`.

    Attributes
    ----------
    steps : dict of ndarray, each (C, S, N)
        ``token_id`` (int32) and the float32 variables of :data:`STEP_META`, per control,
        sequence and step.
    labels : list of str
        One per control.
    temperatures : float64[C]
        The fixed temperature of each control (NaN for the others).
    seed : int
    model, revision : str
    seconds : float
        Wall time of the generation (resumed batches excluded).
    generated_tokens : int
        Tokens generated in this call (resumed batches excluded).
    checkpoint : str or None
        The folder holding this generation's finished batches, if any.
    attributes : dict
        The model's dtype and device and the start token (:func:`start_token`), as the
        Dataset's attributes.
    """

    steps: dict
    labels: list
    temperatures: np.ndarray
    seed: int
    model: str
    revision: str
    seconds: float = 0.0
    generated_tokens: int = 0
    checkpoint: Optional[str] = None
    attributes: dict = field(default_factory=dict)

    META = {**STEP_META,
            "control": ("how the temperature of each step was set", "1"),
            "control_temperature": ("fixed sampling temperature of the control (NaN: none)",
                                    "logit"),
            "sequence": ("generated sequence", "1"),
            "step": ("token position after the beginning of the sequence", "1"),
            "tokens_per_second": ("tokens generated per second of wall time", "1/s")}

    @property
    def tokens_per_second(self):
        return self.generated_tokens / self.seconds if self.seconds > 0 else float("nan")

    def to_dataset(self):
        """Dims (control, sequence, step); ``control_temperature`` along ``control``."""
        c, s, n = self.steps["token_id"].shape
        return self._dataset(
            {name: (("control", "sequence", "step"), values)
             for name, values in self.steps.items()}
            | {"tokens_per_second": ((), self.tokens_per_second)},
            {"control": list(self.labels),
             "control_temperature": ("control", np.asarray(self.temperatures, dtype=float)),
             "sequence": np.arange(s), "step": np.arange(n)},
            model=self.model, model_revision=self.revision, seed=self.seed,
            **self.attributes)


def _forward(lm, ids, cache):
    """One forward pass with the key-value cache; (logits of the last position, upcast to
    float32 on the CPU, and the cache)."""
    import torch

    model = lm.model
    name = "cache" if "cache" in inspect.signature(model.forward).parameters \
        else "past_key_values"
    kwargs = {"use_cache": True, **({name: cache} if cache is not None else {})}
    with torch.inference_mode():
        out = model(lm.inputs(ids), **kwargs)
    cache = getattr(out, "cache", None)
    if cache is None:
        cache = out.past_key_values
    return out.logits[:, -1, :].to(torch.float32).cpu().numpy(), cache


def start_token(tokenizer):
    """(id, name) of the token every sequence starts from: the tokenizer's beginning-of-
    sequence token, else its end-of-sequence token (which a model trained on concatenated
    documents has seen before each document).

    Raises
    ------
    ModelError
        When the tokenizer has neither: there is no token a sequence could start from.
    """
    for name in ("bos", "eos"):
        token = getattr(tokenizer, f"{name}_token_id", None)
        if token is not None:
            return int(token), f"{name.upper()} {getattr(tokenizer, f'{name}_token')!r}"
    raise ModelError("the tokenizer has neither a beginning-of-sequence nor an "
                     "end-of-sequence token, so generation has no token to start from; use "
                     "a model whose tokenizer defines bos_token or eos_token")


def preallocated_cache(capacity):
    """An empty key-value cache whose layers hold ``capacity`` positions from the start.

    transformers' ``DynamicCache`` concatenates every new key and value onto the old ones,
    copying the whole cache at every step: at 500 positions of 120 sequences that copy took
    four times as long as the attention itself. These layers write each step in place and
    hand the attention a view of the filled part (same values, same order). Returns None
    (the model's default cache) with a transformers that has no ``DynamicLayer``.
    """
    try:
        from transformers.cache_utils import DynamicCache, DynamicLayer
    except ImportError:  # pragma: no cover - transformers < 4.56
        return None

    class PreallocatedLayer(DynamicLayer):
        def lazy_initialization(self, key_states, value_states):
            super().lazy_initialization(key_states, value_states)
            b, h, _, d = key_states.shape
            self.store_keys = key_states.new_empty((b, h, capacity, d))
            self.store_values = value_states.new_empty((b, h, capacity, value_states.shape[-1]))
            self.filled = 0

        def update(self, key_states, value_states, *args, **kwargs):
            if not self.is_initialized:
                self.lazy_initialization(key_states, value_states)
            stop = self.filled + key_states.shape[-2]
            if stop > self.store_keys.shape[-2]:  # more than planned: fall back to growing
                return super().update(key_states, value_states, *args, **kwargs)
            self.store_keys[:, :, self.filled:stop].copy_(key_states)
            self.store_values[:, :, self.filled:stop].copy_(value_states)
            self.filled = stop
            self.keys = self.store_keys[:, :, :stop]
            self.values = self.store_values[:, :, :stop]
            return self.keys, self.values

    cache = DynamicCache()
    cache.layer_class_to_replicate = PreallocatedLayer
    return cache


def _generate_batch(lm, controls, pairs, n_steps, seed, bos, bar):
    """Generate the sequences ``pairs`` = [(control index, sequence index), ...] together (one
    forward pass for all rows; each control chooses, measures and draws on its own rows).

    Returns
    -------
    dict of (B, N) arrays, rows in the order of ``pairs``.
    """
    b = len(pairs)
    c_of_row = np.array([c for c, _ in pairs])
    groups = [(controls[c], np.flatnonzero(c_of_row == c)) for c in dict.fromkeys(c_of_row)]
    states = [np.concatenate([stream_states(seed, ("generation", *control.key,
                                                   int(pairs[r][1])), 1) for r in rows])
              for control, rows in groups]
    control_states = [control.start(rows.size) for control, rows in groups]
    out = {"token_id": np.empty((b, n_steps), dtype=np.int32),
           **{name: np.empty((b, n_steps), dtype=np.float32) for name in STEP_META
              if name != "token_id"}}
    logits, cache = _forward(lm, np.full((b, 1), bos, dtype=np.int64),
                             preallocated_cache(n_steps))
    tokens = np.empty(b, dtype=np.int64)
    for step in range(n_steps):
        for g, (control, rows) in enumerate(groups):
            own = logits[rows]
            used, t = control.choose(own, step, control_states[g])
            thermo = row_thermodynamics(used, t)
            drawn = draw_next(used, t, states[g])
            log_z1 = row_thermodynamics(own, np.ones(rows.size))["log_z"]
            control_states[g] = control.update(used, drawn, control_states[g])
            tokens[rows] = drawn
            out["sampling_temperature"][rows, step] = t
            out["log_z"][rows, step] = thermo["log_z"]
            out["entropy"][rows, step] = thermo["entropy"]
            out["specific_heat"][rows, step] = thermo["specific_heat"]
            out["log_prob"][rows, step] = own[np.arange(rows.size), drawn] - log_z1
        out["token_id"][:, step] = tokens
        if step + 1 < n_steps:
            logits, cache = _forward(lm, tokens[:, None], cache)
        bar.update(b)
    return out


def _manifest(lm, controls, n_sequences, n_steps, seed, batch_size, bos):
    return {"model": lm.name, "revision": lm.revision, "controls": [list(c.key) for c in controls],
            "n_sequences": n_sequences, "n_steps": n_steps, "seed": seed,
            "batch_size": batch_size, "bos": bos, "format": 2}


def _load_checkpoint(path, steps, n_rows, n_steps):
    """A finished batch saved by an earlier run, or None if there is none or it does not
    hold what this batch needs (then it is generated again and the file replaced)."""
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path) as saved:
            part = {name: saved[name] for name in steps}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if any(v.shape != (n_rows, n_steps) for v in part.values()):
        return None
    return part


def generate(lm, controls, n_sequences, n_steps, seed=0, batch_size=64, progress=False,
             checkpoint_dir=None, memory_mb=None):
    """Generate ``n_sequences`` sequences of ``n_steps`` tokens under each control, each
    starting from :func:`start_token`.

    Parameters
    ----------
    lm : simlab.llm.models.LanguageModel
    controls : sequence of Control
        See :mod:`simlab.llm.controls`.
    n_sequences, n_steps : int
    seed : int
    batch_size : int
        Most sequences run through the model together, of any controls (bounds memory;
        does not change which random numbers a sequence uses). The sequences, control by
        control, are cut into equal batches of at most this size.
    progress : bool
    checkpoint_dir : path, optional
        Save each finished batch there and resume from the batches found.
    memory_mb : float, optional
        What a batch may hold, its logits and key-value cache: fewer than ``batch_size``
        sequences when they do not fit (:func:`simlab.llm.memory.rows_per_batch`).

    Returns
    -------
    GeneratedText
    """
    from tqdm.auto import tqdm

    n_sequences = integer("n_sequences", n_sequences, 1)
    n_steps = integer("n_steps", n_steps, 1)
    batch_size = integer("batch_size", batch_size, 1)
    if not controls:
        raise ConfigError("controls", list(controls), "at least one control")
    if memory_mb is not None:
        cache = memory.kv_cache_bytes(lm.model.config, n_steps, lm.dtype)
        batch_size = memory.rows_per_batch(memory_mb, lm.vocab_size, lm.dtype, cache,
                                           batch_size)
    bos, start_name = start_token(lm.tokenizer)
    manifest = _manifest(lm, controls, n_sequences, n_steps, seed, batch_size, bos)
    folder = None
    if checkpoint_dir is not None:
        digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:16]
        folder = Path(checkpoint_dir) / f"generation-{digest}"
        folder.mkdir(parents=True, exist_ok=True)
        with written_atomically(folder / "manifest.json") as tmp:
            Path(tmp).write_text(json.dumps(manifest, indent=1))
    steps = {"token_id": np.empty((len(controls), n_sequences, n_steps), dtype=np.int32),
             **{name: np.empty((len(controls), n_sequences, n_steps), dtype=np.float32)
                for name in STEP_META if name != "token_id"}}
    pairs = [(c, i) for c in range(len(controls)) for i in range(n_sequences)]
    # Rows of all controls share forward passes; equal batches waste no padding rows.
    n_batches = -(-len(pairs) // batch_size)
    size = -(-len(pairs) // n_batches)
    bar = tqdm(total=len(pairs) * n_steps, disable=not progress, unit="token", desc="generate",
               leave=False)
    seconds, generated = 0.0, 0
    for start in range(0, len(pairs), size):
        batch = pairs[start:start + size]
        path = folder / f"rows{start}-{start + len(batch)}.npz" if folder is not None else None
        part = _load_checkpoint(path, steps, len(batch), n_steps)
        if part is not None:
            bar.update(len(batch) * n_steps)
        else:
            begin = time.perf_counter()
            part = _generate_batch(lm, controls, batch, n_steps, seed, bos, bar)
            seconds += time.perf_counter() - begin
            generated += len(batch) * n_steps
            if path is not None:
                # a unique temporary file: runs with the same settings share this folder
                with written_atomically(path) as tmp, open(tmp, "wb") as handle:
                    np.savez(handle, **part)
        c_index = np.array([c for c, _ in batch])
        s_index = np.array([i for _, i in batch])
        for name in steps:
            steps[name][c_index, s_index] = part[name]
    bar.close()
    return GeneratedText(steps, [c.label for c in controls],
                         np.array([c.temperature for c in controls]), int(seed), lm.name,
                         lm.revision, seconds, generated,
                         None if folder is None else str(folder),
                         {**{k: v for k, v in lm.attributes.items()
                             if k in ("model_dtype", "model_device")},
                          "start_token": start_name})
