"""The LLaMA-Factory side of bench_train.py: the same job through LLaMA-Factory's own trainer.

    LF_PYTHON benchmarks/llamafactory_baseline.py MODEL_DIR DATA.json --out result.json [--threads N]

Runs under a Python that has llamafactory installed (its own venv: it pins other versions of
transformers, TRL and peft than the studio's), never under the studio's. The job is bench_train.py's:
LoRA r=8 (alpha 16, dropout 0) on all linear layers, batch 8, cutoff 512, one epoch, lr 2e-4, linear
schedule, fp32 on the CPU, prompt tokens masked (LLaMA-Factory's default), the chatml template (the
bench model's, with no default system prompt). `run_exp` is called in this process (on a CPU,
llamafactory-cli does the same), with a callback that notes when training starts.
The figures go to --out as JSON.
"""

from __future__ import annotations

import time

T_START = time.time()  # before the heavy imports: start-up counts them

import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from baseline_common import parser, timing_callback, write_result  # noqa: E402 - benchmarks/, on sys.path


def main() -> None:
    args = parser().parse_args()

    import torch

    try:
        import torchaudio  # noqa: F401 - llamafactory imports it for audio data, whatever the job
    except (ImportError, OSError):  # a torchaudio built for another torch (text jobs never call it)
        import importlib.machinery
        import types

        stub = types.ModuleType("torchaudio")
        stub.__spec__ = importlib.machinery.ModuleSpec("torchaudio", None)
        sys.modules["torchaudio"] = stub
    from llamafactory.train.tuner import run_exp

    if args.threads:
        torch.set_num_threads(args.threads)
    marks: dict = {}

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        (data_dir / "bench.json").write_text(Path(args.data).read_text(encoding="utf-8"), encoding="utf-8")
        (data_dir / "dataset_info.json").write_text(json.dumps({"bench": {"file_name": "bench.json"}}))
        out_dir = Path(tmp) / "out"
        run_exp({
            "model_name_or_path": args.model, "stage": "sft", "do_train": True, "finetuning_type": "lora",
            "lora_rank": 8, "lora_alpha": 16, "lora_dropout": 0.0, "lora_target": "all",
            "dataset": "bench", "dataset_dir": str(data_dir), "template": "chatml", "cutoff_len": 512,
            "overwrite_cache": True, "preprocessing_num_workers": None, "output_dir": str(out_dir),
            "logging_steps": 5, "save_strategy": "no", "per_device_train_batch_size": 8,
            "gradient_accumulation_steps": 1, "learning_rate": 2e-4, "num_train_epochs": 1.0,
            "lr_scheduler_type": "linear", "bf16": False, "fp16": False, "use_cpu": True, "report_to": "none",
            "seed": 42, "include_num_input_tokens_seen": "non_padding", "plot_loss": False,
        }, callbacks=[timing_callback(marks)])
        results = json.loads((out_dir / "train_results.json").read_text())
        rows = len(json.loads(Path(args.data).read_text(encoding="utf-8")))
    write_result(args.out, T_START, marks, rows, results["train_runtime"], torch.get_num_threads())


if __name__ == "__main__":
    main()
