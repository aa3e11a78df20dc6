"""The Monitor's *Export and evaluate* panel: each action runs as a process of its own
(`studio export ...` / `studio eval ...`), never in the UI's, so a big merge cannot stall the page.

    view = export_view.build(ctx)        # inside the Monitor tab
    export_view.wire(ctx, view, picker)  # picker: the Monitor's job dropdown

Merged model (dtype), GGUF (f16, bf16, q8_0, q4_k_m, q5_k_m, q6_k), each followed by its parity table
(studio/views/parity_view.py), push to the hub (repo, private, token), and the base vs
tuned evaluation, whose table and scores are shown here and kept in <job>/eval/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import gradio as gr
import pandas as pd

from backend.messages import Message
from backend.resources import PROJECT_ROOT
from studio.context import Ctx
from studio.i18n import msg
from studio.unexpected import unexpected
from studio.views import launch_panel
from studio.views.parity_view import parity_for

QUANTS = ("f16", "bf16", "q8_0", "q4_k_m", "q5_k_m", "q6_k")  # backend.export.gguf_export.QUANTS (no torch import here)

TIMEOUT_S = 3600


@dataclass
class ExportView:
    dtype: gr.Dropdown
    merged: gr.Button
    quant: gr.Dropdown
    gguf: gr.Button
    repo: gr.Textbox
    private: gr.Checkbox
    token: gr.Textbox
    push: gr.Button
    rows: gr.Number
    evaluate: gr.Button
    status: gr.Markdown
    scores: gr.Markdown
    table: gr.Dataframe
    parity: gr.Markdown | None = None  # the parity table after a merged/GGUF export
    launch: launch_panel.LaunchPanel | None = None  # a Slurm / SkyPilot launch file (studio/views/launch_panel.py)
    gguf_box: gr.Column | None = None  # the GGUF controls: hidden for a vision-language job
    vision_note: gr.Column | None = None  # what applies to a vision-language job: shown for one


def run_cli(ctx: Ctx, args: list[str], token: str | None = None) -> tuple[bool, str]:
    """(ok, stdout or the error message) of `studio ARGS` on this workspace, in its own process."""
    env = {**os.environ, "STUDIO_ERROR_REF": "1", "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", ""))
                                                       if p)}
    if token:
        env["HF_TOKEN"] = token  # never on the command line, where other users of the machine could read it
    cmd = [sys.executable, "-m", "studio.cli", *args, "--workspace", str(ctx.workspace.root)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return False, ctx.t["export.timeout"].format(minutes=TIMEOUT_S // 60)
    if done.returncode == 0:
        return True, done.stdout.strip()
    lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
    refs = [ln.removeprefix("error-ref: ") for ln in lines if ln.startswith("error-ref: ")]
    errors = [ln.removeprefix("error: ") for ln in lines if ln.startswith("error: ")]
    if not lines:
        return False, ctx.t["export.exit_code"].format(code=done.returncode)
    text = errors[-1] if errors else lines[-1]
    if refs:  # the error's id and values (studio/cli/common.py's _fail): shown in the page's language
        try:
            text = Message.from_json(json.loads(refs[-1]), text)
        except ValueError:
            pass
    return False, msg(ctx.t, text)


def has_llama_cpp() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def build(ctx: Ctx) -> ExportView:
    t = ctx.t
    gr.Markdown(t["export.intro"])
    with gr.Row():
        dtype = gr.Dropdown(["float32", "bfloat16", "float16"], value="bfloat16", label=t["export.dtype"], scale=1,
                            elem_id="export-dtype")
        merged = gr.Button(t["export.merged"], scale=2, elem_id="export-merged")
        with gr.Column(scale=3, elem_id="export-gguf-box") as gguf_box, gr.Row():
            quant = gr.Dropdown(list(QUANTS), value="q4_k_m" if has_llama_cpp() else "q8_0", label=t["export.quant"],
                                info=t["gguf.quant_info"], scale=1, elem_id="export-quant")
            gguf = gr.Button(t["export.gguf"], scale=2, elem_id="export-gguf")
    with gr.Column(visible=False, elem_id="export-vision-note") as vision_note:
        gr.Markdown(t["vl.export.note"])
    with gr.Row():
        repo = gr.Textbox(label=t["export.repo"], placeholder=t["export.repo.placeholder"], scale=2, elem_id="export-repo")
        private = gr.Checkbox(True, label=t["export.private"], scale=1, elem_id="export-private")
        token = gr.Textbox(label=t["export.token"], type="password", scale=2, elem_id="export-token")
        push = gr.Button(t["export.push"], scale=1, elem_id="export-push")
    launch = launch_panel.build(ctx)
    with gr.Row():
        # No minimum/maximum: gradio's refusal ("Value 0 is less than minimum value 1.") names no box; evaluate does.
        rows = gr.Number(10, precision=0, label=t["eval.rows"], scale=1, elem_id="eval-rows")
        evaluate = gr.Button(t["eval.run"], variant="primary", scale=2, elem_id="eval-run")
    status = gr.Markdown(elem_id="export-status")
    parity = gr.Markdown(elem_id="export-parity")
    scores = gr.Markdown(elem_id="eval-scores")
    table = gr.Dataframe(visible=False, wrap=True, elem_id="eval-table")
    return ExportView(dtype, merged, quant, gguf, repo, private, token, push, rows, evaluate, status, scores, table,
                      parity, launch, gguf_box, vision_note)


EVAL_ROWS_MAX = 500  # eval prompts one click answers (twice: base and tuned)


def scores_markdown(t, s: dict) -> str:
    source = t["eval.from_eval"] if s["source"] == "eval split" else t["eval.from_train"]
    lines = [t["eval.source"].format(rows=s["rows"], source=source), "",
             f"| | {t['eval.exact']} | ROUGE-L | BLEU |", "| --- | ---: | ---: | ---: |"]
    for who in ("base", "tuned"):
        v = s[who]
        lines.append(f"| {t['eval.' + who]} | {v['exact_match']:.0%} | {v['rouge_l']:.3f} | {v['bleu']:.1f} |")
    return "\n".join(lines)


def results_frame(t, results: list[dict]) -> pd.DataFrame:
    """The eval table: prompt, reference, base, tuned, and for a vision-language job the images each row showed."""
    images = any(r.get("images") for r in results)
    frame = pd.DataFrame([{**r, "images": ", ".join(r.get("images") or [])} for r in results],
                         columns=["prompt", "images", "reference", "base", "tuned"] if images
                         else ["prompt", "reference", "base", "tuned"])
    frame.columns = [t["eval.col.prompt"], *([t["vl.export.col.images"]] if images else []), t["eval.col.reference"],
                     t["eval.base"], t["eval.tuned"]]
    return frame


def column_widths(frame: pd.DataFrame) -> list[str]:
    """Shares of the page's width that keep every column on screen, the replies wrapped: sized by their text, the
    prompt and reference took the width and the fine-tuned column was off the right edge at 1280-1366 px."""
    if len(frame.columns) == 5:  # prompt, images, reference, base, tuned
        return ["14%", "12%", "24%", "25%", "25%"]
    return ["16%", "28%", "28%", "28%"]


def is_vision(ctx: Ctx, job_id: str | None) -> bool:
    """The picked job fine-tuned a vision-language model (reads its folder; no torch)."""
    if not job_id or ctx.store.get(job_id) is None:
        return False
    from backend.export.vision_job import is_vision_job

    return is_vision_job(ctx.store.job_dir(job_id))


def wire(ctx: Ctx, view: ExportView, picker: gr.Dropdown) -> None:
    t = ctx.t

    if view.gguf_box is not None and view.vision_note is not None:
        def applies(job_id):  # a vision job: no GGUF, and the note on what its exports hold
            vision = is_vision(ctx, job_id)
            return gr.update(visible=not vision), gr.update(visible=vision)

        picker.change(unexpected(t, "export")(applies), picker, [view.gguf_box, view.vision_note],
                      show_progress="hidden")

    def action(args_of, done_key: str):
        @unexpected(t, "export", fallback=lambda message: message)
        def fn(job_id, *values):
            if not job_id:
                yield t["runs.pick_first"]
                return
            yield t["export.running"]
            args, token = args_of(job_id, *values)
            ok, text = run_cli(ctx, args, token)
            yield t[done_key].format(path=text.splitlines()[-1] if text else "") if ok else "⚠ " + text
        return fn

    def checked_export(kind: str):
        """A merged/GGUF export, then its parity table (the report `studio export` wrote beside the job)."""
        @unexpected(t, "export", fallback=lambda message: (message, ""))
        def fn(job_id, value):
            if not job_id:
                yield t["runs.pick_first"], ""
                return
            yield t["export.running"], ""
            flag = "--dtype" if kind == "merged" else "--quant"
            ok, text = run_cli(ctx, ["export", job_id, "--to", kind, flag, value])
            if not ok:
                yield "⚠ " + text, ""
                return
            path = text.splitlines()[-1] if text else ""
            yield t["export.done"].format(path=path), parity_for(t, ctx.workspace.job_dir(job_id), path)
        return fn

    view.merged.click(checked_export("merged"), [picker, view.dtype], [view.status, view.parity],
                      concurrency_id="export", concurrency_limit=1)
    view.gguf.click(checked_export("gguf"), [picker, view.quant], [view.status, view.parity],
                    concurrency_id="export", concurrency_limit=1)

    def push_args(job_id, repo, private, token):
        args = ["export", job_id, "--to", "hub", "--repo", (repo or "").strip()]
        return ([*args] if private else [*args, "--public"]), (token or "").strip() or None

    pushing = action(push_args, "export.pushed")

    def push(job_id, repo, private, token):
        if job_id and not (repo or "").strip():  # named here: the CLI's refusal speaks of its --repo flag
            yield t["export.need_repo"]
            return
        yield from pushing(job_id, repo, private, token)

    view.push.click(push, [picker, view.repo, view.private, view.token], view.status, concurrency_id="export",
                    concurrency_limit=1)
    if view.launch:
        launch_panel.wire(ctx, view.launch, picker, view.status)

    @unexpected(t, "evaluate", fallback=lambda message: (message, "", gr.update(visible=False)))
    def evaluate(job_id, rows):
        hidden = gr.update(visible=False)
        if not job_id:
            yield t["runs.pick_first"], "", hidden
            return
        if rows is None or not 1 <= rows <= EVAL_ROWS_MAX:
            yield t["eval.bad_rows"].format(most=EVAL_ROWS_MAX, rows="—" if rows is None else rows), "", hidden
            return
        yield t["eval.running"], "", hidden
        ok, text = run_cli(ctx, ["eval", job_id, "--rows", str(int(rows)), "--json"])
        if not ok:
            yield "⚠ " + text, "", hidden
            return
        report = json.loads(text)
        frame = results_frame(t, report["results"])
        from studio.views.bench_table import job_markdown  # the job's standard-benchmark rows, under its scores

        scores = scores_markdown(t, report["scores"]) + job_markdown(t, ctx.store.job_dir(job_id))
        yield "", scores, gr.update(value=frame, visible=True, column_widths=column_widths(frame))

    view.evaluate.click(evaluate, [picker, view.rows], [view.status, view.scores, view.table],
                        concurrency_id="export", concurrency_limit=1)
