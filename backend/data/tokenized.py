"""Examples to a tokenized `datasets.Dataset` (input_ids + labels + length), with several processes for
large sets and a cache on disk keyed by the data, the tokenizer, the template and max_length.

A second run on the same data and tokenizer loads the cached arrays instead of tokenizing
again. Examples travel as JSON text, so nested tool calls with varying keys never meet
Arrow's schema inference.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from backend.data.read import DataError
from backend.data.tokenize import IGNORE, assistant_spans, trained_flags
from backend.messages import msg

log = logging.getLogger("studio.worker")
# Bump when tokenization changes, so old caches are not reused.
TOKENIZE_VERSION = 4
MULTIPROC_MIN_ROWS = 5000


@dataclass
class TokenizedSet:
    dataset: object  # datasets.Dataset with input_ids, labels
    dropped: int  # rows whose reply lies wholly past max_length
    cached: bool  # loaded from the cache
    # Every row's backend.data.fit.Lengths, in the order given (the dropped ones too), from the same pass: the
    # tokens before its first trained one and all of them, uncut (what the stage's fit step counts)
    lengths: list = None


def tokenizer_fingerprint(tokenizer) -> str:
    """What decides the ids: the vocabulary and merges, the special tokens, the chat template."""
    h = hashlib.sha256()
    backend = getattr(tokenizer, "backend_tokenizer", None) or getattr(tokenizer, "_tokenizer", None)
    h.update((backend.to_str() if backend is not None else repr(tokenizer.get_vocab())).encode())
    h.update(str(getattr(tokenizer, "chat_template", "")).encode())
    h.update(repr(getattr(tokenizer, "all_special_tokens", "")).encode())
    return h.hexdigest()


def examples_fingerprint(examples: list[dict]) -> str:
    h = hashlib.sha256()
    for e in examples:
        h.update(json.dumps(e, sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def cache_key(examples: list[dict], tokenizer, max_length: int) -> str:
    parts = [examples_fingerprint(examples), tokenizer_fingerprint(tokenizer), str(max_length), str(TOKENIZE_VERSION)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _tokenize_batch(batch: dict, tokenizer, max_length: int) -> dict:
    """tokenize_conversation for a batch of rows, with one call into the (Rust) tokenizer for all."""
    from backend.data.fit import blank_reply

    rendered = []
    for row in batch["example"]:
        e = json.loads(row)
        text, spans = assistant_spans(tokenizer, e["messages"], tools=e.get("tools"))
        rendered.append((text, [] if blank_reply(e["messages"]) else spans))  # empty replies: nothing trained
    enc = tokenizer([t for t, _ in rendered], add_special_tokens=False, return_offsets_mapping=True)
    ids, labels, prompts, fulls = [], [], [], []
    for (_, spans), row_ids, offsets in zip(rendered, enc["input_ids"], enc["offset_mapping"]):
        fulls.append(len(row_ids))
        row_ids = list(row_ids)[:max_length]
        flags = trained_flags(offsets[: len(row_ids)], spans)
        if not any(flags):  # the first trained token lies past max_length, if there is one
            flags_all = trained_flags(offsets, spans)
            prompts.append(flags_all.index(True) if any(flags_all) else -1)
        else:
            prompts.append(flags.index(True))
        ids.append(row_ids)
        labels.append([i if trained else IGNORE for i, trained in zip(row_ids, flags)])
    return {"input_ids": ids, "labels": labels, "length": [len(x) for x in ids], "prompt_length": prompts,
            "full_length": fulls}


def default_num_proc(n_rows: int) -> int:
    if n_rows < MULTIPROC_MIN_ROWS:
        return 1
    return max(1, min(8, (os.cpu_count() or 1) - 1, n_rows // 2000))


def _lengths(prompts: list[int], fulls: list[int]) -> list:
    """backend.data.fit.Lengths of each row: -1 marks a row with no trained token at all (an empty reply)."""
    from backend.data.fit import Lengths

    return [Lengths(full if prompt < 0 else prompt, (full,), prompt < 0) for prompt, full in zip(prompts, fulls)]


def tokenize_sft(examples: list[dict], tokenizer, max_length: int, cache_dir: Path | None,
                 num_proc: int | None = None, refuse: bool = True) -> TokenizedSet:
    """The examples tokenized with their loss masks, the rows with no trained token inside max_length left out,
    every row's lengths counted in the same pass. `refuse`: raise a DataError when no row is left (else an empty
    set: backend/data/fit.py's step says why, with a max_length to try)."""
    from datasets import Dataset, load_from_disk

    key = cache_key(examples, tokenizer, max_length) if cache_dir else ""
    target = Path(cache_dir) / key if cache_dir else None
    if target is not None and (target / "done").is_file():
        meta = json.loads((target / "done").read_text())
        log.info("tokenized data: loaded from the cache %s (%s rows)", target.name, meta["rows"])
        if refuse and examples and not meta["rows"]:
            raise DataError(msg("data.all_replies_cut", rows=len(examples), max_length=max_length))
        return TokenizedSet(load_from_disk(str(target / "data")), meta["dropped"], True,
                            _lengths(meta["prompt_length"], meta["full_length"]))
    num_proc = num_proc or default_num_proc(len(examples))
    raw = Dataset.from_dict({"example": [json.dumps(e, ensure_ascii=False) for e in examples]})
    tokenized = raw.map(
        _tokenize_batch,
        batched=True,
        batch_size=256,
        num_proc=num_proc if num_proc > 1 else None,
        remove_columns=["example"],
        fn_kwargs={"tokenizer": tokenizer, "max_length": max_length},
        desc="tokenizing",
        load_from_cache_file=False,
    )
    prompts, fulls = list(tokenized["prompt_length"]), list(tokenized["full_length"])
    kept = tokenized.filter(lambda labels: any(x != IGNORE for x in labels), input_columns=["labels"],
                            num_proc=num_proc if num_proc > 1 else None)
    kept = kept.remove_columns(["prompt_length", "full_length"])
    dropped = len(tokenized) - len(kept)
    log.info("tokenized %s rows with %s process(es)", len(examples), num_proc)
    if refuse and examples and not len(kept):  # an empty set would fail later inside the trainer, unexplained
        raise DataError(msg("data.all_replies_cut", rows=len(examples), max_length=max_length))
    if target is not None:
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")  # each process its own (several ranks)
        shutil.rmtree(tmp, ignore_errors=True)
        kept.save_to_disk(str(tmp / "data"))
        (tmp / "done").write_text(json.dumps({"rows": len(kept), "dropped": dropped, "prompt_length": prompts,
                                              "full_length": fulls}))
        if target.exists() and not (target / "done").is_file():
            shutil.rmtree(target, ignore_errors=True)  # left half-written by a killed run
        try:
            tmp.rename(target)  # atomic: never half an entry under the key
        except OSError:  # another process (a rank of the same job) put the same rows there first
            shutil.rmtree(tmp, ignore_errors=True)
        kept = load_from_disk(str(target / "data"))
    return TokenizedSet(kept, dropped, False, _lengths(prompts, fulls))
