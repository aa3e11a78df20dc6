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


# The qlora merge (folded into the quantized base's values) is tested with chat and evaluation on one
# trained qlora job: tests/backend/training/test_qlora_trained_base.py.


def test_an_out_folder_that_is_not_an_earlier_export_is_never_deleted(trained, tmp_path):
    """`--out DIR` was removed whole before the merged model was moved there: `--out ~/models` deleted every
    model in it, `--out <the job's folder>` the job. Now only a new or empty folder, or an earlier merged export,
    is written; anything else is refused before the base is loaded, and nothing in it is touched."""
    ws, job_dir = trained
    mine = tmp_path / "models"
    (mine / "other-model").mkdir(parents=True)
    (mine / "notes.txt").write_text("keep me")
    for out in (mine, job_dir, ws.root, mine / "notes.txt"):
        with pytest.raises(ExportError) as e:
            export_merged(job_dir, out)
        assert "is not an earlier merged export" in str(e.value) and "new or empty folder" in str(e.value)
    assert (mine / "notes.txt").read_text() == "keep me" and (mine / "other-model").is_dir()
    assert (job_dir / "adapter" / "adapter_config.json").is_file() and (job_dir / "spec.yaml").is_file()
