"""What the two baseline scripts of bench_train.py share (trl_baseline.py, llamafactory_baseline.py).

Imported by path (the scripts' own folder is on sys.path), never from the studio: the LLaMA-Factory
one runs in a venv of its own. The heavy libraries are imported by the callers, after their start
time is taken.
"""

from __future__ import annotations

import argparse
import json
import resource


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("data")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=0)
    return ap


def timing_callback(marks: dict):
    """A TrainerCallback noting in `marks` when training starts, and the tokens, losses and steps at the end."""
    import time

    from transformers import TrainerCallback

    class Marks(TrainerCallback):
        def on_train_begin(self, args, state, control, **kw):
            marks["ready"] = time.time()

        def on_train_end(self, args, state, control, **kw):
            marks["tokens"] = state.num_input_tokens_seen
            marks["losses"] = [h["loss"] for h in state.log_history if "loss" in h]
            marks["steps"] = state.global_step

    return Marks()


def write_result(path: str, started: float, marks: dict, rows: int, train_s: float, threads: int,
                 extra: dict | None = None) -> None:
    """The figures bench_train.py (and bench_gpu.py) read, as JSON; `extra`: more of them."""
    losses = marks.get("losses") or [None]
    out = {
        "rows": rows,
        "startup_s": marks["ready"] - started,
        "train_started_at": marks["ready"],
        "train_s": train_s,
        "tokens": int(marks.get("tokens") or 0),
        "steps": marks.get("steps"),
        "first_loss": losses[0],
        "final_loss": losses[-1],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": threads,
        **(extra or {}),
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f)
