"""Scanning a big dataset: the streaming `inspect` against reading every row into a list first.

    python benchmarks/bench_data_scale.py [--rows 1000000] [--bad-every 10000]

Writes a jsonl of alpaca rows (a broken JSON line and a row with an empty reply in every
`--bad-every` rows) to a temporary folder, then runs each variant in its own child process:

- ours: `backend.data.inspect.inspect` (rows read, converted and dropped one at a time);
- baseline: `json.loads` every line into a list, then `backend.data.formats.convert` on the list.

Each variant runs twice, in fresh processes: once for the time and the ru_maxrss rise (peak
resident memory above what the imports took), once under tracemalloc for the peak of Python
allocations (tracemalloc slows the run, so its time is not used). Then `FileSource.row(n)` for
100 random rows, after the byte-offset index is built. Prints rows/s, memory and ours/baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20


def generate(path: Path, rows: int, bad_every: int) -> int:
    """Write the file; return how many rows are bad."""
    bad = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(rows):
            if i % bad_every == bad_every // 2:
                f.write('{"instruction": "a line cut short", "output": \n')
                bad += 1
                continue
            row = {"instruction": f"Question {i}: what is {i} times 3?", "input": "" if i % 3 else f"Show the steps for {i}.",
                   "output": "" if i % bad_every == bad_every - 1 else f"{i} times 3 is {3 * i}."}
            bad += row["output"] == ""
            f.write(json.dumps(row) + "\n")
    return bad


# ---------------------------------------------------------------- the variants (in a child process)


def ours(path: Path) -> dict:
    from backend.data.inspect import inspect
    from backend.data.registry import Source

    report = inspect(Source(label=path.name, path=path))
    return {"rows": report.rows, "valid": report.valid_rows, "skipped": report.errors_total}


def baseline(path: Path) -> dict:
    from backend.data.formats import convert

    rows, broken = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                broken += 1
    out = convert(rows, name=path.name)
    return {"rows": len(rows) + broken, "valid": len(out.examples), "skipped": len(out.skipped) + broken}


def random_rows(path: Path) -> dict:
    from backend.data.read import open_source

    src = open_source(path)
    t0 = time.perf_counter()
    n = src.count()  # builds the byte-offset index of the lines
    index_s = time.perf_counter() - t0
    numbers = random.Random(0).sample(range(1, n + 1), 100)
    t0 = time.perf_counter()
    for k in numbers:
        src.row(k)  # a dict, or a RowFault for a broken line
    per_row_ms = (time.perf_counter() - t0) * 1000 / len(numbers)
    return {"rows": n, "index_s": index_s, "row_ms": per_row_ms}


VARIANTS = {"ours": ours, "baseline": baseline, "random_rows": random_rows}


def child(variant: str, path: Path, trace: bool) -> None:
    import gc
    import resource
    import tracemalloc

    import backend.data.formats  # noqa: F401 - imports are not part of the measure
    import backend.data.inspect  # noqa: F401

    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    result = VARIANTS[variant](path)
    result["seconds"] = time.perf_counter() - t0
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
    result["maxrss_delta_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024  # KiB on Linux
    print(json.dumps(result))


def run_child(variant: str, path: Path, trace: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", variant, str(path)] + (["--trace"] if trace else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--bad-every", type=int, default=10_000)
    ap.add_argument("--child", nargs=2, metavar=("VARIANT", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.trace)
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.jsonl"
        t0 = time.perf_counter()
        bad = generate(path, args.rows, args.bad_every)
        gen_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / MB
        results = {}
        for variant in ("ours", "baseline"):
            timed = run_child(variant, path)
            traced = run_child(variant, path, trace=True)
            assert timed["rows"] == args.rows and timed["skipped"] == bad, (variant, timed, bad)
            results[variant] = {**timed, "traced_peak_mb": traced["traced_peak_mb"]}
        access = run_child("random_rows", path)

    cores = len(os.sched_getaffinity(0))
    print(f"machine: {cores} cores; python {sys.version.split()[0]}")
    print(f"file: {args.rows:,} alpaca rows, {bad} bad, {size_mb:.0f} MB of jsonl (written in {gen_s:.1f} s)")
    print(f"{'variant':30} {'seconds':>8} {'rows/s':>10} {'tracemalloc peak MB':>20} {'maxrss rise MB':>15}")
    names = {"ours": "ours: streaming inspect", "baseline": "baseline: json.loads + convert"}
    for variant, r in results.items():
        print(f"{names[variant]:30} {r['seconds']:8.1f} {r['rows'] / r['seconds']:10,.0f} "
              f"{r['traced_peak_mb']:20.1f} {r['maxrss_delta_mb']:15.1f}")
    o, b = results["ours"], results["baseline"]
    print(f"{'ours / baseline':30} {o['seconds'] / b['seconds']:7.2f}x "
          f"{(o['rows'] / o['seconds']) / (b['rows'] / b['seconds']):9.2f}x "
          f"{o['traced_peak_mb'] / b['traced_peak_mb']:19.2g}x {o['maxrss_delta_mb'] / max(b['maxrss_delta_mb'], 1e-9):14.2g}x")
    print(f"random access: line index built in {access['index_s']:.2f} s ({access['rows']:,} rows); "
          f"FileSource.row(n): {access['row_ms']:.3f} ms per row over 100 random rows")


if __name__ == "__main__":
    main()
