"""Direct preference optimization of a vision-language model on image preference rows: TRL's DPOTrainer with the
model's processor (TRL puts each row's images where its prompt's image parts are and repeats them for the chosen and
the rejected reply).

Rows are LLaMA-Factory's ranking rows with images ({"prompt", "chosen", "rejected", "images"}, backend/data); each is
measured with its image tokens (prompt + chosen and prompt + rejected) and a pair longer than max_length is left out
and said, never cut. Reference model as in the text dpo stage: the base with the adapter off (LoRA family), else a
frozen copy of the starting weights.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.stages.common import StageBuild, StageRun, frozen_copy
from backend.workspace import Workspace

log = logging.getLogger("studio.worker")


def build(spec: JobSpec, job_dir: Path, workspace: Workspace, reporter: JobReporter, data=None) -> StageRun:
    from trl import DPOConfig, DPOTrainer

    from backend.training.stages.sft_vision import begin_vision, vision_model

    loaded, model_path, device, processor = begin_vision("dpo", spec, workspace, data)
    max_len = spec.training.max_length
    train = fit_pairs(processor, loaded.train, max_len, "train")
    evals = fit_pairs(processor, loaded.eval, max_len, "eval") if loaded.eval else []
    stage = StageBuild("dpo", spec, Path(job_dir), reporter, model_path, device, processor)
    model, peft = vision_model(spec, model_path, device, len(train))
    ref = None if peft is not None else frozen_copy(model)
    a = spec.align
    log.info("dpo (vision-language): loss %s, beta %s, reference: %s", a.dpo_loss, a.beta,
             "the base model (adapter disabled)" if ref is None else "a frozen copy of the starting model")
    config = DPOConfig(**stage.kwargs(has_eval=bool(evals)), max_length=None, beta=a.beta, loss_type=[a.dpo_loss])
    return stage.trainer(DPOTrainer, config, model, peft, train=dataset(train),
                         evals=dataset(evals) if evals else None, ref_model=ref)


def dataset(pairs: list[dict]):
    """TRL's vision preference rows: structured prompt / chosen / rejected and the images, decoded from their paths
    only when a batch needs them (datasets' Image feature)."""
    from datasets import Dataset, Image, Sequence

    from backend.data.vision_rows import structured

    rows = [{"prompt": structured(p["prompt"]), "chosen": structured(p["chosen"]),
             "rejected": structured(p["rejected"]), "images": list(p.get("images") or [])} for p in pairs]
    return Dataset.from_list(rows).cast_column("images", Sequence(Image()))


def fit_pairs(processor, pairs: list[dict], max_length: int, which: str) -> list[dict]:
    """The pairs whose prompt + chosen and prompt + rejected both fit in max_length with their image tokens."""
    from backend.training.stages.sft_vision import fit

    def as_chat(p: dict, reply: str) -> dict:
        return {"messages": [*p["prompt"], *p[reply]], "images": p.get("images") or [], "tools": p.get("tools")}

    chosen = fit(processor, [as_chat(p, "chosen") for p in pairs], max_length, f"{which} (prompt + chosen)")
    rejected = fit(processor, [as_chat(p, "rejected") for p in pairs], max_length, f"{which} (prompt + rejected)")
    kept_c = {id_key(e) for e in chosen}
    kept_r = {id_key(e) for e in rejected}
    return [p for p in pairs if id_key(as_chat(p, "chosen")) in kept_c and id_key(as_chat(p, "rejected")) in kept_r]


def id_key(example: dict) -> str:
    import json

    return json.dumps([example["messages"], example["images"]], sort_keys=True, ensure_ascii=False)
