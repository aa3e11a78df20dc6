"""A vision-language model's parameters and memory (backend/plan/vision.py, vision_memory.py): exact against the
real modules of Qwen2-VL and Qwen2.5-VL, trainable counts equal to a real demo-vl job's, and the estimate of a real
short demo-vl run within a sane factor of the memory it took."""

import json

import pytest

from backend.plan.estimate import estimate_memory
from backend.plan.param_count import estimate_trainable
from backend.plan.vision import patches_per_image, resized, tokens_per_image, vision_dims, vision_params
from backend.spec import JobSpec

# Qwen/Qwen2-VL-2B-Instruct's config.json (the older layout: the text settings at the top level)
QWEN2_VL_2B = {
    "architectures": ["Qwen2VLForConditionalGeneration"], "model_type": "qwen2_vl", "hidden_size": 1536,
    "intermediate_size": 8960, "num_hidden_layers": 28, "num_attention_heads": 12, "num_key_value_heads": 2,
    "vocab_size": 151936, "max_position_embeddings": 32768, "rope_theta": 1000000.0, "tie_word_embeddings": True,
    "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]},
    "vision_config": {"depth": 32, "embed_dim": 1280, "mlp_ratio": 4, "num_heads": 16, "in_chans": 3,
                      "hidden_size": 1536, "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2},
}
QWEN25_VL_3B = {
    "model_type": "qwen2_5_vl", "tie_word_embeddings": True,
    "text_config": {"model_type": "qwen2_5_vl_text", "hidden_size": 2048, "intermediate_size": 11008,
                    "num_hidden_layers": 36, "num_attention_heads": 16, "num_key_value_heads": 2,
                    "vocab_size": 151936},
    "vision_config": {"depth": 32, "hidden_size": 1280, "intermediate_size": 3420, "num_heads": 16,
                      "out_hidden_size": 2048, "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2,
                      "in_channels": 3, "window_size": 112, "fullatt_block_indexes": [7, 15, 23, 31]},
}


def _spec(*overrides):
    from backend.resources import DEMO_VL_SPEC

    return JobSpec.from_yaml(DEMO_VL_SPEC.read_text(encoding="utf-8")).with_overrides(list(overrides))


def _real_parts(config: dict) -> dict:
    """Parameters by part of the model transformers builds from `config` (on the meta device: no memory)."""
    torch = pytest.importorskip("torch")
    from transformers import AutoConfig, AutoModelForImageTextToText

    from backend.vlm import part_of

    cfg = AutoConfig.for_model(**config)
    with torch.device("meta"):
        model = AutoModelForImageTextToText.from_config(cfg)
    parts: dict = {}
    for name, p in model.named_parameters():
        parts[part_of(name)] = parts.get(part_of(name), 0) + p.numel()
    return parts


@pytest.mark.parametrize("config", [QWEN2_VL_2B, QWEN25_VL_3B], ids=["qwen2-vl-2b", "qwen2.5-vl-3b"])
def test_vision_parameters_match_the_real_modules(config):
    real = _real_parts(config)
    assert vision_params(config) == {"vision": real["vision"], "projector": real["projector"]}
    full = JobSpec().with_overrides(["method.name=full"])
    assert estimate_trainable(full, config)[1] == sum(real.values())


def test_qwen2_vl_2b_is_about_2_2b_and_its_images_resize_as_the_processor_does():
    from studio.wizard.model_info import params_from_config

    assert params_from_config(QWEN2_VL_2B) == 2_208_985_600  # the hub page says 2.21B
    d = vision_dims(QWEN2_VL_2B)  # no preprocessor settings: Qwen2-VL's defaults, 4 to 16,384 tokens
    assert tokens_per_image(d) == 16384
    assert resized(d, 1024, 1024) == (1036, 1036) and tokens_per_image(d, (1024, 1024)) == 37 * 37
    small = vision_dims({**QWEN2_VL_2B, "image_processor": {"min_pixels": 3136, "max_pixels": 1024 * 1024}})
    assert patches_per_image(small) == 1337 * 4 and resized(small, 1024, 1024) == (1008, 1008)
    assert tokens_per_image(small, (20, 20)) == 4  # up to min_pixels


def test_trainable_counts_equal_a_real_demo_vl_jobs(tmp_path, demo_vl_models_dir):
    pytest.importorskip("trl")
    from backend.store import JobStore
    from backend.training.callback import JobReporter
    from backend.training.methods import trainable_counts
    from backend.training.run import build_run
    from tests.conftest import vl_workspace

    config = json.loads((demo_vl_models_dir / "demo-vl" / "config.json").read_text())
    ws = vl_workspace(tmp_path / "ws", demo_vl_models_dir)
    store = JobStore(ws)
    for overrides in ([], ["method.train_projector=true", "method.train_vision_tower=true"],
                      ["method.name=dora", "method.train_vision_tower=true", "method.target_modules=q_proj,v_proj,qkv"],
                      ["method.name=full", "method.train_vision_tower=true"]):
        spec = _spec("training.max_steps=1", "training.device=cpu", *overrides)
        job_dir = store.job_dir(store.create_job(spec, state="running"))
        run = build_run(spec, job_dir, ws, JobReporter(job_dir))
        assert estimate_trainable(spec, config) == trainable_counts(run.trainer.model), overrides


def test_the_vision_side_grows_when_the_tower_trains():
    config = {**QWEN2_VL_2B, "image_processor": {"max_pixels": 1003520}}
    frozen = estimate_memory(_spec("training.max_length=2048", "training.batch_size=1"), config, "cuda")
    tower = estimate_memory(_spec("training.max_length=2048", "training.batch_size=1",
                                  "method.train_vision_tower=true", "method.train_projector=true"), config, "cuda")
    v, t = frozen.vision, tower.vision
    assert v.activations == 0 and v.gradients == 0 and v.weights == (631_183_360 + 34_087_936) * 2  # bf16, frozen
    assert t.activations > 1e9 and t.gradients > 0 and t.weights > v.weights
    assert tower.total - frozen.total >= t.total - v.total
    assert v.images == 1 and v.patches == 1280 * 4  # max_pixels 1003520: 1280 tokens an image
    qlora = estimate_memory(_spec("method.name=qlora"), config, "cuda").vision
    assert qlora.weights == (631_183_360 + 34_087_936) * 4  # kept in full precision, cast to fp32
    more = estimate_memory(_spec("training.max_length=2048", "training.batch_size=1"), config, "cuda",
                           lengths=[100], image_tokens=[1800]).vision  # a row of two images
    assert more.images == 2 and more.patches == 1800 * 4
    capped = estimate_memory(_spec("training.max_length=2048"), config, "cuda", lengths=[100], image_tokens=[9000])
    assert capped.vision.patches == 2048 * 4  # a row longer than max_length is left out: never more than that


CHILD = r"""
import json, sys, time
from pathlib import Path
from backend.resources import DEMO_VL_SPEC
from backend.spec import JobSpec
from backend.store import JobStore
from backend.training.callback import JobReporter
from backend.training.run import build_run
from backend.workspace import Workspace

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024

ws = Workspace.at(Path(sys.argv[1]))
(ws.models_dir / "demo-vl").symlink_to(Path(sys.argv[2]), target_is_directory=True)
spec = JobSpec.from_yaml(DEMO_VL_SPEC.read_text()).with_overrides(json.loads(sys.argv[3]))
store = JobStore(ws)
job_dir = store.job_dir(store.create_job(spec, state="running"))
run = build_run(spec, job_dir, ws, JobReporter(job_dir))
before = status("VmRSS")
open("/proc/self/clear_refs", "w").write("5")
run.trainer.train()
print("RESULT", json.dumps({"before": before, "peak": status("VmHWM")}))
"""


def test_estimate_is_within_a_sane_factor_of_a_real_runs_memory(tmp_path, demo_vl_models_dir):
    """A short demo-vl run with the tower and projector trained, in a fresh process: the peak RSS it adds while
    training (gradients, optimizer states, activations, logits) against the estimate's rise (the estimate less the
    weights and the worker process), as benchmarks/bench_memory_estimate.py compares the text path."""
    import subprocess
    import sys

    from backend.plan.estimate import CPU_PROCESS
    from tests.conftest import python_env

    overrides = ["training.max_steps=4", "training.device=cpu", "training.batch_size=4", "method.train_projector=true",
                 "method.train_vision_tower=true", "training.gradient_checkpointing=off"]
    out = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "ws"), str(demo_vl_models_dir / "demo-vl"),
                          json.dumps(overrides)], capture_output=True, text=True, env=python_env(), timeout=300)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, out.stderr[-3000:]
    measured = json.loads(lines[-1][7:])
    rise = measured["peak"] - measured["before"]
    config = json.loads((demo_vl_models_dir / "demo-vl" / "config.json").read_text())
    from backend.plan.vision import with_image_processor

    est = estimate_memory(_spec(*overrides), with_image_processor(config, demo_vl_models_dir / "demo-vl"), "cpu")
    est_rise = est.total - est.weights - CPU_PROCESS
    assert est.vision.patches == 4 * 64  # 4 rows, one image of 16 tokens (64 patches) each at most
    print(f"measured rise {rise / 2**20:.1f} MB, estimated {est_rise / 2**20:.1f} MB ({est.describe()})")
    assert est_rise / 3 <= rise <= est_rise * 3, (rise, est_rise)
