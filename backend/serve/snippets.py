"""How to call a served job: a curl command and the openai Python client, ready to copy (the Serve panel shows them).

    curl, python = snippets("http://127.0.0.1:8000/v1", "JOB", keyed=True, image=False)

A key is never written out: YOUR_API_KEY stands for it. `image`: a vision-language job's, which sends a photo as
a base64 data URL beside the question.
"""

from __future__ import annotations


def snippets(url: str, model: str, keyed: bool, image: bool = False) -> tuple[str, str]:
    key = "YOUR_API_KEY" if keyed else "unused"
    if image:
        return _image_snippets(url, model, key, keyed)
    body = f'{{"model": "{model}", "messages": [{{"role": "user", "content": "Hello"}}]}}'
    curl = "\n".join([f"curl {url}/chat/completions \\", "  -H 'Content-Type: application/json' \\",
                      *([f"  -H 'Authorization: Bearer {key}' \\"] if keyed else []), f"  -d '{body}'"])
    python = "\n".join(["from openai import OpenAI", "", f'client = OpenAI(base_url="{url}", api_key="{key}")',
                        "reply = client.chat.completions.create(", f'    model="{model}",',
                        '    messages=[{"role": "user", "content": "Hello"}],', ")",
                        "print(reply.choices[0].message.content)"])
    return curl, python


def _image_snippets(url: str, model: str, key: str, keyed: bool) -> tuple[str, str]:
    part = '{"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,\'"$IMG"\'"}}'
    body = (f'{{"model": "{model}", "messages": [{{"role": "user", "content": [{part}, '
            '{"type": "text", "text": "What is in this picture?"}]}]}')
    curl = "\n".join(["IMG=$(base64 -w0 photo.jpg)", f"curl {url}/chat/completions \\",
                      "  -H 'Content-Type: application/json' \\",
                      *([f"  -H 'Authorization: Bearer {key}' \\"] if keyed else []), f"  -d '{body}'"])
    python = "\n".join([
        "import base64", "", "from openai import OpenAI", "",
        f'client = OpenAI(base_url="{url}", api_key="{key}")',
        'photo = base64.b64encode(open("photo.jpg", "rb").read()).decode()',
        "reply = client.chat.completions.create(", f'    model="{model}",',
        '    messages=[{"role": "user", "content": [',
        '        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + photo}},',
        '        {"type": "text", "text": "What is in this picture?"},', "    ]}],", ")",
        "print(reply.choices[0].message.content)"])
    return curl, python
