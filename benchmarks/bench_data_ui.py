"""The Data step on a million-row jsonl, in a real browser: does the page stay usable?

    .venv/bin/python benchmarks/bench_data_ui.py [--rows 1000000]

Starts the studio on a free port with a data root holding the generated file, opens the Data
step in Chromium, reads the file by path and measures, side by side with the 91-row demo set:
the time to the first progress line, the whole scan, the studio process's resident memory
before and after (it must not hold the rows), and the time to show row N (a seek in the line
index) for rows at the start, the middle and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.helpers import chromium_page, studio_process  # noqa: E402


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children's studio part (the server process itself)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_pid(ws: Path) -> int:
    """The studio server: the python process whose command line names this workspace."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(str(ws).encode() in part for part in cmd) and b"launch(" in b" ".join(cmd):
            return int(proc.name)
    raise RuntimeError("studio process not found")


def make_file(path: Path, rows: int) -> None:
    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as f:
        for i in range(rows):
            out = "" if i % 10_000 == 7 else f"answer {i} " + "word " * rng.randint(5, 60)
            f.write(json.dumps({"instruction": f"question {i}?", "input": "", "output": out}) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    from playwright.sync_api import expect

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roots = tmp / "roots"
        roots.mkdir()
        big = roots / "big.jsonl"
        t0 = time.time()
        make_file(big, args.rows)
        print(f"generated {args.rows:,} rows ({big.stat().st_size / 1e6:.0f} MB) in {time.time() - t0:.1f} s")
        ws = tmp / "ws"
        with studio_process(ws, tmp / "studio.log", launch_kwargs={"data_roots": [str(roots)]}) as url, \
                chromium_page() as page:
            pid = server_pid(ws)
            page.goto(url)
            page.locator("#model-next").click()
            summary = page.locator("#data-summary")
            t = time.time()
            expect(summary).to_contain_text("91 valid", timeout=60_000)
            demo_s = time.time() - t
            rss_before = rss_mb(pid)
            page.locator("#data-source label", has_text="Path on this machine").click()
            expect(summary).to_contain_text("Type the path", timeout=20_000)
            page.locator("#data-path-input textarea").fill(str(big))
            t = time.time()
            page.locator("#data-path-read").click()
            expect(summary).to_contain_text("Scanning", timeout=60_000)
            first_progress = time.time() - t
            # While it scans, the rest of the page answers: switch to the Model step and back.
            t_tab = time.time()
            page.get_by_role("tab", name="1 · Model").click()
            expect(page.locator("#model-info")).to_be_visible(timeout=10_000)
            page.get_by_role("tab", name="2 · Data").click()
            tab_s = time.time() - t_tab
            peak = rss_before
            while "Scanning" in summary.inner_text() or "valid" not in summary.inner_text():
                peak = max(peak, rss_mb(pid))
                page.wait_for_timeout(200)
            scan_s = time.time() - t
            rss_after = rss_mb(pid)
            text = summary.inner_text()
            jumps = []
            for n in (5, args.rows // 2, args.rows - 1):
                box = page.locator("#data-row input")
                box.fill(str(n))
                t = time.time()
                box.press("Enter")
                expect(page.locator("#data-preview")).to_contain_text(f"question {n - 1}?", timeout=30_000)
                jumps.append((n, time.time() - t))
        print(f"demo set (91 rows): summary after {demo_s:.2f} s")
        print(f"{args.rows:,} rows: first progress line after {first_progress:.2f} s, scan done after {scan_s:.1f} s "
              f"({args.rows / scan_s:,.0f} rows/s through the page)")
        print(f"switching steps during the scan took {tab_s:.2f} s")
        print("summary:", " | ".join(text.splitlines()[:2]))
        print(f"studio RSS: {rss_before:.0f} MB before, peak {peak:.0f} MB during, {rss_after:.0f} MB after "
              f"(file {big.stat().st_size / 1e6:.0f} MB); growth {peak - rss_before:.0f} MB")
        for n, s in jumps:
            print(f"show row {n:,}: {s:.2f} s")


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
