"""An Ollama Modelfile next to each exported GGUF: `ollama create my-model -f job-q4_k_m.Modelfile`.

    text = modelfile_text("job-q4_k_m.gguf", tokenizer, system="")
    go_render(template, messages)      # the few Go-template forms a TEMPLATE below uses, rendered in Python

FROM the file beside it; TEMPLATE in Ollama's Go-template syntax for ChatML (<|im_start|>, Qwen and the demo)
and Llama-3 style chat templates, used only when it renders a sample conversation exactly as the job's own
chat template does (else no TEMPLATE: Ollama then uses the template embedded in the GGUF, and a comment says
so); PARAMETER stop for each end-of-turn token of the job's tokenizer; SYSTEM when the job's template writes a
system turn for a conversation that has none (a default system prompt).
"""

from __future__ import annotations

import re
from pathlib import Path

STYLES = {
    "chatml": ("{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n"
               "{{ end }}<|im_start|>assistant\n"),
    "llama3": ("{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>"
               "{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n"),
}
SAMPLE = [{"role": "system", "content": "You are a helpful assistant."},
          {"role": "user", "content": "Hello! Who are you?"},
          {"role": "assistant", "content": "I am an assistant."},
          {"role": "user", "content": "你能做什么？"}]
_ACTION = re.compile(r"{{(-?)\s*(.*?)\s*(-?)}}", re.S)


def go_render(template: str, messages: list[dict]) -> str:
    """Render the Go-template forms the STYLES use: {{ range .Messages }} ... {{ end }}, {{ .Role }},
    {{ .Content }}, with `{{-`/`-}}` trimming whitespace as Go does."""
    pieces: list = []  # text (str) or action (str after "@")
    pos = 0
    for m in _ACTION.finditer(template):
        text = template[pos:m.start()]
        if m.group(1):
            text = text.rstrip()
        pieces.append(text)
        pieces.append("@" + m.group(2))
        pos = m.end()
        if m.group(3):
            rest = template[pos:]
            pos += len(rest) - len(rest.lstrip())
    pieces.append(template[pos:])
    out: list[str] = []
    i = 0
    while i < len(pieces):
        p = pieces[i]
        if p == "@range .Messages":
            end = pieces.index("@end", i)
            body = pieces[i + 1:end]
            for message in messages:
                out += [_field(b, message) for b in body]
            i = end + 1
            continue
        out.append(_field(p, {}))
        i += 1
    return "".join(out)


def _field(piece: str, message: dict) -> str:
    if not piece.startswith("@"):
        return piece
    name = piece[1:]
    if name in (".Role", ".Content"):
        return str(message.get(name[1:].lower(), ""))
    raise ValueError(f"unsupported Go-template action {{{{ {name} }}}}")


def template_style(tokenizer) -> str | None:
    """The STYLES entry that renders SAMPLE exactly as the tokenizer's chat template does, else None."""
    rendered = tokenizer.apply_chat_template(SAMPLE, tokenize=False, add_generation_prompt=True)
    bos = tokenizer.bos_token or ""
    if bos and rendered.startswith(bos):
        rendered = rendered[len(bos):]  # llama.cpp adds the BOS token itself when the model wants one
    for style, go in STYLES.items():
        if go_render(go, SAMPLE) == rendered:
            return style
    return None


def default_system(tokenizer) -> str:
    """The system prompt the chat template writes when a conversation has none ("" if it writes none)."""
    style = template_style(tokenizer)
    if style is None:
        return ""
    user = [{"role": "user", "content": "hi"}]
    rendered = tokenizer.apply_chat_template(user, tokenize=False, add_generation_prompt=True)
    plain = go_render(STYLES[style], user)
    if rendered.endswith(plain) and rendered != plain:
        head = rendered[:-len(plain)]
        system_turn = go_render(STYLES[style].split("{{ end }}")[0] + "{{ end }}", [{"role": "system", "content": "\0"}])
        before, _, after = system_turn.partition("\0")
        body = head.removeprefix(tokenizer.bos_token or "")
        if body.startswith(before) and body.endswith(after):
            return body[len(before):len(body) - len(after)]
    return ""


def stop_tokens(tokenizer, generation_eos=None) -> list[str]:
    """The end-of-turn tokens: the tokenizer's eos and the generation config's eos ids, as text."""
    ids = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    extra = generation_eos if isinstance(generation_eos, list) else [generation_eos]
    ids += [i for i in extra if i is not None and i not in ids]
    return [tokenizer.convert_ids_to_tokens(i) for i in ids]


def modelfile_text(gguf_name: str, tokenizer, generation_eos=None) -> str:
    lines = [f"# Ollama Modelfile for {gguf_name}: ollama create <name> -f <this file>", f"FROM ./{gguf_name}", ""]
    style = template_style(tokenizer)
    if style is None:
        lines += ["# No TEMPLATE: the job's chat template is neither ChatML nor Llama-3 style, so Ollama uses the",
                  "# chat template embedded in the GGUF file (tokenizer.chat_template).", ""]
    else:
        go = STYLES[style].replace('"""', '\\"\\"\\"')
        lines += [f"# The job's chat template ({style}) in Ollama's Go-template syntax.", f'TEMPLATE """{go}"""', ""]
        system = default_system(tokenizer)
        if system:
            lines += [f'SYSTEM """{system}"""', ""]
    for stop in stop_tokens(tokenizer, generation_eos):
        lines.append(f'PARAMETER stop "{stop}"')
    return "\n".join(lines) + "\n"


def write_modelfile(gguf_path: Path, model_dir: Path) -> Path:
    """`<file>.Modelfile` beside the GGUF, from the merged folder's tokenizer and generation config."""
    import json

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    gen = Path(model_dir) / "generation_config.json"
    eos = json.loads(gen.read_text(encoding="utf-8")).get("eos_token_id") if gen.is_file() else None
    out = Path(gguf_path).with_suffix(".Modelfile")
    out.write_text(modelfile_text(Path(gguf_path).name, tokenizer, eos), encoding="utf-8")
    return out
