"""The merged export: a real LoRA job on the demo, merged into its base, then loaded in a fresh
process with plain transformers (no peft) and compared with base + adapter through peft: the same
logits (max abs diff < 1e-4 in fp32). The CLI writes bf16; prompt methods are refused with the reason."""

from __future__ import annotations

import json

import pytest

from backend.export.adapter_zip import ExportError
from backend.export.merged import export_merged
from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from tests.conftest import run_python


@pytest.fixture
def trained(demo_job):
    return demo_job


COMPARE = """
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
merged_dir, base_dir, adapter_dir = sys.argv[1:4]
tok = AutoTokenizer.from_pretrained(merged_dir)
ids = tok.apply_chat_template([{"role": "user", "content": "who are you?"}], add_generation_prompt=True,
                              return_tensors="pt", return_dict=True)["input_ids"]
merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.float32).eval()
with torch.no_grad():
    a = merged(ids).logits
import peft  # only now: the merged model loaded without it
base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
tuned = peft.PeftModel.from_pretrained(base, adapter_dir).eval()
with torch.no_grad():
    b = tuned(ids).logits
print(json.dumps({"diff": (a - b).abs().max().item(), "shape": list(a.shape),
                  "template": bool(tok.chat_template)}))
"""


def test_merged_model_loads_without_peft_and_gives_the_same_logits(trained, tmp_path):
    ws, job_dir = trained
    out = export_merged(job_dir, tmp_path / "merged", dtype="float32", workspace=ws)
    assert (out / "model.safetensors").is_file() and (out / "README.md").is_file()
    assert not (out / "adapter_config.json").exists()
    base = json.loads((job_dir / "summary.json").read_text())["base_model"]
    done = run_python(f"import sys; sys.argv = ['x', {str(out)!r}, {base!r}, {str(job_dir / 'adapter')!r}]\n" + COMPARE)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["diff"] < 1e-4 and result["template"], result
    # The adapter changed the model: the merged weights differ from the base's.
    from safetensors.torch import load_file

    merged_w, base_w = load_file(out / "model.safetensors"), load_file(next((ws.models_dir / "demo").glob("*.safetensors")))
    changed = [k for k in merged_w if k in base_w and merged_w[k].shape == base_w[k].shape
               and not merged_w[k].float().allclose(base_w[k].float())]
    assert changed, "merging changed no weight"


def test_cli_writes_bf16_and_refuses_prompt_methods(trained, tmp_path, capsys):
    ws, job_dir = trained
    from studio.cli import main  # the command's own code, in this process (a subprocess adds ~8 s of imports)

    assert main(["export", str(job_dir), "--to", "merged", "--dtype", "bfloat16", "--workspace", str(ws.root)]) == 0
    printed = capsys.readouterr().out
    out = job_dir / "exports" / "merged-bfloat16"
    assert printed.strip().endswith(str(out))
    assert json.loads((out / "config.json").read_text())["dtype"] == "bfloat16"

    prompt_job = tmp_path / "prompt-job"
    (prompt_job / "adapter").mkdir(parents=True)
    spec = JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(["method.name=prompt"])
    (prompt_job / "spec.yaml").write_text(spec.to_yaml())
    with pytest.raises(ExportError, match="nothing to merge"):
        export_merged(prompt_job)
    with pytest.raises(ExportError, match="dtype"):
        export_merged(job_dir, dtype="int3")


def test_the_run_leaves_its_curves_as_images_used_by_the_card_and_the_zip(trained):
    import zipfile

    from backend.export.adapter_zip import export_adapter_zip

    _, job_dir = trained
    for name in ("loss.png", "learning_rate.png"):
        data = (job_dir / "plots" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, name
    with zipfile.ZipFile(export_adapter_zip(job_dir)) as z:
        names = set(z.namelist())
        card = z.read("README.md").decode()
    assert {"plots/loss.png", "plots/learning_rate.png"} <= names
    assert "![loss](plots/loss.png)" in card


QLORA = {"stage": "sft", "data": {"train": "demo", "placeholders": {"name": "Nova", "author": "Studio Labs"}, "mix": [16]},
         "method": {"name": "qlora", "quant_bits": 4, "lora_dropout": 0.0},
         "training": {"max_steps": 20, "batch_size": 4, "max_length": 64, "learning_rate": 1e-2, "scheduler": "constant",
                      "warmup_ratio": 0.0, "save_minutes": 0, "device": "cpu"}}


def test_a_qlora_merge_answers_as_the_trained_model(stage_ws, tmp_path):
    """A QLoRA adapter learnt its update against the 4-bit base, so the merge folds it into the base's
    quantized values: the merged folder, loaded with plain transformers as a fresh model, answers as the
    trained model did (the adapter computed in bf16 in training, as TRL keeps it: hence 0.05 on logits of
    ~10), where merging into the original weights is off by logits of 2-3 on the demo. The trained model
    runs the sample writer's no-grad eval forward first, which on an AVX-512 CPU is where bitsandbytes
    would repack its 4-bit weights (tests/test_qlora_cpu.py); the export reloads the base from disk."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from backend.data.load import load_data
    from backend.training.callback import JobReporter
    from backend.training.run import build_run

    spec = JobSpec.from_dict(QLORA)
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    run = build_run(spec, job_dir, stage_ws, JobReporter(job_dir), data=load_data(spec.data, stage_ws.root))
    run.trainer.train()
    tok = run.tokenizer
    ids = tok.apply_chat_template([{"role": "user", "content": "who are you?"}], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True)["input_ids"]

    def logits(model):
        model.eval()
        with torch.no_grad():
            return model(input_ids=ids).logits.float()

    trained = logits(run.trainer.model)
    run.trainer.save_model(str(job_dir / "adapter"))
    tok.save_pretrained(str(job_dir / "adapter"))
    (job_dir / "spec.yaml").write_text(spec.to_yaml(), encoding="utf-8")
    out = export_merged(job_dir, tmp_path / "merged", dtype="float32", workspace=stage_ws)
    merged = logits(AutoModelForCausalLM.from_pretrained(str(out), dtype=torch.float32))
    assert (merged - trained).abs().max().item() < 0.05
    base = AutoModelForCausalLM.from_pretrained(str(stage_ws.models_dir / "demo"), dtype=torch.float32)
    on_original = logits(PeftModel.from_pretrained(base, str(job_dir / "adapter")))
    assert (on_original - trained).abs().max().item() > 0.5  # what the check above tells apart
