"""The offline vision-language demo (backend/demo_vlm.py): a tiny Qwen2-VL with its processor, built locally."""

import time

import pytest

from tests.conftest import SHARED_DATASETS

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

MLLM = SHARED_DATASETS / "mllm_demo_data"


def test_demo_vlm_builds_loads_and_trains_one_step(tmp_path):
    from PIL import Image
    from transformers import AutoModelForImageTextToText

    from backend.demo_vlm import demo_vlm_dir, ensure_demo_vlm, is_built, load_processor

    start = time.monotonic()
    path = ensure_demo_vlm(tmp_path / "models")
    assert time.monotonic() - start < 20
    assert path == demo_vlm_dir(tmp_path / "models") and is_built(tmp_path / "models")
    assert ensure_demo_vlm(tmp_path / "models") == path  # built once

    processor = load_processor(path)
    model = AutoModelForImageTextToText.from_pretrained(path)
    assert model.config.model_type == "qwen2_vl"
    messages = [
        {"role": "user", "content": "<image>Who are they?"},
        {"role": "assistant", "content": "They're Kane and Gretzka from Bayern Munich."},
    ]
    text = processor.apply_chat_template(messages, tokenize=False)
    assert "<|vision_start|><|image_pad|><|vision_end|>Who are they?" in text
    batch = processor(text=[text], images=[Image.open(MLLM / "1.jpg")], return_tensors="pt")
    n_image_tokens = int((batch["input_ids"] == model.config.image_token_id).sum())
    assert 4 <= n_image_tokens <= 16  # the small pixel budget
    out = model(**batch, labels=batch["input_ids"])
    assert torch.isfinite(out.logits).all() and torch.isfinite(out.loss)
    out.loss.backward()
    assert model.model.language_model.layers[0].self_attn.q_proj.weight.grad is not None
    assert model.model.visual.blocks[0].attn.qkv.weight.grad is not None
