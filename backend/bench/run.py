"""Run benchmark tasks on a finished job, base and tuned, through lm-evaluation-harness.

    from backend.bench.run import run_benchmarks
    report = run_benchmarks(job_dir, workspace, tasks=["studio_mini"], limit=None)
    report["rows"]      # the base-vs-tuned table of the tasks run (backend.bench.results.table_rows)

The models are loaded as `studio eval` loads them (backend.evaluation.load_models): the adapter on the base
the job trained on (a qlora job's quantized base included); the base column is that same model with its
adapter switched off (`disable_adapter()`), a full or freeze job's base its own original folder. Each is
handed to lm-eval's HFLM as a loaded model, so lm-eval scores exactly what the studio trained.

Chat template: on by default for every stage but `pt`, in both columns alike: lm-eval renders each question as
a user turn through the job's chat template (the template the tuned model learnt; the same string for the
base) and scores the answer as the assistant's reply. `chat_template=False` gives lm-eval's raw prompts, as
published base-model scores are made. The choice is recorded with the scores.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from backend.bench import results
from backend.bench.tasks import BenchError, check_available, split_tasks, task_manager
from backend.messages import message_of, msg

log = logging.getLogger("studio.bench")


def check_job(job_dir: Path):
    """The job's spec, when the job can be benchmarked; else BenchError."""
    from backend.spec import JobSpec, get_stage

    job_dir = Path(job_dir)
    if not (job_dir / "spec.yaml").is_file():
        raise BenchError(msg("bench.no_job", job=job_dir.name, jobs=str(job_dir.parent)))
    adapter = job_dir / "adapter"
    if not adapter.is_dir() or not any(adapter.iterdir()):
        raise BenchError(msg("bench.unfinished", job=job_dir.name))
    spec = JobSpec.from_yaml((job_dir / "spec.yaml").read_text(encoding="utf-8"))
    if get_stage(spec.stage).score_head:
        raise BenchError(msg("bench.score_head", stage=spec.stage))
    from backend.export.vision_job import is_vision_job

    if is_vision_job(job_dir):  # lm-eval's HFLM runs text models on text questions
        raise BenchError(msg("bench.refused", reason=msg("bench.vision_refused", job=job_dir.name,
                                                         model=spec.model.name_or_path),
                             hint=msg("bench.vision_refused_hint", job=job_dir.name)))
    return spec


def run_benchmarks(job_dir: Path, workspace, tasks=("studio_mini",), limit: int | None = None,
                   chat_template: bool | None = None, batch_size: int = 8) -> dict:
    """Score base and tuned on each task; merge the entries into <job>/eval/benchmarks.json and return
    {"tasks": [...], "entries": [...], "rows": [...], "path": ...}."""
    names = split_tasks(tasks)
    if limit is not None and limit < 1:
        raise BenchError(msg("bench.bad_limit", limit=repr(limit)))
    if batch_size < 1:
        raise BenchError(msg("bench.bad_batch_size", batch_size=repr(batch_size)))
    spec = check_job(job_dir)
    if chat_template is None:
        chat_template = spec.stage != "pt"
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as folder:
        manager = task_manager(names, Path(folder))
        check_available(names, manager)  # before the model loads: a task that cannot run fails fast
        entries, items = _evaluate_all(job_dir, spec, workspace, names, manager, limit, chat_template, batch_size)
    path = results.save(job_dir, entries, items)
    return {"tasks": names, "entries": entries, "rows": results.table_rows({"tasks": {e["task"]: e for e in entries}}),
            "path": str(path)}


def _evaluate_all(job_dir, spec, workspace, names, manager, limit, chat_template, batch_size):
    from lm_eval.models.huggingface import HFLM

    from backend.data.tokenize import ensure_chat_template
    from backend.evaluation import EvalError, load_models

    try:
        tokenizer, tuned, base = load_models(Path(job_dir), spec, workspace)
    except EvalError as e:
        raise BenchError(message_of(e)) from e
    ensure_chat_template(tokenizer)
    tuned_lm = HFLM(pretrained=tuned, tokenizer=tokenizer, batch_size=batch_size)
    base_lm = tuned_lm if base is None else HFLM(pretrained=base, tokenizer=tokenizer, batch_size=batch_size)
    entries, items = [], {}
    for name in names:
        tuned_out = _evaluate(tuned_lm, name, manager, limit, chat_template)
        if base is None:
            with tuned.disable_adapter():  # the same model, its adapter off: the base the job trained on
                base_out = _evaluate(base_lm, name, manager, limit, chat_template)
        else:
            base_out = _evaluate(base_lm, name, manager, limit, chat_template)
        entries.append(results.task_entry(name, base_out, tuned_out, chat_template, limit))
        items[name] = results.item_rows(base_out, tuned_out)
        log.info("benchmark %s on %s: %s", name, Path(job_dir).name, entries[-1]["rows"])
    return entries, items


def _evaluate(lm, name: str, manager, limit, chat_template: bool) -> dict:
    import lm_eval

    try:
        out = lm_eval.simple_evaluate(model=lm, tasks=[name], task_manager=manager, limit=limit, log_samples=True,
                                      apply_chat_template=chat_template)
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as e:
        raise BenchError(msg("bench.run_failed", task=name, type=type(e).__name__, error=e)) from e
    if not out or not out.get("results"):
        raise BenchError(msg("bench.no_results", task=name))
    return out
