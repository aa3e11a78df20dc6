"""A few measured training steps, to say how long the whole run will take on this machine.

    python -m backend.jobs.probe --workspace ~/.finetune-studio job.yaml --steps 4
    # stdout, one line: {"startup_s": 6.1, "seconds_per_step": 0.21, "steps": 4, "rows_per_step": 8,
    #                    "device": "cpu"}   or {"error": "...", "error_ref": {...}} with exit code 2

    from backend.jobs.probe import measure, estimate_seconds
    result = measure(spec, workspace, steps=4)
    estimate_seconds(total_steps(spec, n_rows), result)

Formulas (backend.plan.estimate) guess; this measures: the real model, data, method and threads, built
exactly as the worker builds them, for `steps + 1` optimizer steps (the first is warm-up and not
counted). The UI runs it as a separate process, because the UI never imports torch. Nothing is
written into the workspace's jobs/ and no job is created: the run lives in a temporary folder that
is removed afterwards, without checkpoints, evaluation or exports. (The tokenized data lands in the
workspace's cache as for a real run, which then starts sooner.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from backend.messages import Message, msg
from backend.spec import JobSpec
from backend.workspace import Workspace

log = logging.getLogger("studio.probe")


@dataclass(frozen=True)
class ProbeResult:
    startup_s: float  # imports, data and model load, until the trainer is ready
    seconds_per_step: float  # median optimizer step after the warm-up step
    steps: int  # steps measured (the warm-up step not counted)
    rows_per_step: int  # rows one optimizer step takes (batch x accumulation x processes)
    device: str  # "cpu", "cuda", ...


def probe_spec(spec: JobSpec, steps: int) -> JobSpec:
    """The spec cut down to a measurement: steps + 1 steps, logging each, no eval, checkpoints or exports."""
    raw = spec.to_dict()
    raw["training"].update(max_steps=steps + 1, logging_steps=1, save_steps=0, save_minutes=0.0, eval_steps=0,
                           early_stopping_patience=0, report_to=[], sample_prompts=0)  # a measurement is no run to track
    raw["data"].update(eval="", eval_split=0.0)
    raw["export"]["formats"] = []
    return JobSpec.from_dict(raw)


def measure(spec: JobSpec, workspace: Workspace, steps: int = 4) -> ProbeResult:
    """Train `steps + 1` real steps of `spec` in a temporary job folder and time them."""
    if steps < 1:
        raise ValueError(f"`steps` must be at least 1, got {steps!r}.")
    t0 = time.perf_counter()
    spec = probe_spec(spec, steps)
    from backend.data.load import load_data

    data = load_data(spec.data, workspace.root)
    from backend.training.model import hide_unused_packages

    hide_unused_packages(spec)
    from transformers.trainer_callback import ProgressCallback

    from backend.training.callback import JobReporter
    from backend.training.run import build_run

    with tempfile.TemporaryDirectory(prefix="studio-probe-") as tmp:
        job_dir = Path(tmp)
        run = build_run(spec, job_dir, workspace, JobReporter(job_dir), data=data)
        startup_s = time.perf_counter() - t0
        timer = _step_timer()
        run.trainer.add_callback(timer)
        run.trainer.remove_callback(ProgressCallback)  # no progress bar: stdout carries the answer
        run.trainer.train()
        device = run.trainer.args.device.type
    durations = timer.durations()
    if len(durations) < 2:
        from backend.training.errors import TrainingError

        raise TrainingError("probe", msg("jobs.probe_too_few_steps", steps=len(durations)),
                            msg("jobs.probe_too_few_steps_hint"))
    t = spec.training
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    return ProbeResult(startup_s=round(startup_s, 3), seconds_per_step=round(statistics.median(durations[1:]), 4),
                       steps=len(durations) - 1, rows_per_step=t.batch_size * t.gradient_accumulation_steps * world,
                       device=device)


def estimate_seconds(total_steps: int, result: ProbeResult) -> float:
    """Wall time of a whole run of `total_steps` steps: start-up plus steps at the measured pace
    (evaluation and checkpoint saving come on top)."""
    return result.startup_s + max(0, total_steps) * result.seconds_per_step


def _sync() -> None:
    """Wait for the GPU, so a step's time is its work, not just its launch."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def _step_timer():
    """A TrainerCallback recording when training began and when each optimizer step ended (built
    here, not at import, so `import backend.jobs.probe` stays light for the UI)."""
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def __init__(self):
            self.begin: float | None = None
            self.ends: list[float] = []

        def on_train_begin(self, args, state, control, **kwargs):
            self.begin = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            _sync()
            self.ends.append(time.perf_counter())

        def durations(self) -> list[float]:
            """Seconds of each step, the first (warm-up) included."""
            marks = [self.begin, *self.ends] if self.begin is not None else []
            return [b - a for a, b in zip(marks, marks[1:])]

    return StepTimer()


# -- command line -----------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.jobs.probe", description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", help="the job spec YAML to measure")
    parser.add_argument("--workspace", help="the studio workspace (default: $STUDIO_WORKSPACE or ~/.finetune-studio)")
    parser.add_argument("--steps", type=int, default=4, help="steps to measure after one warm-up step (default 4)")
    args = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    studio = logging.getLogger("studio")
    studio.handlers[:] = [handler]
    studio.setLevel(logging.INFO)

    answer, code = _run(args)
    print(json.dumps(answer), flush=True)
    return code


def _run(args) -> tuple[dict, int]:
    """(the JSON answer, exit code); every failure becomes a sentence, never a traceback."""
    from backend.data.read import DataError
    from backend.spec import SpecError

    try:
        text = Path(args.spec).read_text(encoding="utf-8")
    except OSError as e:
        return _error(msg("jobs.probe_cannot_read_spec", path=args.spec, error=e.strerror or e)), 2
    if args.steps < 1:
        return _error(msg("jobs.probe_bad_steps", steps=args.steps)), 2
    try:
        spec = JobSpec.from_yaml(text)
        workspace = Workspace.at(args.workspace) if args.workspace else Workspace.default()
        with _stdout_to_stderr():  # libraries print progress to stdout; it must carry only the answer
            result = measure(spec, workspace, args.steps)
    except SpecError as e:
        return _error(msg("jobs.probe_bad_spec", path=args.spec, error=e)), 2
    except Exception as e:  # noqa: BLE001 - the UI shows the sentence; the reason goes to stderr too
        from backend.training.errors import TrainingError, explain

        error = explain(e)
        log.error("probe failed (%s): %s", error.kind, error.message)
        known = isinstance(e, (DataError, TrainingError, OSError, ValueError, ImportError, MemoryError))
        said = msg("jobs.probe_failed", message=error.message, hint=error.hint) if error.hint else error.message
        return _error(said), 2 if known else 1
    return asdict(result), 0


def _error(message: str) -> dict:
    """The answer for a failure: {"error": its English text, "error_ref": its id and values (Message.to_json())}
    so the studio (studio/wizard/speed.py) shows it in the page's language; no "error_ref" for plain text."""
    answer = {"error": str(message)}
    if isinstance(message, Message):
        answer["error_ref"] = message.to_json()
    return answer


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send Python's and the C libraries' stdout to stderr while the block runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


if __name__ == "__main__":
    sys.exit(main())
