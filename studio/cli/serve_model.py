"""`studio serve-model JOB [JOB ...]`: an OpenAI-compatible server for finished jobs (backend/serve/).

    studio serve-model JOB                          # base + adapter, transformers, http://127.0.0.1:8000/v1
    studio serve-model JOB1 JOB2                    # two jobs of one base: one base, two adapters
    studio serve-model JOB --merged                 # the job's merged export (<job>/exports/merged-*)
    studio serve-model JOB --gguf JOB-f16.gguf      # a GGUF export of the job, with llama.cpp
    studio serve-model JOB --port 0 --api-key KEY   # any free port; clients send `Authorization: Bearer KEY`

Prints "Serving JOB at http://HOST:PORT/v1 (model ids: ...)" once it answers; Ctrl-C stops it. Exit 2 with a
message when a job cannot be served (not succeeded, other bases, no such export, the port taken).
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
import threading
import time

from studio.cli.common import _fail, _versions_refused, port_number

ENGINES = ("auto", "transformers", "vllm", "llamacpp")


def add_parser(sub) -> None:
    p = sub.add_parser("serve-model", help="serve a finished job behind an OpenAI-compatible API")
    p.add_argument("jobs", nargs="+", metavar="JOB", help="the job id(s); several jobs must share one base model")
    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="auto (default): llama.cpp for --gguf, vLLM where installed on a CUDA GPU, else transformers")
    export = p.add_mutually_exclusive_group()  # one model each: both at once served the GGUF, --merged unsaid
    export.add_argument("--gguf", metavar="FILE", help="serve this GGUF export of the job (a file in its exports/ folder)")
    export.add_argument("--merged", action="store_true", help="serve the job's merged export instead of base + adapter")
    p.add_argument("--host", dest="serve_host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", dest="serve_port", type=port_number, default=8000, help="port (default 8000; 0: any free one)")
    p.add_argument("--api-key", default=None,
                   help="require `Authorization: Bearer KEY` (default: $STUDIO_API_KEY; none: no key asked)")
    p.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _follow_parent(pid: int, server) -> None:
    """Stop the server once the studio that started it has exited (even killed: this process is handed on)."""
    while not server.should_exit:
        if os.getppid() != pid:
            server.should_exit = True
            return
        time.sleep(1)


def run(args, workspace) -> int:
    from backend.messages import msg
    from backend.serve.engines import make_engine
    from backend.serve.targets import ServeError, resolve_targets
    from backend.store import JobStore

    if _versions_refused("studio serve-model"):
        return 2
    try:
        targets = resolve_targets(JobStore(workspace), args.jobs, merged=args.merged, gguf=args.gguf)
        engine = make_engine(targets, args.engine)
    except ServeError as e:
        return _fail(e.args[0])
    host, port = args.serve_host, args.serve_port
    try:  # before the model loads: a taken port is said at once
        sock = _listen(host, port)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            return _fail(msg("serve.port_in_use", port=port, host=host))
        return _fail(msg("serve.bad_address", host=host, port=port, error=e.strerror or e))
    try:
        engine.load()
    except Exception as e:  # noqa: BLE001 - a model folder that cannot be read, a GGUF llama.cpp refuses
        sock.close()
        return _fail(msg("serve.load_failed", type=type(e).__name__, error=e))
    import uvicorn

    from backend.serve.app import create_app

    api_key = args.api_key or os.environ.get("STUDIO_API_KEY") or None
    if not api_key and host not in ("127.0.0.1", "localhost", "::1"):
        warning = msg("serve.open_without_key", host=host)
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(create_app(engine, api_key), log_level="warning"))
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    line = (f"Serving {', '.join(t.job for t in targets)} at http://{shown}:{port}/v1 "
            f"(model ids: {', '.join(engine.model_ids())}; engine: {engine.name}"
            f"{'; API key required' if api_key else ''})")

    def announce():
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            print(line, flush=True)

    threading.Thread(target=announce, daemon=True).start()
    parent = os.environ.get("STUDIO_SERVE_PARENT")  # started by the studio's Serve panel: stop when it is gone
    if parent and parent.isdigit():
        threading.Thread(target=_follow_parent, args=(int(parent), server), daemon=True).start()
    server.run(sockets=[sock])
    return 0
