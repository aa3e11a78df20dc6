"""Group relative policy optimization (grpo): for each prompt the model samples `num_generations`
replies, the chosen reward functions score them (backend.training.rewards, weighted by
`align.rewards`), and each reply is pushed up or down by how it compares with its group.

TRL's GRPOTrainer, generating with transformers (no vLLM). `align.importance_sampling: sequence`
is GSPO (one importance ratio per reply); `align.grpo_loss` picks the loss (dapo by default).
Batches count replies: a step of batch_size x accumulation replies holds whole groups, so the
generation batch is the least common multiple of that and num_generations.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from backend.data.read import DataError
from backend.data.stage_data import to_dataset
from backend.messages import msg
from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.rewards import reward_functions
from backend.training.stages.common import StageRun, begin

log = logging.getLogger("studio.worker")


def build(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    from trl import GRPOConfig, GRPOTrainer

    stage = begin("grpo", spec, job_dir, workspace, reporter, data)
    a, sd = spec.align, stage.rows
    funcs, weights = reward_functions(a)
    names = [n for n, w in a.rewards.items() if w]
    with_ref = sum(1 for r in sd.train if str(r["reference"]).strip())
    if "exact_match" in names:
        if not with_ref:
            raise DataError(msg("training.exact_match_no_reference"))
        if with_ref < len(sd.train):
            log.warning("grpo: %s of %s prompts have no reference: exact_match does not score them",
                        len(sd.train) - with_ref, len(sd.train))
    train, evals = sd.train, sd.eval  # the prompts that fit in max_length (begin: fit_to_length)

    has_eval = bool(evals)
    kwargs = stage.kwargs(has_eval, count_tokens=False)
    g = a.num_generations
    per_step = kwargs["per_device_train_batch_size"] * kwargs["gradient_accumulation_steps"]
    generation_batch = math.lcm(per_step, g)
    kwargs["per_device_eval_batch_size"] = math.lcm(kwargs["per_device_eval_batch_size"], g)
    log.info("grpo: %s replies per prompt, up to %s tokens each, temperature %s; loss %s, importance sampling "
             "per %s%s; rewards %s; %s replies (%s prompt(s)) generated at a time", g, a.max_completion_length,
             a.temperature, a.grpo_loss, a.importance_sampling, " (GSPO)" if a.importance_sampling == "sequence" else "",
             ", ".join(f"{n} x{w:g}" for n, w in zip(names, weights)), generation_batch, generation_batch // g)

    model, peft = stage.model(len(train) * g)
    config = GRPOConfig(
        **kwargs,
        num_generations=g,
        max_completion_length=a.max_completion_length,
        temperature=a.temperature,
        loss_type=a.grpo_loss,
        importance_sampling_level=a.importance_sampling,
        reward_weights=weights,
        generation_batch_size=generation_batch,
        use_vllm=False,
        log_completions=False,
    )
    return stage.trainer(GRPOTrainer, config, model, peft, train=to_dataset(train),
                         evals=to_dataset(evals) if has_eval else None, reward_funcs=funcs)
