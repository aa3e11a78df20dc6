"""The studio's own GGUF writer, used when llama.cpp's converter cannot be had (no llama-cpp-python and no
llama.cpp checkout, or no network to fetch it): the merged model written with the `gguf` package in f16 or q8_0,
with the tokenizer (BPE tokens, merges, special ids, chat template) as metadata.

Llama- and Qwen2-family models (model_type llama, qwen2, mistral). Tensor names come from gguf's own
map of Hugging Face names; Llama's q and k projections are permuted the way llama.cpp's converter
does (its rotary embedding pairs dimensions differently); norms and biases stay f32, as there.
A weight whose rows do not split into q8_0's blocks of 32 stays f16.
"""

from __future__ import annotations

from pathlib import Path

from backend.export.adapter_zip import ExportError
from backend.messages import msg

WRITER_QUANTS = ("f16", "q8_0")
# model_type -> (gguf architecture, pre-tokenizer name llama.cpp knows, q/k permuted)
ARCHS = {"qwen2": ("QWEN2", "qwen2", False), "llama": ("LLAMA", "llama-bpe", True),
         "mistral": ("LLAMA", "llama-bpe", True)}


def permute(weights, n_head: int, n_head_kv: int | None):
    """llama.cpp's reordering of a Llama q/k projection (convert_hf_to_gguf.LlamaModel.permute)."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def write_gguf(model_dir: Path, config: dict, out: Path, quant: str, name: str) -> None:
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    arch_key, pre, permuted = ARCHS[config["model_type"]]
    arch = getattr(gguf.MODEL_ARCH, arch_key)
    n_layers, n_head = config["num_hidden_layers"], config["num_attention_heads"]
    n_kv = config.get("num_key_value_heads", n_head)
    writer = gguf.GGUFWriter(str(out), gguf.MODEL_ARCH_NAMES[arch])
    ftype = gguf.LlamaFileType.MOSTLY_Q8_0 if quant == "q8_0" else gguf.LlamaFileType.MOSTLY_F16
    writer.add_name(name)
    writer.add_file_type(ftype)
    writer.add_context_length(config.get("max_position_embeddings", 2048))
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(n_layers)
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_kv)
    writer.add_rope_freq_base(float(config.get("rope_theta") or (config.get("rope_parameters") or {}).get("rope_theta")
                                    or 10000.0))
    writer.add_layer_norm_rms_eps(float(config.get("rms_norm_eps", 1e-6)))
    _add_vocab(writer, model_dir, config, pre)

    names = gguf.get_tensor_name_map(arch, n_layers)
    weights = {}
    for f in sorted(model_dir.glob("*.safetensors")):
        weights.update(load_file(f))
    for hf_name, data in weights.items():
        if hf_name.endswith("rotary_emb.inv_freq"):
            continue
        new = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if new is None:
            raise ExportError(msg("export.gguf_tensor_name", tensor=repr(hf_name), arch=arch_key))
        data = data.astype(np.float32)
        if permuted and hf_name.endswith("q_proj.weight"):
            data = permute(data, n_head, n_head)
        elif permuted and hf_name.endswith("k_proj.weight"):
            data = permute(data, n_head, n_kv)
        if data.ndim == 1:  # norms and biases: f32, as llama.cpp keeps them
            writer.add_tensor(new, data)
        elif quant == "q8_0" and data.shape[-1] % 32 == 0:
            q = gguf.quants.quantize(data, gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor(new, q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(new, data.astype(np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _add_vocab(writer, model_dir: Path, config: dict, pre: str) -> None:
    """BPE tokens by id (holes padded as unused), their types, merges, special ids, chat template."""
    import gguf
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    vocab_size = max(config.get("vocab_size", 0), len(tok))
    by_id = {i: t for t, i in tok.get_vocab().items()}
    added = {i: t for i, t in tok.added_tokens_decoder.items()}
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        elif i in added:
            tokens.append(added[i].content)
            types.append(gguf.TokenType.CONTROL if added[i].special else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(by_id[i])
            types.append(gguf.TokenType.NORMAL)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    special = gguf.SpecialVocab(model_dir, load_merges=True, n_vocab=len(tokens))
    if special.chat_template is None and tok.chat_template:
        # gguf 0.17 reads the template only from tokenizer_config.json or chat_template.json; transformers 5
        # saves it as chat_template.jinja, which the tokenizer has read.
        special.chat_template = tok.chat_template
    special.add_to_gguf(writer)
