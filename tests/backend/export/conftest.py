"""Fixtures of the GGUF and parity tests: llama.cpp's converter (fetched once into a known cache, as the export
fetches it into a workspace) and the reference (base + adapter) of the session's demo job, computed once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def llama_converter() -> Path:
    """llama.cpp's converter of the installed llama-cpp-python: $LLAMA_CPP_DIR, else extracted once from its source
    archive (pip download) into ~/.cache/finetune-studio-tests/ (or $XDG_CACHE_HOME): the export's own code path."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install \".[gguf]\"): no "
                                            "llama.cpp quantizer or loader here")
    from backend.export.llama_cpp_tools import find_converter

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "finetune-studio-tests"
    folder, why = find_converter(tools_dir=cache)
    if folder is None:
        pytest.fail(f"llama.cpp's converter could not be had: {why}")
    return folder


@pytest.fixture(scope="session")
def demo_reference(demo_job):
    from backend.export.parity_common import reference

    ws, job_dir = demo_job
    return reference(job_dir, ws)
