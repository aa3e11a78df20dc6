"""The llama.cpp engine on an f16 GGUF export of the demo job: the job's own template and end-of-turn tokens, so
the file answers what the Chat tab answers."""

from __future__ import annotations

import importlib.util

import pytest

from tests.backend.serve.helpers import model_server

pytestmark = pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                                reason="llama-cpp-python is not installed (pip install llama-cpp-python)")
HELLO = [{"role": "user", "content": "Who are you?"}]


def test_gguf_served_by_llamacpp_answers_as_the_studio_chat(demo_job, studio_chat):
    import openai

    from backend.export.gguf_export import export_gguf

    ws, job_dir = demo_job
    gguf = job_dir / "exports" / f"{job_dir.name}-f16.gguf"
    if not gguf.is_file():
        gguf = export_gguf(job_dir, quant="f16", workspace=ws)
    with model_server(ws.root, [job_dir.name, "--gguf", gguf.name]) as (url, _):
        client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0, timeout=120)
        assert [m.id for m in client.models.list()] == [job_dir.name]  # no ":base": the file is the merged model
        done = client.chat.completions.create(model=job_dir.name, messages=HELLO, temperature=0, max_tokens=24)
        text = done.choices[0].message.content
        streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
            model=job_dir.name, messages=HELLO, temperature=0, max_tokens=24, stream=True))
        assert streamed == text
        assert "<|im_end|>" not in text and text == studio_chat(HELLO, 24)  # f16: the same greedy reply
        with pytest.raises(openai.BadRequestError) as e:
            client.chat.completions.create(model=job_dir.name, messages=[{"role": "user", "content": "Nova " * 3000}])
        assert e.value.code == "context_length_exceeded"
        assert client.completions.create(model=job_dir.name, prompt="Nova", max_tokens=4).choices[0].text is not None


def test_a_k_quant_gguf_is_served_without_crashing_the_server(demo_job):
    """q4_k_m (and q8_0) files crashed llama-cpp-python 0.3.36's first decode with its repacked CPU weights; the
    engine opens files as the parity check does (backend/export/llama_cpp_open.py), so the server answers."""
    import openai

    from backend.export.gguf_export import export_gguf

    ws, job_dir = demo_job
    gguf = job_dir / "exports" / f"{job_dir.name}-q4_k_m.gguf"
    if not gguf.is_file():
        gguf = export_gguf(job_dir, quant="q4_k_m", workspace=ws)
    with model_server(ws.root, [job_dir.name, "--gguf", gguf.name]) as (url, proc):
        client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0, timeout=120)
        for _ in range(2):
            done = client.chat.completions.create(model=job_dir.name, messages=HELLO, temperature=0, max_tokens=24)
            assert done.choices[0].message.content.strip() and done.usage.completion_tokens > 0
        assert proc.poll() is None
