"""Every fine-tuning method trains for real (sft, demo model, 3 steps) and changes exactly the
parameters it should; the result reloads in plain peft/transformers with the same logits; and the
torch-free parameter estimate equals the count on the loaded model."""

from __future__ import annotations

import json
import math

import pytest
import torch

from backend.plan.param_count import estimate_trainable
from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.methods import (
    apply_freeze,
    load_model_for,
    peft_config_for,
    total_steps,
    trainable_counts,
)
from backend.training.quantized import keep_training_layout, quantization_config
from backend.training.stages.sft import build as build_sft
from tests.conftest import parameter_values

# id -> method overrides. Every method, plus the freeze-by-module and 8-bit variants.
CASES = {
    "full": {"name": "full"},
    "freeze": {"name": "freeze", "freeze_layers": 2},
    "freeze_self_attn": {"name": "freeze", "freeze_modules": "self_attn"},
    "lora": {"name": "lora"},
    "dora": {"name": "dora"},
    "rslora": {"name": "rslora"},
    "qlora": {"name": "qlora", "quant_bits": 4},
    "qlora8": {"name": "qlora", "quant_bits": 8},
    "adalora": {"name": "adalora"},
    "ia3": {"name": "ia3"},
    "prefix": {"name": "prefix", "num_virtual_tokens": 4},
    "prompt": {"name": "prompt", "num_virtual_tokens": 4},
    "ptuning": {"name": "ptuning", "num_virtual_tokens": 4},
}
# The names (as the trained model lists them) each method must change, and nothing else.
LORA_NAMES = ("lora_A.", "lora_B.")
EXPECTED = {
    "full": lambda n: True,
    "freeze": lambda n: ".layers.2." in n or ".layers.3." in n,  # the last 2 of the demo's 4 layers
    "freeze_self_attn": lambda n: ".self_attn." in n,
    "lora": lambda n: any(k in n for k in LORA_NAMES),
    "dora": lambda n: any(k in n for k in LORA_NAMES + ("lora_magnitude_vector.",)),
    "rslora": lambda n: any(k in n for k in LORA_NAMES),
    "qlora": lambda n: any(k in n for k in LORA_NAMES),
    "qlora8": lambda n: any(k in n for k in LORA_NAMES),
    "adalora": lambda n: any(k in n for k in LORA_NAMES + ("lora_E.",)),
    "ia3": lambda n: ".ia3_l." in n,
    "prefix": lambda n: n.startswith("prompt_encoder."),
    "prompt": lambda n: n.startswith("prompt_encoder."),
    "ptuning": lambda n: n.startswith("prompt_encoder."),
}


def make_spec(method: dict, stage: str = "sft") -> JobSpec:
    return JobSpec.from_dict({
        "stage": stage,
        "data": {"train": "demo", "placeholders": {"name": "Nova", "author": "Studio Labs"}, "mix": [16]},
        "method": {"lora_dropout": 0.0, **method},
        "training": {"max_steps": 3, "batch_size": 4, "max_length": 64, "learning_rate": 1e-2,
                     "scheduler": "constant", "warmup_ratio": 0.0, "logging_steps": 1, "save_minutes": 0,
                     "device": "cpu"},
    })


