"""The parity checks of a GGUF file (backend.export.parity), loaded in llama.cpp (llama-cpp-python): the chat
template embedded in the file, llama.cpp's tokenizer and end-of-generation tokens, and its logits, against
base + adapter in transformers."""

from __future__ import annotations

from pathlib import Path

from backend.export.parity_common import MAX_NEW_TOKENS, greedy_row, row, text_rows
from backend.messages import msg

FULL_PRECISION = ("F32", "F16", "BF16")


def writer_row(made) -> dict | None:
    if made is None:
        return None
    kinds = ", ".join(f"{k.lower()} x{n}" for k, n in made.tensor_types.items())
    if made.writer == "studio":
        return row("writer", "info", msg("export.parity_writer_studio", reason=made.note, types=kinds))
    return row("writer", "info", msg("export.parity_writer_llama", quant=made.quant, types=kinds,
                                     note=made.note or ""))


def load_llama(path: Path, n_ctx: int):
    """The file in llama.cpp on the CPU, with every position's logits (backend.export.llama_cpp_open)."""
    from backend.export.llama_cpp_open import open_llama

    return open_llama(path, n_ctx=n_ctx, logits_all=True)


def llama_greedy(llm, ids: list[int], eog: set[int]) -> list[int]:
    import numpy as np

    llm.reset()
    llm.eval(ids)
    out: list[int] = []
    while len(out) < MAX_NEW_TOKENS:
        tok = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        out.append(tok)
        if tok in eog:
            break
        llm.eval([tok])
    return out


def teacher_forced(llm, p: dict) -> tuple[int, int, float]:
    """(agreeing next tokens, positions, max |logit difference|) along the reference continuation."""
    import numpy as np

    seq = p["ids"] + p["continuation"]
    llm.reset()
    llm.eval(seq[:-1])
    start = len(p["ids"]) - 1
    ours = np.asarray(llm.scores[start:len(seq) - 1])
    theirs = p["logits"][start:len(seq) - 1]
    agree = int((ours.argmax(-1) == theirs.argmax(-1)).sum())
    return agree, len(p["continuation"]), float(np.abs(ours - theirs).max())


def gguf_rows(ref: dict, path: Path, made=None) -> list[dict]:
    rows = [r for r in [writer_row(made)] if r]
    try:
        import llama_cpp
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    except ImportError:
        return rows + [row("load", "skipped", msg("export.parity_no_llama_cpp"))]
    longest = max(len(p["ids"]) + len(p["continuation"]) for p in ref["prompts"])
    llm = load_llama(path, n_ctx=max(256, longest + MAX_NEW_TOKENS + 8))
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    piece = lambda i: llm.detokenize([i], special=True).decode("utf-8", "replace")  # noqa: E731
    template = llm.metadata.get("tokenizer.chat_template")
    texts = []
    for p in ref["prompts"]:
        if not template:
            texts.append("")
            continue
        bos, eos = llm.token_bos(), llm.token_eos()
        formatter = Jinja2ChatFormatter(template, eos_token=piece(eos) if eos >= 0 else "",
                                        bos_token=piece(bos) if bos >= 0 else "")
        texts.append(formatter(messages=p["messages"]).prompt)
    ids = [llm.tokenize(p["text"].encode("utf-8"), add_bos=False, special=True) for p in ref["prompts"]]
    rows += text_rows(ref, texts, ids, "GGUF")
    eog = {i for i in range(llm.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, i)}
    eos = llm.token_eos()
    missing = [i for i in ref["stops"] if i not in eog]
    same_eos = eos == ref["eos"] and (eos < 0 or piece(eos) == ref["stop_text"][0])
    listing = ", ".join(f"{piece(i)} ({i})" for i in sorted(eog))
    if same_eos and not missing:
        rows.append(row("stop", "ok", msg("export.parity_stop_gguf", eos=f"{piece(eos)} ({eos})", eog=listing)))
    else:
        want = ", ".join(f"{t} ({i})" for i, t in zip(ref["stops"], ref["stop_text"]))
        rows.append(row("stop", "mismatch", msg("export.parity_stop_differs", source="GGUF", want=want,
                                                got=f"eos {piece(eos) if eos >= 0 else '-'} ({eos}); eog {listing}")))
    types = set(made.tensor_types) if made is not None else set()
    full = bool(types) and types <= set(FULL_PRECISION)
    got = [llama_greedy(llm, p["ids"], eog) for p in ref["prompts"]]
    rows.append(greedy_row(ref, got, required=full))
    agree = total = 0
    worst = 0.0
    for p in ref["prompts"]:
        a, n, d = teacher_forced(llm, p)
        agree, total, worst = agree + a, total + n, max(worst, d)
    share = agree / total if total else 1.0
    rows.append(row("next_tokens", "info", msg("export.parity_next_tokens", share=f"{share:.1%}", agree=agree,
                                               total=total, diff=f"{worst:.3g}")))
    rows[-1]["share"] = share
    llm.close()
    return rows
