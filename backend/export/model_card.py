"""A short README model card for an exported adapter, from the job's own files."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from backend.bench.results import card_lines


def model_card(job_dir: Path, merged: bool = False) -> str:
    """The card of the job's adapter (the zip, the hub push), or with `merged` of its merged folder. A
    vision-language job's card says so and shows how to load it with an image."""
    from backend.export.vision_job import is_vision_job

    job_dir = Path(job_dir)
    vision = is_vision_job(job_dir)
    spec = yaml.safe_load((job_dir / "spec.yaml").read_text(encoding="utf-8"))
    summary = _json(job_dir / "summary.json")
    adapter_cfg = _json(job_dir / "adapter" / "adapter_config.json")
    base = adapter_cfg.get("base_model_name_or_path") or spec["model"]["name_or_path"]
    t, m = spec["training"], spec["method"]
    lines = [
        f"# {job_dir.name}: {m['name'].upper()} {'merged model' if merged else 'adapter'}",
        "",
        f"Fine-tuned with finetune-studio from `{base}` on `{spec['data']['train']}` (stage `{spec['stage']}`).",
        "",
        *(_vision_lines(m) if vision else []),
        "## Training",
        "",
        "| setting | value |",
        "| --- | --- |",
        f"| method | {m['name']} (r={m['lora_r']}, alpha={m['lora_alpha']}, dropout={m['lora_dropout']}, "
        f"targets {m['target_modules']}) |",
        f"| epochs / max steps | {t['num_epochs']} / {t['max_steps'] or '-'} |",
        f"| learning rate | {t['learning_rate']} ({t['scheduler']}, warmup {t['warmup_ratio']}) |",
        f"| batch size x accumulation | {t['batch_size']} x {t['gradient_accumulation_steps']} |",
        f"| max length | {t['max_length']} |",
        f"| seed | {t['seed']} |",
    ]
    if summary:
        lines += [
            f"| training rows | {summary.get('train_rows')} |",
            f"| steps | {summary.get('steps')} |",
            f"| final training loss | {summary.get('final_loss')} |",
            f"| train time | {summary.get('train_runtime_s')} s |",
        ]
    lines += card_lines(job_dir)  # the standard benchmarks, base vs tuned, when `studio bench` ran
    plots = job_dir / "plots"
    if (plots / "loss.png").is_file():
        lines += ["", "## Curves", "", "![loss](plots/loss.png)"]
        if (plots / "learning_rate.png").is_file():
            lines += ["", "![learning rate](plots/learning_rate.png)"]
        if (plots / "rewards.png").is_file():  # dpo, orpo, kto, rm, grpo: the stage's rewards
            lines += ["", "![rewards](plots/rewards.png)"]
    lines += [
        "",
        "## Use",
        "",
        *_use_lines(base, vision, merged),
        "",
        "`spec.yaml` is the exact job spec: `studio train spec.yaml` runs it again.",
        "",
    ]
    return "\n".join(lines)


def _vision_lines(m: dict) -> list[str]:
    parts = ["the language model"] + [p for p, on in (("the projector", m.get("train_projector")),
                                                       ("the vision tower", m.get("train_vision_tower"))) if on]
    frozen = [p for p, on in (("projector", m.get("train_projector")), ("vision tower", m.get("train_vision_tower")))
              if not on]
    line = f"A **vision-language model** (image + text in, text out). Trained: {', '.join(parts)}"
    return [line + (f"; frozen: the {' and the '.join(frozen)}." if frozen else "."), ""]


def _use_lines(base: str, vision: bool, merged: bool) -> list[str]:
    auto = "AutoModelForImageTextToText" if vision else "AutoModelForCausalLM"
    helper = "AutoProcessor" if vision else "AutoTokenizer"
    lines = ["```python", f"from transformers import {auto}, {helper}"]
    if vision:
        lines.insert(1, "from PIL import Image")
    if merged:
        lines += ["", f'model = {auto}.from_pretrained("path/to/this/folder")']
    else:
        lines += ["from peft import PeftModel", "", f'base = {auto}.from_pretrained("{base}")',
                  'model = PeftModel.from_pretrained(base, "path/to/this/folder")']
    if not vision:
        return [*lines, 'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")', "```"]
    return [
        *lines,
        'processor = AutoProcessor.from_pretrained("path/to/this/folder")  # tokenizer, image processor, template',
        'messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Who are they?"}]}]',
        "text = processor.apply_chat_template(messages, add_generation_prompt=True)",
        'inputs = processor(text=[text], images=[Image.open("photo.jpg")], return_tensors="pt")',
        "out = model.generate(**inputs, max_new_tokens=64)",
        'print(processor.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True))',
        "```",
        "",
        "AutoProcessor loads this family's video processor too, which needs torchvision (`pip install torchvision`).",
    ]


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
