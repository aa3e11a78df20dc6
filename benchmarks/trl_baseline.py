"""The baseline of bench_train.py and bench_gpu.py: a plain TRL SFTTrainer script, as a user would write it.

    python benchmarks/trl_baseline.py MODEL_DIR DATA.json --out result.json [--threads N]
        [--epochs 1] [--batch 8] [--max-length 512] [--lora-r 8] [--packing]
        [--gpu] [--lr 2e-4] [--logging-steps 5] [--scheduler linear] [--warmup 0]

Alpaca rows become conversational prompt/completion pairs, so TRL masks the prompt tokens
(`completion_only_loss`, its default for such data); LoRA on all linear layers; fp32 on the CPU. With
--gpu: the model in bf16 and bf16=True on the GPU, padded batches in random order (TRL's defaults), and the
result also gives the peak GPU memory (torch.cuda.max_memory_allocated) and the losses at each logging step.
It prints nothing the benchmark needs: the figures go to --out as JSON.
"""

from __future__ import annotations

import time

T_START = time.time()  # before the heavy imports: start-up counts them

import json  # noqa: E402

from baseline_common import parser, timing_callback, write_result  # noqa: E402 - benchmarks/, on sys.path


def main() -> None:
    ap = parser()
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--lora-r", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--packing", action="store_true")
    ap.add_argument("--gpu", action="store_true", help="bf16 on the GPU, as a user writes it for one")
    ap.add_argument("--logging-steps", type=int, default=5)
    ap.add_argument("--scheduler", default="linear")
    ap.add_argument("--warmup", type=float, default=0.0, help="warmup steps, or a share of them below 1")
    args = ap.parse_args()

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    if args.threads:
        torch.set_num_threads(args.threads)
    rows = json.loads(open(args.data, encoding="utf-8").read())
    pairs = [{"prompt": [{"role": "user", "content": r["instruction"] + ("\n" + r["input"] if r.get("input") else "")}],
              "completion": [{"role": "assistant", "content": r["output"]}]} for r in rows]
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.bfloat16 if args.gpu else torch.float32)
    config = SFTConfig(
        output_dir=args.out + ".dir", num_train_epochs=args.epochs, per_device_train_batch_size=args.batch,
        learning_rate=args.lr, max_length=args.max_length, packing=args.packing, use_cpu=not args.gpu,
        bf16=args.gpu, logging_steps=args.logging_steps, save_strategy="no", report_to="none",
        include_num_input_tokens_seen="non_padding", lr_scheduler_type=args.scheduler, warmup_steps=args.warmup,
        seed=42, dataloader_num_workers=0, **no_checkpointing(SFTConfig),
    )
    peft = LoraConfig(r=args.lora_r, lora_alpha=2 * args.lora_r, lora_dropout=0.0, target_modules="all-linear",
                      task_type="CAUSAL_LM")
    marks: dict = {}
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(pairs), processing_class=tokenizer,
                         peft_config=peft, callbacks=[timing_callback(marks)])
    if args.gpu:
        torch.cuda.reset_peak_memory_stats()
    result = trainer.train()
    # the tokens one epoch trains on, counted from the tokenized rows (the trainer's own count samples it)
    epoch_tokens = sum(len(ids) for ids in trainer.train_dataset["input_ids"])
    extra = {"train_loss": result.training_loss, "epoch_tokens": epoch_tokens if args.epochs == 1 else None,
             "losses": {h["step"]: h["loss"] for h in trainer.state.log_history if "loss" in h}}
    if args.gpu:
        extra["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
        extra["peak_gpu_reserved_mb"] = round(torch.cuda.max_memory_reserved() / 2**20, 1)
    write_result(args.out, T_START, marks, len(pairs), result.metrics["train_runtime"], torch.get_num_threads(),
                 extra)


def no_checkpointing(config_class) -> dict:
    """Checkpointing off (TRL turns it on by default) under the name this transformers knows: newer 5.x call it
    `activation_checkpointing` (the old name a deprecated alias), 5.0 only `gradient_checkpointing`. Written out
    here as a user's script would (the studio's own shim is backend/training/compat.py)."""
    import dataclasses

    names = {f.name for f in dataclasses.fields(config_class)}
    return {"activation_checkpointing" if "activation_checkpointing" in names else "gradient_checkpointing": False}


if __name__ == "__main__":
    main()
