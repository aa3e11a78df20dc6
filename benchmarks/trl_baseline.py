"""The baseline of bench_train.py: a plain TRL SFTTrainer script, as a user would write it.

    python benchmarks/trl_baseline.py MODEL_DIR DATA.json --out result.json [--threads N]
        [--epochs 1] [--batch 8] [--max-length 512] [--lora-r 8] [--packing]

Alpaca rows become conversational prompt/completion pairs, so TRL masks the prompt tokens
(`completion_only_loss`, its default for such data); LoRA on all linear layers; fp32 on the CPU.
It prints nothing the benchmark needs: the figures go to --out as JSON.
"""

from __future__ import annotations

import time

T_START = time.time()  # before the heavy imports: start-up counts them

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("data")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--lora-r", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--packing", action="store_true")
    args = ap.parse_args()

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    if args.threads:
        torch.set_num_threads(args.threads)
    rows = json.loads(open(args.data, encoding="utf-8").read())
    pairs = [{"prompt": [{"role": "user", "content": r["instruction"] + ("\n" + r["input"] if r.get("input") else "")}],
              "completion": [{"role": "assistant", "content": r["output"]}]} for r in rows]
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
    config = SFTConfig(
        output_dir=args.out + ".dir", num_train_epochs=args.epochs, per_device_train_batch_size=args.batch,
        learning_rate=args.lr, max_length=args.max_length, packing=args.packing, use_cpu=True, bf16=False,
        logging_steps=5, save_strategy="no", report_to="none", include_num_input_tokens_seen="non_padding",
        activation_checkpointing=False, seed=42, dataloader_num_workers=0,
    )
    peft = LoraConfig(r=args.lora_r, lora_alpha=2 * args.lora_r, lora_dropout=0.0, target_modules="all-linear",
                      task_type="CAUSAL_LM")
    marks = {}

    class Ready(TrainerCallback):
        def on_train_begin(self, a, state, control, **kw):
            marks["ready"] = time.time()

    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(pairs), processing_class=tokenizer,
                         peft_config=peft, callbacks=[Ready()])
    result = trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    out = {
        "rows": len(pairs),
        "startup_s": marks["ready"] - T_START,
        "train_started_at": marks["ready"],
        "train_s": result.metrics["train_runtime"],
        "tokens": int(trainer.state.num_input_tokens_seen),
        "steps": result.global_step,
        "first_loss": losses[0] if losses else None,
        "final_loss": losses[-1] if losses else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": torch.get_num_threads(),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
