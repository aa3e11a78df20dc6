"""`studio bench` for real: lm-evaluation-harness scores the demo job's base and tuned model on the local task
(the session's `bench_job`: one run of `studio bench JOB --limit 4 --json`), and refuses what cannot run with a
message that names the task and what to do."""

from __future__ import annotations

import json

import pytest

from backend.bench import results
from backend.bench.run import run_benchmarks
from backend.bench.tasks import BenchError

LIMIT = 4


def test_base_and_tuned_scored_with_the_task_version_and_n(bench_job):
    import lm_eval

    _, _, _, report, _ = bench_job
    assert report["tasks"] == ["studio_mini"]
    (entry,) = report["entries"]
    assert entry["version"] == "1.0" and entry["lm_eval_version"] == lm_eval.__version__
    assert entry["chat_template"] is True and entry["limit"] == LIMIT  # sft job: through its chat template
    rows = {(r["task"], r["metric"]): r for r in report["rows"]}
    assert set(rows) == {(task, metric) for task in ("studio_mini", "studio_mini_en", "studio_mini_zh")
                         for metric in ("acc", "acc_norm")}
    for (task, _), row in rows.items():
        assert row["version"] == "1.0"
        assert row["n"] == (2 * LIMIT if task == "studio_mini" else LIMIT)  # --limit is per task; the group: both
        for who in ("base", "tuned"):
            assert 0.0 <= row[who] <= 1.0
        assert row["delta"] == pytest.approx(row["tuned"] - row["base"])


def test_the_adapter_is_applied_and_the_scores_are_the_items(bench_job):
    """Each item's four choice log-likelihoods differ between the columns (the base is the adapter switched
    off), and acc is the share of items whose most likely choice is the answer, in each column."""
    ws, store, job_id, report, _ = bench_job
    items = [json.loads(line) for line in
             (store.job_dir(job_id) / "eval" / results.ITEMS_DIR / "studio_mini.jsonl").read_text().splitlines()]
    assert sorted({i["task"] for i in items}) == ["studio_mini_en", "studio_mini_zh"]
    assert len(items) == 2 * LIMIT
    for item in items:
        assert len(item["base"]) == len(item["tuned"]) == 4
        assert item["base"] != item["tuned"]
        for who in ("base", "tuned"):
            best = max(range(4), key=lambda k, lls=item[who]: lls[k])
            assert item[f"{who}_score"] == float(best == item["target"])
    rows = {(r["task"], r["metric"]): r for r in report["rows"]}
    for task in ("studio_mini_en", "studio_mini_zh"):
        mine = [i for i in items if i["task"] == task]
        for who in ("base", "tuned"):
            assert rows[(task, "acc")][who] == pytest.approx(sum(i[f"{who}_score"] for i in mine) / len(mine))


def test_benchmarks_json_merges_runs_of_other_tasks(bench_job, capsys):
    from studio.cli.commands import main

    ws, store, job_id, report, earlier = bench_job
    saved = results.load(store.job_dir(job_id))
    assert list(saved["tasks"]) == ["gsm8k", "studio_mini"]
    assert saved["tasks"]["gsm8k"] == earlier  # kept as it was
    assert saved["tasks"]["studio_mini"] == report["entries"][0]
    assert report["path"] == str(store.job_dir(job_id) / "eval" / "benchmarks.json")

    assert main(["bench", job_id, "--show", "--json", "--workspace", str(ws.root)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [r["task"] for r in shown["rows"]][:1] == ["gsm8k"] and shown["rows"][1:] == report["rows"]
    assert main(["bench", job_id, "--show", "--workspace", str(ws.root)]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].split() == ["task", "version", "metric", "base", "tuned", "delta", "n"]
    assert "studio_mini_zh  1.0      acc_norm" in text


def test_an_offline_standard_task_names_its_hub_data_and_the_fix(bench_job, capsys, monkeypatch):
    """HF_HUB_OFFLINE=1 (tests/conftest.py): gsm8k's data cannot be fetched. The run stops before any model
    loads, with the task, its dataset and what to do; nothing is written."""
    from studio.cli.commands import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ws, store, job_id, _, _ = bench_job
    before = (store.job_dir(job_id) / "eval" / "benchmarks.json").read_bytes()
    assert main(["bench", job_id, "--tasks", "studio_mini,gsm8k", "--workspace", str(ws.root)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "error: the data of the task gsm8k comes from the Hugging Face Hub (dataset openai/gsm8k)" in err
    assert "HF_HUB_OFFLINE" in err and "HF_ENDPOINT" in err and "studio_mini runs offline" in err
    assert (store.job_dir(job_id) / "eval" / "benchmarks.json").read_bytes() == before


def test_bad_input_is_refused_with_a_message(bench_job, tmp_path):
    ws, store, job_id, _, _ = bench_job
    job_dir = store.job_dir(job_id)
    cases = [
        (dict(tasks="studio_mini", limit=0), "bench.bad_limit"),
        (dict(tasks=" , "), "bench.no_tasks"),
        (dict(tasks="studio_mini,no_such_task"), "bench.unknown_task"),
    ]
    for kwargs, message_id in cases:
        with pytest.raises(BenchError) as e:
            run_benchmarks(job_dir, ws, **kwargs)
        assert e.value.args[0].id == message_id, kwargs
    assert "'no_such_task' is no lm-evaluation-harness task" in str(e.value)
    unfinished = store.job_dir(store.create_job(store.load_spec(job_id)))
    with pytest.raises(BenchError) as e:
        run_benchmarks(unfinished, ws)
    assert e.value.args[0].id == "bench.unfinished"


def test_show_of_a_job_never_benchmarked_says_so(demo_job, capsys):
    """`studio bench JOB --show` before any run printed an empty table and "saved in <job>/eval/benchmarks.json", a
    file that is not there; now it says there are no scores yet and the command that makes them."""
    from studio.cli.commands import main

    ws, job_dir = demo_job
    assert not (job_dir / "eval" / results.FILE).exists()
    assert main(["bench", job_dir.name, "--show", "--workspace", str(ws.root)]) == 0
    out = capsys.readouterr().out
    assert f"no benchmark scores saved for job {job_dir.name} yet" in out and f"studio bench {job_dir.name}" in out
    assert "saved in" not in out and "task  version" not in out
