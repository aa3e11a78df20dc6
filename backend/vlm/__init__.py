"""Vision-language models: telling one from a text model, and the names of its parts. No torch.

    is_vision_config(config)        # a config.json dict: a vision tower beside the language model
    is_vision_model(name_or_path)   # demo-vl, or a local folder whose config.json says so (a hub id: its config)
    part_of(parameter_name)         # "vision" | "projector" | "language"

The part names cover the families transformers loads with AutoModelForImageTextToText: Qwen2-VL / Qwen2.5-VL /
Qwen3-VL (`visual`, its `merger` the projector), LLaVA / LLaVA-NeXT / Gemma 3 / Mistral 3 (`vision_tower`,
`multi_modal_projector`), Idefics3 / SmolVLM (`vision_model`, `connector`), PaliGemma, InternVL, Mllama
(`vision_model`, `multi_modal_projector`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from backend.spec.sections import DEMO_VL  # noqa: F401 - re-exported: the offline demo's name

# Module names of the projector (vision features -> language embeddings), matched before the tower's (Qwen2-VL's
# merger sits inside `visual`).
PROJECTOR_NAMES = ("multi_modal_projector", "visual.merger", "mm_projector", "connector")
VISION_NAMES = ("visual", "vision_tower", "vision_model", "vision_encoder", "image_encoder")
# LoRA targets inside the language model (its attention and MLP projections).
LINEAR_NAMES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
VISION_LINEAR_NAMES = ("qkv", "proj", "fc1", "fc2", "out_proj", "linear_fc1", "linear_fc2")


def is_vision_config(config: dict) -> bool:
    """A multimodal config: a vision sub-config beside the text one (every image-text-to-text family has one)."""
    if not isinstance(config, dict):
        return False
    return isinstance(config.get("vision_config"), dict) or bool(config.get("vision_config"))


def read_config(name_or_path: str, network: bool = False) -> dict | None:
    """config.json of demo-vl (as its build makes it), a local folder, or a hub id (from the local cache; from the
    hub too with `network`); None when it cannot be read."""
    if name_or_path == DEMO_VL:
        from backend.demo_vlm import demo_vlm_config

        return demo_vlm_config()
    path = Path(str(name_or_path)).expanduser() / "config.json"
    if path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
    from backend.hub import looks_like_hub_id

    if not looks_like_hub_id(str(name_or_path)):
        return None
    try:
        from huggingface_hub import hf_hub_download

        found = hf_hub_download(str(name_or_path), "config.json", local_files_only=not network)
        return json.loads(Path(found).read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - offline, gated, missing: not known to be a vision model
        return None


def is_vision_model(name_or_path: str, network: bool = False) -> bool:
    """demo-vl, or a model whose config.json has a vision tower (a hub id: from the cache, or the hub with
    `network`; unknown counts as a text model)."""
    return name_or_path == DEMO_VL or is_vision_config(read_config(name_or_path, network) or {})


def _has(name: str, part: str) -> bool:
    return re.search(rf"(^|\.){re.escape(part)}(\.|$)", name) is not None


def part_of(name: str) -> str:
    """Which part a parameter (or module) of a vision-language model belongs to: projector, vision or language."""
    if any(_has(name, p) for p in PROJECTOR_NAMES):
        return "projector"
    if any(_has(name, v) for v in VISION_NAMES):
        return "vision"
    return "language"


def trained_parts(method) -> set[str]:
    """The parts a MethodSpec trains: the language model always, the projector and vision tower when asked."""
    parts = {"language"}
    if getattr(method, "train_projector", False):
        parts.add("projector")
    if getattr(method, "train_vision_tower", False):
        parts.add("vision")
    return parts


def lora_target_regex(targets, parts: set[str]) -> str:
    """PEFT's target_modules as one regex (PEFT full-matches it against each module name): the method's linear
    layers (`all-linear` or a list of names) of the language model, and of the vision tower when it trains. The
    projector is trained whole (modules_to_save), never here."""
    names = LINEAR_NAMES if targets == "all-linear" else tuple(targets)
    towers = "|".join(re.escape(v) for v in VISION_NAMES)
    not_vision = r"(?!(.*\.)?(" + towers + "|" + "|".join(re.escape(p.split(".")[-1]) for p in PROJECTOR_NAMES) + r")\.)"
    scopes = [not_vision + r".*\.(" + "|".join(re.escape(n) for n in names) + r")"]
    if "vision" in parts:
        # vision towers name their linear layers qkv / proj / fc1 / fc2 (and all-linear takes each of them)
        tower_names = (*names, *VISION_LINEAR_NAMES) if targets == "all-linear" else names
        scopes.append(r"(.*\.)?(" + towers + r")\.(?!merger\.).*\.(" + "|".join(re.escape(n) for n in tower_names)
                      + r")")
    return "|".join(f"({s})" for s in scopes)


def placeholder_ids(model) -> list[int]:
    """The image / video placeholder token ids of a model's config: a reply must never hold one (the model would look
    for image features that are not there when the reply is read back: transformers raises), so every generation
    suppresses them."""
    config = getattr(model, "config", None)
    ids = [getattr(config, name, None) for name in ("image_token_id", "image_token_index", "video_token_id",
                                                   "video_token_index")]
    return sorted({int(i) for i in ids if isinstance(i, int) and i >= 0})


def projector_suffixes() -> list[str]:
    """The projector's module names as PEFT's modules_to_save matches them (by the end of a module's name)."""
    return [p.split(".")[-1] for p in PROJECTOR_NAMES]


def skip_quantizing() -> list[str]:
    """Modules a 4-/8-bit base keeps in full precision: the vision tower, the projector and the output head. Each
    name twice: transformers 5 matches these patterns from the start of a module's name (hence `.*\\.visual`),
    earlier releases as substrings (hence `visual`)."""
    names = [*VISION_NAMES, *projector_suffixes()]
    return [*names, *(rf".*\.{re.escape(n)}" for n in names), "lm_head"]


def projector_modules(model) -> list[str]:
    """The projector's top module names in `model` (for PEFT's modules_to_save)."""
    found = []
    for name, _ in model.named_modules():
        if part_of(name) == "projector" and not any(name.startswith(f + ".") for f in found):
            found.append(name)
    return found
