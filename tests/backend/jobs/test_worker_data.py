"""The worker process end to end on user data: two files of different formats mixed with an eval
split, and a tool-calling sharegpt file. Real `python -m backend.jobs.worker` runs, output in log.txt."""

import json
import math

from backend.jobs.scheduler import spawn_worker
from backend.spec import JobSpec

TRAINING = {"max_steps": 6, "batch_size": 4, "max_length": 256, "logging_steps": 2, "eval_steps": 3,
            "learning_rate": 2e-3}
TOOLS = [{"name": "get_weather", "description": "Current weather of a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]
CITIES = ["Paris", "Oslo", "Lima", "Rome", "Cairo"]


def run_job(store, data: dict, training: dict | None = None, expect: int = 0, timeout=120):
    """Queue a job with this data section, run the worker as the scheduler does; its log and metrics."""
    spec = JobSpec.from_dict({"data": data, "training": {**TRAINING, **(training or {})}})
    job_id = store.create_job(spec)
    proc = spawn_worker(store, job_id)
    try:
        code = proc.wait(timeout=timeout)
    finally:
        proc.kill()
    log = (store.job_dir(job_id) / "log.txt").read_text(encoding="utf-8")
    assert code == expect, log[-4000:]
    if expect:
        return store.get(job_id), log, []
    job = store.get(job_id)
    assert job.state == "succeeded", log[-4000:]
    return job, log, store.read_metrics(job_id)


def test_two_files_mixed_with_an_eval_count(store, tmp_path):
    alpaca = [{"instruction": f"What is {i} plus {i}?", "input": "", "output": f"{i} plus {i} is {2 * i}."}
              for i in range(40)]
    (tmp_path / "sums.json").write_text(json.dumps(alpaca), encoding="utf-8")
    chats = [json.dumps({"messages": [{"role": "system", "content": "Be brief."},
                                      {"role": "user", "content": f"Say hello to {name}"},
                                      {"role": "assistant", "content": f"Hello, {name}!"}]})
             for name in [f"friend {i}" for i in range(30)]]
    chats.append(json.dumps({"messages": [{"role": "user", "content": "left without a reply"}]}))
    (tmp_path / "greetings.jsonl").write_text("\n".join(chats) + "\n", encoding="utf-8")

    data = {"train": f"{tmp_path / 'sums.json'},{tmp_path / 'greetings.jsonl'}", "mix": [20, 0.5], "eval_split": 5}
    job, log, metrics = run_job(store, data)

    assert "data: sums.json: 40 rows read, 40 usable, 20 taken (format alpaca: " in log
    assert "data: greetings.jsonl: 31 rows read, 30 usable, 15 taken (format messages: " in log
    assert "greetings.jsonl: skipped row 31 (messages): the conversation ends with a user turn" in log
    assert "30 training rows, 5 eval rows" in log  # 20 + 15 taken, 5 held out
    losses = [m["loss"] for m in metrics if m.get("loss") is not None]
    evals = [m["eval_loss"] for m in metrics if m.get("eval_loss") is not None]
    assert losses and all(math.isfinite(x) for x in losses)
    assert len(evals) == 2 and all(math.isfinite(x) for x in evals)  # at steps 3 and 6
    assert math.isfinite(job.final_loss)


def tool_row(i: int) -> dict:
    city = CITIES[i % len(CITIES)]
    sky = ["sunny", "rainy", "cloudy"][i % 3]
    turns = [{"from": "human", "value": f"What is the weather in {city}?"},
             {"from": "function_call", "value": json.dumps({"name": "get_weather", "arguments": {"city": city}})},
             {"from": "observation", "value": json.dumps({"city": city, "sky": sky})},
             {"from": "gpt", "value": f"It is {sky} in {city}."}]
    if i % 4 == 0:  # a plain reply needs no tool
        turns = [{"from": "human", "value": f"Say hi {i}"}, {"from": "gpt", "value": "Hi!"}]
    return {"conversations": turns, "tools": json.dumps(TOOLS)}


def test_tool_calling_sharegpt_file_with_a_tools_column(store, tmp_path):
    path = tmp_path / "weather_tools.json"
    path.write_text(json.dumps([tool_row(i) for i in range(20)]), encoding="utf-8")
    # The tool list alone is ~450 demo-tokenizer tokens; a row is up to ~630.
    job, log, metrics = run_job(store, {"train": str(path)}, {"max_length": 768})
    assert "data: weather_tools.json: 20 rows read, 20 usable, 20 taken (format sharegpt: " in log
    assert "20 training rows, 0 eval rows" in log
    assert "rows dropped" not in log and "left out" not in log  # every reply fits in max_length
    losses = [m["loss"] for m in metrics if m.get("loss") is not None]
    assert losses and all(math.isfinite(x) for x in losses)


def test_rows_that_all_fall_past_max_length_fail_as_a_dataset_error(store, tmp_path):
    path = tmp_path / "weather_tools.json"
    path.write_text(json.dumps([tool_row(i) for i in range(1, 20, 4)]), encoding="utf-8")  # tool rows only
    job, log, _ = run_job(store, {"train": str(path)}, {"max_length": 256}, expect=1)
    assert job.state == "failed" and job.error.kind == "dataset"
    # refused before the model loads (backend/data/fit.py): how many, why, and a max_length to try
    assert job.error.message.startswith("none of the 5 rows can train at max_length=256: 5 whose prompt alone fills "
                                        "max_length (no room for a reply token). Raise `training.max_length` to ")
    # what the worker process recorded keeps its ids (the page shows it in its language)
    assert job.error.message.id == "rows.fit_none_left" and job.error.hint.id == "training.fix_data_hint"
    assert "StopIteration" not in log
