"""An OpenAI-compatible server for finished jobs (`studio serve-model JOB`): issue 20.

    from backend.serve.app import create_app
    from backend.serve.engines import make_engine
    from backend.serve.targets import resolve_targets
    engine = make_engine(resolve_targets(store, ["JOB"]), "auto"); engine.load()
    app = create_app(engine, api_key=None)                                # FastAPI; uvicorn serves it

Modules, one concern each:
  errors.py     the OpenAI error object ({"error": {message, type, param, code}}) and its status codes
  protocol.py   the request bodies (pydantic) and the response / chunk objects
  targets.py    which weights a job id stands for (base + adapter, merged folder, GGUF file), checked
  engine.py     the engines' common interface: load, render the chat template, count tokens, generate
  engine_hf.py, engine_llamacpp.py, engine_vllm.py   the three engines
  engines.py    picks one (`auto`)
  runner.py     one generation at a time per engine, in a thread, its text deltas read by the event loop
  app.py        the routes: /v1/models, /v1/chat/completions, /v1/completions
  snippets.py   curl and openai-client snippets for a running server (the Serve panel shows them)
"""
