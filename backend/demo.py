"""The built-in demo model: a tiny random-init Qwen2 chat model, made offline on first use.

    python -m backend.demo [WORKSPACE]      # builds <workspace>/models/demo once

Its tokenizer is a byte-level BPE trained with `tokenizers` on the project's own text
(data/identity.json), using Qwen2's pre-tokenizer so that AutoTokenizer, which rebuilds a
qwen2 tokenizer with that pattern, encodes exactly as trained. It knows nothing at first;
a minute of LoRA on the demo set teaches it who it is.
"""

from __future__ import annotations

import fcntl
import functools
import json
import sys
from pathlib import Path

from backend.resources import DEMO_DATASET, chat_template

# Shown by the UI before the model exists, so the UI need not import torch.
DEMO_CONFIG = dict(
    model_type="qwen2",
    hidden_size=128,
    intermediate_size=512,
    num_hidden_layers=4,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=2048,
    tie_word_embeddings=True,
    rope_theta=10000.0,
    # With the usual 0.02, tied embeddings this small cap the logits near +-2.5, so the loss
    # cannot fall below ~4.4 however well the model learns; 0.1 gives about unit-gain layers.
    initializer_range=0.1,
)
VOCAB_SIZE = 2048  # the BPE trainer's target; the corpus is small, so the vocabulary it makes is smaller
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# transformers' qwen2 tokenizer pre-tokenization regex (tokenization_qwen2.PRETOKENIZE_REGEX).
QWEN2_PATTERN = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)


DEMO_NAME = "demo"  # its folder under models/


def demo_dir(models_dir: Path) -> Path:
    return Path(models_dir) / DEMO_NAME


def is_built(models_dir: Path) -> bool:
    d = demo_dir(models_dir)
    return (d / "config.json").is_file() and (d / "model.safetensors").is_file()


def ensure_demo_model(models_dir: Path) -> Path:
    """Build the demo model once (safe when several processes ask at the same time)."""
    return build_once(models_dir, DEMO_NAME, lambda: is_built(models_dir), _build)


def build_once(models_dir: Path, name: str, built, build) -> Path:
    """<models_dir>/<name>, made by `build(folder)` unless `built()` says it is there: under a file lock (several
    processes may ask at once), into <name>.partial first, renamed when whole."""
    target = Path(models_dir) / name
    if built():
        return target
    Path(models_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(models_dir) / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built():
            tmp = Path(models_dir) / f"{name}.partial"
            build(tmp)
            tmp.rename(target)
    return target


def _corpus() -> list[str]:
    rows = json.loads(DEMO_DATASET.read_text(encoding="utf-8"))
    texts = []
    for row in rows:
        texts += [row["instruction"], row["output"]]
    # Common words a user may type as a name or author, so they are not split byte by byte.
    texts += ["system user assistant Nova Studio Assistant AI model name author"] * 4
    return texts


def _build(out: Path) -> None:
    build_tiny_model(out, _corpus(), VOCAB_SIZE, DEMO_CONFIG)


@functools.lru_cache(maxsize=1)
def demo_vocab_size() -> int:
    """The vocabulary the demo's tokenizer gets (and its model's embedding rows): the BPE trained on the corpus
    as the build trains it, which stops below VOCAB_SIZE when the corpus has no more merges (1,010 tokens)."""
    return train_tokenizer(_corpus(), VOCAB_SIZE).get_vocab_size(with_added_tokens=True)


def demo_config() -> dict:
    """The demo model's config as the build makes it (DEMO_CONFIG with its real vocabulary), for what the UI
    shows and estimates before the model exists: its parameters are the built model's, to the unit."""
    return {**DEMO_CONFIG, "vocab_size": demo_vocab_size()}


def train_tokenizer(corpus: list[str], vocab_size: int):
    """A byte-level BPE (`tokenizers.Tokenizer`) of at most `vocab_size` tokens trained on `corpus`, with Qwen2's
    pre-tokenizer and the chat special tokens. Deterministic: the build and demo_vocab_size() train the same."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(corpus) + ["\n"], trainer=trainer)
    return tok


def build_tiny_model(out: Path, corpus: list[str], vocab_size: int, config: dict) -> None:
    """A random-init Qwen2 chat model in `out`: a byte-level BPE of `vocab_size` trained on `corpus`
    (Qwen2's pre-tokenizer, chatml template) and a Qwen2 of `config` (DEMO_CONFIG's keys)."""
    import shutil

    import torch
    from transformers import AutoTokenizer, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    tok = train_tokenizer(corpus, vocab_size)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
    )
    fast.chat_template = chat_template("chatml")
    fast.save_pretrained(out)

    config = Qwen2Config(
        vocab_size=len(fast),
        bos_token_id=None,
        eos_token_id=fast.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=fast.convert_tokens_to_ids("<|endoftext|>"),
        **{k: v for k, v in config.items() if k != "model_type"},
    )
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    model.save_pretrained(out)

    # Check the round trip through AutoTokenizer (which rebuilds qwen2 tokenizers).
    reloaded = AutoTokenizer.from_pretrained(out)
    sample = "Who are you? 你是谁？ <|im_start|>user\nhi<|im_end|>"
    if reloaded(sample)["input_ids"] != fast(sample)["input_ids"]:
        raise RuntimeError("demo tokenizer does not survive a reload; check the pre-tokenizer pattern")


if __name__ == "__main__":
    from backend.workspace import Workspace

    ws = Workspace.at(sys.argv[1]) if len(sys.argv) > 1 else Workspace.default()
    print(ensure_demo_model(ws.models_dir))
