"""Shared fixtures: the tiny demo model built once per test session, and fresh workspaces."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = ROOT.parent / "shared" / "datasets" / "llamafactory"
ARTIFACTS = ROOT / "test-artifacts"

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# No warm worker (backend/jobs/warm.py) outlives a test: tests/backend/jobs/test_warm.py turns it on for itself.
os.environ.setdefault("STUDIO_WARM", "0")


@pytest.fixture(scope="session")
def demo_models_dir(tmp_path_factory) -> Path:
    """A models/ folder holding the demo model, built once for the whole session."""
    from backend.demo import ensure_demo_model

    models = tmp_path_factory.mktemp("models")
    ensure_demo_model(models)
    return models


@pytest.fixture
def workspace(tmp_path, demo_models_dir):
    """A fresh workspace whose models/demo is the session's prebuilt demo model."""
    from backend.workspace import Workspace

    ws = Workspace.at(tmp_path / "ws")
    (ws.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
    return ws


@pytest.fixture
def store(workspace):
    from backend.store import JobStore

    return JobStore(workspace)


def python_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_python(code: str, timeout: int = 300, cwd=None):
    """Run a snippet in a fresh interpreter (a new process: nothing shared with the test)."""
    import subprocess

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          env=python_env(), cwd=cwd or ROOT)


def wait_for(predicate, timeout, what):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def scheduler(store):
    """The scheduler running real worker processes over the test's store; workers killed after."""
    from backend.jobs.scheduler import Scheduler

    sched = Scheduler(store, poll_s=0.1).start()
    yield sched
    sched.stop()
    for proc in sched.children.values():
        proc.kill()


def parameter_values(model) -> dict:
    """{name: value} of every parameter, a quantized base weight as the float matrix it stands for:
    bitsandbytes may store it differently over a run (repacked for its CPU kernel on an AVX-512 CPU), so
    tests that check frozen weights compare what they mean, the same way on every machine."""
    from backend.training.quantized import dequantized_weight, quantized_linears

    quantized = {f"{name}.weight": layer for name, layer in quantized_linears(model).items()}
    return {n: dequantized_weight(quantized[n]) if n in quantized else p.detach().clone()
            for n, p in model.named_parameters()}


def write_jsonl(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="session")
def stage_files(tmp_path_factory) -> dict[str, str]:
    """Tiny data of every kind for the stage tests: text, chats, preference pairs, kto labels, prompts."""
    d = tmp_path_factory.mktemp("stage_data")
    q = [f"What is {i} plus {i}?" for i in range(8)]
    return {
        "text": write_jsonl(d / "text.jsonl", [{"text": f"Nova is an assistant made by Studio. Note {i}: {q[i]}"}
                                          for i in range(8)]),
        "chat": write_jsonl(d / "chat.jsonl", [{"messages": [{"role": "user", "content": q[i]},
                                                        {"role": "assistant", "content": f"{2 * i}"}]}
                                          for i in range(8)]),
        "preference": write_jsonl(d / "pref.jsonl", [{"prompt": q[i], "chosen": f"It is {2 * i}.",
                                                 "rejected": f"Maybe {2 * i + 1}?"} for i in range(8)]),
        "kto": write_jsonl(d / "kto.jsonl", [{"prompt": q[i], "completion": f"It is {2 * i + i % 2}.",
                                         "label": i % 2 == 0} for i in range(8)]),
        "prompt": write_jsonl(d / "prompts.jsonl", [{"prompt": q[i], "reference": f"{2 * i}"} for i in range(8)]),
    }


