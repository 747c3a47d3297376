"""How many windows or sequences go through the model at once, from a memory budget.

The logits are what grows with a language model's vocabulary: one forward pass over B
windows keeps B x stride x V of them (4 windows x 128 positions x 256,000 tokens are 0.5 GB
in float32), and one generation step holds B x V, beside a key-value cache of B sequences.
``llm.memory_mb`` and ``generation.memory_mb`` bound what a batch holds; the batch sizes follow
from the budget, the vocabulary and the model's precision, and ``batch_size`` stays an upper
limit. The model's weights are not counted (they are there whatever the batch).
"""

from simlab.errors import ConfigError

#: bytes of the model's own logits per value
DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}
#: bytes per logit of a scored position beside the model's output: one temporary of the
#: model's last layer (an upcast, a soft cap), the float32 copy of a lower-precision output
#: and the copy made when a tiling repeats positions
SPECTRUM_BYTES = 4 + 4 + 4
#: the per-row work after the forward pass (ranking, sorting, the float64 tail of the
#: compression) runs on chunks of at most this many logits, whatever the batch
CHUNK_LOGITS = 1 << 20
#: what those chunks need at once (about 32 bytes per logit of a chunk), in MB
WORK_MB = 48
#: bytes per logit of a generated row beside the model's output: one temporary of the last
#: layer, the float32 logits, the control's rows, and four float64 arrays of the exact
#: thermodynamics and the draw
GENERATION_BYTES = 4 + 4 + 4 + 4 * 8

MB = 1 << 20


def _check_budget(memory_mb, key):
    if not isinstance(memory_mb, (int, float)) or isinstance(memory_mb, bool) \
            or not memory_mb > 0:
        raise ConfigError(key, memory_mb, "a positive number of megabytes")
    return memory_mb * MB


def windows_per_batch(memory_mb, stride, vocab_size, dtype, batch_size,
                      key="llm.memory_mb"):
    """Windows per forward pass of the spectra: as many as the budget holds, at most
    ``batch_size``.

    Raises
    ------
    ConfigError
        Naming ``key`` when not even one window of ``stride`` scored positions fits.
    """
    budget = _check_budget(memory_mb, key) - WORK_MB * MB
    per_window = stride * vocab_size * (DTYPE_BYTES[dtype] + SPECTRUM_BYTES)
    if per_window > budget:
        raise ConfigError(key, memory_mb, f"at least {-(-per_window // MB) + WORK_MB} MB: "
                          f"one window scores {stride} positions over {vocab_size:,} tokens "
                          "(or a smaller llm.stride)")
    return int(max(1, min(batch_size, budget // per_window)))


def kv_cache_bytes(config, steps, dtype):
    """Bytes of the key-value cache of one sequence of ``steps`` tokens (0 when the model's
    config does not say its shape)."""
    layers = getattr(config, "num_hidden_layers", None) or getattr(config, "n_layer", None)
    heads = getattr(config, "num_attention_heads", None) or getattr(config, "n_head", None)
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    hidden = getattr(config, "hidden_size", None) or getattr(config, "n_embd", None)
    head_dim = getattr(config, "head_dim", None) or (hidden // heads if hidden and heads
                                                      else None)
    if not (layers and kv_heads and head_dim):
        return 0
    return 2 * int(layers) * int(kv_heads) * int(head_dim) * int(steps) * DTYPE_BYTES[dtype]


def rows_per_batch(memory_mb, vocab_size, dtype, cache_bytes, batch_size,
                   key="generation.memory_mb"):
    """Sequences generated together: as many as the budget holds with their logits and
    key-value cache (``cache_bytes`` per sequence), at most ``batch_size``.

    Raises
    ------
    ConfigError
        Naming ``key`` when not even one sequence fits.
    """
    budget = _check_budget(memory_mb, key)
    per_row = vocab_size * (DTYPE_BYTES[dtype] + GENERATION_BYTES) + cache_bytes
    if per_row > budget:
        raise ConfigError(key, memory_mb, f"at least {-(-per_row // MB)} MB: one sequence "
                          f"holds {vocab_size:,} logits and a key-value cache of "
                          f"{cache_bytes / MB:.0f} MB")
    return int(max(1, min(batch_size, budget // per_row)))


__all__ = ["kv_cache_bytes", "rows_per_batch", "windows_per_batch"]
