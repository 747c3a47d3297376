"""Tiny randomly initialised language models, saved as a user's model folder would be: the
weights and config by ``save_pretrained``, a tokenizer beside them.

The tokenizer is a byte-pair encoding trained here on the default corpus, so that every
variant (with BOS and EOS tokens, without BOS, without either) is built offline in a second.
"""

import numpy as np

#: architecture -> (config class name, its tiny dimensions)
ARCHITECTURES = {
    "gpt2": ("GPT2Config", dict(n_embd=16, n_layer=2, n_head=2, n_positions=128)),
    "gpt_neox": ("GPTNeoXConfig", dict(hidden_size=16, num_hidden_layers=2,
                                       num_attention_heads=2, intermediate_size=32,
                                       max_position_embeddings=128)),
    "llama": ("LlamaConfig", dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                                  num_attention_heads=2, num_key_value_heads=1,
                                  max_position_embeddings=128)),
    "qwen2": ("Qwen2Config", dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                                  num_attention_heads=2, num_key_value_heads=1,
                                  max_position_embeddings=128)),
    "mistral": ("MistralConfig", dict(hidden_size=16, intermediate_size=32,
                                      num_hidden_layers=2, num_attention_heads=2,
                                      num_key_value_heads=1, max_position_embeddings=128)),
    "gemma2": ("Gemma2Config", dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                                    num_attention_heads=2, num_key_value_heads=1, head_dim=8,
                                    max_position_embeddings=128)),
    "phi3": ("Phi3Config", dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                                num_attention_heads=2, num_key_value_heads=1,
                                max_position_embeddings=128)),
}

SPECIAL = {"bos": "<s>", "eos": "</s>"}


def tokenizer(special=("bos", "eos"), vocab=300):
    """A PreTrainedTokenizerFast (byte-level BPE of ``vocab`` tokens) with the special tokens
    named in ``special`` (ids 0 and 1 when both)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from simlab.llm.corpus import default_text

    text = default_text()
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    tokens = [SPECIAL[name] for name in special]
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=tokens,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator([text[i:i + 2000] for i in range(0, 200_000, 2000)], trainer)
    return PreTrainedTokenizerFast(tokenizer_object=bpe,
                                   **{f"{name}_token": SPECIAL[name] for name in special})


def save_model(folder, architecture, tok, vocab_size=None, seed=0):
    """Save a randomly initialised causal LM of ``architecture`` (a key of ARCHITECTURES)
    with ``tok`` beside it; its vocabulary is ``vocab_size`` (default: the tokenizer's)."""
    import torch
    import transformers

    name, dims = ARCHITECTURES[architecture]
    ids = {f"{k}_token_id": getattr(tok, f"{k}_token_id") for k in ("bos", "eos")}
    # no padding token: an embedding row of zeros (padding_idx) at the start token would make
    # every logit of the first step equal
    ids["pad_token_id"] = None
    config = getattr(transformers, name)(vocab_size=vocab_size or len(tok), **dims, **ids)
    torch.manual_seed(seed)
    model = transformers.AutoModelForCausalLM.from_config(config)
    # a random model of this size gives nearly uniform distributions; larger weights give
    # spectra with structure (and greedy decoding without near ties)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(20.0 if p.dim() > 1 else 1.0)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def text_ids(tok, n=200):
    """The first ``n`` token ids of the default corpus under ``tok``."""
    from simlab.llm.corpus import default_text

    text = default_text()
    return np.asarray(tok(text[:20 * n], add_special_tokens=False).input_ids[:n],
                      dtype=np.int64)


#: architectures written as GGUF files here: transformers' name -> gguf's architecture
GGUF_ARCHITECTURES = {"qwen2": "QWEN2", "llama": "LLAMA"}


def save_gguf(path, folder):
    """Write the model saved in ``folder`` (by :func:`save_model`, an architecture of
    GGUF_ARCHITECTURES) as a float32 GGUF file at ``path``, as llama.cpp's converter lays it
    out: its hyperparameters, the byte-level BPE tokenizer, and every tensor under its GGUF
    name (llama's query and key rows permuted as llama.cpp stores them)."""
    import json

    import gguf
    import torch
    import transformers

    model = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    tok = transformers.AutoTokenizer.from_pretrained(folder)
    config = model.config
    arch = getattr(gguf.MODEL_ARCH, GGUF_ARCHITECTURES[config.model_type])
    writer = gguf.GGUFWriter(str(path), gguf.MODEL_ARCH_NAMES[arch])
    writer.add_name(f"tiny {config.model_type}")
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    theta = getattr(config, "rope_theta", None) or config.rope_parameters["rope_theta"]
    writer.add_rope_freq_base(float(theta))
    writer.add_vocab_size(config.vocab_size)
    vocab = tok.get_vocab()
    tokens = sorted(vocab, key=vocab.get)
    special = set(tok.all_special_tokens)
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list(tokens)
    writer.add_token_types([gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL
                            for t in tokens])
    merges = json.loads(tok.backend_tokenizer.to_str())["model"]["merges"]
    writer.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in merges])
    for name in ("bos", "eos"):
        token = getattr(tok, f"{name}_token_id")
        if token is not None:
            getattr(writer, f"add_{name}_token_id")(token)
    names = gguf.get_tensor_name_map(arch, config.num_hidden_layers)
    heads = {"q_proj": config.num_attention_heads, "k_proj": config.num_key_value_heads}
    for hf_name, tensor in model.state_dict().items():
        data = tensor.detach().numpy().astype(np.float32)
        part = hf_name.split(".")[-2]
        if config.model_type == "llama" and part in heads and hf_name.endswith("weight"):
            n_head = heads[part]  # llama.cpp's row order of the rotary halves
            data = (data.reshape(n_head, 2, data.shape[0] // n_head // 2, *data.shape[1:])
                    .swapaxes(1, 2).reshape(data.shape))
        writer.add_tensor(names.get_name(hf_name, try_suffixes=(".weight", ".bias")), data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
