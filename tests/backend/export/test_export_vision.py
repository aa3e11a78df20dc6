"""Exports and the other "use" paths of a vision-language job (the session's vlm_job: demo-vl, LoRA on mllm_demo):
the merged model loads in a fresh process with transformers alone (the model card's own code, with an image) and
answers 1.jpg as base + adapter do; its parity report passes and catches a changed weight or image processor; the
adapter zip holds the processor; GGUF and `studio bench` are refused with a message (EN+ZH); `studio eval` answers
the rows with their images."""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest

from tests.conftest import run_python

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def merged(vlm_job, tmp_path_factory):
    """(workspace, job_dir, merged float32 folder, the parity reference: base + adapter on prompts with images)."""
    from backend.export.merged import export_merged
    from backend.export.parity_vision import vision_reference

    ws, job_dir = vlm_job
    out = export_merged(job_dir, tmp_path_factory.mktemp("vl-merged") / "merged", dtype="float32", workspace=ws)
    return ws, job_dir, out, vision_reference(job_dir, ws)


CARD_RUN = """
import json, sys
import numpy as np
folder, image, logits_out = sys.argv[1:4]
from backend.vlm.processor import load_processor  # AutoProcessor without torchvision (none on this machine)
code = re.search(r"```python\\n(.*?)```", open(folder + "/README.md").read(), re.S).group(1)
code = (code.replace("path/to/this/folder", folder).replace("photo.jpg", image)
        .replace("AutoProcessor.from_pretrained", "load_processor").replace("print(", "reply = ("))
exec(code)
import torch
with torch.no_grad():
    full = model(**{**inputs, "input_ids": out, "attention_mask": torch.ones_like(out),
                    "mm_token_type_ids": torch.cat([inputs["mm_token_type_ids"],
                                                    torch.zeros_like(out[:, inputs["input_ids"].shape[1]:])], 1)})
np.save(logits_out, full.logits[0].float().numpy())
print(json.dumps({"peft": "peft" in sys.modules, "class": type(model).__name__, "reply": reply,
                  "tokens": out[0, inputs["input_ids"].shape[1]:].tolist()}))
"""


def test_merged_vision_model_runs_its_card_code_in_a_fresh_process_as_base_plus_adapter(merged, tmp_path):
    import numpy as np

    from backend.export.parity_vision import DEMO_IMAGE

    _, _, out, ref = merged
    assert {"model.safetensors", "preprocessor_config.json", "chat_template.jinja", "tokenizer.json"} <= {
        p.name for p in out.iterdir()}
    assert not (out / "adapter_config.json").exists()
    card = (out / "README.md").read_text()
    assert "vision-language model" in card and "AutoModelForImageTextToText.from_pretrained" in card
    assert "PeftModel" not in card  # the merged folder loads without peft
    logits_file = tmp_path / "logits.npy"
    done = run_python(f"import re, sys; sys.argv = ['x', {str(out)!r}, {str(DEMO_IMAGE)!r}, {str(logits_file)!r}]\n"
                      + CARD_RUN)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert not got["peft"] and got["class"].endswith("ForConditionalGeneration"), got
    want = ref["prompts"][0]  # 1.jpg, "Who are they?"
    assert want["images"] == [str(DEMO_IMAGE)] and want["continuation"]
    assert got["tokens"][:len(want["continuation"])] == want["continuation"], (got, want["reply"])
    assert got["reply"].startswith(want["reply"].strip()[:20]), (got["reply"], want["reply"])
    n = len(want["ids"]) + len(want["continuation"])
    assert float(np.abs(np.load(logits_file)[:n] - want["logits"]).max()) < 1e-4


def test_parity_report_passes_and_catches_a_changed_weight_or_image_processor(merged, tmp_path):
    from safetensors.torch import load_file, save_file

    from backend.export.parity import check_export
    from backend.export.parity_table import parity_table
    from backend.export.parity_vision import vision_merged_rows

    ws, job_dir, out, ref = merged
    report = check_export(job_dir, out, "merged", ws, ref=ref)
    table = parity_table(report)
    print(table)
    assert report["ok"], table
    assert [r["check"] for r in report["rows"]] == ["prompt", "prompt_ids", "pixels", "stop", "greedy", "logits"]
    assert all(r["result"] == "ok" for r in report["rows"]), table
    assert report["prompts"] == 4  # 1.jpg, a text turn, the job's first two rows (with their images)
    assert sum(len(p["images"]) for p in ref["prompts"]) >= 3
    assert json.loads((job_dir / "exports" / f"{out.name}.parity.json").read_text())["ok"]

    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    weights = load_file(broken / "model.safetensors")
    head = next(k for k in weights if k.endswith("lm_head.weight") or k.endswith("embed_tokens.weight"))
    weights[head] = weights[head] + 0.05 * torch.randn_like(weights[head])
    save_file(weights, broken / "model.safetensors", metadata={"format": "pt"})
    config = json.loads((broken / "preprocessor_config.json").read_text())
    config["image_mean"] = [0.5, 0.5, 0.5]
    (broken / "preprocessor_config.json").write_text(json.dumps(config))
    rows = {r["check"]: r for r in vision_merged_rows(ref, broken)}
    assert rows["pixels"]["result"] == "mismatch" and "1" in rows["pixels"]["detail"]
    assert rows["logits"]["result"] == "mismatch", rows["logits"]
    assert rows["prompt"]["result"] == "ok"  # the template did not change


