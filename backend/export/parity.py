"""The export parity check: does the exported model answer as the model tested in the studio?

    report = check_export(job_dir, artifact, "merged" | "gguf", workspace, gguf=made)   # after each export
    print(parity_table(report))                                                          # backend.export.parity_table

The reference is base + adapter in transformers, in float32, the base loaded as the job trained on it
(backend.chat.weights.load_base). Fixed prompts (English, Chinese, a system turn) and the first two of the job's
eval (or training) prompts go through the job's chat template. For each the export must give:
  prompt       the same rendered prompt string (merged folder: its tokenizer's template; GGUF: the template
               embedded in the file, rendered with llama-cpp-python's Jinja2 formatter)
  prompt_ids   the same token ids for that string (GGUF: llama.cpp's own tokenizer)
  stop         the same end-of-turn tokens, ids and text
  greedy       the same greedy continuation, up to 32 tokens (f32/f16/bf16 and merged: required; quantized: shown)
  logits       merged float32: max |logit difference| <= 1e-4 (16-bit merged folders: shown)
  next_tokens  GGUF: the share of teacher-forced next tokens (along the reference continuation) whose argmax
               agrees with transformers'
A vision-language job's merged folder is checked on prompts with an image (backend.export.parity_vision).
Written to <job>/exports/<artifact>.parity.json: {"artifact", "kind", "ok", "rows": [{check, result, detail}]}.
"""

from __future__ import annotations

import json
from pathlib import Path

from backend.export.parity_common import reference


def check_export(job_dir: Path, artifact: Path, kind: str, workspace=None, gguf=None, ref: dict | None = None) -> dict:
    """Run the checks of a merged folder (kind "merged") or a GGUF file (kind "gguf"; `gguf`: its GgufExport)
    and write the report beside the job's exports. Returns the report."""
    from backend.export.vision_job import is_vision_job

    job_dir, artifact = Path(job_dir), Path(artifact)
    if kind == "merged" and is_vision_job(job_dir):  # prompts with an image (backend.export.parity_vision)
        from backend.export.parity_vision import vision_merged_rows, vision_reference

        ref = ref or vision_reference(job_dir, workspace)
        rows = vision_merged_rows(ref, artifact)
    elif kind == "merged":
        from backend.export.parity_merged import merged_rows

        ref = ref or reference(job_dir, workspace)
        rows = merged_rows(ref, artifact)
    else:
        from backend.export.parity_gguf import gguf_rows

        ref = ref or reference(job_dir, workspace)
        rows = gguf_rows(ref, artifact, gguf)
    report = {"artifact": artifact.name, "kind": kind, "prompts": len(ref["prompts"]),
              "ok": all(r["result"] != "mismatch" for r in rows), "rows": rows}
    out = job_dir / "exports" / f"{artifact.name}.parity.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    report["file"] = str(out)
    return report
