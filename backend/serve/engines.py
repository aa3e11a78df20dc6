"""Which engine serves the targets: `auto` is llama.cpp for a GGUF file, vLLM where it is installed and a CUDA
GPU is present, else transformers (which runs anywhere, a CPU included). A vision-language job is served by
transformers with its images (backend/serve/engine_vision.py).

    engine = make_engine(targets, "auto")   # not loaded yet: engine.load()
"""

from __future__ import annotations

import importlib.util

from backend.messages import msg
from backend.serve.engine import Engine
from backend.serve.targets import ServeError, Target

ENGINES = ("auto", "transformers", "vllm", "llamacpp")


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def pick(targets: list[Target], wanted: str = "auto") -> str:
    gguf = any(t.gguf for t in targets)
    if wanted not in ENGINES:
        raise ServeError(msg("serve.bad_engine", engine=repr(wanted), choices=", ".join(ENGINES)))
    vision = next((t for t in targets if t.vision), None)
    if vision is not None and wanted in ("vllm", "llamacpp"):
        raise ServeError(msg("serve.vision_engine", job=vision.job, engine=wanted))
    if wanted == "auto":
        if vision is not None:
            wanted = "transformers"
        elif gguf:
            wanted = "llamacpp"
        elif importlib.util.find_spec("vllm") is not None and _cuda():
            wanted = "vllm"
        else:
            wanted = "transformers"
    if wanted == "llamacpp":
        if not gguf:
            raise ServeError(msg("serve.gguf_needed"))
        if importlib.util.find_spec("llama_cpp") is None:
            raise ServeError(msg("serve.no_llamacpp"))
    elif gguf:
        raise ServeError(msg("serve.gguf_engine", engine=wanted))
    if wanted == "vllm" and (importlib.util.find_spec("vllm") is None or not _cuda()):
        raise ServeError(msg("serve.no_vllm"))
    return wanted


def make_engine(targets: list[Target], wanted: str = "auto") -> Engine:
    name = pick(targets, wanted)
    if name == "llamacpp":
        from backend.serve.engine_llamacpp import LlamaCppEngine

        return LlamaCppEngine(targets)
    if name == "vllm":
        from backend.serve.engine_vllm import VllmEngine

        return VllmEngine(targets)
    if any(t.vision for t in targets):
        from backend.serve.engine_vision import VisionEngine

        return VisionEngine(targets)
    from backend.serve.engine_hf import TransformersEngine

    return TransformersEngine(targets)
