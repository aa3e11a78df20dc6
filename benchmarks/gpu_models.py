"""Models for bench_gpu.py, built offline: real shapes, random weights, a tokenizer trained like the demo's.

    build(out, texts, "qwen2.5-0.5b", device="cuda")     # 494M parameters, the real 151,936-row vocabulary
    build(out, texts, "qwen2.5-7b", device="cuda")       # 7.6B parameters (QLoRA: 4-bit on the GPU)
    build(out, texts, "tiny", device="cpu")              # --small: the same code on a CPU in seconds

The tokenizer is a byte-level BPE of 4096 tokens trained on the data (backend.demo.build_tiny_model, as the
demo's), so the model sees the real vocabulary width in its embedding and LM head while the rows
tokenize the same in every run. Weights are drawn on the device (a 7B model in seconds on a GPU) and
saved as safetensors in the model's dtype.
"""

from __future__ import annotations

import json
from pathlib import Path

SHAPES = {
    "qwen2.5-0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                         num_key_value_heads=2, tie_word_embeddings=True, vocab_size=151936),
    "qwen2.5-7b": dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
                       num_key_value_heads=4, tie_word_embeddings=False, vocab_size=152064),
    # --small: two layers of a narrow model with the same code paths
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2,
                 num_key_value_heads=1, tie_word_embeddings=True, vocab_size=4096),
    "tiny-wide-vocab": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                            num_key_value_heads=2, tie_word_embeddings=False, vocab_size=8192),
}
COMMON = dict(max_position_embeddings=32768, rope_theta=1000000.0, initializer_range=0.02, use_sliding_window=False)
TOKENIZER_VOCAB = 4096


def build(out: Path, texts: list[str], shape: str, device: str) -> dict:
    """Write a random-init Qwen2 model of `shape` into `out`; returns its config as a dict."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from backend.demo import build_tiny_model

    out = Path(out)
    small = {k: v for k, v in SHAPES["tiny"].items() if k != "vocab_size"}
    build_tiny_model(out, texts, TOKENIZER_VOCAB, small)  # the tokenizer and chat template; weights replaced below
    ids = json.loads((out / "config.json").read_text())
    config = Qwen2Config(**COMMON, **SHAPES[shape], bos_token_id=None, eos_token_id=ids.get("eos_token_id"),
                         pad_token_id=ids.get("pad_token_id"))
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    with torch.device(device):
        model = Qwen2ForCausalLM(config).to(dtype)
    for f in out.glob("model*.safetensors*"):
        f.unlink()
    model.save_pretrained(out, max_shard_size="5GB")
    n = sum(p.numel() for p in model.parameters())
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    return {**config.to_dict(), "n_params": n}
