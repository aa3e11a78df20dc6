"""The export parity check on the session's demo job: the merged folder answers as base + adapter (same prompt
strings and ids, stop tokens, greedy replies, logits within 1e-4), and a drifted export (its chat template and
end-of-turn token changed, as LLaMA-Factory #7238 / Unsloth #3899 report) is caught with what differs."""

from __future__ import annotations

import json
import shutil

from backend.export.merged import export_merged
from backend.export.parity import check_export
from backend.export.parity_table import parity_table


def results(report) -> dict:
    return {r["check"]: r["result"] for r in report["rows"]}


def test_merged_folder_matches_base_and_adapter(demo_job, demo_reference, tmp_path):
    ws, job_dir = demo_job
    merged = export_merged(job_dir, tmp_path / "merged-float32", dtype="float32", workspace=ws)
    report = check_export(job_dir, merged, "merged", ws, ref=demo_reference)
    assert report["ok"], parity_table(report)
    assert results(report) == {"prompt": "ok", "prompt_ids": "ok", "stop": "ok", "greedy": "ok", "logits": "ok"}
    logits = next(r for r in report["rows"] if r["check"] == "logits")
    assert 0 <= logits["max_diff"] <= 1e-4
    assert report["prompts"] == 5  # three fixed (English, Chinese, with a system turn) and two of the job's own
    assert any("你好" in "".join(m["content"] for m in p["messages"]) for p in demo_reference["prompts"])
    assert all(p["continuation"] for p in demo_reference["prompts"])
    saved = json.loads((job_dir / "exports" / "merged-float32.parity.json").read_text(encoding="utf-8"))
    assert saved["ok"] and saved["artifact"] == "merged-float32"


def test_a_drifted_export_is_reported_with_what_differs(demo_job, demo_reference, tmp_path):
    ws, job_dir = demo_job
    merged = export_merged(job_dir, tmp_path / "merged", dtype="float32", workspace=ws)
    drifted = tmp_path / "drifted"
    shutil.copytree(merged, drifted)
    template = drifted / "chat_template.jinja"
    template.write_text(template.read_text(encoding="utf-8").replace("'<|im_start|>assistant\\n'",
                                                                     "'<|im_start|>assistant\\n\\n'"), encoding="utf-8")
    config = json.loads((drifted / "tokenizer_config.json").read_text(encoding="utf-8"))
    config["eos_token"] = "<|endoftext|>"
    (drifted / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    gen = json.loads((drifted / "generation_config.json").read_text(encoding="utf-8"))
    gen["eos_token_id"] = 0
    (drifted / "generation_config.json").write_text(json.dumps(gen), encoding="utf-8")

    report = check_export(job_dir, drifted, "merged", ws, ref=demo_reference)
    got = results(report)
    assert not report["ok"]
    assert got["prompt"] == got["prompt_ids"] == got["stop"] == "mismatch"
    assert got["logits"] == "ok" and got["greedy"] in ("ok", "mismatch")  # the weights are the same
    detail = {r["check"]: r["detail"] for r in report["rows"]}
    assert "5 prompt(s)" in detail["prompt"] and "prompt 1, character 62" in detail["prompt"]
    assert detail["prompt"].endswith("job 'im_start|>assistant\\n' vs export 'im_start|>assistant\\n\\n'")
    assert "<|im_end|> (2)" in detail["stop"] and "<|endoftext|> (0)" in detail["stop"]
    table = parity_table(report)
    assert "WARNING: drifted does not match base + adapter: prompt, prompt_ids, stop" in table
    assert "| drifted | stop | MISMATCH |" in table
