"""Vision-language SFT through the worker's own path (backend/training/stages/sft_vision.py): the demo VLM on
LLaMA-Factory's mllm_demo, only the replies trained, the vision tower and the projector frozen unless asked."""

import json
import math

import pytest

from tests.conftest import vl_workspace

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

MAX_STEPS = 6


def _build(tmp_path, models, overrides=()):
    from backend.resources import DEMO_VL_SPEC
    from backend.spec import JobSpec
    from backend.store import JobStore
    from backend.training.callback import JobReporter
    from backend.training.run import build_run

    ws = vl_workspace(tmp_path / "ws", models)
    store = JobStore(ws)
    spec = JobSpec.from_yaml(DEMO_VL_SPEC.read_text(encoding="utf-8")).with_overrides(
        [f"training.max_steps={MAX_STEPS}", "training.device=cpu", "training.logging_steps=1", *overrides])
    job_id = store.create_job(spec, state="running")
    job_dir = store.job_dir(job_id)
    run = build_run(spec, job_dir, ws, JobReporter(job_dir))
    return run, job_dir


def _weights(model):
    return {n.split("base_model.model.", 1)[-1].replace(".base_layer", ""): p.detach().clone()
            for n, p in model.named_parameters()}


def _changed(before, after, part):
    from backend.vlm import part_of

    names = [n for n in before if n in after and part_of(n) == part]
    assert names, part
    return [n for n in names if not torch.equal(before[n], after[n])]


def test_lora_trains_the_language_model_only(tmp_path, demo_vl_models_dir):
    from backend.vlm import part_of

    run, job_dir = _build(tmp_path, demo_vl_models_dir)
    model = run.trainer.model
    before = _weights(model)
    run.trainer.train()
    losses = [h["loss"] for h in run.trainer.state.log_history if "loss" in h]
    assert len(losses) == MAX_STEPS and all(math.isfinite(x) for x in losses)
    assert losses[-1] < losses[0], losses
    lora = [n for n, p in model.named_parameters() if "lora_" in n]
    assert lora and all(part_of(n) == "language" for n in lora)
    after = _weights(model)
    assert not _changed(before, after, "vision") and not _changed(before, after, "projector")
    assert any("lora_B" in n for n in _changed(before, after, "language"))


def test_projector_and_vision_tower_train_when_asked(tmp_path, demo_vl_models_dir):
    from backend.vlm import part_of

    run, _ = _build(tmp_path, demo_vl_models_dir, ["method.train_projector=true", "method.train_vision_tower=true"])
    model = run.trainer.model
    trainable = {part_of(n) for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"language", "vision", "projector"}
    before = _weights(model)
    run.trainer.train()
    after = _weights(model)
    assert _changed(before, after, "projector")  # modules_to_save: the projector's own copy trains
    assert any("lora_" in n for n in _changed(before, after, "vision"))


def test_qlora_quantizes_the_language_model_only(tmp_path, demo_vl_models_dir):
    pytest.importorskip("bitsandbytes")
    from backend.training.quantized import quantized_linears
    from backend.vlm import part_of
    from tests.conftest import parameter_values

    run, _ = _build(tmp_path, demo_vl_models_dir, ["method.name=qlora"])
    model = run.trainer.model
    quantized = quantized_linears(model)
    assert quantized and {part_of(n) for n in quantized} == {"language"}
    before = parameter_values(model)
    run.trainer.train()
    losses = [h["loss"] for h in run.trainer.state.log_history if "loss" in h]
    assert all(math.isfinite(x) for x in losses) and losses[-1] < losses[0], losses
    after = parameter_values(model)
    assert all(torch.equal(before[n], after[n]) for n in before if "lora_" not in n)  # base and tower untouched
    assert any(not torch.equal(before[n], after[n]) for n in before if "lora_B" in n)


def test_full_keeps_the_vision_tower_frozen_by_default(tmp_path, demo_vl_models_dir):
    run, _ = _build(tmp_path, demo_vl_models_dir, ["method.name=full", "training.learning_rate=1e-4"])
    model = run.trainer.model
    before = _weights(model)
    run.trainer.train()
    after = _weights(model)
    assert _changed(before, after, "language")
    assert not _changed(before, after, "vision") and not _changed(before, after, "projector")


