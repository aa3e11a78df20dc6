"""Standard benchmarks, base vs tuned, through lm-evaluation-harness (lm-eval): `studio bench JOB`.

    backend/bench/tasks.py    the tasks offered: the shipped offline task studio_mini, lm-eval's standard ones
    backend/bench/run.py      load the job's model as the studio does, score base and tuned with lm-eval
    backend/bench/results.py  the scores as table rows; <job>/eval/benchmarks.json

Why lm-eval and not EvalScope: its HFLM takes an already-loaded model object, so base + adapter are scored
exactly as the studio loads them (a qlora job's base included), and it reads a task from a local YAML folder
with no network; it installs into the studio's environment as it is, where EvalScope 1.14 would move
transformers and datasets to other versions and bring ModelScope and Aliyun's SDKs (README: Standard benchmarks).
"""

from backend.bench.tasks import LOCAL_TASK, STANDARD_TASKS, BenchError

__all__ = ["LOCAL_TASK", "STANDARD_TASKS", "BenchError"]
