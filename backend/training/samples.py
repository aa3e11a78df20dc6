"""Sample replies during training, to watch the model change: at each evaluation and checkpoint,
the model answers a few held-out prompts (greedy, short) and the replies go to
`<job>/samples.jsonl`, one JSON object per reply: {step, prompt, reply}.

    trainer.add_callback(SampleWriter(job_dir, tokenizer, prompts))   # sft adds it (training.sample_prompts)

The prompts are the first eval rows' conversations without their last reply (training rows when
there is no eval split). Generation switches the model to eval mode and back; it runs on the main
process only and costs a few short generations per evaluation.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from transformers import TrainerCallback

log = logging.getLogger("studio.worker")


def sample_prompts(examples: list[dict], n: int) -> list[list[dict]]:
    """The conversations of the first `n` examples that end with an assistant reply, without it."""
    out = []
    for e in examples:
        messages = e.get("messages") or []
        if messages and messages[-1]["role"] == "assistant" and len(messages) > 1:
            out.append(messages[:-1])
        if len(out) >= n:
            break
    return out


class SampleWriter(TrainerCallback):
    def __init__(self, job_dir: Path, tokenizer, prompts: list[list[dict]], max_new_tokens: int = 48):
        self.path = Path(job_dir) / "samples.jsonl"
        self.tokenizer, self.prompts, self.max_new_tokens = tokenizer, prompts, max_new_tokens
        self.steps_done: set[int] = set()

    def _write(self, state, model) -> None:
        if not state.is_world_process_zero or model is None or state.global_step in self.steps_done:
            return
        from backend.training.generate import greedy_reply

        self.steps_done.add(state.global_step)
        was_training = model.training
        model.eval()
        rows = []
        try:
            for messages in self.prompts:
                reply = greedy_reply(model, self.tokenizer, messages, self.max_new_tokens)
                rows.append({"step": state.global_step, "prompt": messages[-1]["content"], "reply": reply})
        except Exception:  # noqa: BLE001 - a sample is a view on the run; it never stops the training
            log.exception("could not sample replies at step %s", state.global_step)
        finally:
            if was_training:
                model.train()
        with open(self.path, "a", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)

    def on_evaluate(self, args, state, control, model=None, **kwargs):
        self._write(state, model)

    def on_save(self, args, state, control, model=None, **kwargs):
        self._write(state, model)

    def on_train_end(self, args, state, control, model=None, **kwargs):
        self._write(state, model)
