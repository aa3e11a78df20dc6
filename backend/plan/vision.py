"""The vision side of a vision-language model, from its config.json alone (no torch: the UI calls it).

    from backend.plan.vision import vision_dims, vision_params, tokens_per_image
    dims = vision_dims(config)               # None for a text model
    vision_params(config)                    # {"vision": 631_183_360, "projector": 34_087_936} for Qwen2-VL-2B
    tokens_per_image(dims)                   # image tokens of an image at the processor's max_pixels
    tokens_per_image(dims, (1024, 1024))     # of a 1024 x 1024 image (resized as the processor does)

Qwen2-VL and Qwen2.5-VL are counted exactly (their vision tower's blocks, patch embedding and merger, as
transformers 5 builds them; tests/backend/plan/test_vision_estimate.py checks against the real modules); other
families (LLaVA, Gemma 3, Idefics...: a ViT/SigLIP tower and an MLP projector) are an estimate from their
vision_config. The pixel budget (min/max pixels) is the image processor's: config["image_processor"] when the
caller put it there (studio.wizard.model_info.model_config reads preprocessor_config.json), else the family's
default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from backend.vlm import is_vision_config

QWEN_FAMILIES = ("qwen2_vl", "qwen2_5_vl")
# Qwen2-VL's image processor defaults (transformers' Qwen2VLImageProcessor; Qwen2-VL-2B/7B-Instruct ship these)
QWEN_MIN_PIXELS = 56 * 56
QWEN_MAX_PIXELS = 28 * 28 * 16384
IMAGES_PER_ROW = 1  # when the rows are not known (mllm_demo's rows have 1 or 2)


@dataclass(frozen=True)
class VisionDims:
    family: str  # qwen2_vl | qwen2_5_vl | vit (any other: an estimate)
    depth: int  # blocks of the vision tower
    width: int  # the tower's hidden size
    mlp: int  # its MLP's inner size
    heads: int
    patch: int  # pixels on a side of one patch
    merge: int  # patches merged into one image token on each side (Qwen: 2; a ViT: 1)
    temporal: int  # frames a patch spans (Qwen: 2, an image repeated)
    channels: int
    out: int  # the language model's hidden size (the projector's output)
    min_pixels: int
    max_pixels: int
    fixed_tokens: int = 0  # a ViT family: the image tokens of every image (its size is fixed)
    gated_mlp: bool = False  # Qwen2.5-VL: gate/up/down in each block

    @property
    def pixels_per_token(self) -> int:
        return (self.patch * self.merge) ** 2


def _text(config: dict) -> dict:
    text = config.get("text_config")
    return text if isinstance(text, dict) and "hidden_size" in text else config


def _pixel_budget(config: dict) -> tuple[int, int]:
    """(min_pixels, max_pixels) of the image processor: config["image_processor"] (min_pixels/max_pixels, or
    transformers 5's size.shortest_edge/longest_edge), else Qwen2-VL's defaults."""
    proc = config.get("image_processor") if isinstance(config.get("image_processor"), dict) else {}
    size = proc.get("size") if isinstance(proc.get("size"), dict) else {}
    low = proc.get("min_pixels") or size.get("shortest_edge") or QWEN_MIN_PIXELS
    high = proc.get("max_pixels") or size.get("longest_edge") or QWEN_MAX_PIXELS
    return int(low), int(high)


def vision_dims(config: dict) -> VisionDims | None:
    """The vision tower's sizes, or None for a text model (or a vision_config without sizes)."""
    if not is_vision_config(config):
        return None
    v = config["vision_config"] if isinstance(config["vision_config"], dict) else {}
    kind = str(config.get("model_type") or "")
    out = int(_text(config).get("hidden_size") or 0)
    low, high = _pixel_budget(config)
    try:
        if kind == "qwen2_vl" or (v.get("embed_dim") and v.get("mlp_ratio")):
            width = int(v["embed_dim"])
            return VisionDims("qwen2_vl", int(v["depth"]), width, int(width * float(v.get("mlp_ratio", 4))),
                              int(v.get("num_heads", 16)), int(v.get("patch_size", 14)),
                              int(v.get("spatial_merge_size", 2)), int(v.get("temporal_patch_size", 2)),
                              int(v.get("in_channels") or v.get("in_chans") or 3), int(v.get("hidden_size") or out),
                              low, high)
        if kind == "qwen2_5_vl" or v.get("out_hidden_size"):
            return VisionDims("qwen2_5_vl", int(v["depth"]), int(v["hidden_size"]), int(v["intermediate_size"]),
                              int(v.get("num_heads", 16)), int(v.get("patch_size", 14)),
                              int(v.get("spatial_merge_size", 2)), int(v.get("temporal_patch_size", 2)),
                              int(v.get("in_channels") or v.get("in_chans") or 3), int(v.get("out_hidden_size") or out),
                              low, high, gated_mlp=True)
        width = int(v["hidden_size"])
        patch = int(v.get("patch_size", 14))
        side = int(v.get("image_size", 336))
        tokens = int(config.get("mm_tokens_per_image") or (side // patch) ** 2)
        return VisionDims("vit", int(v["num_hidden_layers"]), width, int(v.get("intermediate_size") or 4 * width),
                          int(v.get("num_attention_heads", 16)), patch, 1, 1, int(v.get("num_channels", 3)), out,
                          side * side, side * side, fixed_tokens=tokens)
    except (KeyError, TypeError, ValueError):
        return None


def vision_params(config: dict) -> dict[str, int]:
    """{"vision": tower parameters, "projector": projector parameters}; {} for a text model."""
    d = vision_dims(config)
    if d is None:
        return {}
    w, mlp = d.width, d.mlp
    if d.family == "vit":  # CLIP/SigLIP: biased attention and MLP, two LayerNorms a layer; LLaVA's 2-layer projector
        patches = (d.max_pixels and int(math.isqrt(d.max_pixels)) // d.patch) ** 2
        block = 4 * (w * w + w) + (w * mlp + mlp) + (mlp * w + w) + 4 * w
        tower = d.depth * block + d.channels * d.patch ** 2 * w + w + (patches + 1) * w + 2 * w
        return {"vision": tower, "projector": (w * d.out + d.out) + (d.out * d.out + d.out)}
    if d.gated_mlp:  # Qwen2.5-VL: RMSNorms (weight only), SwiGLU MLP with biases
        block = 2 * w + (w * 3 * w + 3 * w) + (w * w + w) + 2 * (w * mlp + mlp) + (mlp * w + w)
        ln = w
    else:  # Qwen2-VL: LayerNorms (weight and bias), fc1 / fc2
        block = 4 * w + (w * 3 * w + 3 * w) + (w * w + w) + (w * mlp + mlp) + (mlp * w + w)
        ln = 2 * w
    tower = d.depth * block + d.channels * d.temporal * d.patch ** 2 * w  # the patch embedding (a bias-free conv)
    merged = w * d.merge ** 2
    return {"vision": tower, "projector": ln + (merged * merged + merged) + (merged * d.out + d.out)}


def vision_linear_shapes(d: VisionDims) -> dict[str, tuple[int, int]]:
    """(in, out) of each linear layer in one block of the tower (what LoRA on the tower adapts)."""
    shapes = {"qkv": (d.width, 3 * d.width), "proj": (d.width, d.width)}
    if d.family == "vit":
        return {"q_proj": (d.width, d.width), "k_proj": (d.width, d.width), "v_proj": (d.width, d.width),
                "out_proj": (d.width, d.width), "fc1": (d.width, d.mlp), "fc2": (d.mlp, d.width)}
    if d.gated_mlp:
        return {**shapes, "gate_proj": (d.width, d.mlp), "up_proj": (d.width, d.mlp), "down_proj": (d.mlp, d.width)}
    return {**shapes, "fc1": (d.width, d.mlp), "fc2": (d.mlp, d.width)}


def resized(d: VisionDims, height: int, width: int) -> tuple[int, int]:
    """The size an image becomes (transformers' Qwen2-VL smart_resize): both sides multiples of patch x merge,
    the area within [min_pixels, max_pixels], the aspect kept."""
    if d.fixed_tokens:
        return d.max_pixels and int(math.isqrt(d.max_pixels)), d.max_pixels and int(math.isqrt(d.max_pixels))
    f = d.patch * d.merge
    h = max(f, round(height / f) * f)
    w = max(f, round(width / f) * f)
    if h * w > d.max_pixels:
        beta = math.sqrt(height * width / d.max_pixels)
        h = max(f, math.floor(height / beta / f) * f)
        w = max(f, math.floor(width / beta / f) * f)
    elif h * w < d.min_pixels:
        beta = math.sqrt(d.min_pixels / (height * width))
        h = math.ceil(height * beta / f) * f
        w = math.ceil(width * beta / f) * f
    return h, w


def patches_per_image(d: VisionDims, size: tuple[int, int] | None = None) -> int:
    """Patches the tower reads for one image: of an image `size` (height, width), else of one at max_pixels."""
    if d.fixed_tokens:
        return d.fixed_tokens
    if size is None:
        side = d.patch * d.merge
        return (d.max_pixels // (side * side)) * d.merge ** 2
    h, w = resized(d, *size)
    return (h // d.patch) * (w // d.patch)


def tokens_per_image(d: VisionDims, size: tuple[int, int] | None = None) -> int:
    """Image tokens the language model reads for one image (patches / merge^2)."""
    return d.fixed_tokens or patches_per_image(d, size) // d.merge ** 2


def min_tokens_per_image(d: VisionDims) -> int:
    return d.fixed_tokens or max(1, d.min_pixels // d.pixels_per_token)


def with_image_processor(config: dict, folder) -> dict:
    """`config` with the image processor's settings of a model folder (preprocessor_config.json) under
    "image_processor", where the pixel budget is read; a text model's config, or a folder without one, as it is."""
    import json
    from pathlib import Path

    if not is_vision_config(config) or isinstance(config.get("image_processor"), dict):
        return config
    path = Path(folder) / "preprocessor_config.json"
    try:
        proc = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        proc = None
    return {**config, "image_processor": proc} if isinstance(proc, dict) else config
