"""Where a training step's time goes, on the GPU: the plain TRL script's trainer and the studio's, in one process.

    python benchmarks/gpu_profile.py MODEL_DIR DATA.json [--rows 320] [--steps 14] [--out DIR]
        [--variant NAME=training.key=value,...]

For each trainer: the median step time over the steps after a warm-up (CUDA synchronized at each step end),
then three steps under torch.profiler: GPU kernel time and kernel launches per step (GPU busy share =
kernel time / step time: far below 1 means the GPU waits for Python), the kernels that take most GPU
time and the operators that take most CPU time. What bench_gpu.py's totals cannot say: whether a
change must cut GPU work or launches. Prints one block per trainer; DIR/profile.txt gets the same.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH, MAX_LENGTH, LORA_R = 16, 1024, 16


def step_clock(times: list, prof_holder: dict):
    import torch
    from transformers import TrainerCallback

    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)

    class Clock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            sync()
            self.t = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            sync()
            times.append(time.perf_counter() - self.t)
            if prof_holder.get("prof") is not None:
                prof_holder["prof"].step()

    return Clock()


def plain_trainer(model_dir: str, rows: list[dict], steps: int, callback):
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from backend.training.compat import checkpointing_kwarg

    pairs = [{"prompt": [{"role": "user", "content": r["instruction"] + ("\n" + r["input"] if r.get("input") else "")}],
              "completion": [{"role": "assistant", "content": r["output"]}]} for r in rows]
    tok = AutoTokenizer.from_pretrained(model_dir)
    gpu = torch.cuda.is_available()
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.bfloat16 if gpu else torch.float32)
    cfg = SFTConfig(output_dir="/tmp/gpu_profile_trl", max_steps=steps, per_device_train_batch_size=BATCH,
                    learning_rate=2e-4, max_length=MAX_LENGTH, bf16=gpu, use_cpu=not gpu, logging_steps=10, save_strategy="no",
                    report_to="none", include_num_input_tokens_seen="non_padding", seed=42,
                    **checkpointing_kwarg(False))
    peft = LoraConfig(r=LORA_R, lora_alpha=2 * LORA_R, lora_dropout=0.0, target_modules="all-linear",
                      task_type="CAUSAL_LM")
    return SFTTrainer(model=model, args=cfg, train_dataset=Dataset.from_list(pairs), processing_class=tok,
                      peft_config=peft, callbacks=[callback])


def studio_trainer(model_dir: str, data: Path, steps: int, callback, overrides: list[str], ws_root: Path):
    from backend.data.load import load_data
    from backend.spec import JobSpec
    from backend.store import JobStore
    from backend.training.callback import JobReporter
    from backend.training.run import build_run
    from backend.workspace import Workspace

    spec = JobSpec.from_dict({
        "model": {"name_or_path": model_dir}, "data": {"train": str(data), "format": "alpaca"},
        "method": {"name": "lora", "lora_r": LORA_R, "lora_alpha": 2 * LORA_R, "lora_dropout": 0.0},
        "training": {"max_steps": steps, "batch_size": BATCH, "max_length": MAX_LENGTH, "learning_rate": 2e-4,
                     "logging_steps": 10, "save_minutes": 0, "sample_prompts": 0, "report_to": []},
    }).with_overrides(overrides)
    ws = Workspace.at(ws_root)
    store = JobStore(ws)
    job_dir = store.job_dir(store.create_job(spec, state="running"))
    run = build_run(spec, job_dir, ws, JobReporter(job_dir), data=load_data(spec.data, ws.root))
    run.trainer.add_callback(callback)
    return run.trainer


def profile(name: str, build, steps: int) -> str:
    import torch
    from torch.profiler import ProfilerActivity, schedule

    times: list[float] = []
    holder: dict = {}
    trainer = build(step_clock(times, holder))
    warm = steps - 3
    gpu = torch.cuda.is_available()
    activities = [ProfilerActivity.CPU, *([ProfilerActivity.CUDA] if gpu else [])]
    prof = torch.profiler.profile(activities=activities,
                                  schedule=schedule(wait=warm, warmup=0, active=3, repeat=1))
    holder["prof"] = prof
    if gpu:
        torch.cuda.reset_peak_memory_stats()
    with prof:
        trainer.train()
    holder["prof"] = None
    steady = times[3:warm] or times
    step_s = statistics.median(steady)
    events = prof.key_averages()
    kernels = [e for e in events if e.device_type.name == "CUDA"]
    gpu_s = sum(e.self_device_time_total for e in kernels) / 1e6 / 3
    launches = sum(e.count for e in kernels) / 3
    lines = [f"== {name}: median step {step_s * 1000:.0f} ms over {len(steady)} steps; GPU kernel time "
             f"{gpu_s * 1000:.0f} ms/step (busy {gpu_s / step_s:.0%}); {launches:.0f} kernels/step; peak "
             f"{torch.cuda.max_memory_allocated() / 2**30 if gpu else 0:.1f} GB"]
    top = sorted(kernels, key=lambda e: -e.self_device_time_total)[:10]
    lines += [f"   gpu {e.self_device_time_total / 3e3:7.1f} ms x{e.count // 3:<5} {e.key[:90]}" for e in top]
    cpu = sorted((e for e in events if e.device_type.name == "CPU"), key=lambda e: -e.self_cpu_time_total)[:10]
    lines += [f"   cpu {e.self_cpu_time_total / 3e3:7.1f} ms x{e.count // 3:<5} {e.key[:90]}" for e in cpu]
    del trainer
    if gpu:
        torch.cuda.empty_cache()
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("data", type=Path)
    ap.add_argument("--rows", type=int, default=320)
    ap.add_argument("--steps", type=int, default=14)
    ap.add_argument("--out", type=Path, default=Path("/tmp/gpu-profile"))
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=KEY=VALUE[,KEY=VALUE]")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = json.loads(args.data.read_text(encoding="utf-8"))[: args.rows]
    data = args.out / "rows.json"
    data.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    variants = [("studio default", [])]
    for v in args.variant:
        name, _, sets = v.partition("=")
        variants.append((name, sets.split(",")))
    report = []
    builds = [("plain TRL", lambda cb: plain_trainer(args.model, rows, args.steps, cb))]
    builds += [(name, lambda cb, sets=sets, i=i: studio_trainer(args.model, data, args.steps, cb, sets,
                                                                args.out / f"ws{i}"))
               for i, (name, sets) in enumerate(variants)]
    for name, build in builds:
        try:
            block = profile(name, build, args.steps)
        except Exception as exc:  # noqa: BLE001 - one trainer failing still leaves the others' figures
            block = f"== {name}: FAILED {type(exc).__name__}: {str(exc)[:400]}"
        print(block, flush=True)
        report.append(block)
    (args.out / "profile.txt").write_text("\n".join(report) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
