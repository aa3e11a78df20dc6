"""Supervised fine-tuning: a JobSpec mapped onto TRL's SFTTrainer with a PEFT adapter.

Data is tokenized here (backend.data.tokenize) so that only assistant tokens carry labels,
whatever the chat template; TRL receives `input_ids` + `labels` and keeps them as they are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from backend.data.load import train_eval_split
from backend.data.tokenize import tokenize_all
from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.methods import peft_config
from backend.training.model import (
    configure_cpu,
    load_model,
    load_tokenizer,
    pick_device,
    pick_dtype,
    resolve_model_path,
)
from backend.workspace import Workspace

log = logging.getLogger("studio.worker")


@dataclass
class SftRun:
    trainer: object
    tokenizer: object
    model_path: str
    n_train: int
    n_eval: int


def build_sft(spec: JobSpec, job_dir: Path, workspace: Workspace, reporter: JobReporter, data=None) -> SftRun:
    """Everything ready to `trainer.train()`. `data`: train_eval_split's result when already read."""
    import torch
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    model_path = resolve_model_path(spec, workspace)
    device = pick_device(spec)
    if device == "cpu":
        log.info("model: %s on the CPU with %s threads", model_path, configure_cpu(spec))
    else:
        log.info("model: %s on %s", model_path, device)
    tokenizer, template = load_tokenizer(model_path, spec)
    log.info("chat template: %s", template)

    train, eval_convs = data or train_eval_split(spec.data, workspace.root, spec.training.seed)
    log.info("data: %s rows read, %s usable, %s skipped (format %s: %s)",
             train.rows_read, len(train.conversations) + len(eval_convs), len(train.skipped), train.format, train.reason)
    for row, why in train.skipped[:20]:
        log.warning("skipped row %s: %s", row, why)
    max_len = spec.training.max_length
    train_examples, dropped = tokenize_all(tokenizer, train.conversations, max_len)
    if dropped:
        log.warning("%s rows dropped: their reply starts after max_length=%s tokens", len(dropped), max_len)
    eval_examples, _ = tokenize_all(tokenizer, eval_convs, max_len)

    def to_dataset(examples):
        return Dataset.from_dict({"input_ids": [e.input_ids for e in examples], "labels": [e.labels for e in examples]})

    model = load_model(model_path, spec, device)
    dtype = pick_dtype(spec, device)
    t = spec.training
    has_eval = bool(eval_examples)
    config = SFTConfig(
        output_dir=str(job_dir / "checkpoints"),
        num_train_epochs=t.num_epochs,
        max_steps=t.max_steps if t.max_steps > 0 else -1,
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.scheduler,
        warmup_steps=t.warmup_ratio,  # a float below 1 is a share of the total steps
        weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm,
        seed=t.seed,
        data_seed=t.seed,
        logging_steps=t.logging_steps,
        logging_first_step=True,
        save_strategy="steps" if t.save_steps > 0 else "no",
        save_steps=t.save_steps if t.save_steps > 0 else 500,
        save_total_limit=2,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=(t.eval_steps or t.logging_steps) if has_eval else None,
        max_length=max_len,
        bf16=dtype == torch.bfloat16,
        fp16=dtype == torch.float16,
        use_cpu=device == "cpu",
        activation_checkpointing=False,  # (was gradient_checkpointing); TRL turns it on by default
        include_num_input_tokens_seen="non_padding",
        report_to="none",
        dataloader_num_workers=0,
        save_only_model=False,
    )
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=to_dataset(train_examples),
        eval_dataset=to_dataset(eval_examples) if has_eval else None,
        processing_class=tokenizer,
        peft_config=peft_config(spec.method),
        callbacks=[reporter],
    )
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in trainer.model.parameters())
    log.info("trainable parameters: %s of %s (%.2f%%)", f"{trainable:,}", f"{total:,}", 100 * trainable / total)
    return SftRun(trainer, tokenizer, model_path, len(train_examples), len(eval_examples))
