"""The adapter zip: PEFT adapter + tokenizer + spec.yaml + a model card, in one file.

Pure Python (zipfile), so the UI can offer it as a one-click download without loading a model.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from backend.export.model_card import model_card
from backend.messages import msg

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


class ExportError(RuntimeError):
    pass


def export_adapter_zip(job_dir: Path, out_path: Path | None = None) -> Path:
    job_dir = Path(job_dir)
    adapter = job_dir / "adapter"
    missing = [f for f in ADAPTER_FILES if not (adapter / f).is_file()]
    whole_model = (adapter / "config.json").is_file() and any(adapter.glob("*.safetensors"))
    if missing and not whole_model:  # full and freeze jobs save the whole model there
        raise ExportError(msg("export.adapter_unfinished", job=job_dir.name, missing=", ".join(missing),
                              path=str(adapter)))
    out = Path(out_path) if out_path else job_dir / "exports" / f"{job_dir.name}-adapter.zip"
    if out.is_dir():
        out = out / f"{job_dir.name}-adapter.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in sorted(adapter.iterdir()):
            if f.is_file() and f.name != "README.md":
                z.write(f, f.name)
        z.write(job_dir / "spec.yaml", "spec.yaml")
        for plot in sorted((job_dir / "plots").glob("*.png")):
            z.write(plot, f"plots/{plot.name}")
        z.writestr("README.md", model_card(job_dir))
    tmp.replace(out)
    return out
