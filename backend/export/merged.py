"""The merged model: the job's adapter folded into its base model, saved as a plain transformers
model (safetensors in a chosen dtype, the tokenizer with its chat template, a model card).

    studio export JOB_ID --to merged [--dtype float32|bfloat16|float16] [--out DIR]

    from backend.export.merged import export_merged
    out_dir = export_merged(job_dir, dtype="bfloat16")
    AutoModelForCausalLM.from_pretrained(out_dir)      # no peft needed to load it

Runs in its own process (the CLI), never in the UI's: a merge loads the whole base model, at full
precision on the CPU. A QLoRA adapter learnt its update against the quantized base, not the
original weights (on the demo model the two merges differ by logits of 2-3), so for a qlora job the
base's quantized layers take the values bitsandbytes gave them, rebuilt the way the job loaded the
base (backend.training.quantized.load_trained_base, which chat and evaluation load it with too), and
the merged model answers as the trained one did. A reward model (stage rm) is merged as a sequence
classifier with its score head. Prompt-based methods (prefix, prompt, ptuning) add virtual tokens
instead of changing weights, so there is nothing to merge: the job's adapter zip is their export.

A vision-language job (backend.export.vision_job.is_vision_job) merges the same way with
AutoModelForImageTextToText (a qlora job's quantized language model included: the vision tower and the
projector were never quantized), and the folder gets the job's processor (tokenizer, image processor, chat
template: backend.vlm.processor.save_processor), so AutoModelForImageTextToText.from_pretrained(out) and
AutoProcessor / load_processor(out) load it with transformers alone.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import yaml

from backend.export.adapter_zip import ExportError
from backend.export.job_base import trained_base
from backend.export.model_card import model_card
from backend.messages import msg

log = logging.getLogger("studio.export")
DTYPES = ("float32", "bfloat16", "float16")
UNMERGEABLE = ("prefix", "prompt", "ptuning")


def refuse_foreign_folder(out: Path) -> None:
    """The export replaces `out` whole: allowed for a new or empty folder, or an earlier merged export (a model's
    config.json beside the job's spec.yaml and the card); any other folder (`--out ~/models`, the job's own) or a
    file is refused before anything is loaded, so no file of the user's is deleted."""
    if not out.exists() and not out.is_symlink():
        return
    if out.is_dir() and not out.is_symlink():
        if not any(out.iterdir()) or all((out / name).is_file() for name in ("config.json", "spec.yaml", "README.md")):
            return
    raise ExportError(msg("export.out_not_ours", path=str(out)))


def export_merged(job_dir: Path, out_dir: Path | None = None, dtype: str = "float32", workspace=None) -> Path:
    """Write the merged model into `out_dir` (default `<job>/exports/merged-<dtype>/`); returns it."""
    job_dir = Path(job_dir)
    if dtype not in DTYPES:
        raise ExportError(msg("export.bad_dtype", choices=", ".join(DTYPES), dtype=repr(dtype)))
    spec = yaml.safe_load((job_dir / "spec.yaml").read_text(encoding="utf-8"))
    method, stage = spec["method"]["name"], spec["stage"]
    if method in UNMERGEABLE:
        raise ExportError(msg("export.nothing_to_merge", method=method))
    adapter = job_dir / "adapter"
    whole_model = (adapter / "config.json").is_file()
    if not whole_model and not (adapter / "adapter_config.json").is_file():
        raise ExportError(msg("export.merge_unfinished", job=job_dir.name, path=str(adapter)))
    out = Path(out_dir) if out_dir else job_dir / "exports" / f"merged-{dtype}"
    if out_dir:  # the default, exports/merged-<dtype>, is the studio's own to replace
        refuse_foreign_folder(out)
    from backend.training.bnb_import import import_bitsandbytes

    bnb_present = import_bitsandbytes()  # before peft imports it: no hub kernel fetch
    if method == "qlora" and not whole_model and not bnb_present:
        raise ExportError(msg("export.merge_needs_bnb", job=job_dir.name))
    import torch
    from transformers import (
        AutoModelForCausalLM,
        AutoModelForImageTextToText,
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )

    from backend.export.vision_job import is_vision_job
    from backend.spec import get_stage

    vision = is_vision_job(job_dir)
    score_head = get_stage(stage).score_head
    auto = AutoModelForSequenceClassification if score_head else AutoModelForCausalLM
    if vision:
        auto = AutoModelForImageTextToText
    torch_dtype = getattr(torch, dtype)
    if whole_model:  # full and freeze jobs saved the whole trained model: only the dtype changes
        model = auto.from_pretrained(adapter, dtype=torch.float32)
    else:
        from peft import PeftModel

        from backend.spec import JobSpec
        from backend.training.model import pad_token_id
        from backend.training.quantized import load_trained_base

        base = trained_base(job_dir, adapter, spec, workspace)
        log.info("merging %s into %s", adapter, base)
        job_spec = JobSpec.from_dict(spec)
        # A reward model's score head has one output, as it trained (backend.training.model): transformers'
        # default of two would not take the adapter's saved head.
        head = {"num_labels": 1, "pad_token_id": pad_token_id(base, job_spec)} if score_head and not vision else {}
        model = load_trained_base(auto, base, job_spec, **head)  # qlora: the quantized base's values
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    model = model.to(torch_dtype)
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    if vision:  # tokenizer, image processor and the chat template the job used
        from backend.vlm.processor import load_processor, save_processor

        save_processor(load_processor(adapter, trust_remote_code=spec["model"].get("trust_remote_code", False)), tmp)
    else:
        AutoTokenizer.from_pretrained(adapter).save_pretrained(tmp)  # with the chat template the job used
    (tmp / "spec.yaml").write_text((job_dir / "spec.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "README.md").write_text(model_card(job_dir, merged=True), encoding="utf-8")
    if (job_dir / "plots").is_dir():
        shutil.copytree(job_dir / "plots", tmp / "plots")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    log.info("merged model (%s) written to %s", dtype, out)
    return out
