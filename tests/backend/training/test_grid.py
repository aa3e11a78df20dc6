"""Every method x every stage (ppo aside: TRL no longer ships it) on the tiny demo model, in-process:
2 real optimizer steps, then: the loss is finite, exactly the parameters the method owns changed, and
the saved result reloads with plain peft / transformers giving the trained model's logits (or score).
Pairs the spec refuses (stage_method_problems) are checked for their refusal sentence instead.

The whole grid runs in about 70 s on a 2-core CPU. Most cases are marked `slow`; for a quick check,
`pytest -m "not slow"` keeps a subset that trains every method and every stage at least once.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import torch

from backend.spec import JobSpec, SpecError, stage_method_problems
from backend.training import rewards
from backend.training.callback import JobReporter
from backend.training.quantized import keep_training_layout, quantization_config
from backend.training.run import build_run
from tests.conftest import parameter_values

STAGES = ("pt", "sft", "rm", "dpo", "orpo", "kto", "grpo")
# id -> method overrides: the 11 methods (qlora: 4-bit NF4) and qlora's 8-bit variant.
METHODS = {
    "full": {"name": "full"},
    "freeze": {"name": "freeze", "freeze_layers": 2},
    "lora": {"name": "lora"},
    "dora": {"name": "dora"},
    "rslora": {"name": "rslora"},
    "qlora": {"name": "qlora", "quant_bits": 4},
    "adalora": {"name": "adalora"},
    "ia3": {"name": "ia3"},
    "prefix": {"name": "prefix", "num_virtual_tokens": 4},
    "prompt": {"name": "prompt", "num_virtual_tokens": 4},
    "ptuning": {"name": "ptuning", "num_virtual_tokens": 4},
    "qlora8": {"name": "qlora", "quant_bits": 8},
}
# The quick subset (`-m "not slow"`): every method and every stage at least once.
FAST = {("full", "dpo"), ("freeze", "rm"), ("lora", "pt"), ("dora", "kto"), ("rslora", "orpo"), ("qlora", "dpo"),
        ("adalora", "sft"), ("ia3", "grpo"), ("prefix", "kto"), ("prompt", "dpo"), ("ptuning", "grpo"),
        ("qlora8", "rm")}
DATA_FOR = {"pt": "text", "sft": "chat", "rm": "preference", "dpo": "preference", "orpo": "preference",
            "kto": "kto", "grpo": "prompt"}
TRAINING = {"max_steps": 2, "batch_size": 2, "max_length": 64, "logging_steps": 1, "learning_rate": 1e-2,
            "scheduler": "constant", "warmup_ratio": 0.0, "save_minutes": 0, "device": "cpu"}
ALIGN = {"num_generations": 2, "max_completion_length": 8, "grpo_loss": "grpo", "rewards": {"length": 1.0}}
NUM_LAYERS = 4  # the demo model's decoder layers (freeze trains the last 2)

LORA_NAMES = ("lora_A.", "lora_B.")
ADAPTER_NAMES = {
    "lora": LORA_NAMES,
    "dora": LORA_NAMES + ("lora_magnitude_vector.",),
    "rslora": LORA_NAMES,
    "qlora": LORA_NAMES,
    "qlora8": LORA_NAMES,
    "adalora": LORA_NAMES + ("lora_E.",),
    "ia3": (".ia3_l.",),
}


def owned(method: str, stage: str, name: str) -> bool:
    """Whether the method trains this parameter (name as the trainer's model lists it)."""
    if method == "full":
        return True
    if method == "freeze":
        layer = re.search(r"\.layers\.(\d+)\.", name)
        return bool(layer and int(layer.group(1)) >= NUM_LAYERS - 2) or (stage == "rm" and name.startswith("score."))
    if method in ("prefix", "prompt", "ptuning"):
        return name.startswith("prompt_encoder.")
    # PEFT's seq_cls task trains a copy of the (new, random) score head beside the adapter.
    head = stage == "rm" and ".score.modules_to_save." in name
    return head or any(k in name for k in ADAPTER_NAMES[method])




def make_spec(method: str, stage: str, files: dict[str, str]) -> JobSpec:
    return JobSpec.from_dict({"stage": stage, "data": {"train": files[DATA_FOR[stage]]},
                              "method": {"lora_dropout": 0.0, **METHODS[method]}, "align": ALIGN,
                              "training": TRAINING})


def grid() -> list:
    cases = []
    for method in METHODS:
        for stage in STAGES:
            marks = [] if (method, stage) in FAST or stage_method_problems(stage, METHODS[method]["name"]) else [
                pytest.mark.slow]
            cases.append(pytest.param(method, stage, id=f"{method}-{stage}", marks=marks))
    return cases


def varying_reward(completions, completion_ids=None, **kwargs):
    """Differs between replies (the untrained demo model never earns a real reward: equal rewards in a
    group give no gradient)."""
    return [sum(i * (k + 1) for k, i in enumerate(ids)) % 101 / 100 for ids in completion_ids]


def prompt_ids(tokenizer) -> torch.Tensor:
    text = tokenizer.apply_chat_template([{"role": "user", "content": "What is 3 plus 3?"}], tokenize=False,
                                         add_generation_prompt=True)
    return tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]


