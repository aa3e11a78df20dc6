"""After a qlora job, everything that runs its adapter runs it on the base the job trained on: the
quantized layers hold the values of their quantized weights (backend.training.quantized.load_trained_base),
not the original weights, which are off by logits of 2-3 on the demo. One real qlora job on the demo
(trained once for the module), then the merged export, the chat process's model (backend.chat.server.load)
and evaluation's models (backend.evaluation.load_models, evaluate_job) against the trained model: the
same logits within 0.05 (the adapter computed in bf16 in training, as TRL keeps it, on logits of ~10), and
with the adapter switched off, the same as the trained model's own base."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest
import torch

from backend.spec import JobSpec

pytest.importorskip("bitsandbytes")

QLORA = {"stage": "sft", "data": {"train": "demo", "placeholders": {"name": "Nova", "author": "Studio Labs"}, "mix": [16]},
         "method": {"name": "qlora", "quant_bits": 4, "lora_dropout": 0.0},
         "training": {"max_steps": 20, "batch_size": 4, "max_length": 64, "learning_rate": 1e-2, "scheduler": "constant",
                      "warmup_ratio": 0.0, "save_minutes": 0, "device": "cpu"}}
PROMPT = [{"role": "user", "content": "who are you?"}]
CLOSE = 0.05


def logits(model, ids):
    model.eval()
    with torch.no_grad():
        return model(input_ids=ids).logits.float()


def off_by(a, b) -> float:
    return (a - b).abs().max().item()


@pytest.fixture(scope="module")
def qlora_job(stage_ws, tmp_path_factory):
    """A trained qlora job folder (adapter, tokenizer, spec.yaml; the adapter also as checkpoint-20), with
    what the trained model said: its logits on PROMPT with the adapter on and off, and its greedy reply. The
    trained model first runs the sample writer's no-grad eval forward, which on an AVX-512 CPU is where
    bitsandbytes would repack its 4-bit weights (tests/backend/training/test_qlora_cpu.py)."""
    from backend.data.load import load_data
    from backend.training.callback import JobReporter
    from backend.training.generate import greedy_reply
    from backend.training.run import build_run

    spec = JobSpec.from_dict(QLORA)
    job_dir = tmp_path_factory.mktemp("qlora") / "job"
    job_dir.mkdir()
    run = build_run(spec, job_dir, stage_ws, JobReporter(job_dir), data=load_data(spec.data, stage_ws.root))
    run.trainer.train()
    model, tok = run.trainer.model, run.tokenizer
    ids = tok.apply_chat_template(PROMPT, add_generation_prompt=True, return_tensors="pt",
                                  return_dict=True)["input_ids"]
    model.eval()
    reply = greedy_reply(model, tok, PROMPT, 16)
    trained = logits(model, ids)
    with model.disable_adapter():
        trained_base = logits(model, ids)
    run.trainer.save_model(str(job_dir / "adapter"))
    tok.save_pretrained(str(job_dir / "adapter"))
    (job_dir / "spec.yaml").write_text(spec.to_yaml(), encoding="utf-8")
    shutil.copytree(job_dir / "adapter", job_dir / "checkpoints" / "checkpoint-20")
    return SimpleNamespace(ws=stage_ws, job_dir=job_dir, ids=ids, trained=trained, trained_base=trained_base,
                           reply=reply, trained_model=model, tokenizer=tok)


def test_the_merged_export_answers_as_the_trained_model(qlora_job, tmp_path):
    """The merged folder, loaded with plain transformers as a fresh model, answers as the trained model did;
    merging into the original weights would not (what the check tells apart)."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from backend.export.merged import export_merged

    job = qlora_job
    out = export_merged(job.job_dir, tmp_path / "merged", dtype="float32", workspace=job.ws)
    merged = logits(AutoModelForCausalLM.from_pretrained(str(out), dtype=torch.float32), job.ids)
    assert off_by(merged, job.trained) < CLOSE
    base = AutoModelForCausalLM.from_pretrained(str(job.ws.models_dir / "demo"), dtype=torch.float32)
    on_original = logits(PeftModel.from_pretrained(base, str(job.job_dir / "adapter")), job.ids)
    assert off_by(on_original, job.trained) > 0.5