def test_dpo_on_image_preference_pairs(tmp_path, demo_vl_models_dir):
    run, _ = _build(tmp_path, demo_vl_models_dir, ["stage=dpo", "data.train=demo-vl-dpo", "training.learning_rate=5e-4",
                                                   "training.max_steps=10"])
    assert run.n_train == 12 and type(run.trainer).__name__ == "DPOTrainer"
    run.trainer.train()
    logs = [h for h in run.trainer.state.log_history if "loss" in h]
    assert all(math.isfinite(h["loss"]) for h in logs)
    assert logs[0]["loss"] == pytest.approx(math.log(2), abs=1e-3)  # the policy starts as its reference
    assert min(h["loss"] for h in logs[-4:]) < 0.6, [h["loss"] for h in logs]
    assert logs[-1]["rewards/margins"] > 0


def test_only_reply_tokens_carry_labels(demo_vl_models_dir):
    from backend.data.load import load_data
    from backend.data.vision_rows import VisionCollator, as_rows, encode
    from backend.spec import DataSpec
    from backend.vlm.processor import load_processor

    processor = load_processor(demo_vl_models_dir / "demo-vl")
    loaded = load_data(DataSpec(train="demo-vl", shuffle=False), None)
    assert len(loaded.train) == 6 and all(e["images"] for e in loaded.train[:3])
    first = loaded.train[0]
    enc = encode(processor, first)
    trained = processor.tokenizer.decode([t for t, label in zip(enc["input_ids"], enc["labels"]) if label != -100])
    replies = [m["content"] for m in first["messages"] if m["role"] == "assistant"]
    assert trained == "".join(f"{r}<|im_end|>\n" for r in replies)
    image_id = processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    grid = enc["image_grid_thw"]
    assert enc["input_ids"].count(image_id) == int((grid.prod(-1) // 4).sum())  # one token per merged 2x2 patch
    batch = VisionCollator(processor)(as_rows(loaded.train[:2]))
    assert batch["input_ids"].shape == batch["labels"].shape == batch["attention_mask"].shape
    assert batch["image_grid_thw"].shape[0] == sum(len(e["images"]) for e in loaded.train[:2])


def test_image_placeholders_become_image_parts_where_they_were():
    from backend.data.vision_rows import structured

    got = structured([{"role": "user", "content": "What are they doing?<image>"}])
    assert got == [{"role": "user", "content": [{"type": "text", "text": "What are they doing?"}, {"type": "image"}]}]


def test_text_model_with_image_rows_and_other_stages_are_refused(tmp_path, workspace, demo_vl_models_dir):
    from backend.resources import DEMO_VL_SPEC
    from backend.spec import JobSpec
    from backend.training.errors import TrainingError
    from backend.training.run import build_run

    spec = JobSpec.from_yaml(DEMO_VL_SPEC.read_text(encoding="utf-8")).with_overrides(["model.name_or_path=demo"])
    with pytest.raises(TrainingError, match=r"6 training row\(s\) carry images .*1.jpg.* demo is a text model"):
        build_run(spec, tmp_path / "job", workspace, None)
    kto = JobSpec.from_yaml(DEMO_VL_SPEC.read_text(encoding="utf-8")).with_overrides(["stage=kto"])
    with pytest.raises(TrainingError, match="stage kto trains text models only so far"):
        build_run(kto, tmp_path / "job", workspace, None)
    ptuning = JobSpec.from_yaml(DEMO_VL_SPEC.read_text(encoding="utf-8")).with_overrides(["method.name=ptuning"])
    with pytest.raises(TrainingError, match="method ptuning is not offered for vision-language models"):
        build_run(ptuning, tmp_path / "job", workspace, None)


def test_a_row_too_long_for_its_images_is_left_out_not_cut(tmp_path, demo_vl_models_dir):
    from backend.data.read import DataError

    with pytest.raises(DataError, match=r"none of the 6 row\(s\) fits in max_length=40 .* at least \d+"):
        _build(tmp_path, demo_vl_models_dir, ["training.max_length=40"])


def test_the_job_folder_holds_what_chat_and_export_load(vlm_job):
    from backend.vlm.processor import load_processor

    ws, job_dir = vlm_job
    status = json.loads((job_dir / "status.json").read_text(encoding="utf-8"))
    assert status["state"] == "succeeded", status
    metrics = [json.loads(line) for line in (job_dir / "metrics.jsonl").read_text().splitlines()]
    losses = [m["loss"] for m in metrics if m.get("loss") is not None]
    assert losses[-1] < losses[0] / 2, losses
    adapter = job_dir / "adapter"
    assert (adapter / "adapter_model.safetensors").is_file()
    processor = load_processor(adapter)
    assert processor.image_processor is not None and processor.chat_template
