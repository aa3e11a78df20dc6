"""Early stopping on the eval loss: stop when it has not improved for `patience` evaluations.

    stopper = EarlyStopOnEvalLoss(patience=3, min_delta=0.0)    # common.callbacks(spec, ...) adds it
    trainer.train()
    stopper = find_early_stop(trainer)                          # the worker, after training
    if stopper and stopper.stopped: summary["early_stopped"] = stopper.summary()

Why not transformers' EarlyStoppingCallback: it requires load_best_model_at_end, which in turn
requires the save and eval strategies to match, so a run with time-based checkpoints (the
default here) could not use it. This one watches, stops, and keeps the best weights itself: at
each new best eval loss it copies the trainable parameters to CPU memory (an adapter is a few MB;
up to KEEP_LIMIT_BYTES), and at the end of training puts them back when a later evaluation was
worse, so the saved adapter is the best one. The checkpoints stay as they are.
"""

from __future__ import annotations

import logging
import math

from transformers import TrainerCallback

log = logging.getLogger("studio.worker")
KEEP_LIMIT_BYTES = 4 * 1024**3  # above this (a full fine-tune of a big model) the best is not copied


class EarlyStopOnEvalLoss(TrainerCallback):
    def __init__(self, patience: int, min_delta: float = 0.0):
        if patience < 1:
            raise ValueError(f"`patience` must be at least 1, got {patience!r}.")
        self.patience = patience
        self.min_delta = min_delta
        self.best: float | None = None
        self.best_step: int | None = None
        self.bad_evals = 0  # evaluations in a row without an improvement
        self.stopped = False
        self.at_step: int | None = None
        self._best_weights: dict | None = None  # trainable parameters at the best evaluation (CPU)
        self.kept_step: int | None = None  # the step whose weights the model ends with, when restored
        self.too_big_to_keep = False  # the trainable weights exceed KEEP_LIMIT_BYTES: the best is not kept

    def summary(self) -> dict:
        """What happened, for summary.json: {stopped, at_step, best, best_step, kept_step, patience, min_delta}."""
        out = {"stopped": self.stopped, "at_step": self.at_step, "best": self.best, "best_step": self.best_step,
               "kept_step": self.kept_step, "patience": self.patience, "min_delta": self.min_delta}
        if self.too_big_to_keep:
            out["best_not_kept"] = "the trainable weights were too large to copy"
        return out

    def _keep(self, model) -> None:
        import torch

        params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        size = sum(p.numel() * p.element_size() for _, p in params)
        if size > KEEP_LIMIT_BYTES:
            if not self.too_big_to_keep:
                log.warning("early stopping: %.1f GB of trainable weights are too many to copy; the run ends "
                            "with the weights at the stop, not those of the best evaluation", size / 1024**3)
            self.too_big_to_keep = True
            self._best_weights = None
            return
        with torch.no_grad():
            self._best_weights = {n: p.detach().to("cpu", copy=True) for n, p in params}

    def on_evaluate(self, args, state, control, metrics=None, model=None, **kwargs):
        loss = (metrics or {}).get("eval_loss")
        if loss is None or not math.isfinite(loss) or self.stopped:
            return control
        if self.best is None or loss < self.best - self.min_delta:
            self.best, self.best_step, self.bad_evals = float(loss), state.global_step, 0
            if model is not None:
                self._keep(model)
            return control
        self.bad_evals += 1
        if self.bad_evals >= self.patience:
            self.stopped, self.at_step = True, state.global_step
            control.should_training_stop = True
            log.info("early stopping at step %s: the eval loss has not improved by more than %s for %s "
                     "evaluations; best eval loss %.4f at step %s", state.global_step, self.min_delta,
                     self.bad_evals, self.best, self.best_step)
        return control

    def on_train_end(self, args, state, control, model=None, **kwargs):
        """Put the best evaluation's weights back when training went on past it."""
        if model is None or self._best_weights is None or self.best_step == state.global_step:
            return control
        import torch

        with torch.no_grad():
            for name, p in model.named_parameters():
                if name in self._best_weights:
                    p.copy_(self._best_weights[name].to(p.device))
        self.kept_step = self.best_step
        log.info("early stopping: kept the weights of step %s (best eval loss %.4f), not those of step %s",
                 self.best_step, self.best, state.global_step)
        self._best_weights = None
        return control


def find_early_stop(trainer) -> EarlyStopOnEvalLoss | None:
    """The trainer's early-stopping callback, or None when the spec did not ask for one."""
    for cb in trainer.callback_handler.callbacks:
        if isinstance(cb, EarlyStopOnEvalLoss):
            return cb
    return None
