"""bitsandbytes' quantized layers (qlora) as the studio uses them: how the base is quantized
(`quantization_config`), what a quantized weight means, and keeping a training model's 4-bit weights in
the layout training needs.

On a CPU with AVX-512 BF16, bitsandbytes (0.50 here) repacks a Linear4bit's weight for its fused
bf16 inference kernel on the first forward in eval mode without grad: an evaluation, or the sample
replies at an evaluation or checkpoint. For a model that is still training that is wrong three ways:
the repack is lossy (the block scales are rounded to bf16), its kernel has no backward (once training
resumes, gradients stop at every frozen base layer), and saving a state dict (a checkpoint) undoes it
in place and re-quantizes the scales, so the frozen base drifts a little at each evaluation. On an AVX2
CPU or a GPU nothing is repacked. `keep_training_layout` turns the repack off for a model the studio
trains, so training is the same on every machine.

`dequantized_weight` reads a quantized layer's weight as the float matrix it stands for, whatever the
storage (repacked or not, 4-bit or 8-bit), without touching the layer; the tests compare frozen weights
by these values.

`load_trained_base` loads the base model a job's adapter was trained on, in float: for a qlora job the
quantized layers take those values. A QLoRA adapter learnt its update against the quantized base, not
the original weights (on the demo model the two differ by logits of 2-3), so everything that runs a
qlora job's adapter after training goes through it: the merged export (backend.export.merged), chat
(backend.chat.server) and evaluation (backend.evaluation). Float weights holding the quantized values,
rather than the quantized model itself: bitsandbytes' CPU inference repack (above) is lossy, and a
float model can be merged, moved to any device and switched to any dtype.

Nothing here imports bitsandbytes but `load_trained_base`, which needs it for a qlora job: a model can
hold quantized layers only once it is imported.
"""

from __future__ import annotations

import copy
import logging
import sys

from backend.messages import msg

log = logging.getLogger("studio.quantized")


def quantization_config(spec, device: str, vision: bool | None = None):
    """qlora's BitsAndBytesConfig: NF4 (optionally double-quantized) or 8-bit; None for other methods. A
    vision-language model (`vision`; by default told from spec.model) keeps its vision tower, projector and head
    in full precision, as LLaMA-Factory and TRL's examples do."""
    if spec.method.name != "qlora":
        return None
    from transformers import BitsAndBytesConfig

    from backend.training.model import compute_dtype
    from backend.vlm import is_vision_model, skip_quantizing

    if vision is None:
        vision = is_vision_model(spec.model.name_or_path)
    skip = {"llm_int8_skip_modules": skip_quantizing()} if vision else {}
    if spec.method.quant_bits == 8:
        return BitsAndBytesConfig(load_in_8bit=True, **skip)
    return BitsAndBytesConfig(
        **skip,
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=spec.method.double_quant,
        bnb_4bit_compute_dtype=compute_dtype(spec, device),
    )


class QuantizedBaseError(RuntimeError):
    """The quantized base a qlora adapter was trained on cannot be rebuilt here."""


def quantized_linears(model) -> dict:
    """{module name: layer} for every bitsandbytes 4-bit or 8-bit linear layer of `model`."""
    bnb = sys.modules.get("bitsandbytes")
    if bnb is None:
        return {}
    kinds = tuple(k for k in (getattr(bnb.nn, "Linear4bit", None), getattr(bnb.nn, "Linear8bitLt", None)) if k)
    return {name: m for name, m in model.named_modules() if isinstance(m, kinds)}


def dequantized_weight(layer):
    """The float32 weight (out_features, in_features) a bitsandbytes Linear4bit / Linear8bitLt (or its
    Params4bit / Int8Params) stands for. A weight bitsandbytes repacked for its CPU kernel is unpacked on
    a copy: the layer, its data and its quant_state are left as they are."""
    import torch

    weight = getattr(layer, "weight", layer)
    state = getattr(weight, "quant_state", None)
    if state is not None:  # 4-bit (Params4bit)
        import bitsandbytes.functional as F

        data = weight.data
        if getattr(state, "packing_format_for_cpu", False):
            inverse = getattr(F, "_convert_weight_packed_for_cpu_inverse", None)
            if inverse is None:  # a bitsandbytes that packs without its inverse: never released so far
                raise RuntimeError(msg("training.bnb_cannot_unpack"))
            state = copy.deepcopy(state)
            # The packed scales are plain bf16 values; re-nesting them (what the inverse does for a model
            # it gives back to training) would quantize them once more. Read them as they are.
            state.original_nested = False
            data, state = inverse(data.clone(), state)
        return F.dequantize_4bit(data, state).float()
    scb = getattr(weight, "SCB", None)
    if scb is None:  # 8-bit after its first forward: the scales moved to the layer's state
        scb = getattr(getattr(layer, "state", None), "SCB", None)
    if weight.dtype == torch.int8 and scb is not None:  # 8-bit (Int8Params): one scale per output row
        return weight.data.float() * (scb.float().reshape(-1, 1) / 127.0)
    return weight.data.float()


def keep_training_layout(model) -> int:
    """Turn off bitsandbytes' CPU inference repack on every 4-bit layer of a model that trains (see the
    module's docstring); returns how many layers it applies to. A no-op where bitsandbytes has no repack."""
    layers = [m for m in quantized_linears(model).values() if hasattr(m, "support_avx512bf16_for_cpu")]
    for layer in layers:
        layer.support_avx512bf16_for_cpu = False
    return len(layers)


def load_trained_base(auto, base: str, spec, dtype=None, **config):
    """The base model `spec`'s job trained its adapter on, as float weights of `dtype` (default float32) on
    the CPU, loaded with `auto` (AutoModelForCausalLM, or AutoModelForSequenceClassification for a reward
    model, with its config's `num_labels=1` in `config`): the model as saved, except that for a qlora job each
    layer the job quantized holds the values of its quantized weight (`use_quantized_values`). `spec` is the
    job's JobSpec."""
    import torch

    if spec.method.name == "qlora":
        _require_bitsandbytes(spec)  # before the float model loads: the whole base, maybe for nothing
    model = auto.from_pretrained(base, dtype=dtype or torch.float32, trust_remote_code=spec.model.trust_remote_code,
                                 **config)
    if spec.method.name == "qlora":
        n = use_quantized_values(model, auto, base, spec)
        log.info("qlora: %d layers of %s take the values of the %d-bit base the adapter was trained on", n, base,
                 spec.method.quant_bits)
    return model


def use_quantized_values(model, auto, base: str, spec) -> int:
    """Give `model`'s layers that `spec`'s qlora job quantized the values of their quantized weights: the
    base is loaded once more as the job loaded it (the same BitsAndBytesConfig, on the CPU), and each 4-bit
    or 8-bit layer's dequantized weight replaces the original (cast to the model's dtype). Returns how many
    layers changed."""
    import torch

    _require_bitsandbytes(spec)
    quant = quantization_config(spec, "cpu")
    quantized = auto.from_pretrained(base, quantization_config=quant, dtype=torch.float32, device_map={"": "cpu"},
                                     trust_remote_code=spec.model.trust_remote_code)
    layers = quantized_linears(quantized)
    with torch.no_grad():
        for name, layer in layers.items():
            model.get_submodule(name).weight.copy_(dequantized_weight(layer))
    del quantized
    return len(layers)


def _require_bitsandbytes(spec) -> None:
    from backend.training.bnb_import import import_bitsandbytes

    if not import_bitsandbytes():
        raise QuantizedBaseError(msg("training.bnb_missing_for_base", bits=spec.method.quant_bits))
