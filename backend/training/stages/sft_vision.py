"""Supervised fine-tuning of a vision-language model on image rows: TRL's SFTTrainer with the model's processor.

The rows (LLaMA-Factory's image format, backend/data/images.py) are encoded by backend.data.vision_rows, only the
replies trained; each row is measured once here (its length with the image tokens) and a row longer than
max_length is left out and said (an image cannot be cut). The batches are made on the fly by VisionCollator, which
opens each row's images again (pixel tensors are never all held in memory). The method trains the language model
(LoRA, QLoRA with the vision tower kept in full precision, full or freeze); the projector and the vision tower train
only when method.train_projector / method.train_vision_tower say so (backend.training.vision_model).
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.messages import msg
from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.stages.common import StageBuild, StageRun, log_sources, total_steps
from backend.workspace import Workspace

log = logging.getLogger("studio.worker")


def build(spec: JobSpec, job_dir: Path, workspace: Workspace, reporter: JobReporter, data=None) -> StageRun:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    from backend.data.load import as_sft
    from backend.data.vision_rows import VisionCollator, as_rows

    loaded, model_path, device, processor = begin_vision("sft", spec, workspace, data)
    train, evals, note = as_sft(loaded)
    if note:
        log.info("data: %s", note)
    max_len = spec.training.max_length
    train = fit(processor, train, max_len, "train")
    evals = fit(processor, evals, max_len, "eval") if evals else []
    stage = StageBuild("sft", spec, Path(job_dir), reporter, model_path, device, processor)
    model, peft = vision_model(spec, model_path, device, len(train))
    config = SFTConfig(
        **stage.kwargs(has_eval=bool(evals)),
        max_length=None,  # rows are measured and left out here: an image cannot be truncated
        packing=False,
        padding_free=False,
        remove_unused_columns=False,  # the one column, `row`, is what the collator reads
        dataset_kwargs={"skip_prepare_dataset": True},
    )
    return stage.trainer(SFTTrainer, config, model, peft, train=Dataset.from_list(as_rows(train)),
                         evals=Dataset.from_list(as_rows(evals)) if evals else None,
                         data_collator=VisionCollator(processor))


def begin_vision(stage: str, spec: JobSpec, workspace: Workspace, data=None):
    """What every vision stage starts with: the method checked, the data read (unless given) and checked for the
    stage, the model path, device and processor, the sources logged. (loaded, model path, device, processor)."""
    from backend.data.load import load_data
    from backend.data.stage_data import check_stage
    from backend.training.vision_model import check_vision_method

    check_vision_method(spec)
    loaded = data or load_data(spec.data, workspace.root)
    check_stage(stage, loaded.kind)
    model_path, device, processor = setup(spec, workspace)
    log_sources(loaded)
    return loaded, model_path, device, processor


def vision_model(spec: JobSpec, model_path: str, device: str, n_rows: int):
    """(model, peft config or None) of the method on a vision-language model, sized for `n_rows` rows; the parts the
    method does not train frozen."""
    from backend.training.stages.common import build_model
    from backend.training.vision_model import restrict_to_parts

    model, peft = build_model(spec, model_path, device, total_steps(spec, n_rows), task="vision",
                              plan=_plan(spec, device))
    restrict_to_parts(model, spec)
    return model, peft


def setup(spec: JobSpec, workspace: Workspace):
    """(model path, device, processor), logged: the processor's own chat template, else the named one."""
    from backend.training.model import configure_cpu, pick_device, resolve_model_path
    from backend.vlm.processor import load_processor

    model_path = resolve_model_path(spec, workspace)
    device = pick_device(spec)
    if device == "cpu":
        log.info("model: %s (vision-language) on the CPU with %s threads", model_path, configure_cpu(spec))
    else:
        from backend.training.accel import cap_gpu_memory

        log.info("model: %s (vision-language) on %s", model_path, device)
        cap_gpu_memory()
    processor = load_processor(model_path, trust_remote_code=spec.model.trust_remote_code)
    if spec.model.chat_template:
        from backend.resources import chat_template

        processor.chat_template = chat_template(spec.model.chat_template)
    tok = processor.tokenizer
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    log.info("chat template: %s", "the named " + spec.model.chat_template if spec.model.chat_template
             else "the processor's own")
    return model_path, device, processor


def _plan(spec: JobSpec, device: str):
    """The speed plan of the text path, less what assumes a text model: Liger's kernels patch a text model's
    classes (transformers' own kernels run instead) and varlen attention needs packed text rows."""
    from backend.training.accel import speed_plan

    plan = speed_plan(spec, device)
    plan.fused_kernels = False
    if plan.attention not in ("sdpa", "eager"):
        plan.attention = "sdpa"
    plan.padding_free = False
    plan.group_by_length = False
    plan.compile = False
    return plan


def fit(processor, examples: list[dict], max_length: int, which: str) -> list[dict]:
    """The rows whose encoding (image tokens included) fits in max_length with a reply token to learn; the others
    left out and said. None left of the training rows: a DataError that says what max_length would do."""
    import time

    from backend.data.read import DataError
    from backend.data.vision_rows import measure

    start = time.monotonic()
    kept, lengths, too_long, empty = [], [], [], 0
    for example in examples:
        m = measure(processor, example)
        lengths.append(m.length)
        if m.length > max_length:
            too_long.append(m.length)
        elif m.trained == 0:
            empty += 1
        else:
            kept.append(example)
    if too_long:
        log.warning("data: %s", msg("vision.rows_too_long", dropped=len(too_long), total=len(examples),
                                    max_length=max_length, longest=max(too_long)))
    if empty:
        log.warning("data: %s of %s %s rows have no reply token to learn and are left out", empty, len(examples),
                    which)
    if which.startswith("train") and not kept:
        shortest = min(lengths) if lengths else 0
        raise DataError(msg("vision.none_fit", total=len(examples), max_length=max_length, shortest=shortest))
    log.info("data: %s %s rows measured with their images in %.2f s: %s kept (longest %s tokens, %s images)",
             len(examples), which, time.monotonic() - start, len(kept), max(lengths, default=0),
             sum(len(e.get("images") or []) for e in kept))
    return kept