def test_chat_answers_as_the_trained_model_and_as_its_base_with_the_adapter_off(qlora_job):
    """The chat process's own loading: the job is found from the adapter folder (final or a checkpoint),
    so the tuned side is the trained model and the base side (adapter off) the base it trained on."""
    from backend.chat.client import job_chat_target
    from backend.chat.server import generate_stream, load, qlora_spec

    job = qlora_job
    base, adapter = job_chat_target(job.job_dir)
    checkpoint = job_chat_target(job.job_dir, "checkpoint-20")[1]
    assert qlora_spec(adapter).method.name == qlora_spec(checkpoint).method.name == "qlora"
    assert qlora_spec(None) is None and qlora_spec(str(job.ws.models_dir / "demo")) is None
    assert qlora_spec(None, str(job.job_dir / "spec.yaml")).method.quant_bits == 4
    tokenizer, model = load(base, adapter)
    assert off_by(logits(model, job.ids), job.trained) < CLOSE
    with model.disable_adapter():
        assert off_by(logits(model, job.ids), job.trained_base) < CLOSE
    reply = "".join(generate_stream(tokenizer, model, {"messages": PROMPT, "max_new_tokens": 16}))
    assert reply.strip() == job.reply
    _, from_checkpoint = load(base, checkpoint)
    assert off_by(logits(from_checkpoint, job.ids), job.trained) < CLOSE
    _, base_only = load(base, None, spec_file=str(job.job_dir / "spec.yaml"))  # the base, told which job
    assert off_by(logits(base_only, job.ids), job.trained_base) < CLOSE


def test_evaluation_compares_the_trained_model_with_the_base_it_trained_on(qlora_job):
    """Evaluate's tuned column is the trained model; its base column is the base the job trained on (the
    quantized values), so the two differ by what the adapter learnt alone."""
    from backend.evaluation import eval_prompts, evaluate_job, load_models
    from backend.training.generate import greedy_reply

    job = qlora_job
    tokenizer, tuned, base = load_models(job.job_dir, JobSpec.from_dict(QLORA), job.ws)
    assert base is None  # the tuned model with its adapter switched off
    assert off_by(logits(tuned, job.ids), job.trained) < CLOSE
    with tuned.disable_adapter():
        assert off_by(logits(tuned, job.ids), job.trained_base) < CLOSE
    report = evaluate_job(job.job_dir, job.ws, rows=2, max_new_tokens=16)
    examples, _ = eval_prompts(JobSpec.from_dict(QLORA), job.ws, 2)
    trained_model, tok = job.trained_model, job.tokenizer
    for row, example in zip(report["results"], examples, strict=True):
        prompt = example["messages"][:-1]
        assert row["tuned"] == greedy_reply(trained_model, tok, prompt, 16)
        with trained_model.disable_adapter():
            assert row["base"] == greedy_reply(trained_model, tok, prompt, 16)


def test_without_bitsandbytes_chat_and_evaluation_say_what_to_install(qlora_job, monkeypatch):
    """The quantized base cannot be rebuilt without bitsandbytes: evaluation and chat refuse with the
    command that fixes it, instead of answering on the original weights."""
    import backend.training.bnb_import as bnb_import
    from backend.chat.client import job_chat_target
    from backend.chat.server import load
    from backend.evaluation import EvalError, load_models
    from backend.training.quantized import QuantizedBaseError

    monkeypatch.setattr(bnb_import, "import_bitsandbytes", lambda: False)
    with pytest.raises(EvalError, match=r"4-bit base .*`pip install bitsandbytes`"):
        load_models(qlora_job.job_dir, JobSpec.from_dict(QLORA), qlora_job.ws)
    with pytest.raises(QuantizedBaseError, match="`pip install bitsandbytes`"):
        load(*job_chat_target(qlora_job.job_dir))
