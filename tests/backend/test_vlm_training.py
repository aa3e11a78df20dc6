"""A real SFT step of the demo VLM on mllm_demo: LoRA on the language model, the vision tower frozen."""

import json
import math

import pytest

from tests.conftest import SHARED_DATASETS

torch = pytest.importorskip("torch")
pytest.importorskip("trl")


def test_demo_vlm_lora_sft_on_mllm_demo(tmp_path):
    from backend.data.formats import convert
    from backend.demo_vlm import ensure_demo_vlm
    from backend.training.vlm import train_vlm_lora

    mllm = SHARED_DATASETS / "mllm_demo.json"
    out = convert(json.loads(mllm.read_text(encoding="utf-8")), "sharegpt",
                  columns={"messages": "messages", "images": "images"}, media_dir=mllm.parent)
    assert not out.skipped
    model_dir = ensure_demo_vlm(tmp_path / "models")

    from transformers import AutoModelForImageTextToText

    before = AutoModelForImageTextToText.from_pretrained(model_dir).state_dict()
    result = train_vlm_lora(model_dir, out.examples, tmp_path / "run", max_steps=3)
    assert len(result.losses) == 3 and all(math.isfinite(x) for x in result.losses)
    assert (result.adapter_dir / "adapter_config.json").is_file()

    trained = {n: p for n, p in result.model.named_parameters()}
    lora = {n: p for n, p in trained.items() if "lora_" in n}
    assert lora and all("language_model" in n for n in lora)
    assert all(not p.requires_grad for n, p in trained.items() if "visual" in n)
    assert any(not torch.equal(p, torch.zeros_like(p)) for n, p in lora.items() if "lora_B" in n)  # B starts at 0
    for name, p in trained.items():
        if ".visual." in name:
            key = name.split("base_model.model.", 1)[-1]
            assert torch.equal(p.detach(), before[key]), name


def test_image_placeholders_become_image_parts_where_they_were():
    from backend.training.vlm import structured

    got = structured([{"role": "user", "content": "What are they doing?<image>"}])
    assert got == [{"role": "user", "content": [{"type": "text", "text": "What are they doing?"},
                                                {"type": "image", "text": None}]}]
