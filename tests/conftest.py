"""Shared fixtures: the tiny demo model built once per test session, and fresh workspaces."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = ROOT.parent / "shared" / "datasets" / "llamafactory"
ARTIFACTS = ROOT / "test-artifacts"

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# No warm worker (backend/warm.py) outlives a test: tests/test_warm.py turns it on for itself.
os.environ.setdefault("STUDIO_WARM", "0")
# Under pytest-xdist (`-n 2` in pyproject's addopts) the workers share the cores: torch in each, and
# the training processes it starts (backend.training.model.cpu_threads reads OMP_NUM_THREADS), get
# their share instead of all cores but one each. On a 2-core machine that is 1 thread, as without xdist.
if os.environ.get("PYTEST_XDIST_WORKER_COUNT", "").isdigit():
    _cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, _cores // int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))))

# -- pytest-xdist: which tests share a worker, and in what order the work is handed out ------------
# pyproject's addopts run `-n 2 --dist loadscope --no-loadscope-reorder`, with the scope of a test
# defined here (xdist's own `loadgroup` marks are ignored since pytest 9.2: pytest-xdist issue #1386).
# A scope runs whole on one worker. Files sharing a session fixture that is costly to build (one demo
# job trained, one studio started) form one scope, so that only one worker pays for it; the two
# browser tests that train (a studio, Chromium and a training process each) never run at the same
# time; any other file is a scope of its own (its module fixtures built once), except the grid of
# small trainings, whose tests go out one by one to fill the end of the run. The longest scopes go
# first: one started last would run alone while the other worker waits.
XDIST_SCOPES = {
    "test_browser.py": "browser_train", "test_browser_data.py": "browser_train",
    "test_browser_guide.py": "shared_studio", "test_browser_method.py": "shared_studio",  # shared_studio
    **dict.fromkeys(["test_chat_compare.py", "test_evaluation.py", "test_export_gguf.py", "test_export_hub.py",
                     "test_export_merged.py", "test_tracking.py"], "demo_job"),  # the demo_job fixture
}
XDIST_SPLIT = {"test_grid.py"}
XDIST_FIRST = ["browser_train", "shared_studio", "test_queue.py", "test_resume.py", "test_browser_runs.py",
               "test_cli.py", "test_distributed.py", "test_scheduler.py", "demo_job", "test_worker_data.py",
               "test_studio_restart.py", "test_presets.py", "test_methods.py", "test_stages.py", "test_worker.py"]


def xdist_scope(nodeid: str) -> str:
    name = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return nodeid if name in XDIST_SPLIT else XDIST_SCOPES.get(name, name)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist's
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ScopeScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return ScopeScheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """In an xdist worker: the longest scopes first, the split ones last (all workers sort alike)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return

    def rank(item) -> int:
        scope = xdist_scope(item.nodeid)
        if scope in XDIST_FIRST:
            return XDIST_FIRST.index(scope)
        return len(XDIST_FIRST) + (scope == item.nodeid)

    items.sort(key=rank)  # stable: the order within a rank is kept


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
    from backend.scheduler import Scheduler

    sched = Scheduler(store, poll_s=0.1).start()
    yield sched
    sched.stop()
    for proc in sched.children.values():
        proc.kill()


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
    from backend.resources import DEMO_SPEC
    from backend.spec import JobSpec
    from backend.store import JobStore
    from backend.worker import StopRequest, _train
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
def shared_studio(tmp_path_factory, demo_models_dir):
    """One `studio`, started once, for the browser tests that never start a job (guidance, language,
    method): each opens a browser of its own, so no page state carries over. Its workspace has the
    session's demo model. Yields (url, workspace root)."""
    from backend.workspace import Workspace
    from tests.browser_helpers import studio_process

    root = tmp_path_factory.mktemp("shared-studio")
    ws = Workspace.at(root / "ws")
    (ws.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
    with studio_process(ws.root, root / "studio-shared.log") as url:
        yield url, ws.root
