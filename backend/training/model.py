"""Load the base model and tokenizer a spec names: the demo, a local folder, or a hub id."""

from __future__ import annotations

from pathlib import Path

from backend.demo import ensure_demo_model
from backend.messages import msg
from backend.spec import DEMO, DEMO_VL, JobSpec
from backend.workspace import Workspace


def hide_unused_packages(spec: JobSpec) -> None:
    """Call before importing transformers/peft: bitsandbytes serves only qlora, yet both libraries
    import it whenever it is installed, which costs 1.5-2 s of every job's start-up on a CPU box
    (benchmarks/bench_train.py). A None entry in sys.modules reads as "not installed" to them.
    A qlora job imports it here, out of reach of the hub kernels (backend.training.bnb_import)."""
    import sys

    if spec.method.name != "qlora" and "transformers" not in sys.modules:
        sys.modules.setdefault("bitsandbytes", None)
    elif spec.method.name == "qlora":
        from backend.training.bnb_import import import_bitsandbytes

        import_bitsandbytes()


def looks_like_path(name: str) -> bool:
    """A local path rather than a hub id (`org/name`)."""
    return name.startswith(("/", "./", "../", "~")) or name.count("/") > 1 or "\\" in name


def check_model_source(name: str) -> str | None:
    """A sentence saying why `name` cannot be a model, or None. Cheap: no download, no torch."""
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            return msg("training.model_no_config", path=str(path))
        names = [p.name for p in path.iterdir()] if path.is_dir() else []
        if not any(n.endswith((".safetensors", ".bin", ".pt", ".pth", ".index.json")) for n in names):
            return msg("training.model_no_weights", path=str(path))
        if not any(n.startswith("tokenizer") or n.endswith((".tiktoken", "vocab.json", ".model")) for n in names):
            return msg("training.model_no_tokenizer", path=str(path))  # transformers: "Couldn't instantiate ..."
        return None
    if looks_like_path(name):
        return msg("training.model_folder_missing", path=str(path))
    return None


def resolve_model_path(spec: JobSpec, workspace: Workspace) -> str:
    name = spec.model.name_or_path
    if name == DEMO:
        return str(ensure_demo_model(workspace.models_dir))
    if name == DEMO_VL:
        from backend.demo_vlm import ensure_demo_vlm

        return str(ensure_demo_vlm(workspace.models_dir))
    problem = check_model_source(name)
    if problem:
        from backend.training.errors import TrainingError

        raise TrainingError("model_not_found", problem, msg("training.model_source_hint"))
    from backend.hub import model_unreachable

    offline = model_unreachable(name)
    if offline:
        from backend.training.errors import TrainingError

        raise TrainingError("no_network", offline, msg("training.no_network_hint"))
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


def cpu_bf16_native() -> bool:
    """The processor computes bf16 itself (AVX512-BF16 or AMX). Elsewhere torch emulates bf16, and
    autocast makes CPU training many times slower (16x on an AVX2 EPYC, benchmarks/README.md)."""
    import torch

    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # an older torch
        return False


def gpu_bf16_native() -> bool:
    """The GPU computes bf16 itself (compute capability 8.0 or newer: A100, H100, RTX 30xx and later).
    `torch.cuda.is_bf16_supported()` alone also says yes on a T4 or V100, where bf16 is emulated and many
    times slower than fp16."""
    import torch

    if not torch.cuda.is_available():
        return False
    if torch.version.hip:
        return True
    return torch.cuda.get_device_properties(torch.cuda.current_device()).major >= 8


def auto_gpu_dtype():
    """What `precision: auto` trains and answers in on a GPU: bf16 where the GPU has it, else fp16 (the
    usual mixed-precision recipe of a T4 or V100: fp32 master weights and adapters, a loss scaler)."""
    import torch

    return torch.bfloat16 if gpu_bf16_native() else torch.float16


def pick_dtype(spec: JobSpec, device: str):
    """The training dtype: the spec's precision; `auto` is auto_gpu_dtype() on a GPU and fp32 on a CPU (where
    bf16 is asked for explicitly: cpu_bf16_native says whether it pays)."""
    import torch

    p = spec.training.precision
    if p == "auto":
        return auto_gpu_dtype() if device == "cuda" else torch.float32
    return {"bf16": torch.bfloat16, "fp16": torch.float16}.get(p, torch.float32)


def load_tokenizer(name_or_path: str, spec: JobSpec):
    from transformers import AutoTokenizer

    from backend.data.tokenize import ensure_chat_template

    tok = AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=spec.model.trust_remote_code)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    template = ensure_chat_template(tok, spec.model.chat_template)
    return tok, template


def compute_dtype(spec: JobSpec, device: str):
    """The dtype a quantized (qlora) model computes in: bf16/fp16 on a GPU as the precision says
    (auto: bf16 where the GPU has it, else fp16), fp32 on the CPU."""
    import torch

    return pick_dtype(spec, device) if device == "cuda" else torch.float32


def load_model(name_or_path: str, spec: JobSpec, device: str, task: str = "causal_lm", quantization_config=None,
               attn_implementation: str | None = None):
    """task: causal_lm, vision (a vision-language model: AutoModelForImageTextToText), or seq_cls (a reward model: one output, the pad token set so the score is read
    at each row's last real token). quantization_config: a BitsAndBytesConfig (qlora) or None.
    attn_implementation: transformers' name of the attention kernel (backend.training.accel), or its default."""
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    kwargs = dict(trust_remote_code=spec.model.trust_remote_code)
    if attn_implementation:
        kwargs["attn_implementation"] = attn_implementation
    if quantization_config is not None:
        # Quantized weights are placed at load time and cannot be moved afterwards.
        kwargs.update(quantization_config=quantization_config, dtype=compute_dtype(spec, device),
                      device_map={"": local_rank()} if device == "cuda" else {"": "cpu"})
    else:
        # Weights stay in fp32 on the CPU; on a GPU they load in the training dtype.
        dtype = pick_dtype(spec, device) if device == "cuda" else None
        kwargs["dtype"] = dtype or "float32"
    if task == "vision":
        from transformers import AutoModelForImageTextToText

        return AutoModelForImageTextToText.from_pretrained(name_or_path, **kwargs)
    if task == "seq_cls":
        pad = pad_token_id(name_or_path, spec)
        model = AutoModelForSequenceClassification.from_pretrained(name_or_path, num_labels=1, pad_token_id=pad,
                                                                   **kwargs)
        model.config.pad_token_id = pad
        return model
    return AutoModelForCausalLM.from_pretrained(name_or_path, **kwargs)


def local_rank() -> int:
    """This process's GPU among the machine's: LOCAL_RANK under accelerate launch, else 0."""
    import os

    return int(os.environ.get("LOCAL_RANK", "0") or 0)


def pad_token_id(name_or_path: str, spec: JobSpec) -> int | None:
    """The tokenizer's pad token (else its eos, which load_tokenizer also pads with), else the config's."""
    from transformers import AutoConfig, AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=spec.model.trust_remote_code)
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        if pad is not None:
            return int(pad)
    except (OSError, ValueError):
        pass
    config = AutoConfig.from_pretrained(name_or_path, trust_remote_code=spec.model.trust_remote_code)
    config = config.get_text_config() if hasattr(config, "get_text_config") else config
    for key in ("pad_token_id", "eos_token_id"):
        value = getattr(config, key, None)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            return int(value)
    return None
