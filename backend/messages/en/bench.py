"""English messages: bench (ids `bench.*`): standard benchmarks (backend/bench/)."""

EN: dict[str, str] = {
    # backend/bench/tasks.py
    "bench.no_tasks": "no benchmark task given: name at least one, e.g. `--tasks {local}`.",
    "bench.unknown_task": "{task} is no lm-evaluation-harness task; try {local} (offline) or one of {known}.",
    "bench.needs_hub": "the data of the task {task} comes from the Hugging Face Hub (dataset {dataset}) and cannot "
                       "be fetched here ({reason}). Run it online once (unset HF_HUB_OFFLINE; the data is then cached "
                       "for offline runs), or set HF_ENDPOINT to a Hub mirror you can reach. The local task {local} "
                       "runs offline.",
    "bench.local_missing": "the local benchmark's files are missing from {path}; reinstall finetune-studio.",
    # backend/bench/run.py
    "bench.no_job": "no job {job} in {jobs}.",
    "bench.unfinished": "job {job} has no trained adapter yet; benchmark a succeeded job.",
    "bench.score_head": "a {stage} job scores replies with a score head and has no language-model head to answer "
                        "benchmark questions.",
    "bench.bad_limit": "`limit` must be at least 1 (items per task), got {limit}.",
    "bench.bad_batch_size": "`batch_size` must be at least 1, got {batch_size}.",
    "bench.run_failed": "lm-evaluation-harness failed on the task {task} ({type}: {error}).",
    "bench.no_results": "lm-evaluation-harness returned no scores for the task {task}.",
    # backend/bench/run.py: a vision-language job
    "bench.vision_refused": "job {job} fine-tuned the vision-language model {model}; the benchmarks here "
                            "(lm-evaluation-harness) ask text-only questions of a text model and cannot run it.",
    "bench.vision_refused_hint": "Compare base and tuned on the job's own image rows with `studio eval {job}` (the "
                                 "Evaluate button), or chat with an image.",
    "bench.refused": "{reason}\nwhat to try: {hint}",
}
