"""What a newcomer tripped over in the wizard (issue 19): the Review's YAML holds only what applies to the job, a
local model folder is read only under the studio's folders (and its refusal says nothing of what exists), the
model's details follow the page's language, the demo's parameter count is the same before and after its build, and
a speed test taken while the machine was shared is not reused once it is idle."""

from __future__ import annotations

import json
import subprocess
import threading
from types import SimpleNamespace

import pytest

from backend.resources import DATA_DIR, DEMO_SPEC
from backend.spec import JobSpec
from studio.i18n import EN, SessionStrings

DEMO = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))


@pytest.fixture
def ctx(workspace):
    from backend.store import JobStore
    from studio.context import Ctx

    return Ctx(workspace, JobStore(workspace), EN, DEMO, chat=None, data_roots=[workspace.root, DATA_DIR])


# -- the Review's YAML ----------------------------------------------------------------------------
def test_the_review_yaml_has_only_what_applies_and_loads_back_into_the_same_job():
    from backend.spec.applies import applicable_yaml

    text = applicable_yaml(DEMO)  # LoRA, sft
    for absent in ("adalora", "quant_bits", "double_quant", "freeze_layers", "num_virtual_tokens", "align:",
                   "dpo", "grpo", "kto", "distributed:", "eval_steps", "early_stopping", "columns: {}", "export:"):
        assert absent not in text, absent
    for present in ("lora_r: 32", "stage: sft", "name: Nova", "learning_rate: 0.002", "sample_prompts: 2"):
        assert present in text, present
    assert len(text.splitlines()) < len(DEMO.to_yaml().splitlines()) * 0.6
    assert JobSpec.from_yaml(text) == DEMO
    assert "adalora_init_r" in DEMO.to_yaml()  # the job's spec.yaml keeps every field

    dpo = DEMO.with_overrides(["stage=dpo", "method.name=qlora", "data.eval_split=0.1"])
    text = applicable_yaml(dpo)
    for present in ("beta:", "dpo_loss:", "quant_bits: 4", "double_quant:", "eval_steps:", "early_stopping_patience:"):
        assert present in text, present
    assert "grpo_loss" not in text and "kto_" not in text and "sample_prompts" not in text
    assert JobSpec.from_yaml(text) == dpo

    # A field set away from its default is shown even where it does nothing: nothing set is hidden.
    odd = DEMO.with_overrides(["align.beta=0.3", "distributed.num_processes=2"])
    text = applicable_yaml(odd)
    assert "beta: 0.3" in text and "num_processes: 2" in text and "strategy: ddp" in text
    assert "dpo_loss" not in text and JobSpec.from_yaml(text) == odd


# -- the model's folder ---------------------------------------------------------------------------
def test_a_model_folder_outside_the_studios_folders_is_refused_alike_whether_it_exists(ctx, tmp_path):
    from studio.wizard import review
    from studio.wizard.form import form_from_spec
    from studio.wizard.model import describe
    from studio.wizard.model_info import model_config

    existing = tmp_path / "outside-model"
    existing.mkdir()
    (existing / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": 8}))
    missing = tmp_path / "no-such-model"
    said = {str(p): describe(ctx, "local", str(p)) for p in (existing, missing, "/etc")}
    for folder, text in said.items():
        assert text == "⚠ " + EN["model.err.outside_roots"].format(
            folder=folder, models=ctx.workspace.models_dir, roots=f"{ctx.workspace.root}, {DATA_DIR}")
        assert "no such folder" not in text and "config.json" not in text
    assert str(ctx.workspace.models_dir) in said[str(existing)] and "--data-root" in said[str(existing)]
    assert model_config("local", str(existing), ctx.workspace.models_dir, ctx.data_roots) is None
    tok, note, _ = review.data_view.TOKENIZERS.get(ctx, "local", str(existing))
    assert tok is None and "--data-root" in note

    # Inside the workspace: looked at, and its own problem named; the workspace's models/demo (a link to the
    # session's build, as an admin may link a model there) is described.
    assert "no such folder" in describe(ctx, "local", str(ctx.workspace.models_dir / "nothing"))
    assert "qwen2" in describe(ctx, "local", str(ctx.workspace.models_dir / "demo"))

    # The Review (and so Start) refuses it on model.name_or_path; a hub id is still taken.
    for folder in (existing, missing):
        values = form_from_spec(DEMO.with_overrides([f"model.name_or_path={folder}"]))
        issues = review.check(ctx, values).issues
        assert [i.field for i in issues] == ["model.name_or_path"] and "--data-root" in issues[0].message
    inside = form_from_spec(DEMO.with_overrides([f"model.name_or_path={ctx.workspace.models_dir / 'demo'}"]))
    assert review.check(ctx, inside).issues == []
    hub = form_from_spec(DEMO.with_overrides(["model.name_or_path=Qwen/Qwen2.5-0.5B-Instruct"]))
    # (not for its place: offline and not cached it is refused for that, see the next test)
    assert not [i for i in review.check(ctx, hub).issues if "--data-root" in i.message]


def test_a_hub_model_neither_cached_nor_reachable_is_refused_by_the_review(ctx, monkeypatch, tmp_path):
    """The worker refuses it at once (backend.hub.model_unreachable): the Review says so before Start, once, under
    the field's name; a model in this machine's Hugging Face cache is taken offline."""
    from studio.wizard import review
    from studio.wizard.form import form_from_spec

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))  # read at import from HF_HUB_CACHE
    hub = form_from_spec(DEMO.with_overrides(["model.name_or_path=someone/not-here"]))
    issues = review.check(ctx, hub).issues
    assert [i.field for i in issues] == ["model.name_or_path"] and "hf download someone/not-here" in issues[0].message
    shown = review.problems_markdown(EN, issues)
    assert shown.count("model.name_or_path") == 1 and "someone/not-here is not in" in shown

    snapshot = tmp_path / "hub" / "models--someone--cached" / "snapshots" / "abc"  # as huggingface_hub lays it out
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("abc")
    cached = form_from_spec(DEMO.with_overrides(["model.name_or_path=someone/cached"]))
    assert not [i for i in review.check(ctx, cached).issues if i.field == "model.name_or_path"]


