"""The studio in a browser: start-up to the first page, and how soon the Monitor shows a new metrics line.

    .venv/bin/python benchmarks/bench_ui.py [--repeats 3] [--lines 12] [--skip-startup] [--skip-monitor]

(a) Start-up. Each variant is started as its own process on a free port of 127.0.0.1, the way
the README's quick start does (`studio`, the console script, here with `--workspace` on a fresh
temporary workspace, `--port` and `--lang en`); the clock starts just before the process is
spawned. Measured: until `GET /` answers 200 (polled every 50 ms), and until Chromium (launched
beforehand, a fresh context each time, so nothing is cached) shows the first wizard content
(`#model-info` naming the demo's qwen2 model), the page being opened as soon as the GET
succeeded. Variants, interleaved, `--repeats` times each, medians reported:

- ours, the demo model already built (symlinked into the workspace, as on every start but the first);
- ours, a fresh workspace (the first start: the demo model is built by a background process);
- baseline: a minimal `gradio.Blocks` app with one Markdown, started with the same interpreter and
  environment, its text waited for the same way; the ratio is the studio's cost over gradio's own.

(b) Monitor delay. A job is put into the store in the `running` state before the studio starts,
its pid a live stand-in process whose command line names `backend.jobs.worker` and the job
directory (so the scheduler adopts it and never marks it interrupted; nothing trains). The
page is opened at `?job=ID` (the Monitor). Then `--lines` metrics lines, in the format of
`backend/training/callback.py`'s `on_log`, are appended to the job's metrics.jsonl at random
intervals (0.4-2.5 s, so at random phases of the Monitor's 1 s timer), progress.json rewritten and
the heartbeat beaten with each, as the worker does. The page records, with a MutationObserver and
a 50 ms interval check, the `Date.now()` at which each line's loss first appears in the stats
text (`#job-stats`) and its point count in `#loss-points`; the delay is that minus the
`time.time()` just after the line was written (one clock: the same machine).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.helpers import ARGS, CHROMIUM, free_port  # noqa: E402

BASELINE_APP = """\
import sys

import gradio as gr

with gr.Blocks(title="baseline") as demo:
    gr.Markdown("# Baseline app\\nOne Markdown, nothing else.", elem_id="baseline-text")
demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), inbrowser=False, share=False)
"""

# Records when each loss value / point count first shows in the Monitor (browser clock, ms).
OBSERVER_JS = """() => {
  window.__seenLoss = {}; window.__seenPoints = {};
  const check = () => {
    const now = Date.now();
    const stats = document.querySelector('#job-stats');
    const m = stats && stats.innerText.match(/Loss:\\s*([0-9.]+)/);
    if (m && !(m[1] in window.__seenLoss)) window.__seenLoss[m[1]] = now;
    const pts = document.querySelector('#loss-points textarea, #loss-points input');
    const p = pts && pts.value.match(/^(\\d+)/);
    if (p && !(p[1] in window.__seenPoints)) window.__seenPoints[p[1]] = now;
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true});
  setInterval(check, 50);
  check();
}"""


def studio_cmd(ws: Path, port: int) -> list[str]:
    script = Path(sys.executable).parent / "studio"
    head = [str(script)] if script.is_file() else [sys.executable, "-m", "studio.cli"]
    return [*head, "--workspace", str(ws), "--port", str(port), "--lang", "en"]


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}


def wait_200(url: str, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"no 200 from {url} within {timeout_s} s")


def pids_naming(text: str, also: bytes) -> list[int]:
    """Processes whose command line holds `text` and `also` (e.g. the demo build of one workspace)."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if text.encode() in cmd and also in cmd:
            out.append(int(proc.name))
    return out


