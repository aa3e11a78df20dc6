"""How to call a served job: a curl command and the openai Python client, ready to copy (the Serve panel shows them).

    curl, python = snippets("http://127.0.0.1:8000/v1", "JOB", keyed=True)

A key is never written out: YOUR_API_KEY stands for it.
"""

from __future__ import annotations


def snippets(url: str, model: str, keyed: bool) -> tuple[str, str]:
    key = "YOUR_API_KEY" if keyed else "unused"
    body = f'{{"model": "{model}", "messages": [{{"role": "user", "content": "Hello"}}]}}'
    curl = "\n".join([f"curl {url}/chat/completions \\", "  -H 'Content-Type: application/json' \\",
                      *([f"  -H 'Authorization: Bearer {key}' \\"] if keyed else []), f"  -d '{body}'"])
    python = "\n".join(["from openai import OpenAI", "", f'client = OpenAI(base_url="{url}", api_key="{key}")',
                        "reply = client.chat.completions.create(", f'    model="{model}",',
                        '    messages=[{"role": "user", "content": "Hello"}],', ")",
                        "print(reply.choices[0].message.content)"])
    return curl, python
