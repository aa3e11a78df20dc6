"""Training speed: `studio train` against a plain TRL SFTTrainer script, same job, side by side.

    .venv/bin/python benchmarks/bench_train.py [--rows 400] [--threads 2] [--data alpaca.json]
        [--set training.x=y ...] [--skip-baseline] [--llamafactory-python LF_VENV/bin/python]

The workload of our speed issue: one epoch of LoRA SFT (r=8, alpha 16, all linear layers, batch 8,
max length 512, fp32, prompt tokens masked) over the first 400 rows of LLaMA-Factory's
alpaca_en_demo, on a ~4M-parameter Qwen2-style model built here (a byte-level BPE of 4096 tokens
trained on the data, hidden 256, 4 layers). Each run is a process of its own, measured from
outside: wall time and peak RSS (the largest process of the run, from getrusage); rows/s and
tokens/s (non-padding) over the trainer's own train time; start-up = the command launched to the
trainer's first step (Python, imports, reading and tokenizing the data, model load, trainer set-up;
for ours also the `studio train` process that checks the spec and data and starts the worker); end =
the rest of the wall time (saving the adapter; for ours also plots, summary, the adapter zip).

`studio train` runs three times: first with an empty tokenization cache (it starts cold and leaves
a warm worker, backend/jobs/warm.py, for the next job), then again on the same data (the cache is keyed
by data, tokenizer and max length; the job is forked by the warm worker), which is the start-up a
user sees on a second run, and once more with STUDIO_WARM=0 (a cold process on cached data). The baseline is benchmarks/trl_baseline.py; with --llamafactory-python, LLaMA-Factory's
trainer on the same job is a second one (benchmarks/llamafactory_baseline.py), in a venv of its own
on the studio's torch: `python -m venv lf && lf/bin/pip install llamafactory==0.9.5 && lf/bin/pip
install --no-deps torch==2.13.0 && lf/bin/pip uninstall -y torchvision torchaudio` (those two pin
another torch; a text job needs neither). Threads: the same for both (--threads,
default every core; the studio's own default leaves one core free for the page).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED_ALPACA = ROOT.parent / "shared" / "datasets" / "llamafactory" / "alpaca_en_demo.json"
BENCH_CONFIG = dict(hidden_size=256, intermediate_size=704, num_hidden_layers=4, num_attention_heads=4,
                    num_key_value_heads=2, max_position_embeddings=2048, tie_word_embeddings=True,
                    rope_theta=10000.0, initializer_range=0.02)
BENCH_VOCAB = 4096
TRL = "plain TRL SFTTrainer (baseline)"
LF = "LLaMA-Factory (baseline)"
# getrusage of the wrapper's children: the largest process the command ran (the worker, for ours).
MEASURE = ("import json, resource, subprocess, sys, time; t = time.time(); rc = subprocess.call(sys.argv[1:]); "
           "print(json.dumps({'rc': rc, 'launched_at': t, 'wall_s': time.time() - t, "
           "'peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")


def measured(cmd: list[str], env: dict, log: Path) -> dict:
    with open(log, "w") as out:
        proc = subprocess.run([sys.executable, "-c", MEASURE, *cmd], stdout=subprocess.PIPE, stderr=out, env=env,
                              text=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        sys.exit(f"{' '.join(cmd[:4])}... failed (rc {result['rc']}); see {log}")
    return result


def build_model(models: Path, rows: list[dict]) -> Path:
    from backend.demo import build_tiny_model

    out = models / "bench4m"
    texts = [r["instruction"] + "\n" + r.get("input", "") + "\n" + r["output"] for r in rows]
    build_tiny_model(out, texts, BENCH_VOCAB, BENCH_CONFIG)
    return out


def param_count(model_dir: Path) -> int:
    from transformers import AutoModelForCausalLM

    return sum(p.numel() for p in AutoModelForCausalLM.from_pretrained(model_dir).parameters())


def our_spec(model_dir: Path, data: Path, threads: int, overrides: list[str]):
    from backend.spec import JobSpec

    spec = JobSpec.from_dict({
        "model": {"name_or_path": str(model_dir)},
        "data": {"train": str(data), "format": "alpaca"},
        "method": {"name": "lora", "lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": "all-linear"},
        "stage": "sft",
        "training": {"num_epochs": 1, "batch_size": 8, "max_length": 512, "learning_rate": 2e-4, "precision": "fp32",
                     "device": "cpu", "cpu_threads": threads, "logging_steps": 5, "save_minutes": 0, "save_steps": 0,
                     "sample_prompts": 0, "report_to": [], "warmup_ratio": 0.0, "scheduler": "linear"},
    })
    return spec.with_overrides(overrides)


def run_ours(spec_path: Path, ws: Path, env: dict, log: Path) -> dict:
    before = set(ws.glob("jobs/*"))
    m = measured([sys.executable, "-m", "studio.cli", "train", str(spec_path), "--workspace", str(ws)], env, log)
    job = next(iter(set(ws.glob("jobs/*")) - before))
    summary = json.loads((job / "summary.json").read_text(encoding="utf-8"))
    metrics = [json.loads(line) for line in (job / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    losses = [r["loss"] for r in metrics if r.get("loss") is not None]
    tokens = max((r.get("tokens_seen") or 0) for r in metrics)
    # A worker forked by the warm worker is not a child of the command: it records its own peak.
    m["peak_rss_mb"] = max(m["peak_rss_mb"], summary.get("peak_rss_mb", 0.0))
    return {"rows": summary["train_rows"], "train_s": summary["train_runtime_s"], "tokens": tokens,
            "first_loss": losses[0], "final_loss": losses[-1], "train_started_at": summary["train_started_at"], **m}


def run_baseline(model_dir: Path, data: Path, threads: int, tmp: Path, env: dict) -> dict:
    out = tmp / "baseline.json"
    m = measured([sys.executable, str(ROOT / "benchmarks" / "trl_baseline.py"), str(model_dir), str(data),
                  "--out", str(out), "--threads", str(threads)], env, tmp / "baseline.log")
    return {**json.loads(out.read_text()), **m}


def run_llamafactory(python: str, model_dir: Path, data: Path, threads: int, tmp: Path, env: dict) -> dict:
    out = tmp / "llamafactory.json"
    lf_env = {k: v for k, v in env.items() if k != "PYTHONPATH"}  # its own venv: none of the studio's modules
    m = measured([python, str(ROOT / "benchmarks" / "llamafactory_baseline.py"), str(model_dir), str(data),
                  "--out", str(out), "--threads", str(threads)], lf_env, tmp / "llamafactory.log")
    return {**json.loads(out.read_text()), **m}


def table(results: dict[str, dict], bases: list[str]) -> None:
    cols = ["rows/s", "tokens/s", "wall s", "start-up s", "train s", "end s", "peak RSS MB", "first loss",
            "last loss"]
    width = max(34, *(len(n) + 14 for n in results))
    print(f"{'run':<{width}}" + "".join(f"{c:>13}" for c in cols))
    figures = {}
    for name, r in results.items():
        startup = r["train_started_at"] - r["launched_at"]  # the command launched to its first training step
        figures[name] = [r["rows"] / r["train_s"], r["tokens"] / r["train_s"], r["wall_s"], startup, r["train_s"],
                         r["wall_s"] - startup - r["train_s"], r["peak_rss_mb"], r["first_loss"], r["final_loss"]]
        print(f"{name:<{width}}" + "".join(f"{v:>13.2f}" for v in figures[name]))
    for base in bases:
        short = "LLaMA-Factory" if base.startswith("LLaMA") else "TRL"
        for name in results:
            if name in bases:
                continue
            ratios = [a / b if b else float("nan") for a, b in zip(figures[name], figures[base])][:7]
            print(f"{name + ' / ' + short:<{width}}" + "".join(f"{v:>12.2f}x" for v in ratios))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=400)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--data", type=Path, default=SHARED_ALPACA, help="alpaca rows (instruction/input/output)")
    ap.add_argument("--set", action="append", default=[], help="overrides for our spec, e.g. training.x=y")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--llamafactory-python", default=os.environ.get("LF_PYTHON"), metavar="PYTHON",
                    help="a Python with llamafactory installed (its own venv; default $LF_PYTHON): adds "
                         "LLaMA-Factory's trainer on the same job as a second baseline")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=KEY=VALUE[,KEY=VALUE]",
                    help="another `studio train` run with these overrides (data already seen), e.g. "
                         "'random order=training.group_by_length=false'")
    ap.add_argument("--no-default-variants", action="store_true",
                    help="skip the default variants: random order, padding-free, 2 processes x 1 thread")
    args = ap.parse_args()
    if not args.data.is_file():
        sys.exit(f"{args.data} not found: give --data an alpaca json (LLaMA-Factory's alpaca_en_demo.json)")
    rows = json.loads(args.data.read_text(encoding="utf-8"))[: args.rows]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "STUDIO_WARM_IDLE_S": "120"}  # the warm worker the first run leaves (backend/jobs/warm.py) ends soon after
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        data = tmp / "alpaca.json"
        data.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        model_dir = build_model(tmp / "models", rows)
        spec = our_spec(model_dir, data, args.threads, args.set)
        spec_path = tmp / "job.yaml"
        spec_path.write_text(spec.to_yaml(), encoding="utf-8")
        print(f"{len(rows)} rows from {args.data.name}; model {param_count(model_dir) / 1e6:.2f}M parameters; "
              f"{args.threads} threads; overrides: {' '.join(args.set) or 'none'}", flush=True)

        results = {}
        if args.llamafactory_python:
            results[LF] = run_llamafactory(args.llamafactory_python, model_dir, data, args.threads, tmp, env)
        if not args.skip_baseline:
            results[TRL] = run_baseline(model_dir, data, args.threads, tmp, env)
        ws = tmp / "ws"
        results["studio train, first run"] = run_ours(spec_path, ws, env, tmp / "ours1.log")
        results["studio train, data seen before"] = run_ours(spec_path, ws, env, tmp / "ours2.log")
        results["studio train, data seen, no warm worker"] = run_ours(spec_path, ws, {**env, "STUDIO_WARM": "0"},
                                                                     tmp / "ours3.log")
        variants = list(args.variant)
        if not args.no_default_variants:
            variants += ["rows in random order=training.group_by_length=false",
                         "padding-free=training.padding_free=true,training.group_by_length=false",
                         f"2 processes x {max(1, args.threads // 2)} thread(s)=distributed.num_processes=2,"
                         f"training.cpu_threads={max(1, args.threads // 2)}"]
        for i, variant in enumerate(variants):
            name, _, sets = variant.partition("=")
            vspec = our_spec(model_dir, data, args.threads, [*args.set, *sets.split(",")])
            vpath = tmp / f"variant{i}.yaml"
            vpath.write_text(vspec.to_yaml(), encoding="utf-8")
            results[f"studio train, {name}"] = run_ours(vpath, ws, env, tmp / f"variant{i}.log")
        if os.environ.get("BENCH_KEEP_LOGS"):
            for log in tmp.glob("*.log"):
                (Path(os.environ["BENCH_KEEP_LOGS"]) / log.name).write_text(log.read_text())
            for log in ws.glob("jobs/*/log.txt"):
                (Path(os.environ["BENCH_KEEP_LOGS"]) / (log.parent.name + ".txt")).write_text(log.read_text())
    table(results, [name for name in (LF, TRL) if name in results])
    print(f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
