"""How a job runs fast where it runs: the attention kernel, Liger's fused kernels and torch.compile,
chosen once per job from the spec's auto/on/off fields, the device and what is installed, and said in
the log in one line with the device, dtype, batching and loss kernel.

    plan = speed_plan(spec, device)          # raises TrainingError for an `on` that cannot run here
    model = load_model(..., attn_implementation=plan.attention)
    apply_kernels(model, plan)               # Liger, torch.compile: before the PEFT wrapper
    log.info("speed: %s", plan.describe())

Each choice is kept only where benchmarks/bench_gpu.py shows it pays with the same losses
(benchmarks/README.md has the figures); `off` always gives the plain transformers path.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass, field

from backend.messages import msg
from backend.plan.batches import resolve_batching
from backend.spec import JobSpec, get_stage

log = logging.getLogger("studio.worker")

@dataclass
class SpeedPlan:
    device: str
    dtype: str
    attention: str  # the attn_implementation given to transformers
    padding_free: bool
    group_by_length: bool
    fused_kernels: bool
    compile: bool
    loss: str
    gpu: str = ""
    notes: list[str] = field(default_factory=list)  # Messages (backend.messages)
    # "skip": no fp32 round trip of LoRA inputs under autocast (keep_lora_inputs_under_autocast); "peft": as PEFT
    # does it (STUDIO_LORA_INPUT_CAST=peft, for benchmarks/bench_gpu.py's comparison)
    lora_input_cast: str = "skip"

    def describe(self) -> str:
        where = f"{self.device} ({self.gpu})" if self.gpu else self.device
        attention = ATTENTION_WORDS.get(self.attention, self.attention)
        batches = ("padding-free" if self.padding_free else "padded") + (
            ", rows of similar length together" if self.group_by_length else ", random order")
        kernels = "Liger RMSNorm/SwiGLU/RoPE" if self.fused_kernels else "plain transformers layers"
        text = (f"device {where}, dtype {self.dtype}, attention {attention}, loss {self.loss}, batches {batches}, "
                f"{kernels}, torch.compile {'on' if self.compile else 'off'}")
        return text + "".join(f"; {n}" for n in self.notes)


ATTENTION_WORDS = {
    "studio_varlen": "PyTorch FlashAttention (variable-length for padding-free batches, SDPA otherwise)",
    "flash_attention_2": "FlashAttention 2 (flash-attn package)",
    "sdpa": "SDPA (PyTorch scaled_dot_product_attention)",
    "eager": "eager (plain matrix products)",
}


def speed_plan(spec: JobSpec, device: str) -> SpeedPlan:
    """The choices for this job on `device` ("cuda" or "cpu")."""
    from backend.training.errors import TrainingError
    from backend.training.model import pick_dtype

    t = spec.training
    padding_free, group_by_length = resolve_batching(spec, device, varlen=_varlen_ready(device))
    notes: list[str] = []
    attention = _attention(spec, device, notes)
    fused = _fused_kernels(spec, device, notes)
    if t.compile == "on" and device != "cuda":
        raise TrainingError("bad_spec", msg("training.compile_needs_gpu"), msg("training.compile_needs_gpu_hint"))
    dtype = {"torch.bfloat16": "bf16", "torch.float16": "fp16"}.get(str(pick_dtype(spec, device)), "fp32")
    import os

    cast = "peft" if os.environ.get("STUDIO_LORA_INPUT_CAST", "") == "peft" else "skip"
    return SpeedPlan(device=device, dtype=dtype, attention=attention, padding_free=padding_free,
                     group_by_length=group_by_length, fused_kernels=fused, compile=t.compile == "on",
                     loss=_loss_words(spec, device), gpu=_gpu_name(device), notes=notes, lora_input_cast=cast)


def _varlen_ready(device: str) -> bool:
    if device != "cuda":
        return False
    from backend.training.varlen_attention import kernel_available

    return kernel_available() or _installed("flash_attn")


def _attention(spec: JobSpec, device: str, notes: list[str]) -> str:
    from backend.training.errors import TrainingError

    chosen = spec.training.attention
    if chosen in ("sdpa", "eager"):
        return chosen
    # flash-attn 2 runs on compute capability 8.0 and newer (Ampere): `auto` passes it by on a T4 or V100
    if chosen == "flash_attention_2" or (chosen == "auto" and device == "cuda" and _installed("flash_attn")
                                         and _gpu_ampere_or_newer()):
        if not _installed("flash_attn"):
            raise TrainingError("bad_spec", msg("training.flash_attn_missing"), msg("training.flash_attn_missing_hint"))
        if device != "cuda":
            raise TrainingError("bad_spec", msg("training.flash_attn_needs_gpu"),
                                msg("training.flash_attn_needs_gpu_hint"))
        return "flash_attention_2"
    if chosen == "varlen" or (chosen == "auto" and device == "cuda"):
        from backend.training.varlen_attention import kernel_available, register

        if device == "cuda" and not kernel_available():
            notes.append(msg("training.note_no_varlen"))
        return register()
    return "sdpa"


def _fused_kernels(spec: JobSpec, device: str, notes: list[str]) -> bool:
    from backend.training.errors import TrainingError

    chosen = spec.training.fused_kernels
    if chosen == "off":
        return False
    problem = None
    if device != "cuda":
        problem = msg("training.liger_needs_gpu")
    elif not _installed("liger_kernel"):
        problem = msg("training.liger_not_installed")
    if problem is None:
        return True
    if chosen == "on":
        raise TrainingError("bad_spec", msg("training.fused_kernels_unusable", problem=problem),
                            msg("training.fused_kernels_unusable_hint"))
    if device == "cuda":
        notes.append(msg("training.note_liger_not_installed"))
    return False


def keep_lora_inputs_under_autocast() -> bool:
    """PEFT casts a LoRA layer's input to its adapter's dtype before the adapter (`_cast_input_dtype`): in mixed
    precision (a bf16 model, fp32 adapters, autocast on) that makes an fp32 copy of the bf16 input, which
    autocast casts straight back to bf16 for the adapter's matrix product, and that second copy is what the
    backward pass keeps. Two elementwise kernels per adapted layer and pass (about 670 a step on a 24-layer
    model with LoRA on every linear layer), and a saved copy of each adapted input. Under autocast the
    product is computed in bf16 either way, and bf16 -> fp32 -> bf16 gives back the same numbers, so skipping
    the cast there changes no result (tests/backend/training/test_accel.py). Process-wide (the worker trains one job), for plain
    LoRA layers only (DoRA's and other variants' own arithmetic is left as PEFT does it). Returns False when
    this PEFT has no such method."""
    try:
        from peft.tuners.tuners_utils import BaseTunerLayer
    except ImportError:
        return False
    original = getattr(BaseTunerLayer, "_cast_input_dtype", None)
    if original is None:
        return False
    if getattr(original, "_studio_autocast", False):
        return True
    import torch

    half = (torch.bfloat16, torch.float16)

    def _cast_input_dtype(self, x, dtype):
        if (x is not None and dtype == torch.float32 and x.dtype in half and not getattr(self, "lora_variant", None)
                and torch.is_autocast_enabled(x.device.type)):
            return x
        return original(self, x, dtype)

    _cast_input_dtype._studio_autocast = True
    BaseTunerLayer._cast_input_dtype = _cast_input_dtype
    return True


def apply_kernels(model, plan: SpeedPlan, spec: JobSpec) -> None:
    """Liger's fused RMSNorm/SwiGLU/RoPE on the loaded model and torch.compile of its decoder layers, as the
    plan says; call before PEFT wraps the model. A model type Liger does not know keeps its own layers
    (auto) or fails clearly (on)."""
    if plan.fused_kernels:
        applied = _apply_liger(model)
        if not applied:
            from backend.training.errors import TrainingError

            kind = getattr(getattr(model, "config", None), "model_type", "?")
            if spec.training.fused_kernels == "on":
                raise TrainingError("bad_spec", msg("training.liger_unknown_model", model_type=kind),
                                    msg("training.liger_unknown_model_hint"))
            plan.fused_kernels = False
            plan.notes.append(msg("training.note_liger_unknown_model", model_type=kind))
    if plan.compile:
        _compile_layers(model)
    if plan.device == "cuda" and plan.dtype in ("bf16", "fp16") and plan.lora_input_cast == "skip":
        keep_lora_inputs_under_autocast()


def _apply_liger(model) -> bool:
    from liger_kernel.transformers import monkey_patch

    kind = getattr(model.config, "model_type", None)
    apply = getattr(monkey_patch, "MODEL_TYPE_TO_APPLY_LIGER_FN", {}).get(kind)
    if apply is None:
        return False
    # TRL's fused LM head already scores only the labelled tokens without whole logits: Liger's own fused
    # cross-entropy would replace the model's forward and drop it (TRL refuses that combination).
    monkey_patch._apply_liger_kernel_to_instance(model=model, rope=True, rms_norm=True, swiglu=True,
                                                 cross_entropy=False, fused_linear_cross_entropy=False)
    return True


def _compile_layers(model) -> None:
    """torch.compile each decoder layer (dynamic shapes: one compile for every batch length); the layers
    share one compiled graph, so the compile happens once."""
    layers = _decoder_layers(model)
    for layer in layers:
        layer.compile(dynamic=True)
    log.info("torch.compile: %s decoder layers (compiled at the first steps)", len(layers))


def _decoder_layers(model) -> list:
    base = getattr(model, getattr(model, "base_model_prefix", "model"), model)
    layers = getattr(base, "layers", None) or getattr(getattr(base, "model", None), "layers", None)
    return list(layers) if layers is not None else []


def cap_gpu_memory() -> float | None:
    """STUDIO_GPU_MEMORY_GB: this worker uses at most that much of the GPU (a shared card, or a smaller card
    simulated on a larger one: benchmarks/bench_gpu.py); past it the job fails as out of memory. The memory
    estimate and `gradient_checkpointing: auto` count with the same figure (backend/plan/hardware.py). Returns the
    cap in GB, or None."""
    from backend.plan.hardware import gpu_memory_cap

    cap = gpu_memory_cap()
    if cap is None:
        return None
    import torch

    total = torch.cuda.get_device_properties(torch.cuda.current_device()).total_memory
    torch.cuda.set_per_process_memory_fraction(min(1.0, cap / total))
    log.info("GPU memory capped at %.1f GB of %.1f GB (STUDIO_GPU_MEMORY_GB)", cap / 2**30, total / 2**30)
    return cap / 2**30


def _loss_words(spec: JobSpec, device: str) -> str:
    stage = get_stage(spec.stage)
    if stage.score_head:
        return "a one-output score head"
    if not stage.fused_head:
        return "whole logits (the trainer's own loss)"
    if device == "cuda":
        return "TRL's fused LM head (Triton; labelled tokens only, never the whole logits)"
    return "the CPU LM head (labelled tokens only; backend/training/lm_head.py)"


def _gpu_name(device: str) -> str:
    if device != "cuda":
        return ""
    try:
        import torch

        props = torch.cuda.get_device_properties(torch.cuda.current_device())
        return f"{props.name}, {props.total_memory / 2**30:.0f} GB"
    except Exception:  # noqa: BLE001
        return ""


def _gpu_ampere_or_newer() -> bool:
    from backend.training.model import gpu_bf16_native

    return gpu_bf16_native()


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
