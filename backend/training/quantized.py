"""bitsandbytes' quantized layers (qlora) as the studio uses them: what a quantized weight means, and
keeping a training model's 4-bit weights in the layout training needs.

On a CPU with AVX-512 BF16, bitsandbytes (0.50 here) repacks a Linear4bit's weight for its fused
bf16 inference kernel on the first forward in eval mode without grad: an evaluation, or the sample
replies at an evaluation or checkpoint. For a model that is still training that is wrong three ways:
the repack is lossy (the block scales are rounded to bf16), its kernel has no backward (once training
resumes, gradients stop at every frozen base layer), and saving a state dict (a checkpoint) undoes it
in place and re-quantizes the scales, so the frozen base drifts a little at each evaluation. On an AVX2
CPU or a GPU nothing is repacked. `keep_training_layout` turns the repack off for a model the studio
trains, so training is the same on every machine.

`dequantized_weight` reads a quantized layer's weight as the float matrix it stands for, whatever the
storage (repacked or not, 4-bit or 8-bit), without touching the layer: the merged export folds the
adapter into these values (the base the adapter was trained on), and the tests compare them.

Nothing here imports bitsandbytes: a model can hold quantized layers only once it is imported.
"""

from __future__ import annotations

import copy
import sys


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
                raise RuntimeError("this bitsandbytes repacked a 4-bit weight for its CPU kernel and cannot unpack "
                                   "it; update it (`pip install -U bitsandbytes`) and run again.")
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
