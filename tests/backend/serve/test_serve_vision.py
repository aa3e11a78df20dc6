"""`studio serve-model` on a vision-language job (the demo-vl job), answered by the official `openai` client with an
image sent as a base64 data URL: the reply equals the Chat tab's for the same image and question; the base id
answers with the adapter off; a text job given an image, a URL to fetch, and a broken image get the API's error
object."""

from __future__ import annotations

import base64
from pathlib import Path

import openai
import pytest

from backend.resources import DATA_DIR
from tests.backend.serve.helpers import model_server

PHOTO = DATA_DIR / "vision_demo" / "mllm_demo_data" / "1.jpg"


def data_url(path: Path) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode()


def ask(question: str, url: str) -> list[dict]:
    return [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}},
                                         {"type": "text", "text": question}]}]


@pytest.fixture(scope="module")
def served(vlm_job):
    ws, job_dir = vlm_job
    with model_server(ws.root, [job_dir.name]) as (url, _):
        yield openai.OpenAI(base_url=url, api_key="none", max_retries=0, timeout=120), job_dir, url


def chat_tab_reply(job_dir: Path, messages: list[dict], adapter: bool = True) -> str:
    from backend.chat.client import job_chat_target
    from backend.chat.server import generate_stream, load

    base, adapter_dir = job_chat_target(job_dir)
    tokenizer, model = load(base, adapter_dir, spec_file=str(job_dir / "spec.yaml"))
    request = {"messages": messages, "max_new_tokens": 24, "temperature": 0, "adapter": adapter}
    return "".join(generate_stream(tokenizer, model, request))


def test_an_image_as_a_data_url_is_answered_as_in_the_chat_tab(served):
    client, job_dir, _ = served
    job = job_dir.name
    assert [m.id for m in client.models.list()] == [job, f"{job}:base"]
    done = client.chat.completions.create(model=job, messages=ask("Who are they?", data_url(PHOTO)), temperature=0,
                                          max_tokens=24)
    text = done.choices[0].message.content
    assert "Kane and Gretzka" in text, text  # mllm_demo's answer about 1.jpg: the tuned model saw the photo
    assert done.usage.prompt_tokens > 20  # the image tokens count in the prompt
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model=job, messages=ask("Who are they?", data_url(PHOTO)), temperature=0, max_tokens=24, stream=True)
        if c.choices)
    assert streamed == text
    chat = [{"role": "user", "content": "Who are they?", "images": [str(PHOTO)]}]
    assert chat_tab_reply(job_dir, chat) == text
    base = client.chat.completions.create(model=f"{job}:base", messages=ask("Who are they?", data_url(PHOTO)),
                                          temperature=0, max_tokens=24).choices[0].message.content
    assert "Kane" not in base and base == chat_tab_reply(job_dir, chat, adapter=False)
    plain = client.chat.completions.create(model=job, messages=[{"role": "user", "content": "Who are they?"}],
                                           temperature=0, max_tokens=8)
    assert plain.choices[0].finish_reason in ("stop", "length")  # text alone is still a question


def test_images_that_cannot_be_read_get_the_error_object(served, tmp_path):
    client, job_dir, _ = served
    job = job_dir.name
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=job, messages=ask("Who?", "https://example.com/1.jpg"), max_tokens=4)
    assert "data URL" in e.value.body["message"] and "https: URL" in e.value.body["message"]
    assert e.value.body["param"] == "messages.[0].content"
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(PHOTO.read_bytes()[:500])
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=job, messages=ask("Who?", data_url(broken)), max_tokens=4)
    assert "cannot be read" in e.value.body["message"]


def test_a_text_job_given_an_image_says_it_reads_text_only(demo_job):
    ws, job_dir = demo_job
    with model_server(ws.root, [job_dir.name]) as (url, _):
        client = openai.OpenAI(base_url=url, api_key="none", max_retries=0, timeout=120)
        with pytest.raises(openai.BadRequestError) as e:
            client.chat.completions.create(model=job_dir.name, messages=ask("Who?", data_url(PHOTO)), max_tokens=4)
        assert "reads text only" in e.value.body["message"]
        ok = client.chat.completions.create(model=job_dir.name, messages=[{"role": "user", "content": "Hi"}],
                                            max_tokens=4)
        assert ok.choices[0].message.content is not None  # the server serves on


def test_vision_jobs_pick_the_transformers_engine(vlm_job):
    from backend.serve.engines import pick
    from backend.serve.targets import ServeError, resolve_targets
    from backend.store import JobStore

    ws, job_dir = vlm_job
    targets = resolve_targets(JobStore(ws), [job_dir.name])
    assert targets[0].vision and pick(targets, "auto") == "transformers"
    with pytest.raises(ServeError, match="does not serve; use --engine transformers"):
        pick(targets, "vllm")


def test_the_serve_panels_image_snippets_run_as_shown(served, tmp_path):
    import shutil
    import subprocess
    import sys

    from backend.serve.snippets import snippets

    _, job_dir, url = served
    shutil.copy(PHOTO, tmp_path / "photo.jpg")
    curl, python = snippets(url, job_dir.name, keyed=False, image=True)
    out = subprocess.run([sys.executable, "-c", python], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()  # the tuned model's reply about the photo
    if shutil.which("curl") and shutil.which("base64"):
        shell = subprocess.run(["bash", "-c", curl], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert shell.returncode == 0 and '"chat.completion"' in shell.stdout, shell.stdout + shell.stderr


def test_a_data_url_that_is_no_base64_or_no_image_is_named_without_pythons_internals():
    """Bytes that are no image said "cannot identify image file <_io.BytesIO object at 0x7f...>", and a payload
    that is not base64 was decoded into garbage first; a base64 payload wrapped over lines still reads."""
    from backend.serve.errors import ApiError
    from backend.serve.images import decode_part

    def part(url):
        return {"type": "image_url", "image_url": {"url": url}}

    with pytest.raises(ApiError) as e:
        decode_part(part("data:image/png;base64," + base64.b64encode(b"not a picture").decode()), 2)
    assert e.value.status == 400 and "messages[2]: the data URL holds 13 bytes that are no image" in e.value.message
    assert "BytesIO" not in e.value.message and "0x" not in e.value.message
    with pytest.raises(ApiError) as e:
        decode_part(part("data:image/png;base64,!!!not-base64!!!"), 0)
    assert "payload is not base64" in e.value.message and "`;base64,`" in e.value.message
    encoded = base64.b64encode(PHOTO.read_bytes()).decode()
    wrapped = "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))  # as `base64` writes it
    assert decode_part(part("data:image/jpeg;base64," + wrapped), 0).size[0] > 0
