"""Telling a vision-language model's parts apart by their names, across families (no model loaded): what LoRA
targets, what the projector is, what a 4-bit base keeps in full precision."""

import re

import pytest

from backend.vlm import is_vision_config, lora_target_regex, part_of, skip_quantizing

# Module names as transformers 5 lays out each family's *ForConditionalGeneration.
NAMES = {
    "qwen2_vl": {
        "model.language_model.layers.0.self_attn.q_proj": "language",
        "model.language_model.layers.3.mlp.down_proj": "language",
        "model.visual.blocks.0.attn.qkv": "vision",
        "model.visual.blocks.31.mlp.fc2": "vision",
        "model.visual.merger.mlp.0": "projector",
    },
    "qwen2_5_vl": {
        "model.visual.blocks.0.mlp.gate_proj": "vision",
        "model.language_model.layers.0.mlp.gate_proj": "language",
    },
    "llava": {
        "model.vision_tower.vision_model.encoder.layers.0.self_attn.q_proj": "vision",
        "model.multi_modal_projector.linear_1": "projector",
        "model.language_model.layers.0.self_attn.v_proj": "language",
    },
    "idefics3": {
        "model.vision_model.encoder.layers.0.mlp.fc1": "vision",
        "model.connector.modality_projection.proj": "projector",
        "model.text_model.layers.0.self_attn.o_proj": "language",
    },
}


@pytest.mark.parametrize("family", sorted(NAMES))
def test_each_name_belongs_to_its_part(family):
    for name, part in NAMES[family].items():
        assert part_of(name) == part, name


def _targets(pattern: str, names) -> set[str]:
    return {n for n in names if re.fullmatch(pattern, n)}  # how PEFT applies a string target_modules


def test_lora_targets_the_language_model_unless_the_tower_trains():
    every = [n for family in NAMES.values() for n in family]
    language_only = _targets(lora_target_regex("all-linear", {"language"}), every)
    assert language_only == {n for n in every if part_of(n) == "language"}
    with_tower = _targets(lora_target_regex("all-linear", {"language", "vision"}), every)
    assert with_tower == {n for n in every if part_of(n) in ("language", "vision")}  # never the projector
    chosen = _targets(lora_target_regex(["q_proj", "v_proj"], {"language"}), every)
    assert chosen == {"model.language_model.layers.0.self_attn.q_proj",
                      "model.language_model.layers.0.self_attn.v_proj"}


def test_a_4bit_base_keeps_the_tower_and_projector_whole():
    from transformers.quantizers.quantizers_utils import should_convert_module

    patterns = skip_quantizing()
    for family in NAMES.values():
        for name, part in family.items():
            assert should_convert_module(name, patterns) == (part == "language"), name


def test_vision_configs_are_told_from_text_ones():
    from backend.demo import demo_config
    from backend.demo_vlm import demo_vlm_config

    assert is_vision_config(demo_vlm_config()) and not is_vision_config(demo_config())
