"""GGUF: the demo job (Qwen2 layout) read back with gguf's own reader, in f16 by the studio's own writer (the
fallback when llama.cpp's converter cannot be had) and in q8_0 by `studio export` with llama.cpp's converter:
architecture and sizes, every tensor under llama.cpp's name with its shape, the weights equal to the merged
model's (to f16 / q8_0 precision), and the tokenizer (tokens by id, merges, end token, chat template). A tiny
Llama checks the q/k permutation of the studio's writer. llama.cpp's own answers: test_gguf_llama_cpp.py."""

from __future__ import annotations

import numpy as np
import pytest


def field(reader, key):
    import gguf

    f = reader.fields[key]
    if f.types and f.types[0] == gguf.GGUFValueType.STRING:
        return bytes(f.parts[f.data[0]]).decode("utf-8")
    if f.types and f.types[0] == gguf.GGUFValueType.ARRAY:
        return [bytes(f.parts[i]).decode("utf-8") if f.types[-1] == gguf.GGUFValueType.STRING else f.parts[i][0]
                for i in f.data]
    return f.parts[f.data[0]][0]


def weights_of(reader) -> dict:
    import gguf

    return {t.name: gguf.quants.dequantize(t.data, t.tensor_type) for t in reader.tensors}


@pytest.mark.parametrize("quant, tolerance", [("f16", 2e-3), ("q8_0", 2e-2)])
def test_demo_job_as_gguf_reads_back(demo_job, tmp_path, quant, tolerance, capsys, request, monkeypatch):
    import gguf
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer

    from backend.export.gguf_export import export_gguf
    from backend.export.merged import export_merged

    ws, job_dir = demo_job
    if quant == "q8_0":  # the command's own code, as a user runs it, with llama.cpp's converter
        from studio.cli import main

        monkeypatch.setenv("LLAMA_CPP_DIR", str(request.getfixturevalue("llama_converter")))
        args = ["export", str(job_dir), "--to", "gguf", "--quant", quant, "--no-parity", "--workspace", str(ws.root)]
        assert main(args) == 0
        path = job_dir / "exports" / f"{job_dir.name}-q8_0.gguf"
        assert capsys.readouterr().out.strip().endswith(str(path))
        assert path.with_suffix(".Modelfile").is_file()
    else:
        path = export_gguf(job_dir, tmp_path / "model.gguf", quant=quant, workspace=ws, converter=False)
    merged = export_merged(job_dir, tmp_path / "merged", workspace=ws)
    reference = load_file(merged / "model.safetensors")
    reader = gguf.GGUFReader(str(path))

    assert field(reader, "general.architecture") == "qwen2"
    assert field(reader, "qwen2.block_count") == 4 and field(reader, "qwen2.embedding_length") == 128
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, 4)
    expected = {names.get_name(k, try_suffixes=(".weight", ".bias")): v for k, v in reference.items()}
    got = weights_of(reader)
    assert set(got) == set(expected)
    for name, w in expected.items():
        assert got[name].shape == w.shape, name
        assert np.abs(got[name] - w).max() <= tolerance * max(np.abs(w).max(), 1e-6), name
    types = {t.name: t.tensor_type.name for t in reader.tensors}
    assert types["blk.0.attn_norm.weight"] == "F32" and types["blk.0.attn_q.bias"] == "F32"
    assert types["blk.0.attn_q.weight"] == ("F16" if quant == "f16" else "Q8_0")

    tok = AutoTokenizer.from_pretrained(merged)
    tokens = field(reader, "tokenizer.ggml.tokens")
    vocab = tok.get_vocab()
    assert all(tokens[i] == t for t, i in vocab.items())
    assert field(reader, "tokenizer.ggml.model") == "gpt2" and len(field(reader, "tokenizer.ggml.merges")) > 100
    assert field(reader, "tokenizer.ggml.eos_token_id") == tok.eos_token_id
    assert field(reader, "tokenizer.chat_template") == tok.chat_template


def test_llama_q_and_k_are_permuted_for_llama_cpp(demo_models_dir, tmp_path):
    import gguf
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from backend.export.gguf_export import export_gguf, permute
    from backend.resources import DEMO_SPEC
    from backend.spec import JobSpec

    tok = AutoTokenizer.from_pretrained(demo_models_dir / "demo")
    config = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256)
    torch.manual_seed(0)
    job = tmp_path / "job"
    LlamaForCausalLM(config).save_pretrained(job / "adapter")  # a full fine-tune saves the whole model
    tok.save_pretrained(job / "adapter")
    spec = JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(["method.name=full"])
    (job / "spec.yaml").write_text(spec.to_yaml())
    reader = gguf.GGUFReader(str(export_gguf(job, tmp_path / "llama.gguf", quant="f16", converter=False)))
    assert field(reader, "general.architecture") == "llama" and field(reader, "llama.attention.head_count_kv") == 2
    got = weights_of(reader)
    state = {k: v.float().numpy() for k, v in LlamaForCausalLM.from_pretrained(job / "adapter").state_dict().items()}
    q, k = state["model.layers.0.self_attn.q_proj.weight"], state["model.layers.0.self_attn.k_proj.weight"]
    assert np.allclose(got["blk.0.attn_q.weight"], permute(q, 4, 4), atol=1e-3)
    assert np.allclose(got["blk.0.attn_k.weight"], permute(k, 4, 2), atol=1e-3)
    assert not np.allclose(got["blk.0.attn_q.weight"], q, atol=1e-3)  # the permutation did something
    assert np.allclose(got["blk.0.attn_v.weight"], state["model.layers.0.self_attn.v_proj.weight"], atol=1e-3)


def test_out_as_a_folder_writes_the_file_inside_it(demo_job, tmp_path):
    """`--out FOLDER` failed after the whole conversion with "[Errno 21] Is a directory: 'FOLDER.partial' ->
    'FOLDER'" and left FOLDER.partial behind; the adapter zip and the launch files write inside a folder, and so
    does the GGUF now (its Modelfile beside it)."""
    from backend.export.gguf_export import build_gguf

    ws, job_dir = demo_job
    folder = tmp_path / "out"
    folder.mkdir()
    made = build_gguf(job_dir, folder, "f16", ws, converter=False)
    assert made.path == folder / f"{job_dir.name}-f16.gguf" and made.path.stat().st_size > 0
    assert (folder / f"{job_dir.name}-f16.Modelfile").is_file()
    assert not list(tmp_path.glob("*.partial")) and not list(folder.glob("*.partial"))
