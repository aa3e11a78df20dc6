"""One entry point for every stage: `build_run(spec, job_dir, workspace, reporter, data)` builds the stage's
trainer with the builder its record names (backend/spec/stages.py: a module of backend/training/stages/);
each returns the trainer, tokenizer, base model path and row counts."""

from __future__ import annotations

import importlib
from pathlib import Path


def build_run(spec, job_dir: Path, workspace, reporter, data=None):
    from backend.spec import get_stage
    from backend.training.lm_head import install

    install()  # the LM head on a CPU: backend/training/lm_head.py
    stage = get_stage(spec.stage)
    if not stage.builder:
        from backend.messages import msg
        from backend.training.errors import TrainingError

        why = stage.refused.why if stage.refused else msg("training.stage_no_trainer")
        raise TrainingError("bad_spec", msg("training.stage_cannot_train", stage=spec.stage, why=why),
                            msg("training.pick_another_stage_hint"))
    build = importlib.import_module(vision_builder(spec) or stage.builder).build
    return build(spec, job_dir, workspace, reporter, data=data)


VISION_STAGES = {"sft": "backend.training.stages.sft_vision", "dpo": "backend.training.stages.dpo_vision"}


def vision_builder(spec) -> str | None:
    """The vision-language builder when the spec's model is one (its config has a vision tower), else None; a
    vision-language model trains stages sft and dpo so far (TrainingError for the others)."""
    from backend.vlm import is_vision_model

    if not is_vision_model(spec.model.name_or_path, network=True):
        return None
    if spec.stage not in VISION_STAGES:
        from backend.messages import msg
        from backend.training.errors import TrainingError

        raise TrainingError("bad_spec", msg("vision.stage_text_only", stage=spec.stage, model=spec.model.name_or_path),
                            msg("vision.stage_text_only_hint", stage=spec.stage))
    return VISION_STAGES[spec.stage]
