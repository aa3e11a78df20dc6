"""Push a finished job to the Hugging Face Hub: the adapter (with its model card, spec and plots) or
the merged model, into a repository of yours, private unless you say otherwise.

    studio export JOB_ID --to hub --repo me/my-model [--merged] [--public] [--token hf_...]

    from backend.export.hub_push import push_to_hub
    url = push_to_hub(job_dir, "me/my-model", token="hf_...", private=True)

The token comes from --token, else $HF_TOKEN, else `hf auth login`'s saved one. The folder to upload
is prepared first (exports/hub-adapter/ or exports/merged-float32/); when the hub cannot be reached
the error says so at once and names that folder, so it can be uploaded later with `hf upload`.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

from backend.export.adapter_zip import ExportError
from backend.export.model_card import model_card
from backend.messages import msg

log = logging.getLogger("studio.export")
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


def stage_adapter(job_dir: Path) -> Path:
    """exports/hub-adapter/: the adapter files, tokenizer, spec.yaml, plots and the model card."""
    job_dir = Path(job_dir)
    adapter = job_dir / "adapter"
    if not adapter.is_dir() or not any(adapter.iterdir()):
        raise ExportError(msg("export.push_unfinished", job=job_dir.name))
    out = job_dir / "exports" / "hub-adapter"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(adapter, out)
    shutil.copy(job_dir / "spec.yaml", out / "spec.yaml")
    if (job_dir / "plots").is_dir():
        shutil.copytree(job_dir / "plots", out / "plots")
    (out / "README.md").write_text(model_card(job_dir), encoding="utf-8")
    return out


def push_to_hub(job_dir: Path, repo_id: str, token: str | None = None, private: bool = True, merged: bool = False,
                workspace=None) -> str:
    """Create the repo if needed and upload; returns the repo's URL."""
    from backend.hub import unreachable_reason

    if not REPO_ID.match(repo_id or ""):
        raise ExportError(msg("export.bad_repo_id", repo=repr(repo_id)))
    token = token or os.environ.get("HF_TOKEN") or _saved_token()
    if not token:
        raise ExportError(msg("export.no_token"))
    if merged:
        from backend.export.merged import export_merged

        folder = export_merged(job_dir, dtype="float32", workspace=workspace)
    else:
        folder = stage_adapter(job_dir)
    reason = unreachable_reason(5.0)
    if reason:
        raise ExportError(msg("export.hub_unreachable", reason=reason, folder=str(folder), repo=repo_id))
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(repo_id, private=private, exist_ok=True)
    api.upload_folder(repo_id=repo_id, folder_path=str(folder), commit_message=f"finetune-studio job {Path(job_dir).name}")
    url = f"https://huggingface.co/{repo_id}"
    log.info("pushed %s to %s", folder, url)
    return url


def _saved_token() -> str | None:
    try:
        from huggingface_hub import get_token

        return get_token()
    except Exception:  # noqa: BLE001 - no saved login is simply no token
        return None
