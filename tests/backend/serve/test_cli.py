"""`studio serve-model`'s refusals: each says which job or option and what to do, exit 2, before any model loads."""

from __future__ import annotations

import socket

import pytest

from backend.serve.engine import StopTrimmer
from backend.serve.targets import ServeError, resolve_targets
from studio.cli.commands import main


@pytest.fixture(autouse=True)
def never_serve(monkeypatch):
    """A refusal that lets the command through would serve forever: fail instead of hanging the suite."""
    import uvicorn

    def refuse(self, *args, **kwargs):
        raise AssertionError("studio serve-model went on to serve where it should have refused")

    monkeypatch.setattr(uvicorn.Server, "run", refuse)


@pytest.fixture
def bare_job(demo_job):
    """A succeeded job of the demo's workspace with its adapter and nothing exported (the session's demo job
    gets exports from other tests). Returns (workspace, job_dir)."""
    import shutil

    from backend.store import JobStore

    ws, job_dir = demo_job
    store = JobStore(ws)
    job = store.create_job(store.load_spec(job_dir.name), state="running")
    shutil.copytree(job_dir / "adapter", store.job_dir(job) / "adapter")
    store.mark_succeeded(job, 1.0)
    yield ws, store.job_dir(job)
    store.delete_job(job)


def serve(ws, *args, capsys):
    code = main(["serve-model", *args, "--workspace", str(ws.root)])
    return code, capsys.readouterr().err


def test_refuses_unknown_unfinished_and_mismatched_jobs(bare_job, capsys):
    from backend.resources import DEMO_SPEC
    from backend.spec import JobSpec
    from backend.store import JobStore

    ws, job_dir = bare_job
    code, err = serve(ws, "no-such-job", capsys=capsys)
    assert code == 2 and "no job 'no-such-job'" in err and "studio jobs list" in err
    store = JobStore(ws)
    queued = store.create_job(JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")))
    try:
        code, err = serve(ws, queued, capsys=capsys)
        assert code == 2 and f"job {queued} is queued" in err and "only a succeeded job" in err
        code, err = serve(ws, job_dir.name, "--merged", "--port", "0", capsys=capsys)
        assert code == 2 and f"studio export {job_dir.name} --to merged" in err
        code, err = serve(ws, job_dir.name, "--gguf", "../spec.yaml", "--port", "0", capsys=capsys)
        assert code == 2 and "not inside the job's exports folder" in err
        code, err = serve(ws, job_dir.name, "--gguf", "/etc/passwd", capsys=capsys)
        assert code == 2 and "not inside" in err
        code, err = serve(ws, job_dir.name, "--engine", "llamacpp", capsys=capsys)
        assert code == 2 and "--gguf" in err
    finally:
        store.delete_job(queued)


def test_merged_and_gguf_together_are_refused(demo_job, capsys):
    """Both at once served the GGUF and dropped --merged without a word."""
    ws, job_dir = demo_job
    with pytest.raises(SystemExit) as exit_:
        serve(ws, job_dir.name, "--merged", "--gguf", f"{job_dir.name}-f16.gguf", capsys=capsys)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "argument --gguf: not allowed with argument --merged" in err


def test_port_in_use(demo_job, capsys):
    ws, job_dir = demo_job
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = serve(ws, job_dir.name, "--port", str(port), capsys=capsys)
    assert code == 2 and f"port {port} on 127.0.0.1 is already in use" in err


def test_jobs_of_different_bases_cannot_share_a_server(demo_job, capsys):
    import json
    import shutil

    from backend.store import JobStore

    ws, job_dir = demo_job
    store = JobStore(ws)
    assert [t.job for t in resolve_targets(store, [job_dir.name, job_dir.name])] == [job_dir.name]  # once
    other = store.create_job(store.load_spec(job_dir.name), state="running")
    try:
        adapter = store.job_dir(other) / "adapter"
        shutil.copytree(job_dir / "adapter", adapter)
        config = json.loads((adapter / "adapter_config.json").read_text())
        (adapter / "adapter_config.json").write_text(json.dumps({**config, "base_model_name_or_path": str(ws.root)}))
        store.mark_succeeded(other, 1.0)
        with pytest.raises(ServeError, match="do not share one base model"):
            resolve_targets(store, [job_dir.name, other])
        code, err = serve(ws, job_dir.name, other, capsys=capsys)
        assert code == 2 and "one server per base" in err and other in err
    finally:
        store.delete_job(other)


@pytest.mark.parametrize("pieces, stops, expected", [
    (["Hel", "lo wor", "ld"], ["wor"], "Hello "),
    (["I am <|im", "_end|> more"], ["<|im_end|>"], "I am "),
    (["ab", "c"], ["cd"], "abc"),  # a held-back start of a stop that never completes comes out at the end
    (["no stops"], [], "no stops"),
])
def test_stop_strings_are_cut_even_across_pieces(pieces, stops, expected):
    trim = StopTrimmer(stops)
    out = "".join(trim.feed(p) for p in pieces) + trim.flush()
    assert out == expected and trim.hit == (expected != "".join(pieces))
