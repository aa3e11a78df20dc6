"""Tokenizing 100,000 conversations: `tokenize_sft` (first run, then cached) against a plain loop.

    .venv/bin/python benchmarks/bench_data.py [--rows 100000] [--baseline-rows 10000] [--max-length 1024]
                                              [--num-proc N]

Builds `--rows` conversations in the internal sft form (what `backend.data.load.as_sft` returns:
{"messages": [...], "tools": ...}) from the project's data/ (identity with its placeholders
filled, json_format, style, preference's chosen replies) and ../shared/datasets/llamafactory/
(alpaca_en_demo, glaive_toolcall_en_demo), each read through `load_data` + `as_sft`, then mixed:

- 60% one alpaca turn; 15% one turn of a data/ set;
- 15% multi-turn: a system prompt and 2-3 turns chained from those rows;
- 10% glaive tool-call conversations (multi-turn, with tool definitions).

Every row gets a numbered suffix on its first user message, so no two rows are equal. The
tokenizer is the demo model's (built offline by `backend.demo.ensure_demo_model` in a temporary
folder) with the worker's chat-template handling (`load_tokenizer`'s `ensure_chat_template`).

Measured, in this order and in one process:

- baseline: `tokenize_conversation` in a plain loop, one process, on the first `--baseline-rows`
  rows (the mix repeats every few rows, so the subset is representative), extrapolated to
  `--rows` when smaller (labelled so);
- ours, first run: `backend.data.tokenized.tokenize_sft(rows, tokenizer, max_length, cache_dir)` with
  the worker's default process count (`default_num_proc`; 1 on a 2-core machine, which leaves a
  core free) unless `--num-proc` is given; includes hashing the rows for the cache key, the
  `datasets.map`, dropping rows without a trained token and writing the cache;
- ours, cached: the same call again (cache key + `load_from_disk`).

The cache lives in a temporary folder, deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "datasets" / "llamafactory"
SYSTEM_PROMPTS = [
    "You are a helpful assistant.",
    "You are Nova, an AI assistant developed by Studio Labs. Answer briefly.",
    "Answer as a patient teacher would, step by step.",
]


def read_sft(path: Path) -> list[dict]:
    """One file through the worker's own reading path: load_data (format detected) + as_sft."""
    from backend.data.load import as_sft, load_data
    from backend.spec import DataSpec

    spec = DataSpec(train=str(path), shuffle=False, dedupe=False,
                    placeholders={"name": "Nova", "author": "Studio Labs"})
    train, _, _ = as_sft(load_data(spec, ROOT))
    return train


def build_rows(n: int, seed: int = 0) -> tuple[list[dict], dict]:
    """`n` varied conversations and how many of each kind."""
    alpaca = read_sft(SHARED / "alpaca_en_demo.json")
    tools = read_sft(SHARED / "glaive_toolcall_en_demo.json")
    local = [e for name in ("identity.json", "json_format.jsonl", "style.jsonl", "preference.jsonl")
             for e in read_sft(ROOT / "data" / name)]
    singles = alpaca + local
    rng = random.Random(seed)
    rows, kinds = [], {"alpaca, one turn": 0, "data/, one turn": 0, "multi-turn (system + 2-3 turns)": 0,
                       "tool calls (glaive)": 0}
    for i in range(n):
        slot = i % 20
        if slot < 12:
            base, kind = alpaca[rng.randrange(len(alpaca))], "alpaca, one turn"
            messages = [dict(m) for m in base["messages"]]
        elif slot < 15:
            base, kind = local[rng.randrange(len(local))], "data/, one turn"
            messages = [dict(m) for m in base["messages"]]
        elif slot < 18:
            kind = "multi-turn (system + 2-3 turns)"
            messages = [{"role": "system", "content": SYSTEM_PROMPTS[i % len(SYSTEM_PROMPTS)]}]
            for _ in range(rng.choice((2, 3))):
                messages += [dict(m) for m in singles[rng.randrange(len(singles))]["messages"]]
            base = {"tools": None}
        else:
            base, kind = tools[rng.randrange(len(tools))], "tool calls (glaive)"
            messages = [dict(m) for m in base["messages"]]
        first_user = next(m for m in messages if m["role"] == "user")
        first_user["content"] = f"{first_user['content']} (#{i})"
        rows.append({"messages": messages, "tools": base.get("tools")})
        kinds[kind] += 1
    return rows, kinds


