"""backend.plan.estimate's memory estimate against the memory training really takes, on this machine's CPU.

    python benchmarks/bench_memory_estimate.py [--steps 3] [--quick]

For the demo model and a larger random-init Qwen2 (hidden 512, 8 layers, vocab 8k, built here,
nothing downloaded), for methods full, lora and qlora (4-bit) and batch x length 4x128 and 8x256,
each run trains a few steps with TRL's SFTTrainer (the studio's trainer, same settings as
backend/training/stages/sft.py) in a fresh process and reports:

    before   RSS right before trainer.train() (weights, Python, torch, the trainer)
    peak     peak RSS during training (VmHWM, reset with /proc/self/clear_refs just before; it is
             what ru_maxrss reports, without the model-loading peak)
    rise     peak - before: gradients, optimizer state, activations, logits

and prints it beside the estimate: est. rise = the whole estimate less the weights and CPU_PROCESS
(gradients, optimizer, activations, logits and the rest of the CPU overhead), est. peak = the whole
estimate. Then the median and worst ratios, and the activation and logits factors that would fit
these rows best (least squares on the rise).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEDIUM = dict(model_type="qwen2", hidden_size=512, intermediate_size=1408, num_hidden_layers=8,
              num_attention_heads=8, num_key_value_heads=4, vocab_size=8192, tie_word_embeddings=False,
              max_position_embeddings=4096)
MB = 1024 * 1024


# -- the child: one training run, in its own process -----------------------------------------------
def _status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def child(args: dict) -> dict:
    import resource

    import torch
    from datasets import Dataset
    from peft import LoraConfig, TaskType
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig
    from trl import SFTConfig, SFTTrainer

    from backend.training.compat import checkpointing_kwarg
    from backend.training.lm_head import install

    install()  # the worker's LM head on a CPU (shapes here stay within one pass: tokens_per_pass)
    rss_imports = _status("VmRSS")
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    torch.manual_seed(0)
    method, b, length, steps = args["method"], args["batch"], args["length"], args["steps"]
    kwargs = {"dtype": torch.float32}
    if method == "qlora":
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.float32)
        kwargs["device_map"] = "cpu"
    model = AutoModelForCausalLM.from_pretrained(args["model"], **kwargs)
    tok = AutoTokenizer.from_pretrained(args["tokenizer"])
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    high = min(len(tok), model.config.vocab_size)
    ids = torch.randint(3, high, (b * steps, length)).tolist()
    data = Dataset.from_dict({"input_ids": ids})
    peft = None
    if method in ("lora", "qlora"):
        peft = LoraConfig(task_type=TaskType.CAUSAL_LM, r=8, lora_alpha=16, lora_dropout=0.05,
                          target_modules="all-linear")
    config = SFTConfig(output_dir=args["out"], max_steps=steps, per_device_train_batch_size=b,
                       gradient_accumulation_steps=1, learning_rate=1e-4, logging_steps=1000,
                       save_strategy="no", max_length=length, use_cpu=True, **checkpointing_kwarg(False),
                       report_to="none", dataloader_num_workers=0, bf16=False, fp16=False)
    trainer = SFTTrainer(model=model, args=config, train_dataset=data, processing_class=tok, peft_config=peft)
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    rss_before = _status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:  # reset the peak (VmHWM and ru_maxrss) to the RSS now
        f.write("5")
    t0 = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - t0
    peak = _status("VmHWM")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return dict(rss_imports=rss_imports, before=rss_before, peak=peak, ru_maxrss=maxrss, trainable=trainable,
                seconds=seconds)


# -- the parent ------------------------------------------------------------------------------------
def build_medium(folder: Path) -> Path:
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    if (folder / "config.json").is_file():
        return folder
    cfg = Qwen2Config(**{k: v for k, v in MEDIUM.items() if k != "model_type"})
    torch.manual_seed(0)
    Qwen2ForCausalLM(cfg).save_pretrained(folder)
    return folder


def run_child(args: dict) -> dict:
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "TRANSFORMERS_VERBOSITY": "error"}
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(args)], capture_output=True, text=True,
                         env=env, cwd=ROOT)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"child failed ({args}):\n{out.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def estimate_for(config: dict, method: str, b: int, length: int):
    from backend.plan.estimate import estimate_memory
    from backend.spec import JobSpec, MethodSpec, TrainingSpec

    spec = JobSpec(method=MethodSpec(name=method, quant_bits=4, double_quant=True),
                   training=TrainingSpec(batch_size=b, max_length=length, device="cpu"))
    return estimate_memory(spec, config, "cpu")


def fit(rows: list[dict]) -> tuple[float, float]:
    """Least squares: rise - grads - optimizer - the fixed overhead = F * activations(F=1) + K * logits(K=1)."""
    import backend.plan.estimate as E

    a11 = a12 = a22 = b1 = b2 = 0.0
    for r in rows:
        est = r["est"]
        x1 = est.activations / E.activation_factor("cpu")
        x2 = est.logits / E.logits_factor("cpu")
        y = r["rise"] - est.gradients - est.optimizer - r["fixed"]
        a11, a12, a22, b1, b2 = a11 + x1 * x1, a12 + x1 * x2, a22 + x2 * x2, b1 + x1 * y, b2 + x2 * y
    det = a11 * a22 - a12 * a12
    return (b1 * a22 - b2 * a12) / det, (a11 * b2 - a12 * b1) / det


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="the demo model only")
    ap.add_argument("--shapes", default="4x128,8x256", help="batch x length combinations")
    ap.add_argument("--methods", default="full,lora,qlora")
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(json.loads(args.child))), flush=True)
        return

    import backend.plan.estimate as E
    from backend.demo import DEMO_CONFIG, VOCAB_SIZE, ensure_demo_model

    shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes.split(",")]
    methods = args.methods.split(",")
    rows = []
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        demo = ensure_demo_model(Path(tmp) / "models")
        demo_config = json.loads((demo / "config.json").read_text())
        models = [("demo", demo, demo_config)]
        if not args.quick:
            medium = build_medium(Path(tmp) / "medium")
            models.append(("qwen2-512x8", medium, json.loads((medium / "config.json").read_text())))
        for label, path, config in models:
            for method in methods:
                for b, length in shapes:
                    res = run_child(dict(model=str(path), tokenizer=str(demo), method=method, batch=b,
                                         length=length, steps=args.steps, out=str(Path(tmp) / "out")))
                    est = estimate_for(config, method, b, length)
                    buffer = est.overhead - E.CPU_PROCESS
                    rows.append(dict(model=label, method=method, b=b, length=length, est=est, fixed=buffer,
                                     rise=res["peak"] - res["before"], **res))
                    r = rows[-1]
                    print(f"  {label} {method} {b}x{length}: rise {r['rise'] / MB:.0f} MB, peak {r['peak'] / MB:.0f} MB,"
                          f" {r['seconds']:.1f} s", file=sys.stderr, flush=True)
    assert DEMO_CONFIG and VOCAB_SIZE  # the demo's config.json is read from the built model

    def est_rise(r):  # everything but the weights and the process before training
        return r["est"].total - r["est"].weights - E.CPU_PROCESS

    print(f"\nCPU, {len(os.sched_getaffinity(0))} cores; {args.steps} steps per run; "
          f"ACTIVATION_FACTOR={E.activation_factor('cpu')}, ADAPTER_ACTIVATION={E.ADAPTER_ACTIVATION}, LOGITS_FACTOR={E.logits_factor('cpu')}, "
          f"CPU_PROCESS={E.CPU_PROCESS / MB:.0f} MB, CPU_TRAIN_FIXED={E.CPU_TRAIN_FIXED / MB:.0f} MB, "
          f"CPU_WEIGHT_SLACK={E.CPU_WEIGHT_SLACK}")
    head = (f"{'model':12} {'method':6} {'b x len':>8} {'trainable':>10} {'est rise':>9} {'rise':>9} {'ratio':>6} "
            f"{'est peak':>9} {'peak':>9} {'ratio':>6} {'imports':>8} {'s':>6}")
    print(head)
    rise_ratios, peak_ratios = [], []
    for r in rows:
        e = r["est"]
        rr = est_rise(r) / r["rise"]
        pr = e.total / r["peak"]
        rise_ratios.append(rr)
        peak_ratios.append(pr)
        print(f"{r['model']:12} {r['method']:6} {r['b']:>3}x{r['length']:<4} {r['trainable']:>10,} "
              f"{est_rise(r) / MB:8.0f}M {r['rise'] / MB:8.0f}M {rr:6.2f} {e.total / MB:8.0f}M {r['peak'] / MB:8.0f}M "
              f"{pr:6.2f} {r['rss_imports'] / MB:7.0f}M {r['seconds']:6.1f}")
        if e.trainable_params != r["trainable"]:
            print(f"    (trainable: estimated {e.trainable_params:,}, measured {r['trainable']:,})")

    def worst(xs):
        return max(xs, key=lambda x: abs(x - 1))

    print(f"\nrise  est/measured: median {statistics.median(rise_ratios):.2f}, worst {worst(rise_ratios):.2f}")
    print(f"peak  est/measured: median {statistics.median(peak_ratios):.2f}, worst {worst(peak_ratios):.2f}")
    f_fit, k_fit = fit(rows)
    print(f"least-squares fit on the rise: ACTIVATION_FACTOR = {f_fit:.2f}, LOGITS_FACTOR = {k_fit:.2f}")
    print(f"RSS after importing torch/transformers/TRL/PEFT: "
          f"median {statistics.median(r['rss_imports'] for r in rows) / MB:.0f} MB; "
          f"RSS before training minus estimated weights: median "
          f"{statistics.median(r['before'] - r['est'].weights for r in rows) / MB:.0f} MB")
    print(f"total {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
