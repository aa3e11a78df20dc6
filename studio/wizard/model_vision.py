"""A vision-language model's facts on the Model step: its parameters by part (language model, vision tower,
projector; exact from the safetensors headers of a folder, else from config.json) and its image processor's pixel
budget in image tokens an image. Files only, no torch.

    facts = vision_facts(config, folder)      # None for a text model
    text = vision_markdown(ctx.t, info)       # the lines after the Model step's other facts ("" for a text model)
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from backend.vlm import DEMO_VL
from studio.wizard.numbers import format_params


@dataclass
class VisionFacts:
    """A vision-language model's parameters by part (exact from safetensors headers, else from config.json) and
    its image processor's pixel budget, in image tokens an image."""

    language: int | None
    tower: int | None
    projector: int | None
    exact: bool
    min_pixels: int
    max_pixels: int
    min_tokens: int
    max_tokens: int
    pixels_per_token: int  # (patch x merge)^2: a token covers a square of this many pixels


def vision_facts(config: dict, folder: Path | None = None) -> VisionFacts | None:
    """The facts of a vision-language model's config (None for a text model); with `folder`, the parameters by
    part from its safetensors headers, and its preprocessor_config.json's pixel budget."""
    from backend.plan.vision import (
        min_tokens_per_image,
        tokens_per_image,
        vision_dims,
        vision_params,
        with_image_processor,
    )

    if folder is not None:
        config = with_image_processor(config, folder)
    d = vision_dims(config)
    if d is None:
        return None
    parts = count_safetensors_parts(folder) if folder is not None else None
    exact = bool(parts) and parts.get("vision", 0) > 0
    if not exact:
        parts = dict(vision_params(config), language=_language_params(config))
    return VisionFacts(language=parts.get("language"), tower=parts.get("vision"), projector=parts.get("projector"),
                       exact=exact, min_pixels=d.min_pixels, max_pixels=d.max_pixels,
                       min_tokens=min_tokens_per_image(d), max_tokens=tokens_per_image(d),
                       pixels_per_token=d.pixels_per_token)


def _language_params(config: dict) -> int | None:
    from backend.plan.param_count import parameter_table

    try:
        return sum(c for _, c in parameter_table(config))
    except (KeyError, TypeError, ValueError):
        return None


def vision_markdown(t: Mapping, info) -> str:
    """The vision facts' lines (after the Model step's other facts), "" for a text model. demo-vl before it is
    built: from the config its build makes."""
    facts = getattr(info, "vision", None)
    if facts is None and getattr(info, "where", "") == DEMO_VL:
        from backend.demo_vlm import demo_vlm_config

        facts = vision_facts(demo_vlm_config())
    if facts is None:
        return ""
    exact = facts.exact
    parts = t["vl.plan.model_parts"].format(
        language=_format_params(facts.language, exact), tower=_format_params(facts.tower, exact),
        projector=_format_params(facts.projector, exact))
    side = int(facts.pixels_per_token ** 0.5)
    pixels = t["vl.plan.model_pixels"].format(
        min_pixels=f"{facts.min_pixels:,}", max_pixels=f"{facts.max_pixels:,}", min_tokens=f"{facts.min_tokens:,}",
        max_tokens=f"{facts.max_tokens:,}", side=side)
    return "  \n" + t["vl.plan.model_reads_images"] + "  \n" + parts + "  \n" + pixels



def count_safetensors_parts(folder: Path | None) -> dict[str, int] | None:
    """Parameters by part (backend.vlm.part_of: language / vision / projector) from the safetensors headers."""
    from backend.vlm import part_of

    files = sorted(Path(folder).glob("*.safetensors")) if folder is not None else []
    if not files:
        return None
    parts: dict[str, int] = {}
    for f in files:
        header = _safetensors_header(f)
        if header is None:
            return None
        for name, meta in header.items():
            if name != "__metadata__":
                parts[part_of(name)] = parts.get(part_of(name), 0) + math.prod(meta.get("shape", []))
    return parts


def _safetensors_header(path: Path) -> dict | None:
    try:
        with open(path, "rb") as fh:
            (length,) = struct.unpack("<Q", fh.read(8))
            if length > 100_000_000:
                return None
            return json.loads(fh.read(length))
    except (OSError, ValueError, struct.error):
        return None


def _format_params(n, exact):
    return format_params(n, exact)
