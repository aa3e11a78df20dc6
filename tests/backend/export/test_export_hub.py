"""Push to the hub, up to the upload: the folder is staged (adapter, card, spec, plots), and with
the hub out of reach the command fails at once, naming the folder and how to upload it later;
a bad repository id and a missing token are refused with what to do."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from backend.export.adapter_zip import ExportError
from backend.export.hub_push import push_to_hub
from tests.conftest import python_env


def test_offline_push_stages_the_folder_and_says_how_to_upload_later(demo_job, monkeypatch):
    ws, job_dir = demo_job
    env = {**python_env(), "HF_HUB_OFFLINE": "1", "HF_TOKEN": "hf_test_token"}
    start = time.time()
    done = subprocess.run([sys.executable, "-m", "studio.cli", "export", str(job_dir), "--to", "hub", "--repo",
                           "someone/nova-demo", "--workspace", str(ws.root)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    folder = job_dir / "exports" / "hub-adapter"
    assert "cannot be reached" in done.stderr and f"hf upload someone/nova-demo {folder}" in done.stderr
    assert "Traceback" not in done.stderr and time.time() - start < 60
    for name in ("adapter_model.safetensors", "adapter_config.json", "README.md", "spec.yaml", "plots/loss.png",
                 "tokenizer.json"):
        assert (folder / name).is_file(), name


def test_bad_repo_and_missing_token_are_refused(demo_job, monkeypatch):
    _, job_dir = demo_job
    with pytest.raises(ExportError, match="your-name/model-name"):
        push_to_hub(job_dir, "no slash here", token="hf_x")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(job_dir / "no-hf-home"))  # no saved login either
    with pytest.raises(ExportError, match="hf auth login"):
        push_to_hub(job_dir, "someone/nova-demo")