def stop(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def server(cmd: list[str], log_path: Path):
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc, t0
    finally:
        stop(proc)
        log.close()


def link_demo(ws: Path, models: Path) -> None:
    (ws / "models").mkdir(parents=True, exist_ok=True)
    (ws / "models" / "demo").symlink_to(models / "demo", target_is_directory=True)


# ---------------------------------------------------------------- (a) start-up


def one_start(browser, variant: str, tmp: Path, models: Path, n: int) -> tuple[float, float, float]:
    """(seconds to GET / = 200, seconds to the first content in Chromium, of which in the page)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    if variant == "baseline":
        app = tmp / "baseline_app.py"
        app.write_text(BASELINE_APP, encoding="utf-8")
        cmd, selector, text = [sys.executable, str(app), str(port)], "#baseline-text", "Baseline app"
    else:
        ws = tmp / f"ws-{variant.split()[0]}-{n}"
        if variant.startswith("built"):
            link_demo(ws, models)
        cmd, selector, text = studio_cmd(ws, port), "#model-info", "qwen2"
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        with server(cmd, tmp / f"start-{variant.split()[0]}-{n}.log") as (proc, t0):
            wait_200(url, proc)
            http_s = time.perf_counter() - t0
            t_page = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.locator(selector).filter(has_text=text).first.wait_for(state="visible", timeout=120_000)
            shown_s = time.perf_counter() - t0
            in_page_s = time.perf_counter() - t_page
    finally:
        context.close()
        if variant.startswith("fresh"):  # the studio's background demo build outlives it: stop it
            for pid in pids_naming(str(ws), b"backend.demo"):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
    return http_s, shown_s, in_page_s


def bench_startup(browser, tmp: Path, models: Path, repeats: int) -> None:
    variants = ["built: ours, demo model built", "fresh: ours, fresh workspace (demo built meanwhile)",
                "baseline: minimal gradio Blocks, one Markdown"]
    results = {v: [] for v in variants}
    for n in range(repeats):
        for v in variants:
            r = one_start(browser, v, tmp, models, n)
            results[v].append(r)
            print(f"  run {n + 1} {v.split(':')[0]}: GET / 200 after {r[0]:.2f} s, content shown after {r[1]:.2f} s "
                  f"({r[2]:.2f} s in the page)", flush=True)
    base = [statistics.median(x[i] for x in results[variants[2]]) for i in range(3)]
    print()
    print(f"Start-up, median of {repeats} (seconds from spawning the process):")
    print()
    print("| variant | GET / = 200 | first content in Chromium | of which in the page | vs baseline (200 / shown) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for v in variants:
        med = [statistics.median(x[i] for x in results[v]) for i in range(3)]
        name = v.split(": ", 1)[1]
        print(f"| {name} | {med[0]:.2f} | {med[1]:.2f} | {med[2]:.2f} | {med[0] / base[0]:.2f}x / {med[1] / base[1]:.2f}x |")
    print()


# ---------------------------------------------------------------- (b) monitor delay


def metrics_row(step: int, total: int, loss: float, t0: float) -> dict:
    """A line as JobReporter.on_log writes it (backend/training/callback.py)."""
    elapsed = time.time() - t0
    return {"step": step, "epoch": round(step / 12, 4), "loss": loss, "learning_rate": 2e-3 * (1 - step / total),
            "grad_norm": round(1.5 + 0.1 * (step % 7), 4), "tokens_seen": 1024 * step,
            "tokens_per_s": 1100.0, "elapsed_s": round(elapsed, 2),
            "eta_s": round(elapsed / step * (total - step), 1), "mem_mb": 512.0}


def write_progress(job_dir: Path, step: int, total: int, t0: float) -> None:
    elapsed = time.time() - t0
    data = {"phase": "training", "step": step, "total_steps": total, "epoch": step / 12,
            "elapsed_s": round(elapsed, 2), "eta_s": round(elapsed / step * (total - step), 1) if step else None,
            "updated_at": time.time()}
    tmp = job_dir / ".progress.tmp"
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, job_dir / "progress.json")


def pct(values: list[float], q: float) -> float:
    """The q-quantile, linear between the closest ranks."""
    s = sorted(values)
    k = (len(s) - 1) * q
    lo = int(k)
    return s[lo] + (s[min(lo + 1, len(s) - 1)] - s[lo]) * (k - lo)


def bench_monitor(browser, tmp: Path, models: Path, lines: int, seed: int = 0) -> None:
    from backend.resources import DEMO_SPEC
    from backend.spec import JobSpec
    from backend.store import JobStore
    from backend.workspace import Workspace

    ws = Workspace.at(tmp / "ws-monitor")
    if not (ws.models_dir / "demo").exists():
        link_demo(ws.root, models)
    store = JobStore(ws)
    job_id = store.create_job(JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")))
    job_dir = store.job_dir(job_id)
    # The stand-in worker: alive, and named like one (scheduler.is_worker_alive reads the command line).
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)", "-m", "backend.jobs.worker",
                                 str(job_dir)], start_new_session=True)
    store.mark_running(job_id, stand_in.pid)
    t_job = time.time()
    total = 1000
    write_progress(job_dir, 0, total, t_job)
    rng = random.Random(seed)
    delays, point_delays = [], []
    port = free_port()
    url = f"http://127.0.0.1:{port}/?job={job_id}"
    try:
        with server(studio_cmd(ws.root, port), tmp / "monitor-studio.log") as (proc, _):
            wait_200(f"http://127.0.0.1:{port}/", proc)
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            page = context.new_page()
            page.goto(url)
            page.locator("#job-header").filter(has_text=job_id).wait_for(state="visible", timeout=60_000)
            page.locator("#job-stats").filter(has_text="Loss").wait_for(state="visible", timeout=60_000)
            page.locator("#job-state-text").filter(has_text="running").wait_for(timeout=30_000)
            page.evaluate(OBSERVER_JS)
            page.wait_for_timeout(1500)
            loss = 3.0
            for k in range(1, lines + 1):
                time.sleep(rng.uniform(0.4, 2.5))
                step = 5 * k
                loss = round(loss - rng.uniform(0.01, 0.2), 4)
                key = f"{loss:.4f}"
                row = metrics_row(step, total, loss, t_job)
                with open(job_dir / "metrics.jsonl", "a", encoding="utf-8") as f:
                    f.write(json.dumps(row) + "\n")
                t_written = time.time()
                write_progress(job_dir, step, total, t_job)
                store.heartbeat(job_id)
                seen_ms = page.wait_for_function("(k) => window.__seenLoss[k]", arg=key, polling=50,
                                                 timeout=30_000).json_value()
                points_ms = page.wait_for_function("(k) => window.__seenPoints[k]", arg=str(k), polling=50,
                                                   timeout=30_000).json_value()
                delays.append(seen_ms / 1000 - t_written)
                point_delays.append(points_ms / 1000 - t_written)
                print(f"  line {k:2d} (step {step}, loss {key}): loss shown after {delays[-1]:.3f} s, "
                      f"'{k} points' after {point_delays[-1]:.3f} s", flush=True)
            page.screenshot(path=tmp / "monitor.png", full_page=True)
            context.close()
    finally:
        stand_in.kill()
        stand_in.wait()
    print()
    print(f"Monitor: delay from a metrics line written to it shown in Chromium, {lines} lines (seconds):")
    print()
    print("| what | median | p90 | max | min | target |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, d in (("loss in the stats text", delays), ("point count under the plot", point_delays)):
        print(f"| {name} | {statistics.median(d):.2f} | {pct(d, 0.9):.2f} | {max(d):.2f} | {min(d):.2f} | < 2 |")
    print()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--lines", type=int, default=12)
    ap.add_argument("--skip-startup", action="store_true")
    ap.add_argument("--skip-monitor", action="store_true")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from backend.demo import ensure_demo_model

    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        ensure_demo_model(tmp / "models")
        print(f"demo model built in {time.perf_counter() - t:.1f} s", flush=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                if not args.skip_startup:
                    bench_startup(browser, tmp, tmp / "models", args.repeats)
                if not args.skip_monitor:
                    bench_monitor(browser, tmp, tmp / "models", args.lines)
            finally:
                browser.close()


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
