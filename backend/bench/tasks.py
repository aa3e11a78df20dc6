"""Which benchmark tasks the studio offers, and where lm-evaluation-harness finds them.

    LOCAL_TASK                     # "studio_mini": shipped in data/benchmarks/studio_mini/, runs offline
    STANDARD_TASKS                 # {"mmlu": "cais/mmlu", ...}: lm-eval's own tasks, data from the Hugging Face Hub
    manager = task_manager(tasks, tmp)  # an lm_eval TaskManager that knows the local task (and lm-eval's, when asked)
    check_available(tasks, manager)  # raises BenchError naming a task whose data cannot be fetched

The local task's YAML names its data files relative to its folder; lm-eval's `json` loader reads a path as
given, relative to the working directory, so each run writes a copy of the YAML files with absolute paths
into a temporary folder (removed after the run) and hands that folder to lm-eval (TaskManager(include_path=...)).
Nothing touches the network for it.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from backend.messages import msg
from backend.resources import DATA_DIR

LOCAL_TASK = "studio_mini"
LOCAL_DIR = DATA_DIR / "benchmarks" / LOCAL_TASK
LOCAL_TASKS = (LOCAL_TASK, f"{LOCAL_TASK}_en", f"{LOCAL_TASK}_zh")
# lm-eval's task (or group) name -> the Hub dataset it downloads: offered in the panel, named in the message
# when the data cannot be fetched. Any other lm-eval task name works from the command line too.
STANDARD_TASKS: dict[str, str] = {
    "mmlu": "cais/mmlu",
    "ceval-valid": "ceval/ceval-exam",
    "cmmlu": "haonan-li/cmmlu",
    "gsm8k": "openai/gsm8k",
    "arc_easy": "allenai/ai2_arc",
    "hellaswag": "Rowan/hellaswag",
}


class BenchError(RuntimeError):
    """What stops a benchmark run, as a message a person reads (a `bench.*` Message)."""


def split_tasks(tasks) -> list[str]:
    """["studio_mini", "gsm8k"] from "studio_mini,gsm8k" or a list of such strings: trimmed, no repeats."""
    items = [tasks] if isinstance(tasks, str) else list(tasks or [])
    names: list[str] = []
    for item in items:
        for name in str(item).split(","):
            name = name.strip()
            if name and name not in names:
                names.append(name)
    if not names:
        raise BenchError(msg("bench.no_tasks", local=LOCAL_TASK))
    return names


def is_local(name: str) -> bool:
    return name in LOCAL_TASKS


def write_local_task(out: Path) -> Path:
    """Write the local task's YAML files into the folder `out`, with their data files' absolute paths."""
    yamls = sorted(LOCAL_DIR.glob("*.yaml"))
    if not yamls:
        raise BenchError(msg("bench.local_missing", path=str(LOCAL_DIR)))
    out = Path(out)
    for path in yamls:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        files = (config.get("dataset_kwargs") or {}).get("data_files")
        if isinstance(files, dict):
            config["dataset_kwargs"]["data_files"] = {split: str(LOCAL_DIR / f) for split, f in files.items()}
        (out / path.name).write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def task_manager(tasks: list[str], folder: Path):
    """A TaskManager that knows the local task (written into `folder`, a temporary folder the caller removes),
    and lm-eval's own ~14,000 when a task is not local (indexing those takes seconds: a local-only run skips it)."""
    from lm_eval.tasks import TaskManager

    standard = any(not is_local(name) for name in tasks)
    return TaskManager(include_path=str(write_local_task(folder)), include_defaults=standard)


def check_available(tasks: list[str], manager) -> None:
    """Raise BenchError for the first task lm-eval does not know, or whose data cannot be fetched now
    (offline, HF_HUB_OFFLINE=1, the Hub unreachable), before any model is loaded. Loading a task downloads
    its data into the datasets cache; the run after this reads it from there."""
    for name in tasks:
        if name not in manager.all_tasks:
            raise BenchError(msg("bench.unknown_task", task=repr(name), local=LOCAL_TASK,
                                 known=", ".join(STANDARD_TASKS)))
        if is_local(name):
            continue
        try:
            manager.load([name])
        except (OSError, ValueError, RuntimeError) as e:  # ConnectionError is an OSError; the Hub's errors too
            raise BenchError(msg("bench.needs_hub", task=name, dataset=dataset_of(name, e),
                                 reason=f"{type(e).__name__}: {e}", local=LOCAL_TASK)) from e


def dataset_of(task: str, error: BaseException | None = None) -> str:
    """The Hub dataset behind `task`: the one the error names, else the one this module knows."""
    found = re.search(r"'([\w.-]+/[\w.-]+)'", str(error or ""))
    if found:
        return found.group(1)
    return STANDARD_TASKS.get(task, "?")
