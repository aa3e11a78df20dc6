"""The TrainerCallback that reports a run to its job directory.

Writes (main process only): metrics.jsonl, one JSON object per logging step; progress.json,
rewritten at every step (step, total, elapsed, ETA) so the page moves between log points;
(the worker's own thread keeps the store's heartbeat). It also stops training gracefully when the worker is asked to
(SIGTERM sets `stop_requested`): a checkpoint is saved, then the run ends.

With several processes every one has its reporter: at each step they agree (one small all_reduce)
on whether to stop and whether to save, so all of them stop, and save, at the same step; each
counts the batches it trained on (`batches`).
"""

from __future__ import annotations

import json
import math
import os
import resource
import time
from pathlib import Path

from transformers import TrainerCallback

from backend.messages import msg
from backend.training import faults
from backend.training.errors import TrainingError

STAGE_KEYS = ("accuracy", "margin")  # RewardTrainer's: the share of pairs scored right, chosen minus rejected


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class JobReporter(TrainerCallback):
    def __init__(self, job_dir: Path, save_every_s: float = 0.0, stop=None):
        self.job_dir = Path(job_dir)
        self._stop = stop
        self.save_every_s = save_every_s
        self._last_save = time.time()
        self.stopped_early = False
        self.t0 = time.time()
        self._last_log = (0.0, 0)  # (time, tokens seen) at the previous log point
        self.last_loss: float | None = None
        self.resumed_elapsed_s = 0.0  # training time before a resume, so elapsed continues
        self.batches = 0  # batches this process trained on (one per forward and backward pass)
        self.train_started_at: float | None = None

    @property
    def stop_requested(self) -> bool:
        return bool(self._stop and self._stop.requested)

    # -- helpers --------------------------------------------------------------------------
    def _write_progress(self, state, phase: str) -> None:
        elapsed = time.time() - self.t0
        done, total = state.global_step, state.max_steps or 0
        eta = elapsed / done * (total - done) if done and total else None
        data = {"phase": phase, "step": done, "total_steps": total, "epoch": state.epoch,
                "elapsed_s": round(elapsed, 2), "eta_s": None if eta is None else round(eta, 1),
                "updated_at": time.time()}
        tmp = self.job_dir / ".progress.tmp"
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.job_dir / "progress.json")

    # -- hooks ----------------------------------------------------------------------------
    def on_train_begin(self, args, state, control, **kwargs):
        self.train_started_at = time.time()
        if state.is_world_process_zero:
            self.t0 = time.time() - self.resumed_elapsed_s
            self._last_log = (time.time(), state.num_input_tokens_seen or 0)
            self._write_progress(state, "training")

    def on_substep_end(self, args, state, control, **kwargs):
        self.batches += 1  # a batch whose gradients are accumulated

    def on_step_begin(self, args, state, control, **kwargs):
        faults.hit("step", self.job_dir, step=state.global_step + 1)

    def on_step_end(self, args, state, control, **kwargs):
        self.batches += 1
        if state.is_world_process_zero:
            self._write_progress(state, "training")
        save = bool(self.save_every_s and time.time() - self._last_save >= self.save_every_s)
        stop = self.stop_requested
        if args.world_size > 1:
            stop, save = agree(args.device, stop, save)
        if save:
            control.should_save = True
        if stop:
            self.stopped_early = True
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        if "train_loss" in logs:  # the end-of-run summary, not a point on the curve
            return
        now = time.time()
        tokens = state.num_input_tokens_seen or 0
        t_prev, tok_prev = self._last_log
        row = {
            "step": state.global_step,
            "epoch": round(state.epoch or 0.0, 4),
            "loss": logs.get("loss"),
            "eval_loss": logs.get("eval_loss"),
            "eval_perplexity": round(math.exp(min(logs["eval_loss"], 50.0)), 4) if logs.get("eval_loss") is not None
            else None,
            "learning_rate": logs.get("learning_rate"),
            "grad_norm": logs.get("grad_norm"),
            "tokens_seen": tokens,
            "tokens_per_s": round((tokens - tok_prev) / (now - t_prev), 1) if now > t_prev and tokens else None,
            "elapsed_s": round(now - self.t0, 2),
            "eta_s": None,
            "mem_mb": round(_memory_mb(), 1),
        }
        if state.global_step and state.max_steps:
            row["eta_s"] = round(row["elapsed_s"] / state.global_step * (state.max_steps - state.global_step), 1)
        if "loss" in logs:
            self._last_log = (now, tokens)
        # The stage's own numbers go on the curve too: GRPO's rewards (mean, spread, each reward function's mean),
        # dpo/orpo/kto's rewards/* (chosen, rejected, margins, accuracies), a reward model's accuracy and margin.
        row.update({k.replace("/", "_"): v for k, v in logs.items()
                    if (k.startswith("reward") or k in STAGE_KEYS) and isinstance(v, (int, float))})
        row = {k: v for k, v in row.items() if v is not None or k in ("loss", "eval_loss")}
        with open(self.job_dir / "metrics.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        loss = logs.get("loss")
        if loss is not None:
            if not math.isfinite(loss):
                raise TrainingError("nan_loss", msg("training.nan_loss", loss=str(loss), step=state.global_step),
                                    msg("training.nan_loss_hint"))
            self.last_loss = float(loss)

    def on_save(self, args, state, control, **kwargs):
        self._last_save = time.time()

    def on_train_end(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            self._write_progress(state, "saving")


def agree(device, *flags: bool) -> tuple[bool, ...]:
    """Each flag true when it is true in any process (every process calls this at the same step)."""
    import torch
    import torch.distributed as dist

    values = torch.tensor([int(f) for f in flags], device=device)
    dist.all_reduce(values, op=dist.ReduceOp.MAX)
    return tuple(bool(v) for v in values.tolist())


def _memory_mb() -> float:
    try:
        import torch

        if torch.cuda.is_available() and torch.cuda.is_initialized():
            return torch.cuda.max_memory_allocated() / 2**20
    except Exception:
        pass
    return rss_mb()
