"""One entry point for every stage: `build_run(spec, job_dir, workspace, reporter, data)` picks the
stage's builder; each returns the trainer, tokenizer, base model path and row counts."""

from __future__ import annotations

from pathlib import Path


def build_run(spec, job_dir: Path, workspace, reporter, data=None):
    from backend.training.lm_head import install

    install()  # the LM head on a CPU: backend/training/lm_head.py
    if spec.stage == "sft":
        from backend.training.sft import build_sft as build
    elif spec.stage == "pt":
        from backend.training.pt import build_pt as build
    elif spec.stage == "rm":
        from backend.training.rm import build_rm as build
    elif spec.stage == "dpo":
        from backend.training.dpo import build_dpo as build
    elif spec.stage == "orpo":
        from backend.training.orpo import build_orpo as build
    elif spec.stage == "kto":
        from backend.training.kto import build_kto as build
    elif spec.stage == "grpo":
        from backend.training.grpo import build_grpo as build
    else:
        from backend.spec import UNSUPPORTED
        from backend.training.errors import TrainingError

        why = UNSUPPORTED.get((spec.stage, None), "it has no trainer in this studio.")
        raise TrainingError("bad_spec", f"The stage `{spec.stage}` cannot be trained: {why}",
                            "Pick another stage in the spec.")
    return build(spec, job_dir, workspace, reporter, data=data)