# -- the model's details in the page's language ----------------------------------------------------
def test_the_model_details_follow_the_pages_language(ctx):
    from studio.wizard.model import HUB_SEEN, describe
    from studio.wizard.model_info import ModelInfo, ModelInfoError

    zh = SimpleNamespace(**{**vars(ctx), "t": SessionStrings("zh")})
    text = describe(zh, "demo", "")
    assert "架构" in text and "参数量" in text and "对话模板" in text and "位置" in text
    assert "Architecture" not in text and "Where" not in text

    # A hub model is shown again in the new language from what it said (no hub request on a switch).
    HUB_SEEN.put("org/model", ModelInfo("llama (LlamaForCausalLM)", 1_000_000, False, True, "org/model", hub=True))
    again = describe(zh, "hub", "org/model", cached_only=True)
    assert "Hugging Face Hub：org/model" in again and "已找到" in again
    assert "Hugging Face hub: org/model" in describe(ctx, "hub", "org/model", cached_only=True)
    said = SessionStrings("en")["model.err.hub_unreachable"].format(reason="offline")  # as the English page had it
    HUB_SEEN.put("org/down", ModelInfoError(said).args[0])
    assert "无法连接 Hub" in describe(zh, "hub", "org/down", cached_only=True)
    assert describe(zh, "hub", "org/never-checked", cached_only=True) == ""


def test_the_demo_has_the_same_parameter_count_before_and_after_it_is_built(tmp_path, demo_models_dir):
    from backend.demo import demo_config
    from studio.wizard.model_info import describe_demo, model_config

    before, after = describe_demo(tmp_path), describe_demo(demo_models_dir)
    assert (before.params_exact, after.params_exact) == (False, True)
    assert before.params == after.params == 1_114_496  # the trained vocabulary (1,010), tied embeddings
    built = json.loads((demo_models_dir / "demo" / "config.json").read_text())
    assert demo_config()["vocab_size"] == built["vocab_size"]
    assert model_config("demo", "", tmp_path)["vocab_size"] == built["vocab_size"]


# -- a speed test on a shared machine -------------------------------------------------------------
def fake_probe(monkeypatch, during=lambda: None, per_step=0.5):
    from studio.wizard import speed

    def run(cmd, **kwargs):
        during()
        return subprocess.CompletedProcess(cmd, 0, stdout=json.dumps(
            {"startup_s": 5.0, "seconds_per_step": per_step, "steps": 4, "rows_per_step": 8, "device": "cpu"}) + "\n",
            stderr="")

    monkeypatch.setattr(speed.subprocess, "run", run)
    monkeypatch.setattr(speed, "_PACES", {})


def test_a_speed_test_taken_beside_a_job_is_not_the_pace_once_the_machine_is_idle(ctx, monkeypatch):
    from studio.wizard import speed

    spec = DEMO.with_overrides(["training.batch_size=4"])
    other = ctx.store.create_job(DEMO)
    ctx.store.mark_running(other, pid=1)
    fake_probe(monkeypatch, per_step=0.9)
    result = speed.measure(ctx, spec)
    assert result["busy"] == [other]
    assert speed.known_pace(ctx, spec) == (0.9, 5.0, "probe_busy")  # still busy: shown, marked
    ctx.store.mark_cancelled(other)
    assert speed.known_pace(ctx, spec) is None  # idle now: measure again
    fake_probe(monkeypatch, per_step=0.4)
    assert speed.measure(ctx, spec)["busy"] == []
    assert speed.known_pace(ctx, spec) == (0.4, 5.0, "probe")


def test_two_speed_tests_at_once_are_both_marked(ctx, monkeypatch):
    from studio.wizard import speed

    both = threading.Barrier(2, timeout=10)
    fake_probe(monkeypatch, during=both.wait)
    results = {}
    threads = [threading.Thread(target=lambda n=n: results.update(
        {n: speed.measure(ctx, DEMO.with_overrides([f"training.batch_size={n}"]))})) for n in (2, 3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results[2]["busy"] == ["probe"] and results[3]["busy"] == ["probe"]
    assert speed.known_pace(ctx, DEMO.with_overrides(["training.batch_size=2"])) is None
