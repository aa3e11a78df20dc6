"""The page's own JavaScript cost per click: the studio as built (progress tracked only where an event shows it,
studio/progress_targets.py) against the same studio with gradio's default (every event's outputs are its
progress targets), side by side in Chromium.

    .venv/bin/python benchmarks/bench_page_events.py [--rounds 3]

Each variant is a `studio` process of its own (a fresh workspace, 127.0.0.1, a free port); the baseline's only
difference is that every event's show_progress_on is reset to None before the page is served. In a fresh page
of each (alternating, `--rounds` times), the wizard's step tabs are clicked in turn (Data, Method, Training,
Model, Review, Data), 3 s apart; a PerformanceObserver sums the main thread's long tasks (over 50 ms) after each
click. Printed: the median over rounds of the total per click, and ours/baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEPS = ["Data", "Method", "Training", "Model", "Review", "Data"]
OBSERVE_JS = """() => { if (window.__o) window.__o.disconnect(); window.__lt = [];
  window.__o = new PerformanceObserver(l => { for (const e of l.getEntries()) window.__lt.push(e.duration); });
  window.__o.observe({type: 'longtask'}); }"""


def serve(port: int, workspace: str, gradio_default: bool) -> None:
    """The child: the studio, optionally with gradio's default progress targets."""
    from studio import app as studio_app

    if gradio_default:
        def every_output(app):
            for fn in app.fns.values():
                fn.show_progress_on = None

        studio_app.progress_targets.untrack_hidden = every_output
    studio_app.launch(workspace, port=port, lang="en")


def start(name: str, gradio_default: bool) -> tuple[subprocess.Popen, str]:
    from tests.browser.helpers import free_port, wait_http

    port = free_port()
    ws = tempfile.mkdtemp(prefix=f"bench-page-{name}-")
    cmd = [sys.executable, __file__, "--serve", str(port), "--workspace", ws]
    proc = subprocess.Popen([*cmd, *(["--gradio-default"] if gradio_default else [])], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "STUDIO_WARM": "0"})
    url = f"http://127.0.0.1:{port}"
    wait_http(url, proc)
    return proc, url


def clicks(url: str) -> list[float]:
    """Main-thread long-task milliseconds after each step click, in a fresh page."""
    from tests.browser.helpers import chromium_page

    spent = []
    with chromium_page(viewport={"width": 1400, "height": 900}) as page:
        page.goto(url)
        page.wait_for_selector("#model-info", timeout=90_000)
        page.wait_for_function("() => document.querySelector('#model-info').innerText.includes('qwen2')",
                               timeout=90_000)
        time.sleep(5)
        for name in STEPS:
            page.evaluate(OBSERVE_JS)
            page.locator("button[role=tab]").filter(has_text=name).first.click()
            time.sleep(3)
            spent.append(sum(page.evaluate("window.__lt")))
    return spent


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--serve", type=int)
    p.add_argument("--workspace")
    p.add_argument("--gradio-default", action="store_true")
    a = p.parse_args(argv)
    if a.serve:
        serve(a.serve, a.workspace, a.gradio_default)
        return 0
    procs = {name: start(name, default) for name, default in (("ours", False), ("baseline", True))}
    try:
        totals = {name: [] for name in procs}
        per_step = {name: [[] for _ in STEPS] for name in procs}
        for r in range(a.rounds):
            for name, (_, url) in procs.items():
                spent = clicks(url)
                totals[name].append(sum(spent))
                for i, ms in enumerate(spent):
                    per_step[name][i].append(ms)
                print(f"round {r + 1} {name:8s} " + "  ".join(f"{s} {ms:5.0f}" for s, ms in zip(STEPS, spent))
                      + f"   total {sum(spent):5.0f} ms", flush=True)
    finally:
        for proc, _ in procs.values():
            proc.terminate()
    print(f"\nmedian of {a.rounds}, main-thread long tasks (ms) after a click   ours   baseline   ours/baseline")
    for i, step in enumerate(STEPS):
        o, b = (statistics.median(per_step[n][i]) for n in ("ours", "baseline"))
        print(f"{i + 1}. {step:48s} {o:6.0f}   {b:8.0f}   {o / b if b else float('nan'):8.2f}x")
    o, b = statistics.median(totals["ours"]), statistics.median(totals["baseline"])
    print(f"{'all six clicks':51s} {o:6.0f}   {b:8.0f}   {o / b:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