@pytest.fixture(scope="module")
def env(tmp_path_factory, demo_models_dir):
    """One workspace on the session's demo model, the 16 rows read once, and one test input."""
    from transformers import AutoTokenizer

    from backend.data.load import load_data
    from backend.workspace import Workspace

    ws = Workspace.at(tmp_path_factory.mktemp("ws"))
    (ws.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
    data = load_data(make_spec({}).data, ws.root)
    assert len(data.train) == 16
    demo = str(demo_models_dir / "demo")
    tok = AutoTokenizer.from_pretrained(demo)
    ids = tok(tok.apply_chat_template([{"role": "user", "content": "who are you?"}], tokenize=False,
                                      add_generation_prompt=True), return_tensors="pt", add_special_tokens=False)
    config = json.loads((demo_models_dir / "demo" / "config.json").read_text())
    from transformers import AutoModelForCausalLM

    base = logits(AutoModelForCausalLM.from_pretrained(demo), ids["input_ids"])
    return dict(ws=ws, data=data, demo=demo, ids=ids["input_ids"], config=config, base=base)


def logits(model, ids):
    model.eval()
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits.float()


@pytest.mark.parametrize("case", list(CASES))
def test_method_trains_exactly_its_parameters_and_reloads(case, env, tmp_path):
    spec = make_spec(CASES[case])
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    run = build_sft(spec, job_dir, env["ws"], JobReporter(job_dir), data=env["data"])
    trainer, model = run.trainer, run.trainer.model

    # The torch-free estimate (what the UI shows) equals the count on the real model.
    assert estimate_trainable(spec, env["config"]) == trainable_counts(model)

    before = parameter_values(model)  # a quantized base weight: what it means, not its storage
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    expected = {n for n in before if EXPECTED[case](n)}
    assert trainable == expected

    result = trainer.train()
    assert result.global_step == 3
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert len(losses) == 3 and all(math.isfinite(x) for x in losses), losses

    after = parameter_values(model)
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    if case == "adalora":
        # AdaLoRA prunes ranks by zeroing entries of E, which starts at zero: a module pruned to
        # rank 0 ends where it began. A and B all move; E moves wherever a rank survives.
        assert changed <= expected
        assert {n for n in expected if "lora_E." not in n} <= changed
        assert any("lora_E." in n for n in changed)
        assert model.peft_config["default"].rank_pattern  # the final ranks, saved with the adapter
    else:
        # full: every parameter gets a gradient (the tied lm_head reaches every embedding row).
        assert changed == expected

    out = tmp_path / "saved"
    trainer.save_model(str(out))
    mine = logits(model, env["ids"])
    n = env["base"].shape[1]  # prompt tuning and p-tuning also return logits of their virtual tokens
    moved = (mine[:, -n:] - env["base"]).abs().max().item()
    assert moved > 1e-2  # training changed the outputs well beyond the reload tolerance
    theirs = logits(reload(spec, out, env["demo"], model), env["ids"])
    assert (mine - theirs).abs().max().item() < 1e-4


def reload(spec: JobSpec, out, demo: str, trained):
    """The saved result loaded with plain transformers / peft."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    if spec.method.name in ("full", "freeze"):
        return AutoModelForCausalLM.from_pretrained(str(out))
    quant = quantization_config(spec, "cpu")
    base = AutoModelForCausalLM.from_pretrained(demo, quantization_config=quant)
    if quant is not None:  # computed as the trained model is: no bf16 CPU repack (backend.training.quantized)
        keep_training_layout(base)
    model = PeftModel.from_pretrained(base, str(out))
    if quant is not None:
        # TRL keeps a quantized model's adapter in bf16 (the QLoRA paper's choice); PEFT reloads it in
        # fp32. Same values; compute in the trained dtype so the logits compare exactly.
        dtypes = {n: p.dtype for n, p in trained.named_parameters() if p.requires_grad}
        for n, p in model.named_parameters():
            if n in dtypes:
                p.data = p.data.to(dtypes[n])
    return model


# Counting without training: more variants, and the reward-model (seq_cls) head.
COUNT_CASES = [
    ("sft", {"name": "freeze", "freeze_modules": "lm_head"}),  # tied: the embedding matrix
    ("sft", {"name": "freeze", "freeze_modules": "mlp,norm"}),
    ("sft", {"name": "freeze", "freeze_layers": 10}),
    ("sft", {"name": "lora", "target_modules": "q_proj,v_proj", "lora_r": 4}),
    ("sft", {"name": "dora", "target_modules": "k_proj,down_proj"}),
    ("sft", {"name": "adalora", "target_modules": "q_proj,o_proj,up_proj"}),
    ("sft", {"name": "ia3", "target_modules": "q_proj,up_proj,down_proj"}),
    ("sft", {"name": "prefix", "num_virtual_tokens": 16}),
    ("rm", {"name": "full"}),
    ("rm", {"name": "freeze", "freeze_layers": 1}),
    ("rm", {"name": "lora"}),
    ("rm", {"name": "qlora", "quant_bits": 4}),
    ("rm", {"name": "ia3"}),
]


@pytest.mark.parametrize("stage,method", COUNT_CASES, ids=lambda v: v if isinstance(v, str) else
                         "-".join(f"{k}={x}" for k, x in v.items()))
def test_estimate_equals_the_loaded_models_count(stage, method, env):
    from peft import get_peft_model

    spec = make_spec(method, stage)
    task = "seq_cls" if stage == "rm" else "causal_lm"
    model = load_model_for(spec, env["demo"], "cpu", task=task)
    apply_freeze(model, spec)
    config = peft_config_for(spec, task=task, total_steps=total_steps(spec, 16))
    if config is not None:
        model = get_peft_model(model, config)
    assert estimate_trainable(spec, env["config"]) == trainable_counts(model)


def test_seq_cls_model_has_one_output_and_knows_its_pad_token(env):
    spec = make_spec({"name": "lora"}, "rm")
    model = load_model_for(spec, env["demo"], "cpu", task="seq_cls")
    assert model.config.num_labels == 1 and model.config.pad_token_id == 0
    out = model(input_ids=env["ids"]).logits
    assert out.shape == (1, 1)


def test_freeze_modules_matching_nothing_is_refused_by_name(env):
    from backend.training.errors import TrainingError

    spec = make_spec({"name": "freeze", "freeze_modules": "attention_typo"})
    model = load_model_for(spec, env["demo"], "cpu")
    with pytest.raises(TrainingError, match="freeze_modules"):
        apply_freeze(model, spec)


def test_adalora_schedule_leaves_a_budgeting_phase():
    for n in (1, 2, 3, 10, 1000):
        config = peft_config_for(make_spec({"name": "adalora"}), total_steps=n)
        assert config.tinit < config.total_step - config.tfinal
    with pytest.raises(ValueError, match="total_steps"):
        peft_config_for(make_spec({"name": "adalora"}))


def test_estimate_is_torch_free():
    from tests.conftest import run_python

    code = ("import sys, backend.plan.param_count as p\n"
            "from backend.spec import JobSpec\n"
            "from backend.demo import DEMO_CONFIG\n"
            "print(p.estimate_trainable(JobSpec(), dict(DEMO_CONFIG, vocab_size=1010)))\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n")
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
