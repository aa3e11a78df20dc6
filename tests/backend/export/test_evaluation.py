"""`studio eval`: base vs tuned on the eval prompts of a real demo job, with scores. The demo base
model is random, so after 60 steps the tuned model must score above it; greedy replies, so the
table is the same on a second run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from backend.evaluation import EvalError, evaluate_job, scores, tokens
from tests.conftest import python_env


def test_scores_count_chinese_characters_and_english_words():
    assert tokens("我是 Nova, an AI") == ["我", "是", "nova", "an", "ai"]
    same = scores([("我是 Nova。", "我是 Nova。")])
    assert same == {"exact_match": 1.0, "rouge_l": 1.0, "bleu": pytest.approx(100.0, abs=0.01)}
    half = scores([("我是 Nova", "我叫 Nova")])
    assert half["exact_match"] == 0.0 and 0.5 <= half["rouge_l"] < 1.0  # rouge-score alone would give 0 here
    assert scores([("xyz", "我是 Nova")])["rouge_l"] == 0.0


@pytest.fixture
def job(demo_job):
    return demo_job


def test_tuned_beats_base_on_the_held_out_prompts(job):
    ws, job_dir = job
    report = evaluate_job(job_dir, ws, rows=9, max_new_tokens=24)
    s = report["scores"]
    assert s["rows"] == 9 and s["source"] == "eval split"
    assert s["tuned"]["rouge_l"] > s["base"]["rouge_l"] + 0.1, s
    rows = [json.loads(line) for line in (job_dir / "eval" / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 9 and set(rows[0]) == {"prompt", "reference", "base", "tuned"}
    assert json.loads((job_dir / "eval" / "scores.json").read_text())["tuned"] == s["tuned"]
    again = evaluate_job(job_dir, ws, rows=2, max_new_tokens=24)["results"]
    assert [r["tuned"] for r in again] == [r["tuned"] for r in rows[:2]]  # greedy: the same replies


def test_cli_reports_and_refuses_what_it_cannot_evaluate(job, tmp_path, capsys):
    ws, job_dir = job
    run = [sys.executable, "-m", "studio.cli", "eval", "--workspace", str(ws.root)]
    done = subprocess.run([*run, job_dir.name, "--rows", "2", "--json"], capture_output=True, text=True,
                          env=python_env(), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["scores"]["rows"] == 2
    from studio.cli import main

    assert main(["eval", "no-such-job", "--workspace", str(ws.root)]) == 2
    assert "no job 'no-such-job'" in capsys.readouterr().err
    empty = tmp_path / "job"
    (empty / "adapter").mkdir(parents=True)
    (empty / "spec.yaml").write_text((job_dir / "spec.yaml").read_text())
    with pytest.raises(EvalError, match="no trained adapter"):
        evaluate_job(empty, ws)


def test_a_held_out_row_ending_in_a_tool_call_has_the_call_as_its_reference(job, tmp_path):
    # glaive_toolcall's rows may end with a function_call turn: the reference shown was empty and the scores
    # compared the replies with "". The call (as the data writes it) is the reference; the tools go to the template.
    from backend.evaluation import _text_results, eval_prompts, reference_of

    ws, job_dir = job
    tools = json.dumps([{"name": "get_weather", "description": "Weather of a city",
                         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}])
    rows = [{"conversations": [{"from": "human", "value": f"Weather in {city}?"},
                               {"from": "function_call",
                                "value": json.dumps({"name": "get_weather", "arguments": {"city": city}})}],
             "tools": tools} for city in ("Oslo", "Lima", "Pune", "Kyiv", "Baku", "Doha")]
    (ws.root / "calls.json").write_text(json.dumps(rows))
    from backend.spec import JobSpec

    spec = JobSpec.from_yaml((job_dir / "spec.yaml").read_text()).with_overrides(
        ["data.train=calls.json", "data.eval_split=2", "data.shuffle=false"])
    examples, source = eval_prompts(spec, ws, rows=2)
    assert source == "eval split" and len(examples) == 2 and all(e["tools"] for e in examples)
    results = _text_results(job_dir, spec, ws, examples, max_new_tokens=4)
    for r in results:
        city = r["prompt"].split()[-1].rstrip("?")
        assert json.loads(r["reference"]) == {"name": "get_weather", "arguments": {"city": city}}, r
        assert isinstance(r["tuned"], str) and isinstance(r["base"], str)
    assert reference_of({"role": "assistant", "content": "Let me look.", "tool_calls": [
        {"type": "function", "function": {"name": "f", "arguments": {"x": "å"}}}]}) == \
        'Let me look.\n{"name": "f", "arguments": {"x": "å"}}'
