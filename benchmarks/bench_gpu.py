"""Training on a GPU: a plain TRL SFTTrainer script against `studio train` on the same job, side by side.

    python benchmarks/bench_gpu.py [--out DIR] [--data alpaca_en_demo.json] [--no-7b] [--ablate] [--stages]
    python benchmarks/bench_gpu.py --small            # the same on a CPU with tiny shapes, in about a minute

The job (our GPU issue's): LoRA r=16 (alpha 32, dropout 0) on every linear layer, the 999 rows of
LLaMA-Factory's alpaca_en_demo, batch 16, max length 1024, one epoch, cosine schedule with 10% warmup,
learning rate 2e-4, bf16, on a random-init model of Qwen2.5-0.5B's shape (494M parameters, the real
151,936-token vocabulary; benchmarks/gpu_models.py builds it offline on the GPU with a tokenizer trained like
the demo's). The baseline is benchmarks/trl_baseline.py --gpu (as a user writes it: bf16 weights, padded
batches in random order, TRL's defaults); ours is `studio train` with the studio's defaults for the GPU
(backend/training/accel.py: padding-free batches through PyTorch's variable-length FlashAttention, Liger's
fused RMSNorm/SwiGLU/RoPE where installed, TRL's fused LM head). Each run is a process of its own.

Then, unless --no-7b: QLoRA (4-bit NF4) on a random-init model of Qwen2.5-7B's shape, for a few steps, on a
GPU capped at 24 GB (STUDIO_GPU_MEMORY_GB=24: the worker cannot use more, and `gradient_checkpointing:
auto` decides as it would on a 24 GB card). --ablate adds `studio train` runs with one choice turned off
at a time (and torch.compile on), to show what each pays. --stages trains every stage (and qlora) for 3
steps on the demo model, to show each runs on the device and what the worker chose.

Columns: rows/s and non-padding tokens/s over the trainer's train time; peak GPU memory
(torch.cuda.max_memory_allocated); MFU = 6 x parameters x tokens/s over the bf16 matrix rate measured here
(an 8192^3 product); first/last logged loss and the mean training loss; start-up = the command launched to
the first training step; the memory estimate (backend/plan/estimate.py, with the data's real lengths) against
the measured peak. Results also go to DIR/results.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SHARED = [ROOT.parent / "shared" / "datasets" / "llamafactory", ROOT / "shared" / "datasets" / "llamafactory",
          ROOT / ".gpu" / "data"]
JOB = dict(rows=999, batch=16, max_length=1024, lora_r=16, lr=2e-4, logging_steps=10)
SMALL_JOB = dict(rows=48, batch=4, max_length=128, lora_r=8, lr=1e-3, logging_steps=2)
TRL = "plain TRL SFTTrainer"
OURS = "studio train"


def find_data(given: Path | None) -> Path:
    for path in ([given] if given else [d / "alpaca_en_demo.json" for d in SHARED]):
        if path and path.is_file():
            return path
    sys.exit("alpaca_en_demo.json not found: give --data (LLaMA-Factory's data/alpaca_en_demo.json)")


def installed() -> str:
    from importlib.metadata import PackageNotFoundError, version

    names = ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "bitsandbytes", "liger-kernel",
             "flash-attn")
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} -")
    return ", ".join(found)


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# -- the runs ------------------------------------------------------------------------------------------
def run_trl(model: Path, data: Path, job: dict, out: Path, env: dict, timeout: int, gpu: bool) -> dict:
    result = out / "trl.json"
    launched = time.time()
    cmd = [sys.executable, str(ROOT / "benchmarks" / "trl_baseline.py"), str(model), str(data), "--out", str(result),
           *(["--gpu"] if gpu else []), "--batch", str(job["batch"]), "--max-length", str(job["max_length"]), "--lora-r",
           str(job["lora_r"]), "--lr", str(job["lr"]), "--logging-steps", str(job["logging_steps"]),
           "--scheduler", "cosine", "--warmup", "0.1"]
    rc = _call(cmd, env, out / "trl.log", timeout)
    if rc != 0 or not result.is_file():
        return {"run": TRL, "error": f"rc {rc}; see {out / 'trl.log'}"}
    r = json.loads(result.read_text())
    r["losses"] = {int(k): v for k, v in (r.get("losses") or {}).items()}  # JSON keys are text
    return {"run": TRL, "launched_at": launched, **r}


def studio_spec(model: Path, data: Path, job: dict, extra: dict | None = None):
    from backend.spec import JobSpec

    training = {"num_epochs": 1, "batch_size": job["batch"], "max_length": job["max_length"],
                "learning_rate": job["lr"], "scheduler": "cosine", "warmup_ratio": 0.1,
                "logging_steps": job["logging_steps"], "save_minutes": 0, "seed": 42}
    spec = {"model": {"name_or_path": str(model)}, "data": {"train": str(data), "format": "alpaca"},
            "method": {"name": "lora", "lora_r": job["lora_r"], "lora_alpha": 2 * job["lora_r"], "lora_dropout": 0.0,
                       "target_modules": "all-linear"},
            "stage": "sft", "training": training}
    for dotted, value in (extra or {}).items():
        section, key = dotted.split(".", 1)
        spec.setdefault(section, {})[key] = value
    return JobSpec.from_dict(spec)


def run_studio(label: str, spec, ws: Path, out: Path, env: dict, timeout: int) -> dict:
    path = out / f"{_slug(label)}.yaml"
    path.write_text(spec.to_yaml(), encoding="utf-8")
    before = set(ws.glob("jobs/*"))
    launched = time.time()
    rc = _call([sys.executable, "-m", "studio.cli", "train", str(path), "--workspace", str(ws)], env,
               out / f"{_slug(label)}.log", timeout)
    jobs = sorted(set(ws.glob("jobs/*")) - before)
    if not jobs:
        return {"run": label, "error": f"rc {rc}, no job; see {out / (_slug(label) + '.log')}"}
    return {"run": label, "launched_at": launched, "rc": rc, "batch": spec.training.batch_size, **job_figures(jobs[-1])}


def job_figures(job: Path) -> dict:
    """What a finished (or failed) job's folder says: figures, losses, the worker's speed line, its error."""
    def read(name):
        try:
            return json.loads((job / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    status, summary = read("status.json"), read("summary.json")
    metrics = []
    if (job / "metrics.jsonl").is_file():
        metrics = [json.loads(x) for x in (job / "metrics.jsonl").read_text(encoding="utf-8").splitlines() if x]
    losses = {r["step"]: r["loss"] for r in metrics if r.get("loss") is not None}
    logtext = (job / "log.txt").read_text(errors="replace") if (job / "log.txt").is_file() else ""
    speed = [x.split("speed: ", 1)[1] for x in logtext.splitlines() if "speed: " in x]
    out = {"job": job.name, "state": status.get("state"), "rows": summary.get("train_rows"),
           "train_s": summary.get("train_runtime_s"), "tokens": max([r.get("tokens_seen") or 0 for r in metrics] or [0]),
           "losses": losses, "train_loss": summary.get("mean_train_loss"), "steps": summary.get("steps"),
           "peak_gpu_mb": summary.get("peak_gpu_mb") or max([r.get("mem_mb") or 0 for r in metrics] or [0]),
           "peak_gpu_reserved_mb": summary.get("peak_gpu_reserved_mb"),
           "train_started_at": summary.get("train_started_at"), "speed": speed[-1] if speed else None,
           "notes": [x.strip()[:240] for x in logtext.splitlines()
                     if any(k in x for k in ("attention:", "memory:", "WARNING", "torch.compile"))][:6]}
    if status.get("state") != "succeeded":
        out["error"] = (status.get("error") or {}).get("message") or "; ".join(logtext.splitlines()[-4:])[-600:]
    return out


def _call(cmd: list[str], env: dict, log_path: Path, timeout: int) -> int:
    with open(log_path, "w") as f:
        try:
            return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, timeout=timeout,
                                  cwd=str(ROOT)).returncode
        except subprocess.TimeoutExpired:
            f.write(f"\n[bench] timed out after {timeout} s\n")
            return 124


def _slug(label: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")[:60]


# -- figures -------------------------------------------------------------------------------------------
def matmul_tflops(device: str) -> float | None:
    """The bf16 matrix rate of this GPU (an 8192^3 product, median of 10 after warm-up), for MFU."""
    if device != "cuda":
        return None
    import torch

    a, b = (torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16) for _ in range(2))
    for _ in range(3):
        a @ b
    times = []
    for _ in range(10):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        a @ b
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / 1000)
    del a, b
    torch.cuda.empty_cache()
    return 2 * 8192**3 / sorted(times)[5] / 1e12


CUDA_CONTEXT_MB = 512  # the CUDA context a training process holds beside its tensors (not in torch's counts)


def estimate_row(spec, config: dict, lengths: list[int], run: dict, device: str) -> dict:
    """The memory estimate (backend/plan/estimate.py, with the data's lengths, and gradient checkpointing where the
    worker's log says `auto` turned it on) against what the run needed: on a GPU the peak of its tensors
    (torch.cuda.max_memory_allocated; the caching allocator keeps more, but frees its spare blocks and
    retries before it reports out of memory) plus the CUDA context; on a CPU the peak RSS."""
    from backend.plan.estimate import estimate_memory, with_checkpointing

    if any("turning it on" in note for note in run.get("notes") or []):
        spec = with_checkpointing(spec)
    est = estimate_memory(spec, config, device, lengths=lengths)
    row = {"estimate_mb": round(est.total / 2**20), "estimate_parts_mb": {k: round(v / 2**20) for k, v in
                                                                          est.parts().items()}}
    measured = (run["peak_gpu_mb"] + CUDA_CONTEXT_MB) if run.get("peak_gpu_reserved_mb") else run.get("peak_gpu_mb")
    if measured:
        row["estimate_vs_measured"] = round(est.total / 2**20 / measured, 2)
    return row


def token_lengths(spec, model: Path, data: Path) -> list[int]:
    """The rows' token counts as the studio tokenizes them (what the estimate uses)."""
    from backend.data.load import as_sft, load_data
    from backend.data.tokenized import tokenize_sft
    from backend.training.model import load_tokenizer

    tokenizer, _ = load_tokenizer(str(model), spec)
    rows, _, _ = as_sft(load_data(spec.data, ROOT))
    return list(tokenize_sft(rows, tokenizer, spec.training.max_length, None).dataset["length"])


def table(results: list[dict], peak_tflops: float | None, n_params: int) -> None:
    cols = ["rows/s", "tokens/s", "peak GB", "MFU %", "loss first", "loss last", "loss mean", "start-up s",
            "est/meas"]
    print(f"\n{'run':<44}" + "".join(f"{c:>11}" for c in cols))
    base = next((r for r in results if r["run"] == TRL and "error" not in r), None)
    for r in results:
        if "error" in r and not r.get("train_s"):
            print(f"{r['run']:<44}  FAILED: {str(r['error'])[:150]}")
            continue
        print(f"{r['run']:<44}" + "".join(f"{_fmt(v):>11}" for v in _figures(r, peak_tflops, r.get("n_params",
                                                                                                 n_params))))
        if base is not None and r is not base and r.get("n_params", n_params) == n_params:
            ratio = [a / b if a and b else None for a, b in zip(_figures(r, peak_tflops, n_params)[:3],
                                                                _figures(base, peak_tflops, n_params)[:3])]
            print(f"{'  / plain TRL':<44}" + "".join(f"{_fmt(v, 'x'):>11}" for v in ratio))
    if base is not None:
        for r in results:
            if r is base or not r.get("losses") or r.get("n_params", n_params) != n_params:
                continue
            common = sorted(set(base["losses"]) & set(r["losses"]))
            if common:
                worst = max(abs(r["losses"][s] / base["losses"][s] - 1) for s in common)
                last = common[-1]
                print(f"loss of {r['run']} against plain TRL at steps {common[0]}..{last}: last "
                      f"{r['losses'][last] / base['losses'][last] - 1:+.2%}, worst {worst:.2%}")


def _figures(r: dict, peak_tflops: float | None, n_params: int) -> list:
    train_s = r.get("train_s") or 0
    rows = r.get("rows")
    if rows and r.get("steps") and r.get("batch"):
        rows = min(rows, r["steps"] * r["batch"])  # a run stopped by max_steps trained fewer rows than the set has
    rows_s = rows / train_s if train_s and rows else None
    tokens = r.get("epoch_tokens") or r.get("tokens")
    tokens_s = tokens / train_s if train_s and tokens else None
    mfu = 100 * 6 * n_params * tokens_s / (peak_tflops * 1e12) if tokens_s and peak_tflops else None
    losses = [r["losses"][s] for s in sorted(r.get("losses") or {})]
    startup = r["train_started_at"] - r["launched_at"] if r.get("train_started_at") and r.get("launched_at") else None
    peak = r.get("peak_gpu_mb")
    return [rows_s, tokens_s, peak / 1024 if peak else None, mfu, losses[0] if losses else None,
            losses[-1] if losses else None, r.get("train_loss"), startup, r.get("estimate_vs_measured")]


def _fmt(v, unit: str = "") -> str:
    if v is None:
        return "-"
    return f"{v:.2f}{unit}" if abs(v) < 1000 else f"{v:,.0f}{unit}"


# -- the parts -----------------------------------------------------------------------------------------
def stage_files(d: Path) -> dict[str, str]:
    """Tiny data of every kind (as tests/conftest.py's stage_files)."""
    q = [f"What is {i} plus {i}?" for i in range(16)]
    rows = {
        "text": [{"text": f"Nova is an assistant made by Studio. Note {i}: {q[i]}"} for i in range(16)],
        "preference": [{"prompt": q[i], "chosen": f"It is {2 * i}.", "rejected": f"Maybe {2 * i + 1}?"} for i in range(16)],
        "kto": [{"prompt": q[i], "completion": f"It is {2 * i + i % 2}.", "label": i % 2 == 0} for i in range(16)],
        "prompt": [{"prompt": q[i], "reference": f"{2 * i}"} for i in range(16)],
    }
    files = {}
    for kind, items in rows.items():
        path = d / f"{kind}.jsonl"
        path.write_text("".join(json.dumps(x) + "\n" for x in items), encoding="utf-8")
        files[kind] = str(path)
    return {**files, "chat": "demo"}


# sft with lora is the main run; every other stage, and qlora (sft, dpo) and full fine-tuning
STAGE_RUNS = [("pt", "lora", "text"), ("rm", "lora", "preference"), ("dpo", "lora", "preference"),
              ("orpo", "lora", "preference"), ("kto", "lora", "kto"), ("grpo", "lora", "prompt"),
              ("sft", "qlora", "chat"), ("dpo", "qlora", "preference"), ("sft", "full", "chat")]


def run_stages(ws: Path, out: Path, env: dict, device: str) -> list[dict]:
    from backend.spec import JobSpec

    files = stage_files(out)
    rows = []
    for stage, method, kind in STAGE_RUNS:
        spec = JobSpec.from_dict({
            "model": {"name_or_path": "demo"}, "data": {"train": files[kind]}, "stage": stage,
            "method": {"name": method}, "align": {"num_generations": 2, "max_completion_length": 8},
            "training": {"max_steps": 3, "batch_size": 4, "max_length": 128, "logging_steps": 1, "save_minutes": 0,
                         "device": device, "sample_prompts": 0}})
        r = run_studio(f"{stage} {method}", spec, ws, out, env, 240)
        rows.append(r)
        log(f"stage {stage:<4} {method:<5} {r.get('state')}: {r.get('error') or (r.get('speed') or '')[:160]}")
    return rows


def report(out: Path) -> None:
    """The table of an earlier (perhaps interrupted) run's results.jsonl."""
    results = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines() if x.strip()]
    for r in results:
        r["losses"] = {int(k): v for k, v in (r.get("losses") or {}).items()}
    info = json.loads((out / "machine.json").read_text()) if (out / "machine.json").is_file() else {}
    table(results, info.get("peak_tflops"), info.get("n_params", 0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="tiny shapes on the CPU (checks the script, ~1 minute)")
    ap.add_argument("--data", type=Path, help="LLaMA-Factory's alpaca_en_demo.json (found in ../shared otherwise)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-gpu"))
    ap.add_argument("--no-7b", action="store_true", help="skip QLoRA on the 7B shape")
    ap.add_argument("--qlora-steps", type=int, default=20)
    ap.add_argument("--ablate", action="store_true", help="studio runs with one speed choice changed at a time")
    ap.add_argument("--ablate-steps", type=int, default=0, help="the ablation runs stop after this many steps (0: "
                                                                  "the whole epoch)")
    ap.add_argument("--ablate-only", default="", help="with --ablate: only the runs whose label has one of these "
                                                       "comma-separated words")
    ap.add_argument("--compile", action="store_true", help="with --ablate: a run with torch.compile on too")
    ap.add_argument("--stages", action="store_true", help="every stage (and qlora, full) 3 steps on the demo model")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per run")
    ap.add_argument("--report", action="store_true", help="only print the table of DIR/results.jsonl (--out)")
    args = ap.parse_args()
    if args.report:
        return report(args.out)

    import torch

    device = "cpu" if args.small else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("no GPU here: run with --small to check the script on the CPU")
    job = SMALL_JOB if args.small else JOB
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    ws = out / "ws"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "STUDIO_WARM": "0"}
    log(f"{installed()}; {torch.cuda.get_device_name() if device == 'cuda' else 'CPU only'}")

    source = find_data(args.data)
    rows = json.loads(source.read_text(encoding="utf-8"))[: job["rows"]]
    data = out / "alpaca.json"
    data.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    texts = [r["instruction"] + "\n" + r.get("input", "") + "\n" + r["output"] for r in rows]
    from gpu_models import build

    t0 = time.time()
    model = out / "model-0.5b"
    config = build(model, texts, "tiny" if args.small else "qwen2.5-0.5b", device)
    log(f"model: {config['n_params'] / 1e6:.0f}M parameters, vocabulary {config['vocab_size']:,}, built in "
        f"{time.time() - t0:.0f} s")
    peak = matmul_tflops(device)
    if peak:
        log(f"bf16 matrix rate here: {peak:.0f} TFLOP/s")
    (out / "machine.json").write_text(json.dumps({"peak_tflops": peak, "n_params": config["n_params"],
                                                  "installed": installed()}))
    results: list[dict] = []

    def record(r: dict) -> None:
        results.append(r)
        with open(out / "results.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(r) + "\n")
        log(f"{r['run']}: {r.get('state', '')} {r.get('error') or ''} train {r.get('train_s')} s, "
            f"peak {r.get('peak_gpu_mb')} MB; {(r.get('speed') or '')[:200]}")

    record(run_trl(model, data, job, out, env, args.timeout, device == "cuda"))
    spec = studio_spec(model, data, job)
    lengths = token_lengths(spec, model, data)
    ours = run_studio(OURS, spec, ws, out, env, args.timeout)
    ours.update(estimate_row(spec, config, lengths, ours, device))
    ours["epoch_tokens"] = sum(lengths)  # the same rows, tokenized as the worker does (one epoch)
    record(ours)
    if not args.no_7b:
        t0 = time.time()
        big = out / "model-7b"
        big_config = build(big, texts, "tiny-wide-vocab" if args.small else "qwen2.5-7b", device)
        log(f"model: {big_config['n_params'] / 1e9:.2f}B parameters built in {time.time() - t0:.0f} s")
        q7 = studio_spec(big, data, job, {"method.name": "qlora", "training.max_steps": args.qlora_steps})
        cap = {**env, "STUDIO_GPU_MEMORY_GB": "24"}
        r = run_studio(f"{OURS}, qlora 7B shape ({args.qlora_steps} steps, 24 GB cap)", q7, ws, out, cap,
                       args.timeout + 120)
        r["n_params"] = big_config["n_params"]
        r.update(estimate_row(q7, big_config, lengths, r, device))
        record(r)
    # the ablations and stages are forked from a warm worker (backend/jobs/warm.py): their start-up is not the point
    warm = {**env, "STUDIO_WARM": "1", "STUDIO_WARM_IDLE_S": "120"}
    if args.stages:
        run_stages(ws, out, warm, device)
    if args.ablate:
        same = [(f"  defaults, {args.ablate_steps} steps (to compare with the ones below)", {})] if args.ablate_steps \
            else []
        for label, extra in same + [("  padding-free off", {"training.padding_free": "off"}),
                             ("  fused kernels off", {"training.fused_kernels": "off"}),
                             ("  attention sdpa", {"training.attention": "sdpa"}),
                             ("  all off (the plain path)", {"training.padding_free": "off",
                                                             "training.fused_kernels": "off",
                                                             "training.attention": "sdpa",
                                                             "training.group_by_length": "off"}),
                             ("  batches made in the training process", {"training.dataloader_workers": 0}),
                             ("  LoRA inputs cast as PEFT does", {"env.STUDIO_LORA_INPUT_CAST": "peft"}),
                             ("  torch.compile on", {"training.compile": "on"})]:
            if extra.get("training.compile") == "on" and (args.small or not args.compile):
                continue
            if args.ablate_only and extra and not any(w in label for w in args.ablate_only.split(",")):
                continue
            run_env = {**warm, **{k[4:]: v for k, v in extra.items() if k.startswith("env.")}}
            extra = {k: v for k, v in extra.items() if not k.startswith("env.")}
            if args.ablate_steps:
                extra = {**extra, "training.max_steps": args.ablate_steps}
            s = studio_spec(model, data, job, extra)
            r = run_studio(OURS + label, s, ws, out, run_env, args.timeout)
            r.update(estimate_row(s, config, lengths, r, device))
            if not args.ablate_steps:
                r["epoch_tokens"] = sum(lengths)
            record(r)
    qlora = studio_spec(model, data, job, {"method.name": "qlora", "training.max_steps": 30})
    r = run_studio(OURS + ", qlora (30 steps)", qlora, ws, out, env, args.timeout)
    r.update(estimate_row(qlora, config, lengths, r, device))
    record(r)
    table(results, peak, config["n_params"])
    print(f"\n{time.strftime('%Y-%m-%d')}; {torch.cuda.get_device_name() if device == 'cuda' else 'CPU'}; "
          f"{job['rows']} rows, batch {job['batch']}, max length {job['max_length']}, LoRA r{job['lora_r']}")


if __name__ == "__main__":
    main()