def load_demo_tokenizer(models_dir: Path):
    from transformers import AutoTokenizer

    from backend.data.tokenize import ensure_chat_template
    from backend.demo import ensure_demo_model

    path = ensure_demo_model(models_dir)
    tok = AutoTokenizer.from_pretrained(str(path))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    ensure_chat_template(tok, "")
    return tok


def total_tokens(dataset) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(pc.list_value_length(dataset.data.column("input_ids"))).as_py())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--baseline-rows", type=int, default=10_000,
                    help="rows the plain loop tokenizes (extrapolated to --rows when fewer)")
    ap.add_argument("--max-length", type=int, default=1024, help="training.max_length (the spec's default)")
    ap.add_argument("--num-proc", type=int, default=None, help="processes for tokenize_sft (default: the worker's)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-data-") as tmp:
        tmp = Path(tmp)
        os.environ["HF_DATASETS_CACHE"] = str(tmp / "hf-datasets")
        import datasets

        from backend.data.tokenize import IGNORE, tokenize_conversation
        from backend.data.tokenized import default_num_proc, tokenize_sft

        datasets.disable_progress_bars()
        t = time.perf_counter()
        tok = load_demo_tokenizer(tmp / "models")
        print(f"demo tokenizer built in {time.perf_counter() - t:.1f} s (vocab {len(tok)})")
        t = time.perf_counter()
        rows, kinds = build_rows(args.rows)
        print(f"built {len(rows):,} rows in {time.perf_counter() - t:.1f} s: "
              + ", ".join(f"{k} {v:,}" for k, v in kinds.items()))

        # Baseline: the plain per-row loop, one process.
        n_base = min(args.baseline_rows, len(rows))
        t = time.perf_counter()
        base_tokens = base_dropped = 0
        for e in rows[:n_base]:
            r = tokenize_conversation(tok, e["messages"], args.max_length, tools=e.get("tools"))
            if all(x == IGNORE for x in r.labels):
                base_dropped += 1
            else:
                base_tokens += len(r.input_ids)
        base_s = time.perf_counter() - t
        scale = len(rows) / n_base
        base_s_full = base_s * scale

        cache = tmp / "tokenized"
        procs = args.num_proc or default_num_proc(len(rows))
        t = time.perf_counter()
        first = tokenize_sft(rows, tok, args.max_length, cache, num_proc=args.num_proc)
        first_s = time.perf_counter() - t
        tokens = total_tokens(first.dataset)
        t = time.perf_counter()
        again = tokenize_sft(rows, tok, args.max_length, cache, num_proc=args.num_proc)
        cached_s = time.perf_counter() - t
        assert again.cached and len(again.dataset) == len(first.dataset), "the second run missed the cache"
        assert total_tokens(again.dataset) == tokens
        cache_mb = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) / 1e6

    kept = len(first.dataset)
    base_label = ("baseline: plain `tokenize_conversation` loop, 1 process"
                  + (f" (timed on {n_base:,} rows, x{scale:g})" if n_base < len(rows) else ""))
    base_tokens_full = base_tokens * scale
    print()
    print(f"{len(rows):,} conversations, max_length {args.max_length}, {os.cpu_count()} CPU cores; "
          f"kept {kept:,}, dropped {first.dropped:,}; {tokens:,} tokens ({tokens / max(kept, 1):.0f} per row); "
          f"cache {cache_mb:.0f} MB")
    print()
    print("| variant | processes | seconds | rows/s | tokens/s | vs baseline |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {base_label} | 1 | {base_s_full:.1f} | {len(rows) / base_s_full:,.0f} | "
          f"{base_tokens_full / base_s_full:,.0f} | 1.00x |")
    print(f"| ours: `tokenize_sft`, first run | {procs} | {first_s:.1f} | {len(rows) / first_s:,.0f} | "
          f"{tokens / first_s:,.0f} | {first_s / base_s_full:.2f}x |")
    print(f"| ours: `tokenize_sft`, cached | - | {cached_s:.2f} | {len(rows) / cached_s:,.0f} | "
          f"{tokens / cached_s:,.0f} | {cached_s / base_s_full:.3f}x |")
    print()
    print(f"cached / first run: {cached_s / first_s:.4f}x ({first_s / cached_s:,.0f} times faster)")
    if n_base < len(rows):
        print(f"baseline measured: {n_base:,} rows in {base_s:.1f} s ({base_dropped} dropped); "
              f"the 'seconds' above is that x{scale:g}")


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
