"""How fast studio.i18n.render shows backend row messages in Chinese.

    .venv/bin/python benchmarks/bench_render.py [--rows 10000]

Why: the Data step may show thousands of skipped rows ("row 4: 'instruction' is missing ...") and
renders them on every refresh, so 10,000 must take well under a second. The baseline beside it
is the scan that produced the messages: rendering should cost a fraction of reading. The messages are real:
a jsonl file with a broken row in every line is scanned by backend.data.inspect, and its error lines
(`row N: message`, a message holding two messages) and bare messages are rendered from their ids and values
(translation before formatting: no cache, nothing to warm up).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.data.inspect import inspect  # noqa: E402
from backend.data.registry import Source  # noqa: E402
from studio.i18n.render import render  # noqa: E402


def broken_rows(n: int) -> list[str]:
    """Alpaca rows, each broken in one of several ways with its own values, so few messages repeat."""
    good = json.dumps({"instruction": "hi", "output": "hello"})
    out = [good] * 20  # enough good rows first for the format to be detected
    for i in range(n):
        kind = i % 6
        if kind == 0:
            out.append('{"instruction": "q' + str(i) + '" "output": "a"}')  # not JSON: column varies with i
        elif kind == 1:
            out.append(json.dumps({"messages": [], f"extra_{i}": 1}))  # 'instruction' missing
        elif kind == 2:
            out.append(json.dumps({"instruction": "", "output": f"a{i}"}))
        elif kind == 3:
            out.append(json.dumps({"instruction": f"q{i}", "output": i % 2 == 0}))
        elif kind == 4:
            out.append(json.dumps({"instruction": f"q{i}", "output": {"k": i}}))
        else:
            out.append(json.dumps([i, i + 1]))
    return out


def timed(texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        render(text, "zh")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "broken.jsonl"
        path.write_text("\n".join(broken_rows(args.rows)) + "\n", encoding="utf-8")
        start = time.perf_counter()
        report = inspect(Source(label="broken.jsonl", path=path), max_errors=args.rows)
        scan_s = time.perf_counter() - start  # the baseline: reading the file that produced the messages
    lines = report.error_lines()
    bare = [e["message"] for e in report.errors]
    print(f"{len(lines)} messages, {len(set(lines))} distinct lines, {len(set(bare))} distinct bare messages")
    print(f"{'what':<34}{'seconds':>10}{'messages/s':>14}{'vs scan':>10}")
    print(f"{'baseline: the scan (inspect)':<34}{scan_s:>10.3f}{len(lines) / scan_s:>14,.0f}{1.0:>9.2f}x")
    for name, texts in (("`row N: message`", lines), ("bare message", bare)):
        s = timed(texts)
        print(f"{name:<34}{s:>10.3f}{len(texts) / s:>14,.0f}{s / scan_s:>9.2f}x")
    sample = lines[:6]
    print("\nsample:")
    for text in sample:
        print(f"  {text}\n  -> {render(text, 'zh')}")


if __name__ == "__main__":
    main()
