"""Shared fixtures: the tiny demo model built once per test session, and fresh workspaces."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = ROOT.parent / "shared" / "datasets" / "llamafactory"
ARTIFACTS = ROOT / "test-artifacts"

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def demo_models_dir(tmp_path_factory) -> Path:
    """A models/ folder holding the demo model, built once for the whole session."""
    from backend.demo import ensure_demo_model

    models = tmp_path_factory.mktemp("models")
    ensure_demo_model(models)
    return models


@pytest.fixture
def workspace(tmp_path, demo_models_dir):
    """A fresh workspace whose models/demo is the session's prebuilt demo model."""
    from backend.workspace import Workspace

    ws = Workspace.at(tmp_path / "ws")
    (ws.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
    return ws


@pytest.fixture
def store(workspace):
    from backend.store import JobStore

    return JobStore(workspace)


def python_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_python(code: str, timeout: int = 300, cwd=None):
    """Run a snippet in a fresh interpreter (a new process: nothing shared with the test)."""
    import subprocess

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          env=python_env(), cwd=cwd or ROOT)
