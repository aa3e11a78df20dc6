"""benchmarks/bench_gpu.py --small: the GPU benchmark's whole path on a CPU with tiny shapes, so the script a
GPU session runs (and whose figures benchmarks/README.md gives) keeps working between such sessions. It
checks the script, not the speed: both trainers ran the same rows, the table has the ratios and the loss
comparison, and the memory estimate was set against the run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

DATA = ROOT.parent / "shared" / "datasets" / "llamafactory" / "alpaca_en_demo.json"


@pytest.mark.skipif(not DATA.is_file(), reason="needs ../shared/datasets/llamafactory/alpaca_en_demo.json")
def test_the_gpu_benchmark_runs_end_to_end_on_a_cpu(tmp_path):
    out = tmp_path / "bench"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_gpu.py"), "--small", "--no-7b",
                           "--data", str(DATA), "--out", str(out), "--timeout", "240"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = {r["run"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    trl, ours = results["plain TRL SFTTrainer"], results["studio train"]
    assert "error" not in trl and ours["state"] == "succeeded", (trl, ours)
    assert trl["rows"] == ours["rows"] == 48 and trl["epoch_tokens"] == ours["epoch_tokens"]
    assert ours["estimate_mb"] > 0 and 0.5 < ours["estimate_vs_measured"] < 2
    assert "device cpu" in ours["speed"] and "loss" in ours["speed"]
    table = proc.stdout
    assert "  / plain TRL" in table and "loss of studio train against plain TRL" in table
    assert results["studio train, qlora (30 steps)"]["state"] == "succeeded"
