"""Time to the first token and tokens/s through `studio serve-model` (the openai client, streaming) against the
studio's own chat process (backend/chat/server.py's JSON-lines protocol, as the Chat tab uses it), side by side.

    python benchmarks/bench_serve.py                       # trains the demo job first (~25 s on a CPU)
    python benchmarks/bench_serve.py --workspace WS --job JOB [--rounds 10] [--max-tokens 64]

Both load the same base + adapter and answer the same messages greedily, so they write the same tokens; the
rounds alternate between them after one warm-up each. Prints the medians and the ratio served / chat.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = ["Who are you?", "What is your name?", "Who made you?", "你是谁？", "Tell me about yourself."]


def train_demo(ws: Path) -> str:
    env = {**os.environ, "STUDIO_WARM": "0"}  # no warm worker left behind
    subprocess.run([sys.executable, "-m", "studio.cli", "train", "templates/demo.yaml", "--set",
                    "training.max_steps=60", "--workspace", str(ws)], cwd=ROOT, check=True, capture_output=True,
                   env=env)
    return next((ws / "jobs").iterdir()).name


def timed(stream) -> tuple[float, float, str]:
    """(seconds to the first text, seconds in all, the text) of an iterator of text pieces."""
    start, first, parts = time.perf_counter(), None, []
    for piece in stream:
        if piece and first is None:
            first = time.perf_counter() - start
        parts.append(piece or "")
    return first or 0.0, time.perf_counter() - start, "".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workspace")
    ap.add_argument("--job")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--max-tokens", type=int, default=64)
    args = ap.parse_args()
    import openai
    from transformers import AutoTokenizer

    from backend.chat.client import ChatClient, job_chat_target
    from tests.backend.serve.helpers import model_server

    ws = Path(args.workspace or tempfile.mkdtemp(prefix="bench-serve-"))
    job = args.job or train_demo(ws)
    job_dir = ws / "jobs" / job
    base, adapter = job_chat_target(job_dir)
    tokenizer = AutoTokenizer.from_pretrained(adapter or base)
    rows = {"served (openai client, SSE)": [], "studio chat process (JSON lines)": []}
    t0 = time.perf_counter()
    chat = ChatClient(base, adapter, spec_file=str(job_dir / "spec.yaml"))
    chat_load = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        with model_server(ws, [job]) as (url, _):
            serve_load = time.perf_counter() - t0
            client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0)

            def served(messages):
                for chunk in client.chat.completions.create(model=job, messages=messages, temperature=0,
                                                            max_tokens=args.max_tokens, stream=True):
                    yield chunk.choices[0].delta.content if chunk.choices else None

            def studio(messages):
                yield from chat.stream(messages, max_new_tokens=args.max_tokens, temperature=0)

            for i in range(args.rounds + 1):
                messages = [{"role": "user", "content": QUESTIONS[i % len(QUESTIONS)]}]
                answers = {}
                for name, fn in zip(rows, (served, studio)):
                    first, total, text = timed(fn(messages))
                    answers[name] = text
                    if i:  # round 0 warms both up
                        rows[name].append((first, total, len(tokenizer(text, add_special_tokens=False).input_ids)))
                assert len(set(answers.values())) == 1, answers  # the same greedy reply from both
    finally:
        chat.close()
    print(f"job {job}, {args.rounds} rounds, greedy, up to {args.max_tokens} tokens; start-up: server "
          f"{serve_load:.1f} s, chat process {chat_load:.1f} s\n")
    print(f"{'':36}{'TTFT median':>14}{'tokens/s':>10}{'tokens':>8}")
    medians = {}
    for name, got in rows.items():
        ttft = statistics.median(r[0] for r in got)
        rate = sum(r[2] for r in got) / sum(r[1] for r in got)
        medians[name] = (ttft, rate)
        print(f"{name:36}{ttft * 1000:>11.1f} ms{rate:>10.1f}{sum(r[2] for r in got) / len(got):>8.1f}")
    (s_ttft, s_rate), (c_ttft, c_rate) = medians.values()
    print(f"\nratio served / chat: TTFT {s_ttft / c_ttft:.2f}x, tokens/s {s_rate / c_rate:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
