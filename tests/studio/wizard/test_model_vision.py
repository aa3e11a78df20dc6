"""The Model step's facts and the Review's memory split of a vision-language model (studio/wizard/model_vision.py,
review_plan.vision_split_markdown), in English and Chinese, from demo-vl's real folder and a Qwen2-VL-2B config."""

import json

from backend.plan.estimate import estimate_memory
from backend.spec import JobSpec
from studio.i18n import EN, ZH
from studio.wizard.model_info import describe_local, model_config
from studio.wizard.model_vision import vision_markdown
from studio.wizard.review_plan import vision_split_markdown
from tests.backend.plan.test_vision_estimate import QWEN2_VL_2B


def test_demo_vl_facts_are_exact_from_its_folder(demo_vl_models_dir):
    info = describe_local(demo_vl_models_dir / "demo-vl")
    v = info.vision
    assert v.exact and (v.language, v.tower, v.projector) == (625_024, 54_720, 33_088)
    assert (v.min_tokens, v.max_tokens) == (4, 16)  # its processor's 3,136 to 12,544 pixels
    en, zh = vision_markdown(EN, info), vision_markdown(ZH, info)
    assert "Reads images" in en and "54.7K (54,720)" in en and "4 to 16 image tokens" in en
    assert "可读图像" in zh and "视觉编码器 54.7K" in zh and "4 至 16 个图像 token" in zh


def test_a_text_model_has_no_vision_lines(demo_models_dir):
    from backend.demo import demo_dir

    info = describe_local(demo_dir(demo_models_dir))
    assert info.vision is None and vision_markdown(EN, info) == ""


def test_a_qwen2_vl_folder_reads_its_preprocessor_and_the_review_shows_the_split(tmp_path):
    folder = tmp_path / "qwen2-vl-2b"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(QWEN2_VL_2B))
    (folder / "preprocessor_config.json").write_text(json.dumps({"min_pixels": 3136, "max_pixels": 1003520}))
    info = describe_local(folder, roots=[tmp_path], models_dir=tmp_path)
    assert not info.vision.exact and info.vision.tower == 631_183_360 and info.vision.max_tokens == 1280
    assert info.params == 2_208_985_600
    config = model_config("local", str(folder), tmp_path, roots=[tmp_path])
    est = estimate_memory(JobSpec().with_overrides(["method.train_vision_tower=true", "training.batch_size=1",
                                                    "training.max_length=2048"]), config, "cuda")
    en, zh = vision_split_markdown(EN, est), vision_split_markdown(ZH, est)
    assert "the vision tower" in en and "5,120 patches" in en and "1,280 image tokens" in en
    assert "视觉编码器" in zh and "5,120 个图块" in zh
    text_est = estimate_memory(JobSpec(), {**QWEN2_VL_2B, "vision_config": None}, "cuda")
    assert vision_split_markdown(EN, text_est) == ""


def test_demo_vl_source_config_before_and_after_its_build(tmp_path, demo_vl_models_dir):
    before = model_config("demo-vl", "", tmp_path / "models")
    assert before and before["vision_config"]
    after = model_config("demo-vl", "", demo_vl_models_dir)
    assert after["image_processor"]["size"]["longest_edge"] == 12544
