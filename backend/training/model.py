"""Load the base model and tokenizer a spec names: the demo, a local folder, or a hub id."""

from __future__ import annotations

from pathlib import Path

from backend.demo import ensure_demo_model
from backend.spec import DEMO, JobSpec
from backend.workspace import Workspace


def looks_like_path(name: str) -> bool:
    """A local path rather than a hub id (`org/name`)."""
    return name.startswith(("/", "./", "../", "~")) or name.count("/") > 1 or "\\" in name


def check_model_source(name: str) -> str | None:
    """A sentence saying why `name` cannot be a model, or None. Cheap: no download, no torch."""
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            return f"`model.name_or_path`: {path} has no config.json; give the folder that holds the model's files."
        return None
    if looks_like_path(name):
        return f"`model.name_or_path`: the folder {path} does not exist."
    return None


def resolve_model_path(spec: JobSpec, workspace: Workspace) -> str:
    name = spec.model.name_or_path
    if name == DEMO:
        return str(ensure_demo_model(workspace.models_dir))
    problem = check_model_source(name)
    if problem:
        from backend.training.errors import TrainingError

        raise TrainingError("model_not_found", problem,
                            "Give a local folder with config.json and the weights, or a hub id like `org/name`.")
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


def pick_device(spec: JobSpec) -> str:
    import torch

    if spec.training.device == "cpu":
        return "cpu"
    if spec.training.device == "cuda" or torch.cuda.is_available():
        return "cuda"
    return "cpu"


def cpu_threads(spec: JobSpec) -> int:
    """Threads for CPU training: the spec's, else $OMP_NUM_THREADS, else all cores but one."""
    import os

    if spec.training.cpu_threads > 0:
        return spec.training.cpu_threads
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores - 1)


def configure_cpu(spec: JobSpec) -> int:
    import torch

    n = cpu_threads(spec)
    torch.set_num_threads(n)
    return n


def pick_dtype(spec: JobSpec, device: str):
    import torch

    p = spec.training.precision
    if p == "bf16" or (p == "auto" and device == "cuda" and torch.cuda.is_bf16_supported()):
        return torch.bfloat16
    if p == "fp16":
        return torch.float16
    return torch.float32


def load_tokenizer(name_or_path: str, spec: JobSpec):
    from transformers import AutoTokenizer

    from backend.data.tokenize import ensure_chat_template

    tok = AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=spec.model.trust_remote_code)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    template = ensure_chat_template(tok, spec.model.chat_template)
    return tok, template


def load_model(name_or_path: str, spec: JobSpec, device: str):
    from transformers import AutoModelForCausalLM

    # Weights stay in fp32 on the CPU; on a GPU they load in the training dtype.
    dtype = pick_dtype(spec, device) if device == "cuda" else None
    return AutoModelForCausalLM.from_pretrained(
        name_or_path, trust_remote_code=spec.model.trust_remote_code, dtype=dtype or "float32"
    )
