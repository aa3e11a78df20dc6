"""Real training of the tiny demo model: loss, parameters, label masks, adapter reload."""

import json
import math
import subprocess
import sys

import pytest
import torch

from backend.data.tokenize import IGNORE, tokenize_conversation
from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from backend.store import JobStore
from backend.training.callback import JobReporter
from backend.training.stages.sft import build as build_sft
from tests.conftest import python_env, run_python

CONVERSATION = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "who are you?"},
    {"role": "assistant", "content": "I am Nova."},
    {"role": "user", "content": "你是谁？"},
    {"role": "assistant", "content": "我是 Nova。"},
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, demo_models_dir):
    """Train the demo spec for 3 epochs in-process; keep what the assertions need."""
    from backend.workspace import Workspace

    ws = Workspace.at(tmp_path_factory.mktemp("ws"))
    (ws.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
    spec = JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(["training.num_epochs=4", "training.logging_steps=2"])
    store = JobStore(ws)
    job_id = store.create_job(spec, state="running")
    job_dir = store.job_dir(job_id)
    run = build_sft(spec, job_dir, ws, JobReporter(job_dir))
    model = run.trainer.model
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    run.trainer.train()
    after = {n: p.detach().clone() for n, p in model.named_parameters()}
    adapter_dir = job_dir / "adapter"
    run.trainer.save_model(str(adapter_dir))
    return dict(run=run, model=model, before=before, after=after, job_dir=job_dir, store=store, job_id=job_id,
                adapter_dir=adapter_dir)


def test_loss_is_finite_and_falls(trained):
    losses = [m["loss"] for m in trained["store"].read_metrics(trained["job_id"]) if m.get("loss") is not None]
    assert len(losses) >= 10
    assert all(math.isfinite(x) for x in losses)
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < first * 0.8, (first, last)


def test_metrics_lines_follow_the_job_directory_contract(trained):
    rows = trained["store"].read_metrics(trained["job_id"])
    for key in ("step", "epoch", "loss", "learning_rate", "grad_norm", "tokens_seen", "elapsed_s", "mem_mb"):
        assert key in rows[-1], key
    steps = [r["step"] for r in rows]
    assert steps == sorted(steps) and rows[-1]["tokens_seen"] > 0


def test_only_lora_weights_change(trained):
    before, after, model = trained["before"], trained["after"], trained["model"]
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    assert changed == trainable  # every adapter weight moved, nothing else did


def test_base_weights_on_disk_equal_the_frozen_ones(trained, demo_models_dir):
    from safetensors.torch import load_file

    base = load_file(str(demo_models_dir / "demo" / "model.safetensors"))
    after = trained["after"]
    for name, tensor in base.items():
        module, leaf = name.rsplit(".", 1)
        peft_name = f"base_model.model.{module}.base_layer.{leaf}"
        key = peft_name if peft_name in after else "base_model.model." + name
        assert torch.equal(after[key], tensor), name


def test_labels_are_ignored_on_every_non_assistant_token(trained):
    tok = trained["run"].tokenizer
    t = tokenize_conversation(tok, CONVERSATION, max_length=512)
    assert len(t.input_ids) == len(t.labels)
    trained_text = tok.decode([i for i, lab in zip(t.input_ids, t.labels) if lab != IGNORE])
    assert trained_text == "I am Nova.<|im_end|>\n我是 Nova。<|im_end|>\n"
    masked_text = tok.decode([i for i, lab in zip(t.input_ids, t.labels) if lab == IGNORE])
    assert "Be brief." in masked_text and "who are you?" in masked_text and "你是谁？" in masked_text
    assert "Nova" not in masked_text
    assert all(lab in (IGNORE, i) for i, lab in zip(t.input_ids, t.labels))


def test_training_data_carries_only_assistant_labels(trained):
    tok = trained["run"].tokenizer
    ds = trained["run"].trainer.train_dataset
    for row in ds.select(range(5)):
        labelled = tok.decode([i for i, lab in zip(row["input_ids"], row["labels"]) if lab != IGNORE])
        unlabelled = tok.decode([i for i, lab in zip(row["input_ids"], row["labels"]) if lab == IGNORE])
        assert labelled.endswith("<|im_end|>\n") and "<|im_start|>" not in labelled
        assert unlabelled.startswith("<|im_start|>user\n") and unlabelled.endswith("<|im_start|>assistant\n")


def test_saved_adapter_reloads_in_a_fresh_process_with_the_same_logits(trained, demo_models_dir, tmp_path):
    tok, model = trained["run"].tokenizer, trained["model"]
    text = tok.apply_chat_template([{"role": "user", "content": "who are you?"}], tokenize=False,
                                   add_generation_prompt=True)
    ids = tok(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
    model.eval()
    with torch.no_grad():
        mine = model(input_ids=ids).logits
    torch.save(ids, tmp_path / "ids.pt")
    code = f"""
import torch
from transformers import AutoModelForCausalLM
from peft import PeftModel
base = AutoModelForCausalLM.from_pretrained({str(demo_models_dir / "demo")!r})
model = PeftModel.from_pretrained(base, {str(trained["adapter_dir"])!r}).eval()
with torch.no_grad():
    torch.save(model(input_ids=torch.load({str(tmp_path / "ids.pt")!r})).logits, {str(tmp_path / "logits.pt")!r})
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    theirs = torch.load(tmp_path / "logits.pt")
    assert (mine - theirs).abs().max().item() < 1e-5


def test_worker_process_records_a_dataset_failure_with_file_and_row(store, tmp_path):
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n{"messages": "oops"}\n')
    spec = JobSpec.from_dict({"data": {"train": str(bad)}, "training": {"max_steps": 2}})
    job_id = store.create_job(spec)
    proc = subprocess.run([sys.executable, "-m", "backend.jobs.worker", str(store.job_dir(job_id))],
                          capture_output=True, text=True, env=python_env(), timeout=300)
    assert proc.returncode == 1
    job = store.get(job_id)
    assert job.state == "failed" and job.error.kind == "dataset"
    assert "broken.jsonl" in job.error.message and "row 1" in job.error.message
    assert "conversation ends with a user turn" in job.error.message
    assert job.error.hint
    status = json.loads((store.job_dir(job_id) / "status.json").read_text())
    assert status["state"] == "failed" and status["error"]["kind"] == "dataset"
    assert (store.job_dir(job_id) / "system.jsonl").read_text().strip()  # sampled, even for a run that failed


def test_eval_split_puts_eval_loss_on_the_curve(workspace):
    from backend.store import JobStore

    spec = JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(
        ["data.eval_split=0.1", "training.max_steps=6", "training.logging_steps=3"])
    store = JobStore(workspace)
    job_id = store.create_job(spec, state="running")
    job_dir = store.job_dir(job_id)
    run = build_sft(spec, job_dir, workspace, JobReporter(job_dir))
    assert (run.n_train, run.n_eval) == (82, 9)
    run.trainer.train()
    evals = [m["eval_loss"] for m in store.read_metrics(job_id) if m.get("eval_loss") is not None]
    assert len(evals) == 2 and all(math.isfinite(x) for x in evals)