@pytest.fixture(scope="session")
def stage_ws(tmp_path_factory, demo_models_dir):
    """A workspace whose demo model is the session's (no rebuild)."""
    from backend.workspace import Workspace

    w = Workspace.at(tmp_path_factory.mktemp("ws"))
    (w.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
    return w


@pytest.fixture(scope="session")
def demo_job(tmp_path_factory, demo_models_dir):
    """One real demo job, trained once for the tests of what comes after training (eval, exports,
    tracking): 60 steps of templates/demo.yaml with a 10% eval split, in-process through the worker's
    own _train. Returns (workspace, job_dir)."""
    from backend.jobs.worker import StopRequest, _train
    from backend.resources import DEMO_SPEC
    from backend.spec import JobSpec
    from backend.store import JobStore
    from backend.workspace import Workspace

    ws = Workspace.at(tmp_path_factory.mktemp("demo-job") / "ws")
    (ws.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
    store = JobStore(ws)
    spec = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")).with_overrides(
        ["training.max_steps=60", "data.eval_split=0.1", "training.save_minutes=0", "training.device=cpu"])
    job_id = store.create_job(spec, state="running")
    _train(store, job_id, store.job_dir(job_id), ws, StopRequest())
    return ws, store.job_dir(job_id)


@pytest.fixture(scope="session")
def demo_vl_models_dir(tmp_path_factory) -> Path:
    """A models/ folder holding the vision-language demo (demo-vl), built once for the whole session."""
    from backend.demo_vlm import ensure_demo_vlm

    models = tmp_path_factory.mktemp("vl-models")
    ensure_demo_vlm(models)
    return models


def vl_workspace(root: Path, demo_vl_models_dir: Path):
    """A workspace at `root` whose models/demo-vl is the session's."""
    from backend.workspace import Workspace

    ws = Workspace.at(root)
    (ws.models_dir / "demo-vl").symlink_to(demo_vl_models_dir / "demo-vl", target_is_directory=True)
    return ws


@pytest.fixture(scope="session")
def vlm_job(tmp_path_factory, demo_vl_models_dir):
    """One real vision-language job, trained once for the tests of what comes after (chat, export): 90 steps of
    templates/demo_vl.yaml (LoRA on demo-vl's language model, mllm_demo), in-process through the worker's own
    _train (90 steps, the template's own length: at 45 the loss is still ~3.6 and greedy replies are noise; at
    90 it is ~1.0 and the replies are mllm_demo's answers). Returns (workspace, job_dir)."""
    from backend.jobs.worker import StopRequest, _train
    from backend.resources import DEMO_VL_SPEC
    from backend.spec import JobSpec
    from backend.store import JobStore

    ws = vl_workspace(tmp_path_factory.mktemp("vlm-job") / "ws", demo_vl_models_dir)
    store = JobStore(ws)
    spec = JobSpec.from_yaml(DEMO_VL_SPEC.read_text(encoding="utf-8")).with_overrides(
        ["training.max_steps=90", "training.save_minutes=0", "training.device=cpu"])
    job_id = store.create_job(spec, state="running")
    _train(store, job_id, store.job_dir(job_id), ws, StopRequest())
    return ws, store.job_dir(job_id)


@pytest.fixture(scope="session")
def bench_job(tmp_path_factory, demo_job):
    """The demo job, copied into a workspace of its own with a store row (succeeded), then benchmarked once by
    the real `studio bench JOB --limit 4 --json` (lm-evaluation-harness, the local task studio_mini) in a process
    of its own; a gsm8k entry was saved before, for the merge. Returns (workspace, store, job_id, the CLI's
    report as parsed JSON, the earlier entry). The demo job's own folder is left as it was."""
    import shutil
    import subprocess

    from backend.bench import results
    from backend.spec import JobSpec
    from backend.store import JobStore
    from backend.workspace import Workspace

    ws_demo, demo_dir = demo_job
    ws = Workspace.at(tmp_path_factory.mktemp("bench-job") / "ws")
    (ws.models_dir / "demo").symlink_to((ws_demo.models_dir / "demo").resolve(), target_is_directory=True)
    store = JobStore(ws)
    job_id = store.create_job(JobSpec.from_yaml((demo_dir / "spec.yaml").read_text(encoding="utf-8")))
    job_dir = store.job_dir(job_id)
    for name in ("adapter", "plots"):
        shutil.copytree(demo_dir / name, job_dir / name)
    for name in ("spec.yaml", "summary.json"):
        shutil.copy(demo_dir / name, job_dir / name)
    store.mark_running(job_id, 0)
    store.mark_succeeded(job_id, 1.0)
    earlier = {"task": "gsm8k", "version": "3.0", "lm_eval_version": "0.4.13", "chat_template": True, "limit": 2,
               "num_fewshot": 5, "date": "2026-12-01 10:00:00",
               "rows": [{"task": "gsm8k", "version": "3.0", "metric": "exact_match (strict-match)", "base": 0.0,
                         "base_stderr": 0.0, "tuned": 0.5, "tuned_stderr": 0.5, "n": 2}]}
    results.save(job_dir, [earlier])
    done = subprocess.run([sys.executable, "-m", "studio.cli", "bench", job_id, "--limit", "4", "--json",
                           "--workspace", str(ws.root)], capture_output=True, text=True, timeout=300,
                          env=python_env(), cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return ws, store, job_id, json.loads(done.stdout), earlier


@pytest.fixture(scope="session")
def shared_studio(tmp_path_factory, demo_models_dir):
    """One `studio`, started once, for the browser tests that never start a job (guidance, language,
    method): each opens a browser of its own, so no page state carries over. Its workspace has the
    session's demo model. Yields (url, workspace root)."""
    from backend.workspace import Workspace
    from tests.browser.helpers import studio_process

    root = tmp_path_factory.mktemp("shared-studio")
    ws = Workspace.at(root / "ws")
    (ws.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
    with studio_process(ws.root, root / "studio-shared.log") as url:
        yield url, ws.root


def warm_servers(root: Path) -> list[int]:
    """The warm workers (backend/jobs/warm.py) of the workspace at `root`."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"backend.jobs.warm" in cmd and str(root).encode() in cmd:
                pids.append(int(proc.name))
    return pids


@pytest.fixture
def warm_on(monkeypatch, store):
    """The warm worker on (the product's default; the suite turns it off), stopped after the test."""
    monkeypatch.setenv("STUDIO_WARM", "1")
    monkeypatch.setenv("STUDIO_WARM_IDLE_S", "60")
    yield
    for pid in warm_servers(store.workspace.root):
        os.kill(pid, signal.SIGTERM)
