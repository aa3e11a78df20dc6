"""A job's model as chat and serving load it: the base on the GPU in `precision: auto`'s dtype (fp32 on a CPU), a
qlora job's base with the values of the quantized weights its adapter learnt against, and the adapter on top.

    model, device = load_base(AutoModelForCausalLM, base, spec=qlora_spec_or_None)   # not moved yet
    model = load_weights(AutoModelForCausalLM, base, adapter, spec=...)              # on its device, eval mode
"""

from __future__ import annotations


def load_base(auto, base: str, trust_remote_code: bool = False, spec=None):
    """The base model (`auto`'s class) as chat and serving load it, and the device it belongs on: on a GPU in the
    dtype `precision: auto` trains in (bf16 where the GPU has it, else fp16), fp32 on a CPU. `spec`: a qlora job's JobSpec, so the base holds the values of the quantized
    weights its adapter learnt against: the adapter's answers are the trained model's, and with the adapter off
    the reply is that base's. Not moved yet (adapters go on first)."""
    import torch

    from backend.training.model import auto_gpu_dtype
    from backend.training.quantized import load_trained_base

    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = auto_gpu_dtype() if device == "cuda" else torch.float32
    if spec is not None:
        return load_trained_base(auto, base, spec, dtype=dtype), device
    return auto.from_pretrained(base, dtype=dtype, trust_remote_code=trust_remote_code), device


def load_weights(auto, base: str, adapter: str | None, trust_remote_code: bool = False, spec=None):
    """The model (`auto`'s class) with the job's adapter, in eval mode, on the GPU where there is one
    (load_base)."""
    model, device = load_base(auto, base, trust_remote_code, spec)
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter)
    return model.to(device).eval()
