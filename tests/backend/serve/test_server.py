"""`studio serve-model` on the demo job, answered by the official `openai` client: a real server process on a
free port, the real trained adapter. One server (with an API key) for the module."""

from __future__ import annotations

import concurrent.futures
import json
import urllib.request

import openai
import pytest

from tests.backend.serve.helpers import model_server

KEY = "sk-test-studio"
HELLO = [{"role": "user", "content": "Who are you?"}]


@pytest.fixture(scope="module")
def served(demo_job):
    ws, job_dir = demo_job
    with model_server(ws.root, [job_dir.name], env={"STUDIO_API_KEY": KEY}) as (url, _):
        yield url, job_dir.name, job_dir


@pytest.fixture(scope="module")
def client(served):
    return openai.OpenAI(base_url=served[0], api_key=KEY, max_retries=0, timeout=120)


def test_models_lists_the_job_and_its_base(client, served):
    ids = [m.id for m in client.models.list()]
    assert ids == [served[1], f"{served[1]}:base"]


def test_chat_streamed_equals_not_streamed_equals_the_studio_chat(client, served, studio_chat):
    job = served[1]
    done = client.chat.completions.create(model=job, messages=HELLO, temperature=0, max_tokens=40)
    text = done.choices[0].message.content
    assert "Nova" in text  # what the demo job learnt: the served model is the tuned one
    assert done.object == "chat.completion" and done.choices[0].message.role == "assistant"
    assert done.usage.prompt_tokens > 5 and 0 < done.usage.completion_tokens <= 40
    assert done.usage.total_tokens == done.usage.prompt_tokens + done.usage.completion_tokens
    chunks = list(client.chat.completions.create(model=job, messages=HELLO, temperature=0, max_tokens=40,
                                                 stream=True, stream_options={"include_usage": True}))
    assert chunks[0].choices[0].delta.role == "assistant"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3  # pieces, not one blob
    assert streamed == text
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == done.choices[0].finish_reason
    assert chunks[-1].usage.completion_tokens == done.usage.completion_tokens
    assert studio_chat(HELLO, 40) == text  # same template, same weights as the Chat tab


def test_base_id_is_the_base_model_with_the_adapter_off(client, served, studio_chat):
    base = client.chat.completions.create(model=f"{served[1]}:base", messages=HELLO, temperature=0, max_tokens=24)
    assert base.choices[0].message.content == studio_chat(HELLO, 24, adapter=False)
    assert "Nova" not in base.choices[0].message.content


def test_completions_stop_and_length(client, served):
    job = served[1]
    whole = client.completions.create(model=job, prompt="<|im_start|>user\nWho are you?<|im_end|>\n"
                                      "<|im_start|>assistant\n", temperature=0, max_tokens=12)
    text = whole.choices[0].text
    assert text and whole.object == "text_completion" and whole.usage.completion_tokens <= 12
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model=job, prompt="<|im_start|>user\nWho are you?<|im_end|>\n<|im_start|>assistant\n", temperature=0,
        max_tokens=12, stream=True))
    assert streamed == text
    word = text.split()[1]
    cut = client.chat.completions.create(model=job, messages=HELLO, temperature=0, max_tokens=40, stop=[word])
    assert cut.choices[0].message.content == text[:text.index(word)]
    assert cut.choices[0].finish_reason == "stop"
    short = client.chat.completions.create(model=job, messages=HELLO, temperature=0, max_tokens=3)
    assert short.usage.completion_tokens == 3 and short.choices[0].finish_reason == "length"


def test_bad_requests_get_the_api_error_object(client, served):
    job = served[1]
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="no-such-job", messages=HELLO)
    assert e.value.code == "model_not_found" and job in e.value.message
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=job, messages=[])
    assert e.value.body["param"] == "messages" and e.value.body["type"] == "invalid_request_error"
    long = [{"role": "user", "content": "Nova " * 100_000}]  # 100k+ tokens; the demo model holds 2048
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=job, messages=long, stream=True)
    assert e.value.code == "context_length_exceeded"
    assert "maximum context length is 2048 tokens" in e.value.message and "100" in e.value.message
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=job, messages=HELLO, temperature=5)
    assert e.value.body["param"] == "temperature"
    # What the server cannot give is refused, not answered with free text the client would take for it.
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}
    for asked, param in (({"tools": [tool]}, "tools"), ({"response_format": {"type": "json_object"}}, "response_format"),
                         ({"logprobs": True}, "logprobs")):
        with pytest.raises(openai.BadRequestError) as e:
            client.chat.completions.create(model=job, messages=HELLO, **asked)
        assert e.value.body["param"] == param and "does not support" in e.value.message
    assert client.chat.completions.create(model=job, messages=HELLO, max_tokens=2, temperature=0,
                                          response_format={"type": "text"}, presence_penalty=0.0).choices
    # Not JSON at all, a route that does not exist: the same error object, never a traceback.
    for path, data, status in (("/chat/completions", b"{not json", 400), ("/nowhere", b"{}", 404)):
        request = urllib.request.Request(served[0] + path, data=data, method="POST",
                                         headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(request, timeout=30)
        body = json.loads(e.value.read())
        assert e.value.code == status and set(body["error"]) == {"message", "type", "param", "code"}
        assert "Traceback" not in body["error"]["message"]
    # ... and the server still answers.
    assert client.chat.completions.create(model=job, messages=HELLO, temperature=0, max_tokens=4).choices


def test_a_body_that_is_no_json_object_says_how_to_send_one(served):
    """`curl -d '{...}'` without `-H 'Content-Type: application/json'` (form-encoded), or a JSON array: the error
    says to send one JSON object with that header, not "invalid value for `body`"."""
    job = served[1]
    good = json.dumps({"model": job, "messages": HELLO, "max_tokens": 2}).encode()
    for data, content_type in ((good, "application/x-www-form-urlencoded"), (b"[1, 2]", "application/json")):
        request = urllib.request.Request(served[0] + "/chat/completions", data=data, method="POST",
                                         headers={"Authorization": f"Bearer {KEY}", "Content-Type": content_type})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(request, timeout=30)
        body = json.loads(e.value.read())["error"]
        assert e.value.code == 400 and body["type"] == "invalid_request_error"
        assert "one JSON object" in body["message"] and "Content-Type: application/json" in body["message"]
        assert content_type in body["message"] and "`body`" not in body["message"]


def test_api_key_required(served):
    url, job = served[0], served[1]
    for key in ("", "sk-wrong"):
        with pytest.raises(openai.AuthenticationError) as e:
            openai.OpenAI(base_url=url, api_key=key or "x", max_retries=0,
                          default_headers={} if key else {"Authorization": ""}).models.list()
        assert e.value.code == "invalid_api_key"
    assert openai.OpenAI(base_url=url, api_key=KEY, max_retries=0).models.list().data[0].id == job


def test_concurrent_requests_do_not_mix(client, served):
    job = served[1]
    prompts = [[{"role": "user", "content": q}] for q in ("Who are you?", "What is your name?", "Who made you?")]
    alone = [client.chat.completions.create(model=job, messages=m, temperature=0, max_tokens=20)
             .choices[0].message.content for m in prompts]

    def ask(messages):
        chunks = client.chat.completions.create(model=job, messages=messages, temperature=0, max_tokens=20,
                                                stream=True)
        return "".join(c.choices[0].delta.content or "" for c in chunks)

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        together = list(pool.map(ask, prompts * 2))
    assert together == alone * 2
