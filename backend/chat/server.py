"""A chat model in its own process: `python -m backend.chat.server --base PATH [--adapter DIR]`.

Speaks JSON lines on stdin/stdout so the UI process never imports torch:
  in : {"id": 1, "messages": [...], "max_new_tokens": 128, "temperature": 0.7, "top_p": 0.9,
        "adapter": true}   (false: the base model's reply, with the adapter switched off)
  out: {"ready": true, "mem_mb": ...} once loaded; then per request
       {"id": 1, "delta": "text"} ... {"id": 1, "done": true}   or   {"id": 1, "error": "..."}
"""

from __future__ import annotations

import argparse
import json
import sys
import threading


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def load(base: str, adapter: str | None, trust_remote_code: bool = False):
    from backend.training.bnb_import import import_bitsandbytes

    import_bitsandbytes()  # peft imports it: keep its hub kernel fetch out
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from backend.data.tokenize import ensure_chat_template

    tok_source = adapter or base
    tokenizer = AutoTokenizer.from_pretrained(tok_source, trust_remote_code=trust_remote_code)
    ensure_chat_template(tokenizer)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" and torch.cuda.is_bf16_supported() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype, trust_remote_code=trust_remote_code)
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter)
    return tokenizer, model.to(device).eval()


def generate_stream(tokenizer, model, request: dict):
    import torch
    from transformers import TextIteratorStreamer

    from backend.training.generate import chat_inputs

    inputs = chat_inputs(tokenizer, request["messages"], model.device)
    temperature = float(request.get("temperature", 0.0))
    kwargs = dict(
        **inputs,
        max_new_tokens=int(request.get("max_new_tokens", 128)),
        do_sample=temperature > 0,
        pad_token_id=tokenizer.pad_token_id,
    )
    if temperature > 0:
        kwargs.update(temperature=temperature, top_p=float(request.get("top_p", 0.9)))
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    errors: list[BaseException] = []

    import contextlib

    use_adapter = bool(request.get("adapter", True))
    off = model.disable_adapter() if not use_adapter and hasattr(model, "disable_adapter") else contextlib.nullcontext()

    def run():
        try:
            with torch.no_grad(), off:
                model.generate(**kwargs, streamer=streamer)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
            streamer.end()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield from streamer
    thread.join()
    if errors:
        raise errors[0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--adapter")
    ap.add_argument("--trust-remote-code", action="store_true")
    args = ap.parse_args()
    try:
        tokenizer, model = load(args.base, args.adapter, args.trust_remote_code)
    except Exception as e:  # noqa: BLE001
        _emit({"ready": False, "error": f"could not load the model: {type(e).__name__}: {e}"})
        return 1
    from backend.training.callback import rss_mb

    n_params = sum(p.numel() for p in model.parameters())
    _emit({"ready": True, "mem_mb": round(rss_mb(), 1), "params": n_params, "has_adapter": bool(args.adapter)})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        rid = request.get("id")
        try:
            for delta in generate_stream(tokenizer, model, request):
                if delta:
                    _emit({"id": rid, "delta": delta})
            _emit({"id": rid, "done": True})
        except Exception as e:  # noqa: BLE001
            _emit({"id": rid, "error": f"{type(e).__name__}: {e}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
