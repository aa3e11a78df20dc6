"""Every training stage on the tiny demo model with LoRA: 2 real steps in-process on data the test
writes, then: finite loss, the adapter moved, the saved adapter reloads with plain peft and gives
the trained model's outputs. Plus the grpo rewards on hand-made replies, the data each stage takes
(and the clear DataError when it cannot), and one real worker process running dpo."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from backend.data.load import load_data
from backend.data.read import DataError
from backend.data.stage_data import check_stage, for_stage
from backend.spec import DataSpec, JobSpec
from backend.store import JobStore
from backend.training import rewards
from backend.training.callback import JobReporter
from backend.training.run import build_run
from tests.conftest import write_jsonl

TRAINING = {"max_steps": 2, "batch_size": 2, "max_length": 64, "logging_steps": 1, "learning_rate": 5e-3,
            "save_minutes": 0, "warmup_ratio": 0.0, "device": "cpu"}
TOOLS = [{"name": "add", "description": "Add two numbers",
          "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}}]




def train(stage_ws, stage: str, data: str, align: dict | None = None, training: dict | None = None,
          method: str = "lora") -> dict:
    spec = JobSpec.from_dict({"stage": stage, "data": {"train": data}, "method": {"name": method},
                              "align": align or {}, "training": {**TRAINING, **(training or {})}})
    store = JobStore(stage_ws)
    job_id = store.create_job(spec, state="running")
    job_dir = store.job_dir(job_id)
    run = build_run(spec, job_dir, stage_ws, JobReporter(job_dir), data=load_data(spec.data, stage_ws.root))
    model = run.trainer.model
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    result = run.trainer.train()
    after = {n: p.detach().clone() for n, p in model.named_parameters() if n in before}
    adapter_dir = job_dir / "adapter"
    run.trainer.save_model(str(adapter_dir))
    logs = run.trainer.state.log_history
    return dict(run=run, model=model, before=before, after=after, result=result, logs=logs, store=store,
                job_id=job_id, adapter_dir=adapter_dir)


def assert_trained(t: dict) -> None:
    losses = [row["loss"] for row in t["logs"] if "loss" in row]
    assert losses and all(math.isfinite(x) for x in losses), t["logs"]
    assert t["result"].global_step == TRAINING["max_steps"]
    assert t["before"] and all("lora_" in n or "modules_to_save" in n for n in t["before"])
    changed = [n for n in t["before"] if not torch.equal(t["before"][n], t["after"][n])]
    assert changed, "no trainable parameter moved"
    assert any("lora_B" in n for n in changed)
    metrics = t["store"].read_metrics(t["job_id"])  # the job's curve got the points
    assert [m["step"] for m in metrics if m.get("loss") is not None][-1] == TRAINING["max_steps"]


def prompt_ids(tokenizer) -> torch.Tensor:
    text = tokenizer.apply_chat_template([{"role": "user", "content": "What is 3 plus 3?"}], tokenize=False,
                                         add_generation_prompt=True)
    return tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]


def assert_adapter_reloads(t: dict, demo_models_dir: Path) -> None:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    ids = prompt_ids(t["run"].tokenizer)
    model = t["model"].eval()
    with torch.no_grad():
        mine = model(input_ids=ids).logits
        base = AutoModelForCausalLM.from_pretrained(str(demo_models_dir / "demo"))
        reloaded = PeftModel.from_pretrained(base, str(t["adapter_dir"])).eval()
        theirs = reloaded(input_ids=ids).logits
        plain = reloaded.get_base_model()
        with reloaded.disable_adapter():
            untouched = plain(input_ids=ids).logits
    assert (mine - theirs).abs().max().item() < 1e-5
    assert (theirs - untouched).abs().max().item() > 0  # the adapter does something


# -- the stages ---------------------------------------------------------------------------------
@pytest.mark.parametrize("stage, data", [("pt", "text"), ("pt", "chat"), ("sft", "chat"), ("orpo", "preference"),
                                         ("kto", "kto"), ("kto", "preference")])
def test_stage_trains_and_its_adapter_reloads(stage_ws, stage_files, demo_models_dir, stage, data):
    t = train(stage_ws, stage, stage_files[data])
    assert_trained(t)
    assert_adapter_reloads(t, demo_models_dir)
    if (stage, data) == ("kto", "preference"):
        assert t["run"].n_train == 16  # 8 pairs unpaired into 16 labelled replies
    if stage == "pt":
        row = t["run"].trainer.train_dataset[0]
        assert row["labels"] == row["input_ids"]  # every token trained
        assert t["run"].tokenizer.eos_token_id in row["input_ids"]


@pytest.mark.parametrize("loss", ["sigmoid", "ipo"])
def test_dpo_with_two_losses(stage_ws, stage_files, demo_models_dir, loss):
    t = train(stage_ws, "dpo", stage_files["preference"], align={"dpo_loss": loss, "beta": 0.2})
    assert t["run"].trainer.args.loss_type == [loss] and t["run"].trainer.args.beta == 0.2
    assert t["run"].trainer.ref_model is None  # with an adapter, the disabled adapter is the reference
    assert_trained(t)
    assert any("rewards/margins" in k for row in t["logs"] for k in row)
    assert_adapter_reloads(t, demo_models_dir)


def test_dpo_without_an_adapter_keeps_a_frozen_reference(stage_ws, stage_files):
    t = train(stage_ws, "dpo", stage_files["preference"], method="full")
    ref = t["run"].trainer.ref_model
    assert ref is not None and not any(p.requires_grad for p in ref.parameters())
    start = dict(ref.named_parameters())
    changed = [n for n in t["before"] if not torch.equal(t["before"][n], t["after"][n])]
    assert changed and all(torch.equal(t["before"][n], start[n]) for n in changed)  # the reference did not move


def test_rm_trains_a_scalar_score_that_reloads(stage_ws, stage_files, demo_models_dir):
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification

    t = train(stage_ws, "rm", stage_files["preference"])
    assert_trained(t)
    ids = prompt_ids(t["run"].tokenizer)
    with torch.no_grad():
        mine = t["model"].eval()(input_ids=ids).logits
        base = AutoModelForSequenceClassification.from_pretrained(str(demo_models_dir / "demo"), num_labels=1)
        reloaded = PeftModel.from_pretrained(base, str(t["adapter_dir"])).eval()
        score = reloaded(input_ids=ids).logits
    assert score.shape == (1, 1) and math.isfinite(score.item())
    assert abs(score.item() - mine.item()) < 1e-5  # the trained head was saved with the adapter
    # Its own numbers are on the job's curve (the Monitor draws them): the share of pairs ranked right, the margin.
    metrics = t["store"].read_metrics(t["job_id"])
    assert all(isinstance(m.get("accuracy"), float) and isinstance(m.get("margin"), float) for m in metrics)


def test_rm_exports_merged_with_its_one_output_head_and_refuses_gguf(stage_ws, stage_files, tmp_path):
    from transformers import AutoModelForSequenceClassification

    from backend.export.adapter_zip import ExportError
    from backend.export.gguf_export import build_gguf
    from backend.export.merged import export_merged

    t = train(stage_ws, "rm", stage_files["preference"], training={"max_steps": 1})
    ids = prompt_ids(t["run"].tokenizer)
    # The merge loaded the base with transformers' two labels and could not take the adapter's one-output head: a
    # bare size-mismatch traceback from `studio export --to merged` (and --to gguf, which merges first).
    out = export_merged(t["store"].job_dir(t["job_id"]), tmp_path / "merged", workspace=stage_ws)
    with torch.no_grad():
        mine = t["model"].eval()(input_ids=ids).logits
        merged = AutoModelForSequenceClassification.from_pretrained(str(out)).eval()
        score = merged(input_ids=ids).logits
    assert merged.config.num_labels == 1 and merged.config.pad_token_id is not None
    assert abs(score.item() - mine.item()) < 1e-4
    with pytest.raises(ExportError, match="reward model.*--to merged"):
        build_gguf(t["store"].job_dir(t["job_id"]), tmp_path / "rm.gguf", converter=False, workspace=stage_ws)
    assert not (tmp_path / "rm.gguf").exists()


def test_grpo_learns_from_a_reward_that_varies(stage_ws, stage_files, demo_models_dir, monkeypatch):
    # The untrained demo model never writes a right answer, so the real rewards would score every reply
    # alike, and equal rewards in a group give no gradient. Stand in a reward that varies with the
    # reply's tokens to see the weights move; the real rewards run in the next test.
    def length(completions, completion_ids=None, **kwargs):
        return [sum(i * (k + 1) for k, i in enumerate(ids)) % 101 / 100 for ids in completion_ids]

    monkeypatch.setitem(rewards.REWARDS, "length", length)
    t = train(stage_ws, "grpo", stage_files["prompt"], align={"rewards": {"length": 1.0}, "num_generations": 2,
                                                  "max_completion_length": 8, "grpo_loss": "grpo"})
    assert_trained(t)
    assert any("rewards/length/mean" in row for row in t["logs"])
    assert_adapter_reloads(t, demo_models_dir)


def test_grpo_gspo_with_dapo_and_the_real_rewards(stage_ws, stage_files):
    align = {"rewards": {"exact_match": 1.0, "format": 0.5, "length": 0.2, "valid_json": 0.1},
             "num_generations": 2, "max_completion_length": 8, "importance_sampling": "sequence",
             "grpo_loss": "dapo", "length_target": 4}
    t = train(stage_ws, "grpo", stage_files["prompt"], align=align)
    args = t["run"].trainer.args
    assert (args.importance_sampling_level, args.loss_type, args.num_generations) == ("sequence", "dapo", 2)
    assert args.reward_weights == [1.0, 0.5, 0.2, 0.1]
    assert args.generation_batch_size % args.num_generations == 0
    losses = [row["loss"] for row in t["logs"] if "loss" in row]
    assert losses and all(math.isfinite(x) for x in losses)
    logged = {k for row in t["logs"] for k in row}
    for name in ("exact_match", "format", "length", "valid_json"):
        assert f"rewards/{name}/mean" in logged, sorted(logged)


# -- rewards ------------------------------------------------------------------------------------
def test_rewards_on_hand_made_replies():
    chat = [[{"role": "assistant", "content": "<think>2 and 2</think> 4 "}]]
    assert rewards.exact_match(chat, reference=["4"]) == [1.0]
    assert rewards.exact_match(["4", " 4\n", "<think>x</think>5", "the answer is 4"], reference=["4"] * 4) == [
        1.0, 1.0, 0.0, 0.0]
    assert rewards.exact_match(["4"], reference=[""]) == [None]  # no reference: not scored
    assert rewards.format(["<think>a</think>b", "<think>a</think>  ", "b", "<think>a b", " <think>\nx\n</think>\ny"]) == [
        1.0, 0.0, 0.0, 0.0, 1.0]
    assert rewards.format(chat) == [1.0]
    assert rewards.length(["x"] * 4, completion_ids=[[1] * 4, [1] * 2, [1] * 8, [1] * 12], length_target=4) == [
        1.0, 0.5, 0.0, 0.0]
    assert rewards.valid_json(['{"a": 1}', "[1, 2]", "{a: 1}", "<think>hm</think> {\"ok\": true}", "", "42"]) == [
        1.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    assert set(rewards.DESCRIPTIONS) == set(rewards.REWARDS) and all(rewards.DESCRIPTIONS.values())


def test_reward_functions_and_weights():
    from trl.trainer.utils import get_callable_name

    align = JobSpec.from_dict({"stage": "grpo", "align": {"rewards": {"exact_match": 2, "length": 0.5, "format": 0},
                                                          "length_target": 3}}).align
    funcs, weights = rewards.reward_functions(align)
    assert [get_callable_name(f) for f in funcs] == ["exact_match", "length"] and weights == [2.0, 0.5]
    assert funcs[1](["x"], completion_ids=[[1, 2, 3]]) == [1.0]  # length_target 3 bound


# -- data per stage -----------------------------------------------------------------------------
def loaded(path: str):
    return load_data(DataSpec(train=path, shuffle=False), None)


@pytest.mark.parametrize("stage, data, words", [
    ("pt", "preference", ["pt stage needs plain text", "preference pairs"]),
    ("dpo", "chat", ["dpo stage needs preference pairs", "conversations", "use the sft stage"]),
    ("rm", "kto", ["rm stage needs preference pairs", "labelled good or bad", "use the kto stage"]),
    ("orpo", "text", ["orpo stage needs preference pairs", "plain text", "use the pt stage"]),
    ("kto", "prompt", ["kto stage needs replies labelled good or bad", "prompts without replies"]),
    ("grpo", "text", ["grpo stage needs prompts", "plain text"]),
    ("grpo", "preference", ["grpo stage needs prompts", "preference pairs"]),
    ("sft", "text", ["plain text"]),
])
def test_a_stage_refuses_data_it_cannot_use(stage_files, stage, data, words):
    with pytest.raises(DataError) as e:
        for_stage(stage, loaded(stage_files[data]))
    for w in words:
        assert w in str(e.value), str(e.value)


def test_mismatch_fails_before_the_model_is_loaded(stage_ws, stage_files, monkeypatch):
    import backend.training.stages.common as common

    monkeypatch.setattr(common, "setup", lambda *a: pytest.fail("the model was set up"))
    spec = JobSpec.from_dict({"stage": "dpo", "data": {"train": stage_files["chat"]}, "training": TRAINING})
    with pytest.raises(DataError, match="dpo stage needs preference pairs"):
        build_run(spec, stage_ws.root / "nowhere", stage_ws, None, data=load_data(spec.data, stage_ws.root))


def test_every_stage_knows_every_kind():
    for stage in ("pt", "sft", "rm", "dpo", "orpo", "kto", "grpo"):
        for kind in ("sft", "preference", "kto", "text", "prompt"):
            try:
                check_stage(stage, kind)
            except DataError as e:
                assert f"the {stage} stage needs" in str(e) and "Choose" in str(e)


def test_conversions_to_trl_forms(stage_files, demo_models_dir, tmp_path):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(demo_models_dir / "demo"))
    kto = for_stage("kto", loaded(stage_files["preference"]))
    assert len(kto.train) == 16 and [r["label"] for r in kto.train[:2]] == [True, False]
    assert kto.train[0]["completion"] == [{"role": "assistant", "content": "It is 0."}]
    assert "unpaired" in kto.note

    grpo = for_stage("grpo", loaded(stage_files["chat"]))
    assert grpo.train[0] == {"prompt": [{"role": "user", "content": "What is 0 plus 0?"}], "reference": "0"}
    assert "last reply" in grpo.note

    pt = for_stage("pt", loaded(stage_files["chat"]), tok)
    assert pt.train[0]["text"].startswith("<|im_start|>user\nWhat is 0 plus 0?<|im_end|>")
    assert "every token" in pt.note

    orpo = for_stage("orpo", loaded(stage_files["preference"]), tok)
    assert orpo.train[0]["prompt"].endswith("<|im_start|>assistant\n")
    assert orpo.train[0]["chosen"] == "It is 0.<|im_end|>"  # ends at EOS: the trainer adds no second one

    # Tools travel as JSON text, tool-call arguments too (one Arrow schema for every row).
    call = {"role": "assistant", "content": "", "tool_calls": [
        {"type": "function", "function": {"name": "add", "arguments": {"a": 1, "b": 2}}}]}
    rows = [{"prompt": "1+2?", "chosen": [call],
             "rejected": [{"role": "assistant", "content": "no"}], "tools": TOOLS}]
    path = write_jsonl(tmp_path / "tools.jsonl", rows)
    dpo = for_stage("dpo", loaded(path))
    assert json.loads(dpo.train[0]["tools"]) == TOOLS
    assert dpo.train[0]["chosen"][0]["tool_calls"][0]["function"]["arguments"] == '{"a": 1, "b": 2}'
    rendered = for_stage("orpo", loaded(path), tok).train[0]
    assert '"name": "add"' in rendered["prompt"] and '<tool_call>\n{"name": "add", "arguments": {"a": 1' in rendered[
        "chosen"]


# -- the worker process -------------------------------------------------------------------------
def test_worker_process_trains_dpo(store, stage_files):
    from backend.jobs.scheduler import spawn_worker

    spec = JobSpec.from_dict({"stage": "dpo", "data": {"train": stage_files["preference"]}, "training": TRAINING})
    job_id = store.create_job(spec)
    proc = spawn_worker(store, job_id)
    try:
        code = proc.wait(timeout=120)
    finally:
        proc.kill()
    job_dir = store.job_dir(job_id)
    log = (job_dir / "log.txt").read_text(encoding="utf-8")
    assert code == 0, log[-4000:]
    assert store.get(job_id).state == "succeeded"
    assert "dpo: loss sigmoid, beta 0.1, reference: the base model (adapter disabled)" in log
    assert "8 training rows, 0 eval rows" in log
    assert (job_dir / "adapter" / "adapter_config.json").is_file()
    summary = json.loads((job_dir / "summary.json").read_text())
    assert summary["steps"] == 2 and math.isfinite(summary["final_loss"])