def outputs(model, ids: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits.float()


def reload(spec: JobSpec, out: Path, demo: str, trained, pad: int):
    """The saved result loaded with plain transformers / peft (rm: as a sequence classifier)."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    rm = spec.stage == "rm"
    auto = AutoModelForSequenceClassification if rm else AutoModelForCausalLM
    head = dict(num_labels=1, pad_token_id=pad) if rm else {}
    if spec.method.name in ("full", "freeze"):
        return auto.from_pretrained(str(out), **head)
    quant = quantization_config(spec, "cpu")
    base = auto.from_pretrained(demo, quantization_config=quant, **head)
    if quant is not None:  # computed as the trained model is: no bf16 CPU repack (backend.training.quantized)
        keep_training_layout(base)
    model = PeftModel.from_pretrained(base, str(out))
    if quant is not None:
        # TRL keeps a quantized model's adapter in bf16; PEFT reloads it in fp32 (as in test_methods).
        dtypes = {n: p.dtype for n, p in trained.named_parameters() if p.requires_grad}
        for n, p in model.named_parameters():
            if n in dtypes:
                p.data = p.data.to(dtypes[n])
    return model


@pytest.mark.parametrize("method, stage", grid())
def test_method_trains_on_stage_and_reloads(method, stage, stage_ws, stage_files, demo_models_dir, tmp_path, monkeypatch):
    from transformers import TrainerCallback

    from backend.data.load import load_data

    refused = stage_method_problems(stage, METHODS[method]["name"])
    if refused:
        with pytest.raises(SpecError) as e:
            make_spec(method, stage, stage_files)
        assert refused[0].message in str(e.value) and "Use lora, full or freeze" in refused[0].message
        return

    monkeypatch.setitem(rewards.REWARDS, "length", varying_reward)
    spec = make_spec(method, stage, stage_files)
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    run = build_run(spec, job_dir, stage_ws, JobReporter(job_dir), data=load_data(spec.data, stage_ws.root))
    trainer, model = run.trainer, run.trainer.model

    before = parameter_values(model)  # a quantized base weight: what it means, not its storage
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    expected = {n for n in before if owned(method, stage, n)}
    assert trainable == expected, (sorted(trainable - expected)[:5], sorted(expected - trainable)[:5])

    got_grad: set[str] = set()

    class GradSeen(TrainerCallback):
        def on_pre_optimizer_step(self, args, state, control, **kwargs):
            got_grad.update(n for n, p in model.named_parameters() if p.grad is not None and p.grad.any())

    trainer.add_callback(GradSeen())
    result = trainer.train()
    assert result.global_step == 2
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert losses and all(math.isfinite(x) for x in losses), trainer.state.log_history

    after = parameter_values(model)
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    assert changed, "no parameter moved"
    if method == "adalora":
        # As in test_methods: pruning zeroes entries of E (which starts at zero), so a module pruned to
        # rank 0 ends where it began; A and B all move.
        assert changed <= expected
        assert {n for n in expected if "lora_E." not in n} <= changed
    else:
        # Exactly the method's parameters (full: every one: each gets a gradient, the tied lm_head reaching
        # every embedding row), and each of them got a gradient.
        assert changed == expected, (sorted(expected - changed)[:5], sorted(changed - expected)[:5])
        assert got_grad == expected

    out = tmp_path / "saved"
    trainer.save_model(str(out))
    ids = prompt_ids(run.tokenizer)
    mine = outputs(model, ids)
    pad = trainer.model.config.pad_token_id if stage == "rm" else None
    theirs = outputs(reload(spec, out, str(demo_models_dir / "demo"), model, pad), ids)
    assert mine.shape == theirs.shape
    if stage == "rm":
        assert mine.shape == (1, 1) and math.isfinite(mine.item())
    assert (mine - theirs).abs().max().item() < 1e-4
