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