def test_adapter_zip_holds_the_processor_and_a_vision_card(vlm_job, tmp_path):
    from backend.export.adapter_zip import export_adapter_zip
    from backend.vlm.processor import load_processor

    _, job_dir = vlm_job
    path = export_adapter_zip(job_dir, tmp_path / "a.zip")
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        z.extractall(tmp_path / "unzipped")
        card = z.read("README.md").decode()
    assert {"adapter_model.safetensors", "preprocessor_config.json", "processor_config.json", "chat_template.jinja",
            "tokenizer.json", "spec.yaml"} <= names
    assert "vision-language model" in card and "frozen: the projector and the vision tower" in card
    assert re.search(r"PeftModel\.from_pretrained\(base", card) and "images=[Image.open(" in card
    unzipped, original = load_processor(tmp_path / "unzipped"), load_processor(job_dir / "adapter")
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Who are they?"}]}]
    assert unzipped.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) == \
        original.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert unzipped.image_processor.to_dict() == original.image_processor.to_dict()


def test_gguf_and_bench_are_refused_at_once_with_the_reason_in_english_and_chinese(vlm_job, capsys, monkeypatch):
    from backend.bench.run import check_job, run_benchmarks
    from backend.bench.tasks import BenchError
    from backend.export.adapter_zip import ExportError
    from backend.export.gguf_export import build_gguf
    from backend.messages import message_of
    from studio.cli import main
    from studio.i18n import render

    ws, job_dir = vlm_job
    with pytest.raises(ExportError) as e:
        build_gguf(job_dir, quant="q8_0", workspace=ws, converter=False)
    gguf = message_of(e.value)
    assert gguf.id == "export.gguf_vision" and gguf.params["reason"].id == "vision.gguf_refused"
    assert job_dir.name in gguf and "mmproj" in gguf and "what to try: Export the adapter" in gguf
    assert "视觉语言模型" in render(gguf, "zh") and "mmproj" in render(gguf, "zh")
    assert not (job_dir / "exports" / f"{job_dir.name}-q8_0.gguf").exists()

    for call in (lambda: check_job(job_dir), lambda: run_benchmarks(job_dir, ws, tasks=["studio_mini"], limit=2)):
        with pytest.raises(BenchError) as e:
            call()
        bench = message_of(e.value)
        assert bench.params["reason"].id == "bench.vision_refused" and f"studio eval {job_dir.name}" in bench
        assert "lm-evaluation-harness" in render(bench, "zh") and "基准测试" in render(bench, "zh")

    # The commands the Export panel runs: exit 2, the message and its id (the page renders it), no traceback.
    monkeypatch.setenv("STUDIO_ERROR_REF", "1")
    for args in (["export", str(job_dir), "--to", "gguf"], ["bench", str(job_dir)]):
        assert main([*args, "--workspace", str(ws.root)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and "error: job " in err, err
        ref = json.loads(next(ln for ln in err.splitlines() if ln.startswith("error-ref: "))[len("error-ref: "):])
        assert ref["id"] in ("export.gguf_vision", "bench.refused")


def test_eval_answers_the_rows_with_their_images(vlm_job):
    from backend.evaluation import evaluate_job

    ws, job_dir = vlm_job
    report = evaluate_job(job_dir, ws, rows=6, max_new_tokens=16)
    results, scores = report["results"], report["scores"]
    assert len(results) == 6 and scores["rows"] == 6
    assert [r["images"] for r in results if r["images"]], results  # rows with pictures sent them
    assert all(set(r["images"]) <= {"1.jpg", "2.jpg", "3.jpg"} for r in results)
    assert scores["tuned"]["rouge_l"] > scores["base"]["rouge_l"] + 0.1, scores
    saved = [json.loads(x) for x in (job_dir / "eval" / "results.jsonl").read_text().splitlines()]
    assert saved == results


def test_qlora_vision_job_merges_into_the_quantized_values_it_trained_on(demo_vl_models_dir, tmp_path):
    """A qlora job on demo-vl: the merge folds the adapter into the 4-bit language model's values (the vision tower
    and projector were never quantized and come out as the base's), and the merged folder passes its parity check."""
    pytest.importorskip("bitsandbytes")
    from safetensors.torch import load_file

    from backend.export.merged import export_merged
    from backend.export.parity import check_export
    from backend.jobs.worker import StopRequest, _train
    from backend.resources import DEMO_VL_SPEC
    from backend.spec import JobSpec
    from backend.store import JobStore
    from backend.vlm import part_of
    from tests.conftest import vl_workspace

    ws = vl_workspace(tmp_path / "ws", demo_vl_models_dir)
    store = JobStore(ws)
    spec = JobSpec.from_yaml(DEMO_VL_SPEC.read_text(encoding="utf-8")).with_overrides(
        ["method.name=qlora", "training.max_steps=6", "training.save_minutes=0", "training.device=cpu"])
    job_id = store.create_job(spec, state="running")
    job_dir = store.job_dir(job_id)
    _train(store, job_id, job_dir, ws, StopRequest())
    out = export_merged(job_dir, tmp_path / "merged", workspace=ws)
    report = check_export(job_dir, out, "merged", ws)
    assert report["ok"] and {r["result"] for r in report["rows"]} == {"ok"}, report["rows"]
    merged_w = load_file(out / "model.safetensors")
    base_w = load_file(next((demo_vl_models_dir / "demo-vl").glob("*.safetensors")))
    names = {part_of(k): [] for k in merged_w}
    for k in merged_w:
        names[part_of(k)].append(k)
    for k in names["vision"] + names["projector"]:  # never quantized, frozen: the base's own weights
        assert torch.equal(merged_w[k], base_w[k]), k
    changed = [k for k in names["language"] if k.endswith("q_proj.weight") and not torch.equal(merged_w[k], base_w[k])]
    assert changed, "the language model's quantized + adapted layers did not change"
