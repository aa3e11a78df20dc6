"""The engines without HTTP: the merged export answers as base + adapter; `auto` and the refusals of the others."""

from __future__ import annotations

import importlib.util

import pytest

from backend.serve.engines import make_engine, pick
from backend.serve.protocol import GenParams
from backend.serve.targets import ServeError, resolve_targets

HELLO = [{"role": "user", "content": "Who are you?"}]


def test_merged_export_answers_as_base_plus_adapter(demo_job, studio_chat):
    from backend.export.merged import export_merged
    from backend.store import JobStore

    ws, job_dir = demo_job
    if not (job_dir / "exports" / "merged-float32" / "config.json").is_file():
        export_merged(job_dir, dtype="float32", workspace=ws)
    targets = resolve_targets(JobStore(ws), [job_dir.name], merged=True)
    assert targets[0].adapter is None and targets[0].base.endswith("merged-float32")
    engine = make_engine(targets, "transformers")
    engine.load()
    assert engine.model_ids() == [job_dir.name]  # one model: no ":base"
    prompt = engine.render(job_dir.name, HELLO)
    assert prompt.endswith("<|im_start|>assistant\n") and "<|im_end|>" in engine.end_of_turn(job_dir.name)
    pieces: list[str] = []
    tokens, finish = engine.generate(job_dir.name, prompt, GenParams(max_tokens=32, temperature=0), pieces.append,
                                     lambda: False)
    assert "".join(pieces) == studio_chat(HELLO, 32) and finish == "stop" and 0 < tokens < 32


def test_auto_picks_what_runs_here_and_refuses_what_does_not(demo_job):
    from backend.store import JobStore

    ws, job_dir = demo_job
    targets = resolve_targets(JobStore(ws), [job_dir.name])
    has_vllm = importlib.util.find_spec("vllm") is not None
    assert pick(targets, "auto") == ("vllm" if has_vllm and __import__("torch").cuda.is_available() else "transformers")
    if not has_vllm:
        with pytest.raises(ServeError, match="vLLM needs a CUDA GPU"):
            pick(targets, "vllm")
    with pytest.raises(ServeError, match="serves a GGUF file"):
        pick(targets, "llamacpp")


def test_two_jobs_of_one_base_share_it_each_with_its_own_adapter(demo_job, studio_chat):
    """A second job whose adapter adds nothing (lora_B zeroed) answers as the base; the first still as itself: the
    adapter is switched per request, on one base."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    from backend.store import JobStore

    ws, job_dir = demo_job
    store = JobStore(ws)
    other = store.create_job(store.load_spec(job_dir.name), state="running")
    try:
        adapter = store.job_dir(other) / "adapter"
        shutil.copytree(job_dir / "adapter", adapter)
        weights = load_file(adapter / "adapter_model.safetensors")
        save_file({k: torch.zeros_like(v) if "lora_B" in k else v for k, v in weights.items()},
                  adapter / "adapter_model.safetensors")
        store.mark_succeeded(other, 1.0)
        engine = make_engine(resolve_targets(store, [job_dir.name, other]), "transformers")
        engine.load()
        assert engine.model_ids() == [job_dir.name, f"{job_dir.name}:base", other, f"{other}:base"]

        def reply(model):
            pieces: list[str] = []
            engine.generate(model, engine.render(model, HELLO), GenParams(max_tokens=24, temperature=0),
                            pieces.append, lambda: False)
            return "".join(pieces)

        tuned, base = studio_chat(HELLO, 24), studio_chat(HELLO, 24, adapter=False)
        assert tuned != base
        assert [reply(job_dir.name), reply(other), reply(f"{job_dir.name}:base"), reply(job_dir.name)] == \
            [tuned, base, base, tuned]
    finally:
        store.delete_job(other)
