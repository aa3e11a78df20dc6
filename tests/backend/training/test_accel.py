"""The speed plan (backend/training/accel.py) and the pieces it switches on, on the CPU: what it chooses
and refuses, the LoRA input cast it skips under autocast (same numbers, fewer copies), and the boundaries
the variable-length attention reads. The GPU kernels themselves are measured by benchmarks/bench_gpu.py
(and the FlashAttention call checks itself against SDPA at its first use)."""

from __future__ import annotations

import pytest
import torch

from backend.spec import JobSpec
from backend.training import accel
from backend.training.errors import TrainingError


def plan(device="cpu", **training):
    return accel.speed_plan(JobSpec.from_dict({"training": training}), device)


def test_the_cpu_plan_is_the_plain_path_and_says_so():
    p = plan()
    assert (p.attention, p.padding_free, p.group_by_length, p.fused_kernels, p.compile) == (
        "sdpa", False, True, False, False)
    words = p.describe()
    for part in ("device cpu", "dtype fp32", "attention SDPA", "loss the CPU LM head", "batches padded"):
        assert part in words, words


@pytest.mark.parametrize("training, field", [({"fused_kernels": "on"}, "training.fused_kernels"),
                                             ({"compile": "on"}, "training.compile"),
                                             ({"attention": "flash_attention_2"}, "training.attention")])
def test_an_explicit_choice_that_cannot_run_here_is_refused_by_name(training, field):
    with pytest.raises(TrainingError) as e:
        plan(**training)
    error = e.value.error
    assert error.kind == "bad_spec" and field in error.message and error.hint


def test_varlen_attention_is_registered_under_its_name_and_padding_free_follows_the_spec():
    p = plan(attention="varlen", padding_free="on")
    assert p.attention == "studio_varlen" and p.padding_free and not p.group_by_length
    from transformers import AttentionInterface

    assert "studio_varlen" in AttentionInterface._global_mapping


def test_boundaries_come_from_the_collator_or_from_restarting_positions():
    from backend.training.varlen_attention import boundaries

    q = torch.zeros(1, 2, 7, 4)
    cu = torch.tensor([0, 3, 7], dtype=torch.int32)
    assert boundaries(q, None, {"cu_seq_lens_q": cu}).tolist() == [0, 3, 7]
    positions = torch.tensor([[0, 1, 2, 0, 1, 2, 3]])
    assert boundaries(q, None, {"position_ids": positions}).tolist() == [0, 3, 7]
    assert boundaries(q, None, {"position_ids": torch.arange(7)[None]}) is None  # one row: plain causal
    assert boundaries(q, torch.ones(1, 1, 7, 7, dtype=torch.bool), {"cu_seq_lens_q": cu}) is None  # padded batch


def tiny_lora_model():
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, vocab_size=128)
    model = Qwen2ForCausalLM(config).to(torch.bfloat16)
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules="all-linear",
                                             init_lora_weights=False))
    assert next(p for n, p in model.named_parameters() if "lora_A" in n).dtype == torch.float32
    return model


def step(model, ids):
    """Loss, adapter gradients and the number of copy kernels of one mixed-precision step (CPU autocast)."""
    from torch.profiler import ProfilerActivity, profile

    model.zero_grad()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
    copies = sum(e.count for e in prof.key_averages() if e.key == "aten::copy_")
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    return loss.item(), grads, copies


def test_lora_inputs_stay_bf16_under_autocast_with_the_same_loss_and_gradients(monkeypatch):
    from peft.tuners.tuners_utils import BaseTunerLayer

    monkeypatch.setattr(BaseTunerLayer, "_cast_input_dtype", BaseTunerLayer._cast_input_dtype)  # restored after
    model = tiny_lora_model()
    ids = torch.randint(0, 128, (2, 12))
    loss, grads, copies = step(model, ids)
    assert accel.keep_lora_inputs_under_autocast() and accel.keep_lora_inputs_under_autocast()  # idempotent
    loss2, grads2, copies2 = step(model, ids)
    assert loss2 == loss
    assert grads.keys() == grads2.keys() and grads
    for name in grads:
        assert torch.equal(grads[name], grads2[name]), name
    # each adapted layer (7 a decoder layer) no longer copies its input to fp32 and back
    assert copies2 <= copies - 2 * 7 * 2, (copies, copies2)
    # outside autocast PEFT casts as before (an fp32 adapter cannot multiply a bf16 input)
    with torch.no_grad():
        assert torch.isfinite(model(input_ids=ids).logits).all()


@pytest.mark.parametrize("ampere, expected", [(True, "flash_attention_2"), (False, "studio_varlen")])
def test_auto_attention_takes_flash_attn_only_on_a_gpu_that_runs_it(monkeypatch, ampere, expected):
    """flash-attn installed on a T4 or V100 (compute capability < 8.0) fails at its first call: `auto` passes it by
    there. No GPU here: the installed package and the GPU's generation are given."""
    from backend.training import model

    monkeypatch.setattr(accel, "_installed", lambda module: module == "flash_attn")
    monkeypatch.setattr(model, "gpu_bf16_native", lambda: ampere)
    assert accel._attention(JobSpec.from_dict({}), "cuda", []) == expected
