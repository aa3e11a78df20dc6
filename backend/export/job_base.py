"""The base model a job's adapter was trained on, for the exports that load it again (merged, parity, a
vision-language job's base).

    base = trained_base(job_dir, job_dir / "adapter", spec_dict, workspace)
"""

from __future__ import annotations

from pathlib import Path


def trained_base(job_dir: Path, adapter: Path, spec: dict, workspace) -> str:
    """The base model the adapter was trained on: the folder the job used (summary.json), else
    the adapter's own record of it, else the spec's name (the demo resolved in the workspace)."""
    import json

    summary = job_dir / "summary.json"
    if summary.is_file():
        base = json.loads(summary.read_text(encoding="utf-8")).get("base_model")
        if base and (Path(base).is_dir() or "/" in base):
            return base
    config = json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8"))
    base = config.get("base_model_name_or_path")
    if base:
        return base
    name = spec["model"]["name_or_path"]
    from backend.spec import DEMO, DEMO_VL

    if name == DEMO and workspace is not None:
        from backend.demo import ensure_demo_model

        return str(ensure_demo_model(workspace.models_dir))
    if name == DEMO_VL and workspace is not None:
        from backend.demo_vlm import ensure_demo_vlm

        return str(ensure_demo_vlm(workspace.models_dir))
    return name
