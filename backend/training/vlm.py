"""A vision-language SFT with LoRA on the language model, the vision tower frozen (issue 22; not yet a stage).

    from backend.training.vlm import train_vlm_lora
    result = train_vlm_lora(model_dir, examples, out_dir, max_steps=3)

`examples` are the data layer's image rows ({"messages": [...] with "<image>" placeholders, "images": [absolute
paths]}, backend/data/images.py). Each message becomes Qwen2-VL-style structured content (an image part where each
"<image>" was), so TRL's vision collator (SFTTrainer with a processor) puts every image where the row put it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backend.data.images import IMAGE_PLACEHOLDER

# LoRA on the language model's attention and MLP projections only: the vision tower and its merger stay frozen.
LANGUAGE_TARGETS = r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"


@dataclass
class VlmResult:
    losses: list[float]
    adapter_dir: Path
    model: object  # the PEFT model after training


def structured(messages: list[dict]) -> list[dict]:
    """String contents with "<image>" placeholders as lists of {"type": "image"} and {"type": "text"} parts (one
    schema for every part, so a datasets.Dataset holds them)."""
    out = []
    for m in messages:
        parts = []
        for i, piece in enumerate(str(m["content"]).split(IMAGE_PLACEHOLDER)):
            if i:
                parts.append({"type": "image", "text": None})
            if piece:
                parts.append({"type": "text", "text": piece})
        out.append({"role": m["role"], "content": parts})
    return out


def train_vlm_lora(model_dir: Path, examples: list[dict], out_dir: Path, max_steps: int = 3, rank: int = 8,
                   learning_rate: float = 1e-3, seed: int = 0) -> VlmResult:
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForImageTextToText
    from trl import SFTConfig, SFTTrainer

    from backend.demo_vlm import load_processor

    processor = load_processor(model_dir)
    model = AutoModelForImageTextToText.from_pretrained(model_dir)
    rows = [{"messages": structured(e["messages"]), "images": list(e.get("images") or [])} for e in examples]
    args = SFTConfig(
        output_dir=str(out_dir),
        max_steps=max_steps,
        per_device_train_batch_size=1,
        learning_rate=learning_rate,
        lr_scheduler_type="constant",
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=seed,
        remove_unused_columns=False,
        max_length=None,
        dataloader_num_workers=0,
    )
    peft_config = LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=LANGUAGE_TARGETS, task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(rows), processing_class=processor,
                         peft_config=peft_config)
    trainer.train()
    adapter_dir = Path(out_dir) / "adapter"
    trainer.model.save_pretrained(adapter_dir)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return VlmResult(losses=losses, adapter_dir=adapter_dir, model=trainer.model)
