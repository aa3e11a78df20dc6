"""The OpenAI-compatible routes over one engine (FastAPI; `studio serve-model` runs it with uvicorn).

    GET  /v1/models                 the job ids (and "<job>:base": the base model, adapters off)
    POST /v1/chat/completions       messages through the job's own chat template; "stream": true -> SSE
    POST /v1/completions            a raw prompt, no template
    GET  /health                    {"status": "ok"} (no key needed: says nothing about the models)

With an API key, every /v1 route wants `Authorization: Bearer KEY` (401 invalid_api_key otherwise). Every
error is the OpenAI error object (errors.py), never a traceback.
"""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException

from backend.messages import msg
from backend.serve import protocol as p
from backend.serve.engine import Engine
from backend.serve.errors import ApiError, error_body
from backend.serve.runner import Generation

log = logging.getLogger("studio.serve")


def _sse(obj: dict) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"


def _failure(e: BaseException) -> ApiError:
    if isinstance(e, ApiError):
        return e
    log.exception("generation failed", exc_info=e)
    return ApiError(500, msg("serve.engine_failed", type=type(e).__name__, error=e))


def create_app(engine: Engine, api_key: str | None = None) -> FastAPI:
    app = FastAPI(title="finetune-studio model server", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError):
        return JSONResponse(e.body(), status_code=e.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError):
        first = (e.errors() or [{}])[0]
        if first.get("type") == "json_invalid":
            return JSONResponse(error_body(msg("serve.bad_json", error=first.get("msg", "")),
                                           "invalid_request_error"), status_code=400)
        loc = [str(x) for x in first.get("loc", ()) if x != "body"]
        param = ".".join(loc) or None
        if param is None:  # the body itself: a JSON array or string, or not sent as JSON (curl -d without -H)
            content_type = request.headers.get("content-type") or "(none)"
            return JSONResponse(error_body(msg("serve.body_not_object", content_type=content_type),
                                           "invalid_request_error"), status_code=400)
        text = msg("serve.bad_field", field=param or "body", error=first.get("msg", "invalid"))
        return JSONResponse(error_body(text, "invalid_request_error", param), status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, e: HTTPException):
        text = msg("serve.no_route", method=request.method, path=request.url.path) if e.status_code in (404, 405) \
            else str(e.detail)
        return JSONResponse(error_body(text, "invalid_request_error"), status_code=e.status_code)

    @app.exception_handler(Exception)
    async def crashed(request: Request, e: Exception):
        return JSONResponse(_failure(e).body(), status_code=500)

    def authorized(request: Request) -> None:
        if not api_key:
            return
        given = request.headers.get("authorization", "")
        token = given[7:].strip() if given[:7].lower() == "bearer " else ""
        if not token:
            raise ApiError(401, msg("serve.no_api_key"), code="invalid_api_key")
        if not hmac.compare_digest(token.encode(), api_key.encode()):
            raise ApiError(401, msg("serve.wrong_api_key"), code="invalid_api_key")

    guarded = [Depends(authorized)]

    @app.get("/health")
    async def health():
        return {"status": "ok", "engine": engine.name}

    def model_card(model_id: str) -> dict:
        return {"id": model_id, "object": "model", "created": p.now(), "owned_by": "finetune-studio"}

    @app.get("/v1/models", dependencies=guarded)
    async def models():
        return {"object": "list", "data": [model_card(m) for m in engine.model_ids()]}

    @app.get("/v1/models/{model_id}", dependencies=guarded)
    async def one_model(model_id: str):
        engine.check_model(model_id)
        return model_card(model_id)

    async def prepared(body: p._Request, prompt_of, param: str) -> Generation:
        """Checks that need no model: the model id, the parameters, the prompt and its length."""
        engine.check_model(body.model)
        params = body.params()
        prompt = await run_in_threadpool(prompt_of)
        tokens = await run_in_threadpool(engine.count_tokens, body.model, prompt)
        limit = engine.context_length(body.model)
        if tokens >= limit:
            raise ApiError(400, msg("serve.context_length", limit=limit, tokens=tokens, field=param), param=param,
                           code="context_length_exceeded")
        params.max_tokens = min(params.max_tokens, limit - tokens)
        return Generation(engine, body.model, prompt, params, tokens)

    @app.post("/v1/chat/completions", dependencies=guarded)
    async def chat(body: p.ChatRequest):
        messages = body.plain_messages() if body.model in engine.model_ids() else None
        run = await prepared(body, lambda: engine.render(body.model, messages), "messages")
        rid, created = p.new_id("chatcmpl"), p.now()
        if body.stream:
            return StreamingResponse(_chat_events(run, rid, created, body.model, body.include_usage),
                                     media_type="text/event-stream")
        text = "".join([piece async for piece in run.deltas()])
        return p.chat_completion(rid, created, body.model, text, run.finish_reason,
                                 p.usage(run.prompt_tokens, run.completion_tokens))

    @app.post("/v1/completions", dependencies=guarded)
    async def completions(body: p.CompletionRequest):
        prompt = body.text()
        run = await prepared(body, lambda: prompt, "prompt")
        rid, created = p.new_id("cmpl"), p.now()
        if body.stream:
            return StreamingResponse(_completion_events(run, rid, created, body.model, body.include_usage),
                                     media_type="text/event-stream")
        text = "".join([piece async for piece in run.deltas()])
        return p.text_completion(rid, created, body.model, text, run.finish_reason,
                                 p.usage(run.prompt_tokens, run.completion_tokens))

    return app


async def _chat_events(run: Generation, rid: str, created: int, model: str, include_usage: bool):
    yield _sse(p.chat_chunk(rid, created, model, {"role": "assistant", "content": ""}))
    try:
        async for text in run.deltas():
            yield _sse(p.chat_chunk(rid, created, model, {"content": text}))
    except Exception as e:  # noqa: BLE001 - the stream has begun: the error goes out as an event
        yield _sse(_failure(e).body())
        yield "data: [DONE]\n\n"
        return
    yield _sse(p.chat_chunk(rid, created, model, {}, run.finish_reason))
    if include_usage:
        yield _sse({"id": rid, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [], "usage": p.usage(run.prompt_tokens, run.completion_tokens)})
    yield "data: [DONE]\n\n"


async def _completion_events(run: Generation, rid: str, created: int, model: str, include_usage: bool):
    try:
        async for text in run.deltas():
            yield _sse(p.text_completion(rid, created, model, text, None, None))
    except Exception as e:  # noqa: BLE001
        yield _sse(_failure(e).body())
        yield "data: [DONE]\n\n"
        return
    yield _sse(p.text_completion(rid, created, model, "", run.finish_reason, None))
    if include_usage:
        yield _sse({"id": rid, "object": "text_completion", "created": created, "model": model, "choices": [],
                    "usage": p.usage(run.prompt_tokens, run.completion_tokens)})
    yield "data: [DONE]\n\n"
