"""The web studio: a Gradio app over the job store. No torch in this process.

    studio                       # http://127.0.0.1:7860
    python -m studio.cli --port 8080 --workspace /tmp/ws --lang zh

build_app(workspace, lang) makes the Blocks (tests build it without serving); launch() also
starts the scheduler (which runs queued jobs as worker processes) and builds the demo model
in the background on first use.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from backend.demo import is_built  # noqa: E402
from backend.jobs.pace import write_expected  # noqa: E402
from backend.resources import DATA_DIR, DEMO_SPEC, PROJECT_ROOT  # noqa: E402
from backend.spec import JobSpec  # noqa: E402
from backend.store import JobStore  # noqa: E402
from backend.workspace import Workspace  # noqa: E402
from studio import browser_state, fonts, progress_targets  # noqa: E402
from studio.context import Ctx  # noqa: E402
from studio.i18n import LANGUAGE_NAMES, SessionStrings, gradio_texts, relabel  # noqa: E402
from studio.unexpected import unexpected  # noqa: E402
from studio.views import bench_panel, chat, cluster_panel, monitor, monitor_browser, runs, serve_panel  # noqa: E402
from studio.views import export as export_view  # noqa: E402
from studio.views import hardware as hardware_view  # noqa: E402
from studio.views import tab_timers as polling  # noqa: E402
from studio.views.chat import ChatHost  # noqa: E402
from studio.wizard import build as build_wizard  # noqa: E402
from studio.wizard import presets as presets_view  # noqa: E402
from studio.wizard import review as review_step  # noqa: E402
from studio.wizard import speed, sweep_panel  # noqa: E402
from studio.wizard.data_next import more_sources_problem  # noqa: E402
from studio.wizard.draft import Draft  # noqa: E402
from studio.wizard.form import form_from_spec  # noqa: E402
from studio.wizard.start_once import start_once  # noqa: E402
from studio.wizard.state import WIZARD_STEPS, tab_labels  # noqa: E402

log = logging.getLogger("studio")

CSS = """
.sp-progress { width: 100%; height: 14px; background: var(--neutral-200); border-radius: 7px; overflow: hidden; }
.sp-bar { height: 100%; background: var(--color-accent); transition: width .5s; }
.sp-bar.sp-succeeded { background: #16a34a; } .sp-bar.sp-failed, .sp-bar.sp-interrupted { background: #dc2626; }
.sp-progress-text { margin-top: 4px; font-size: 0.9em; }
.sp-header .job-id { font-size: 1.05em; }
.sp-state { padding: 2px 8px; border-radius: 8px; font-weight: 600; background: var(--neutral-200); }
.sp-state.sp-running { background: #dbeafe; color: #1e40af; } .sp-state.sp-succeeded { background: #dcfce7; color: #166534; }
.sp-state.sp-failed, .sp-state.sp-interrupted { background: #fee2e2; color: #991b1b; }
.sp-meta { color: var(--body-text-color-subdued); font-size: 0.85em; margin-top: 4px; }
.sp-meta code, .sp-header code { font-family: var(--font-mono); font-size: 0.95em; padding: 0 3px; border-radius: 3px; background: var(--neutral-100); }
#job-error { border-left: 4px solid #dc2626; padding-left: 8px; }
.dp-legend, .dp-note { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 4px 0; }
.dp-title { font-weight: 600; font-size: 0.9em; margin: 8px 0 2px; }
.dp-panel .token-preview { max-height: 360px; overflow: auto; }
.dp-skipped { border-left: 4px solid #dc2626; padding: 4px 8px; background: #fef2f2; color: #991b1b; }
.dp-raw { white-space: pre-wrap; font-size: 0.8em; max-height: 300px; overflow: auto; }
"""
CSS += monitor_browser.SWITCH_CSS  # the Monitor hides the previous job's outputs while a newly picked job's come


def load_defaults() -> JobSpec:
    return JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))


UPLOAD_LIMIT_MB = 200


def build_app(
    workspace: Workspace,
    lang: str | None = None,
    chat_host: ChatHost | None = None,
    upload_limit_mb: int = UPLOAD_LIMIT_MB,
    data_roots: list | None = None,
) -> gr.Blocks:
    t = SessionStrings(lang)
    defaults = load_defaults()
    roots = [workspace.root, DATA_DIR, *(data_roots or [])]
    ctx = Ctx(workspace, JobStore(workspace), t, defaults, chat_host or ChatHost(), upload_limit_mb, roots)
    start = form_from_spec(defaults)
    with gr.Blocks(title=t["app.title"]) as app:
        with gr.Row(elem_id="app-header"):
            gr.Markdown(t["app.header"], elem_id="app-title")
            lang_pick = gr.Radio([(name, code) for code, name in LANGUAGE_NAMES.items()], value=t.default,
                                 label=t["lang.label"], elem_id="lang-switch", scale=0, min_width=220)
        lang_saved = browser_state.stored(workspace, "studio-lang")  # remembered across restarts too
        with gr.Tabs(selected="train", elem_id="main-tabs") as main_tabs:
            with gr.Tab(t["tab.train"], id="train", elem_id="tab-train"):
                presets = presets_view.build(ctx)
                with gr.Accordion(t["hw.title"], open=False, elem_id="hardware"):
                    hardware = hardware_view.build(ctx)
                    clusters = cluster_panel.build(ctx)
                wiz = build_wizard(ctx, start)
            with gr.Tab(t["tab.monitor"], id="monitor", elem_id="tab-monitor") as monitor_tab_el:
                mon = monitor.build(ctx)
                with gr.Accordion(t["export.title"], open=False, elem_id="export-panel"):
                    exports = export_view.build(ctx)
                with gr.Accordion(t["bench.title"], open=False, elem_id="bench-panel"):
                    benches = bench_panel.build(ctx)
                with gr.Accordion(t["serve.title"], open=False, elem_id="serve-panel"):
                    serving = serve_panel.build(ctx)
            with gr.Tab(t["tab.runs"], id="runs", elem_id="tab-runs") as runs_tab_el:
                runs_tab = runs.build(ctx)
            with gr.Tab(t["tab.chat"], id="chat", elem_id="tab-chat") as chat_tab_el:
                chat_tab = chat.build(ctx)

        # The Monitor's and the Runs tab's polling only while its tab is shown (a hidden box carries the tab's name).
        shown_tab = gr.Textbox(visible=False)
        polling.wire(main_tabs, shown_tab, {monitor_tab_el: [mon.timer], runs_tab_el: runs_tab.timers})
        export_view.wire(ctx, exports, mon.picker)
        cluster_panel.wire(ctx, clusters)
        bench_panel.wire(ctx, benches, mon.picker)
        serve_panel.wire(ctx, serving, mon.picker)
        form, wizard, review = wiz.form, wiz.tabs, wiz.review
        data = wiz.data
        inputs = form.inputs  # a set: each handler below gets one {component: value}

        def go(step: str):
            return lambda: gr.Tabs(selected=step)

        @unexpected(t, "data")  # "Reading the data" failed: the step stays, the reason shown
        def leave_data(values: dict):
            """Data that cannot be used keeps the wizard on the Data step, saying why (the summary says it too); so
            do datasets mixed in (or for evaluation) that cannot go with it (studio/wizard/data_next.py)."""
            problem = values[data.problem] or more_sources_problem(ctx, form.values(values))
            if problem:
                gr.Warning(t["data.next_blocked"].format(problem=problem.removeprefix("⚠").strip()))
                return gr.skip()
            return gr.Tabs(selected="method")

        for here, step in (("model", wiz.model), ("data", wiz.data), ("method", wiz.method),
                           ("training", wiz.training)):
            i = WIZARD_STEPS.index(here)
            if here == "data":
                step.next.click(leave_data, {data.problem, *inputs}, wizard)
            else:
                step.next.click(go(WIZARD_STEPS[i + 1]), None, wizard)
            if here != "model":
                step.back.click(go(WIZARD_STEPS[i - 1]), None, wizard)
        review.back.click(go("training"), None, wizard)

        @unexpected(t, "review", fallback=lambda message: {review.problems: message,
                                                            review.start: gr.update(interactive=False)})
        def show_review(values: dict):
            r = review_step.check(ctx, form.values(values))
            problems = review_step.problems_markdown(t, r.issues)
            return {review.yaml: r.yaml, review.estimate: r.estimate, review.problems: problems,
                    review.start: gr.update(interactive=not r.issues)}

        review_outputs = [review.yaml, review.estimate, review.problems, review.start]
        wiz.step_tabs[-1].select(show_review, inputs, review_outputs, show_progress_on=[review.problems])

        @unexpected(t, "measure", fallback=lambda message: message)
        def measure_speed(values: dict):
            yield from review_step.measure_speed(ctx, form.values(values))

        review.measure.click(measure_speed, inputs, review.estimate, concurrency_limit=1,
                             concurrency_id="speed-probe")
        wiz.training.next.click(show_review, inputs, review_outputs, show_progress_on=[review.problems])

        # Step states on the tabs: ✓ visited and fine, ⚠ a problem in one of its fields.
        step_tabs = wiz.step_tabs
        reached = gr.State([])

        def mark_steps(values: dict):
            issues = []
            with unexpected.optional("step_states", logging.ERROR):  # a hint: Review shows the real error
                issues = review_step.check(ctx, form.values(values)).issues
            return [gr.update(label=label) for label in tab_labels(t, issues, values[reached] or [])]

        def reach(step: str):
            def fn(seen):
                upto = WIZARD_STEPS[: WIZARD_STEPS.index(step)]
                return sorted(set(seen or []) | set(upto), key=WIZARD_STEPS.index)
            return fn

        marked = {reached, *inputs}
        marks = dict(fn=mark_steps, inputs=marked, outputs=step_tabs, show_progress="hidden")  # labels: no spinner
        for i, step in enumerate(WIZARD_STEPS):
            tab = step_tabs[i]
            tab.select(reach(step), reached, reached, queue=False, show_progress="hidden").then(**marks)
        for here, button in (("model", wiz.model.next), ("data", wiz.data.next), ("method", wiz.method.next),
                             ("training", wiz.training.next)):
            nxt_step = WIZARD_STEPS[WIZARD_STEPS.index(here) + 1]
            button.click(reach(nxt_step), reached, reached, queue=False, show_progress="hidden").then(**marks)
        # The Data step's mark as soon as its data can or cannot be used (an upload that cannot be read: ⚠ at once).
        data.problem.change(**marks)

        @unexpected(t, "start", fallback=lambda message: {review.problems: message})
        def start_job(values: dict):
            r = review_step.check(ctx, form.values(values))
            if r.issues or r.spec is None:
                gr.Warning(t["review.refused"])
                return {review.problems: review_step.problems_markdown(t, r.issues)}
            job_id, twin = start_once(ctx.store, r.spec)
            if twin:  # a second click (or a second tab) on the same spec: that job, not another one
                gr.Warning(t["review.twin"].format(job=twin))
                return {main_tabs: gr.Tabs(selected="monitor"),
                        mon.picker: gr.update(choices=monitor.job_ids(ctx), value=twin)}
            known = speed.known_pace(ctx, r.spec)  # the Review's timing: the Monitor warns of a step far slower
            if known:
                write_expected(ctx.store.job_dir(job_id), known[0], known[2])
            gr.Info(t["review.started"].format(job=job_id))
            ids = monitor.job_ids(ctx)
            return {main_tabs: gr.Tabs(selected="monitor"), mon.picker: gr.update(choices=ids, value=job_id)}

        review.start.click(start_job, inputs, [main_tabs, mon.picker, review.problems], trigger_mode="once",
                           concurrency_limit=1, concurrency_id="start-job")
        def sweep_refusal(values: dict):
            r = review_step.check(ctx, form.values(values))
            if r.issues or r.spec is None:
                return None, review_step.problems_markdown(t, r.issues)
            return r.spec, None

        sweep_panel.wire(ctx, review.sweep, form, inputs, review.problems, sweep_refusal)  # "Start sweep"

        @unexpected(t, "load")
        def on_load(request: gr.Request):
            job_id = monitor.initial_job(ctx, request)
            # A page opened while a job runs (or with ?job=) goes straight to the monitor.
            active = ctx.store.list_jobs(("queued", "running"))
            asked = request is not None and request.query_params.get("job")
            tab = gr.Tabs(selected="monitor") if asked or active else gr.skip()
            return gr.update(choices=monitor.job_ids(ctx), value=job_id), tab

        app.load(on_load, None, [mon.picker, main_tabs])
        chat_tab_el.select(chat_tab.refresh_jobs, chat_tab.job, [chat_tab.job, chat_tab.status])

        @unexpected(t, "open_run")
        def open_run(job_id):
            if not job_id:
                gr.Warning(t["runs.pick_first"])
                return gr.skip(), gr.skip()
            return gr.Tabs(selected="monitor"), gr.update(choices=monitor.job_ids(ctx), value=job_id)

        runs_tab.open.click(open_run, runs_tab.selected, [main_tabs, mon.picker])
        # The Runs tab drawn from the store when it opens, and when the monitored job changes state (its header):
        # not a timer's period later.
        runs_tab_el.select(runs_tab.fill, runs_tab.fill_inputs, runs_tab.fill_outputs, show_progress="hidden",
                           queue=False)  # at once, not behind the page's timers
        mon.outputs[monitor.OUTPUT_NAMES.index("header")].change(
            runs_tab.fill, runs_tab.fill_inputs, runs_tab.fill_outputs, show_progress="hidden")

        @unexpected(t, "clone")
        def clone_run(job_id):
            """Fill the wizard with a job's spec.yaml and show it, so a variant is a few edits away."""
            if not job_id:
                gr.Warning(t["runs.pick_first"])
                return gr.skip()
            if ctx.store.get(job_id) is None:
                gr.Warning(t["runs.no_such_job"].format(job=job_id))
                return gr.skip()
            values = form.updates(form_from_spec(ctx.store.load_spec(job_id)))
            gr.Info(t["runs.cloned"].format(job=job_id))
            return {main_tabs: gr.Tabs(selected="train"), wizard: gr.Tabs(selected="model"), **values}

        runs_tab.clone.click(clone_run, runs_tab.selected, [main_tabs, wizard, *inputs], show_progress="hidden").then(
            **data.refresh_event)
        runs_tab.sweeps.clone.click(clone_run, runs_tab.sweeps.best_job, [main_tabs, wizard, *inputs],
                                    show_progress="hidden").then(**data.refresh_event)  # a sweep's best run
        presets_view.wire(ctx, presets, form, wizard,
                          after=data.refresh_event)
        draft = Draft(ctx, form)  # the form kept in the browser: a reload or a restart gives it back
        draft.wire()
        # The quick redraws first (the model's details, the method's advice: a moment each, not after the rest).
        wire_language(ctx, app, lang_pick, lang_saved, after=[
            wiz.model.redraw,
            wiz.method.redraw,
            data.refresh_event,
            (show_review, inputs, review_outputs),
            marks,
            presets.refresh,
            (hardware.render, None, hardware.markdown),
            bench_panel.redraw(ctx, benches, mon.picker),
            serve_panel.redraw(ctx, serving, mon.picker),
            cluster_panel.redraw(ctx, clusters),
            chat_tab.redraw,
        ], opening=[(draft.restore, draft.saved, draft.outputs), chat_tab.opening])
    progress_targets.untrack_hidden(app)
    return app


def wire_language(ctx: Ctx, app: gr.Blocks, pick: gr.Radio, saved: gr.BrowserState, after: list,
                  opening: tuple = ()) -> None:
    """The language switch: relabels the whole page in place (entered values stay), remembers the
    choice in the browser, and redraws what handlers wrote (data summary, review) in the new language.
    `?lang=zh` in the address, or the remembered choice, applies when the page opens. What to relabel is
    read from the built page (studio.i18n.relabel: the tables' keys its texts carry, and the components marked
    with relabel.handler_writes, whose values `after` redraws or their own handlers keep). `opening`: steps run
    when the page opens only, before `after` (the wizard's draft: the redraws then show it)."""
    t = ctx.t
    entries = relabel.plan(app, t.table)
    targets = relabel.components(entries)

    def switch(lang, request: gr.Request):
        lang = t.set_lang(getattr(request, "session_hash", None), lang)
        return [lang, *relabel.updates(entries, lang)]

    def restore(stored, request: gr.Request):
        asked = request.query_params.get("lang") if request is not None else None
        lang = asked if asked in LANGUAGE_NAMES else stored if stored in LANGUAGE_NAMES else t.default
        lang = t.set_lang(getattr(request, "session_hash", None), lang)
        if lang == t.default:
            return [gr.skip()] * (2 + len(targets))
        return [lang, lang, *relabel.updates(entries, lang)]

    # no progress on the ~240 relabeled components (studio/progress_targets.py: the page would track them all)
    event = pick.input(switch, pick, [saved, *targets], queue=False, show_progress="hidden")
    opened = app.load(restore, saved, [pick, saved, *targets], queue=False, show_progress="hidden")
    for fn, inputs, outputs in opening:
        opened = opened.then(fn, inputs, outputs, queue=False, show_progress="hidden")
    for step in after:  # (fn, inputs, outputs): a redraw, no progress shown; or an event's keywords
        kwargs = step if isinstance(step, dict) else dict(zip(("fn", "inputs", "outputs"), step), show_progress="hidden")
        event = event.then(**kwargs)
        opened = opened.then(**kwargs)


def start_demo_build(workspace: Workspace) -> subprocess.Popen | None:
    """Build the demo model in the background (it needs torch, which this process never loads)."""
    if is_built(workspace.models_dir):
        return None
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p),
    }
    out = open(workspace.models_dir / "demo-build.log", "ab")  # noqa: SIM115 - owned by the child
    return subprocess.Popen(
        [sys.executable, "-m", "backend.demo", str(workspace.root)],
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise SystemExit("--auth must look like user:password")
    return user, password


def studio_url(host: str, port: int) -> str:
    """The address the studio answers on (an IPv6 address in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def launch(
    workspace: Workspace | str | Path,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | None = None,
    lang: str | None = None,
    max_jobs: int = 1,
    upload_limit_mb: int = UPLOAD_LIMIT_MB,
    data_roots: list | None = None,
    cluster=None,
) -> None:
    """Serve the studio (blocking) with the scheduler running beside it (`max_jobs` jobs at once; with `cluster`, a
    backend.cluster dispatcher, every job goes to the Ray cluster, as many at once as it has room for).

    Only gradio's own temp folder is served, and the folder of the page's Chinese font (`allowed_paths`:
    studio.fonts.page_font, the face and its licence, written by the studio, never from user input): the
    workspace (jobs, uploads, models) cannot be fetched by URL; downloads are copies (see
    monitor.zip_for_download).
    """
    from backend.jobs.scheduler import Scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # gradio's own start-up requests; its errors still show
    ws = workspace if isinstance(workspace, Workspace) else Workspace.at(workspace)
    credentials = parse_auth(auth)
    start_demo_build(ws)
    host_chat = ChatHost()
    scheduler = Scheduler(JobStore(ws), max_running=max_jobs, cluster=cluster).start()
    cluster_panel.attach(scheduler)  # the Train tab's cluster setting switches where its jobs run
    atexit.register(host_chat.close)
    app = build_app(ws, lang, host_chat, upload_limit_mb, data_roots)
    print(f"studio: workspace {ws.root}", flush=True)
    try:
        app.queue(default_concurrency_limit=4).launch(
            server_name=host,
            server_port=port,
            auth=credentials,
            share=False,  # never a public *.gradio.live link
            max_file_size=f"{upload_limit_mb}mb",  # enforced by the server, not only the page
            inbrowser=False,
            # The theme's fonts, then CJK ones: the served Noto Sans SC last, so Chinese shows without any.
            theme=fonts.page_theme(),
            css=CSS + chat.CSS + runs.CSS + fonts.page_css(),
            js=monitor_browser.LOG_FOLLOW_JS,  # the Monitor's log box follows its newest line
            allowed_paths=fonts.served_folders(),
            # gradio's own labels and tooltips in the page's language, and the key its tables lack.
            i18n=gradio_texts.i18n(),
            head=gradio_texts.HEAD,
            # No gradio footer: its links (API docs, gradio's own settings and language) are English
            # only and not for a no-code user; the studio has its own language switch.
            footer_links=[],
            # gradio's own start-up lines ("Running on local URL", "To create a public link, set
            # `share=True`") are for gradio apps, not this one, which listens on `host` by design: ours
            # below. Errors (a port taken, ...) still raise; no SSR, so no Node proxy warnings to lose.
            quiet=True,
            ssr_mode=False,
            prevent_thread_lock=True,
        )
        print(f"Studio running on {studio_url(host, app.server_port)}", flush=True)
        app.block_thread()  # until Ctrl-C
    finally:
        scheduler.stop()
        host_chat.close()
