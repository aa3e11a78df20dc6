"""GGUF made with llama.cpp's own converter and quantizer from the session's demo job, loaded in llama.cpp
(llama-cpp-python) by the parity check: f16 gives the same prompt strings, token ids, stop tokens and first 32
greedy tokens as base + adapter; q4_k_m loads and reports its share of agreeing next tokens; without the
converter the studio's writer still writes f16 and the table says why. Skipped without llama-cpp-python."""

from __future__ import annotations

import pytest

from backend.export.adapter_zip import ExportError
from backend.export.gguf_export import build_gguf
from backend.export.parity import check_export
from backend.export.parity_table import parity_table


def results(report) -> dict:
    return {r["check"]: r["result"] for r in report["rows"]}


def test_f16_by_llama_cpp_answers_as_base_and_adapter(demo_job, demo_reference, llama_converter, tmp_path):
    ws, job_dir = demo_job
    made = build_gguf(job_dir, tmp_path / "demo-f16.gguf", "f16", ws, converter=llama_converter)
    assert made.writer == "llama.cpp" and made.pre_tokenizer == "qwen2"  # the demo's BPE is unknown by hash
    assert set(made.tensor_types) == {"F16", "F32"}
    assert made.modelfile.read_text(encoding="utf-8").startswith("# Ollama Modelfile")
    report = check_export(job_dir, made.path, "gguf", ws, gguf=made, ref=demo_reference)
    assert report["ok"], parity_table(report)
    assert results(report) == {"writer": "info", "prompt": "ok", "prompt_ids": "ok", "stop": "ok", "greedy": "ok",
                               "next_tokens": "info"}
    share = next(r for r in report["rows"] if r["check"] == "next_tokens")["share"]
    assert share == 1.0


def test_q4_k_m_by_llama_cpp_loads_and_reports_its_agreement(demo_job, demo_reference, llama_converter, tmp_path):
    ws, job_dir = demo_job
    made = build_gguf(job_dir, tmp_path / "demo-q4_k_m.gguf", "q4_k_m", ws, converter=llama_converter)
    # rows of 128 do not split into k-quant blocks of 256: llama.cpp's quantizer falls back for those tensors
    assert {"Q4_K", "Q6_K", "Q5_0"} <= set(made.tensor_types) and "F16" not in made.tensor_types
    report = check_export(job_dir, made.path, "gguf", ws, gguf=made, ref=demo_reference)
    got = results(report)
    assert got["prompt"] == got["prompt_ids"] == got["stop"] == "ok"
    assert got["greedy"] in ("ok", "info")  # quantized: shown, not required
    share = next(r for r in report["rows"] if r["check"] == "next_tokens")["share"]
    assert 0.0 <= share <= 1.0
    assert (job_dir / "exports" / "demo-q4_k_m.gguf.parity.json").is_file()


def test_without_the_converter_the_studio_writer_writes_f16_and_says_so(demo_job, demo_reference, tmp_path):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: the file cannot be loaded here")
    ws, job_dir = demo_job
    made = build_gguf(job_dir, tmp_path / "writer-f16.gguf", "f16", ws, converter=False)
    assert made.writer == "studio" and "studio's writer" in made.note
    report = check_export(job_dir, made.path, "gguf", ws, gguf=made, ref=demo_reference)
    assert "written by the studio's writer: llama.cpp's converter not available" in parity_table(report)
    assert results(report)["prompt_ids"] == "ok" and results(report)["greedy"] == "ok"
    with pytest.raises(ExportError, match="q4_k_m needs llama.cpp's converter"):
        build_gguf(job_dir, tmp_path / "x.gguf", "q4_k_m", ws, converter=False)


def test_an_architecture_llama_cpp_cannot_convert_is_named_with_what_to_export_instead(demo_models_dir,
                                                                                       llama_converter, tmp_path):
    """A model type llama.cpp has no converter for (OPT here) was "llama.cpp's converter failed: ERROR:hf-to-gguf:
    Model OPTForCausalLM is not supported"; now the message names the architecture and offers the merged export."""
    from transformers import AutoTokenizer, OPTConfig, OPTForCausalLM

    from backend.export.llama_cpp_tools import convert

    tokenizer = AutoTokenizer.from_pretrained(demo_models_dir / "demo")
    config = OPTConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, ffn_dim=32,
                       num_attention_heads=2, max_position_embeddings=64, word_embed_proj_dim=16)
    folder = tmp_path / "tiny-opt"
    OPTForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    with pytest.raises(ExportError) as e:
        convert(llama_converter, folder, tmp_path / "opt.gguf", "f16", name="job-1")
    text = str(e.value)
    assert "does not know this model's architecture (OPTForCausalLM, model type 'opt')" in text
    assert "studio export job-1 --to merged" in text and "studio serve-model job-1 --merged" in text
    assert not (tmp_path / "opt.gguf").exists()
