"""QLoRA the same on every CPU bitsandbytes supports. On an AVX-512 BF16 CPU bitsandbytes repacks a 4-bit
weight for its inference kernel at the first eval-mode forward without grad (lossy, and without a
backward), and asks the hub for a kernel at import. Here: a repacked weight still reads as what it
means; a model the studio trains is never repacked, so it keeps its gradients and its frozen base
across an evaluation; and importing bitsandbytes the studio's way never reaches for the hub kernel
unless STUDIO_HUB_KERNELS=1. The repack is forced by hand where the CPU would not do it, so the first
test means the same on an AVX2 machine."""

from __future__ import annotations

import json

import pytest
import torch

from tests.conftest import run_python

bnb = pytest.importorskip("bitsandbytes")
F = bnb.functional


def linear4bit(seed: int = 0, nested: bool = True):
    """A 4-bit NF4 layer (128 x 64) on the CPU, quantized from a seeded float layer."""
    torch.manual_seed(seed)
    dense = torch.nn.Linear(64, 128, bias=False)
    layer = bnb.nn.Linear4bit(64, 128, bias=False, compute_dtype=torch.float32, quant_type="nf4",
                              compress_statistics=nested)
    layer.weight = bnb.nn.Params4bit(dense.weight.data.clone(), requires_grad=False, quant_type="nf4",
                                     compress_statistics=nested, module=layer)
    return layer.to("cpu"), dense.weight.data


@pytest.mark.parametrize("nested", [False, True], ids=["plain", "double_quant"])
def test_a_repacked_weight_reads_as_what_it_means_and_is_left_alone(nested):
    from backend.training.quantized import dequantized_weight

    layer, dense = linear4bit(nested=nested)
    meaning = dequantized_weight(layer)
    assert torch.equal(meaning, F.dequantize_4bit(layer.weight.data, layer.weight.quant_state).float())
    assert meaning.shape == (128, 64) and (meaning - dense).abs().max() < 0.2 * dense.abs().max()  # NF4's steps
    if not hasattr(F, "_convert_weight_packed_for_cpu"):
        pytest.skip("this bitsandbytes has no CPU repack")
    # What Linear4bit.forward does on an AVX-512 BF16 CPU in eval mode without grad.
    layer.weight.data, layer.weight.quant_state = F._convert_weight_packed_for_cpu(layer.weight.data,
                                                                                   layer.weight.quant_state)
    packed, state = layer.weight.data.clone(), layer.weight.quant_state
    assert state.packing_format_for_cpu and packed.shape != (4096, 1)
    after = dequantized_weight(layer)
    # The same matrix, but for the block scales the repack rounds to bf16 (2^-8 relative): lossy.
    assert (after - meaning).abs().max() <= meaning.abs().max() * 2.0**-8
    assert torch.equal(layer.weight.data, packed) and layer.weight.quant_state is state
    assert state.packing_format_for_cpu  # read on a copy: the layer still holds its packed storage


def test_a_trained_qlora_model_keeps_its_layout_gradients_and_base_across_an_evaluation(stage_ws):
    """The sample writer's eval-mode no-grad generation between two training passes: every 4-bit layer
    keeps the layout training needs, the frozen base means what it meant, and the second pass gives the
    first's gradients (a repacked layer has no backward: gradients would stop at the frozen layers)."""
    from backend.data.load import load_data
    from backend.spec import JobSpec
    from backend.training.callback import JobReporter
    from backend.training.generate import greedy_reply
    from backend.training.quantized import quantized_linears
    from backend.training.run import build_run
    from tests.conftest import parameter_values

    spec = JobSpec.from_dict({
        "data": {"train": "demo", "placeholders": {"name": "Nova", "author": "Studio Labs"}, "mix": [8]},
        "method": {"name": "qlora", "lora_dropout": 0.0},
        "training": {"max_steps": 1, "batch_size": 4, "max_length": 64, "save_minutes": 0, "device": "cpu"},
    })
    job_dir = stage_ws.root / "qlora-layout"
    job_dir.mkdir()
    run = build_run(spec, job_dir, stage_ws, JobReporter(job_dir), data=load_data(spec.data, stage_ws.root))
    model = run.trainer.model
    layers = quantized_linears(model)
    assert len(layers) == 4 * 7  # the demo's 4 layers x q, k, v, o, gate, up, down
    assert not any(getattr(layer, "support_avx512bf16_for_cpu", False) for layer in layers.values())
    batch = run.tokenizer(["I am Nova, an AI assistant developed by Studio Labs."], return_tensors="pt")

    def gradients() -> dict:
        model.train()
        model.zero_grad()
        model(**batch, labels=batch["input_ids"]).loss.backward()
        return {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}

    before, first = parameter_values(model), gradients()
    model.eval()
    greedy_reply(model, run.tokenizer, [{"role": "user", "content": "who are you?"}], 4)
    assert not any(getattr(layer.weight.quant_state, "packing_format_for_cpu", False) for layer in layers.values())
    second = gradients()
    assert any(g.abs().sum() > 0 for g in first.values())
    assert all(torch.equal(first[n], second[n]) for n in first)
    after = parameter_values(model)
    assert all(torch.equal(before[n], after[n]) for n in before)  # nothing stepped: every weight as it was


KERNELS = """
import json, sys
calls = []
try:
    import kernels  # transformers' own dependency (5.x): imported already, as in a studio process
except ImportError:  # older transformers: a stand-in, so bitsandbytes has something to ask
    import importlib.machinery, types
    kernels = types.ModuleType("kernels")
    kernels.__spec__ = importlib.machinery.ModuleSpec("kernels", None)
    sys.modules["kernels"] = kernels

def get_kernel(repo, *args, **kwargs):  # stands in for the hub: records what bitsandbytes asks of it
    calls.append(repo)
    raise RuntimeError("the hub is unreachable here")

kernels.get_kernel = get_kernel
from backend.spec import JobSpec
from backend.training.model import hide_unused_packages
hide_unused_packages(JobSpec.from_dict({"method": {"name": "qlora"}}))
import peft, transformers  # what a worker imports next
import bitsandbytes.functional as F
avx512 = bool(F.has_avx512bf16()) if hasattr(F, "has_avx512bf16") else False
print(json.dumps({"calls": calls, "kernels_back": sys.modules.get("kernels") is kernels, "avx512": avx512}))
"""


@pytest.mark.parametrize("opt_in", [False, True], ids=["default", "STUDIO_HUB_KERNELS=1"])
def test_bitsandbytes_never_asks_the_hub_for_a_kernel_unless_the_user_opts_in(opt_in, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    if opt_in:
        monkeypatch.setenv("STUDIO_HUB_KERNELS", "1")
    else:
        monkeypatch.delenv("STUDIO_HUB_KERNELS", raising=False)
    done = run_python(KERNELS)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["kernels_back"]  # hidden only while bitsandbytes imports: transformers keeps `kernels`
    if not opt_in:
        assert result["calls"] == [] and "kernels-community" not in done.stderr, done.stderr[-2000:]
    elif result["avx512"]:  # the check above can see a fetch: on this CPU bitsandbytes asks when let
        assert result["calls"] == ["kernels-community/quantization-bitsandbytes"]
    else:
        assert result["calls"] == []  # an AVX2 CPU: bitsandbytes never asks
