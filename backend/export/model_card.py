"""A short README model card for an exported adapter, from the job's own files."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from backend.bench.results import card_lines


def model_card(job_dir: Path) -> str:
    job_dir = Path(job_dir)
    spec = yaml.safe_load((job_dir / "spec.yaml").read_text(encoding="utf-8"))
    summary = _json(job_dir / "summary.json")
    adapter_cfg = _json(job_dir / "adapter" / "adapter_config.json")
    base = adapter_cfg.get("base_model_name_or_path") or spec["model"]["name_or_path"]
    t, m = spec["training"], spec["method"]
    lines = [
        f"# {job_dir.name}: {m['name'].upper()} adapter",
        "",
        f"Fine-tuned with finetune-studio from `{base}` on `{spec['data']['train']}` (stage `{spec['stage']}`).",
        "",
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
    lines += [
        "",
        "## Use",
        "",
        "```python",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        "from peft import PeftModel",
        "",
        f'base = AutoModelForCausalLM.from_pretrained("{base}")',
        'model = PeftModel.from_pretrained(base, "path/to/this/folder")',
        'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")',
        "```",
        "",
        "`spec.yaml` is the exact job spec: `studio train spec.yaml` runs it again.",
        "",
    ]
    return "\n".join(lines)


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
