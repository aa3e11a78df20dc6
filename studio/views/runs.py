"""The Runs tab: every job (filtered by state), with open / clone / delete, a comparison plot and the queue.

The table has a column for each spec field whose value differs between the jobs listed (15 against
60 epochs, two learning rates), read from their spec.yaml files and labelled in the page's language.
A row click picks a job; Delete asks "Really delete <id>?" before removing the job and its
directory (the store refuses a running job). Open and Clone are wired in studio.app, since they
switch tabs and fill the wizard, and so is `RunsTab.fill`: the whole tab drawn at once when it is
opened and when the monitored job changes state, not a timer's period later.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass

import gradio as gr
import pandas as pd
import yaml

from backend.spec import SECTIONS, JobSpec, SpecError
from backend.store import STATES, InvalidTransition
from studio.context import Ctx
from studio.i18n import msg
from studio.unexpected import unexpected
from studio.views import bench_table, compare
from studio.views import queue as queue_view
from studio.views.job_labels import dataset_shown


@dataclass
class RunsTab:
    table: gr.Dataframe
    selected: gr.Dropdown
    open: gr.Button
    clone: gr.Button
    fill: object  # callable(filter_states) -> the values of fill_outputs
    fill_inputs: list
    fill_outputs: list
    sweeps: object = None  # studio.views.sweeps.SweepsView (its Clone is wired in studio.app)
    timers: list = dataclasses.field(default_factory=list)  # its table's, comparison's and queue's


# The column headers wrap between words only: with a column per differing setting, "method" or "Epochs" would
# otherwise break inside the word.
CSS = """
#runs-table th, #runs-table th * { word-break: keep-all; overflow-wrap: normal; }
"""

# Spec fields in the order their columns come (the rest follow in the spec's own order), and the most shown.
FIRST_FIELDS = ("model.name_or_path", "stage", "training.num_epochs", "training.max_steps", "training.learning_rate",
                "training.batch_size", "training.max_length")
MAX_FIELD_COLUMNS = 8
SHOWN_ELSEWHERE = ("method.name",)  # the method column
_FIELD_ORDER = ["stage"] + [f"{sec}.{f.name}" for sec, cls in SECTIONS.items() for f in dataclasses.fields(cls)]
_DEFAULTS: dict | None = None
_spec_cache: dict[str, tuple[int, dict]] = {}  # job id -> (spec.yaml's mtime_ns, its fields)
_cache_lock = threading.Lock()


def _flat(spec: dict) -> dict:
    out = {}
    for key, value in spec.items():
        if isinstance(value, dict) and key in SECTIONS:
            out.update({f"{key}.{name}": v for name, v in value.items()})
        else:
            out[key] = value
    return out


def spec_fields(ctx: Ctx, job_id: str) -> dict:
    """{field path: value} of a job's spec.yaml, every field there (a field the file lacks: its default).
    Read once per file (cached by its mtime); {} when the file cannot be read."""
    global _DEFAULTS
    path = ctx.store.job_dir(job_id) / "spec.yaml"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return {}
    with _cache_lock:
        hit = _spec_cache.get(job_id)
    if hit and hit[0] == mtime:
        return hit[1]
    if _DEFAULTS is None:
        _DEFAULTS = _flat(JobSpec().to_dict())
    try:
        text = path.read_text(encoding="utf-8")
        try:
            fields = _flat(JobSpec.from_yaml(text).to_dict())
        except SpecError:  # a spec an older version wrote: its values as they are
            raw = yaml.safe_load(text)
            fields = {**_DEFAULTS, **_flat(raw if isinstance(raw, dict) else {})}
    except (OSError, yaml.YAMLError):
        return {}
    with _cache_lock:
        _spec_cache[job_id] = (mtime, fields)
    return fields


def _shown(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_shown(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def differing_fields(specs: list[dict], datasets: list[str] | None = None) -> list[str]:
    """The spec fields whose values are not the same in all of `specs` (FIRST_FIELDS first, then the spec's
    order, at most MAX_FIELD_COLUMNS). data.train only where the dataset column (`datasets`) does not already
    tell the jobs apart: two files of the same name in different folders."""
    specs = [s for s in specs if s]
    if len(specs) < 2:
        return []
    order = [*FIRST_FIELDS, *(f for f in _FIELD_ORDER if f not in FIRST_FIELDS)]
    out = []
    for path in order:
        if path in SHOWN_ELSEWHERE:
            continue
        values = {_shown(s.get(path)) for s in specs}
        if len(values) < 2:
            continue
        if path == "data.train" and datasets is not None:
            by_label: dict[str, set] = {}
            for spec, label in zip(specs, datasets, strict=False):
                by_label.setdefault(label, set()).add(_shown(spec.get(path)))
            if all(len(v) == 1 for v in by_label.values()):
                continue
        out.append(path)
    return out[:MAX_FIELD_COLUMNS]


def runs_frame(ctx: Ctx, states: list[str] | None = None) -> pd.DataFrame:
    """The table's rows: jobs in `states` (all when None), newest first; after the dataset, a column for each spec
    field that differs between these jobs (its label in the page's language)."""
    id_, state, method, dataset, loss, created = ctx.t["runs.columns"].split("|")
    jobs = [
        j for j in ctx.store.list_jobs(tuple(states) if states is not None else None)
        if states is None or j.state in states  # an empty filter shows nothing, not everything
    ]
    specs = [spec_fields(ctx, j.id) for j in jobs]
    fields = differing_fields([s for s in specs if s], [j.dataset for j, s in zip(jobs, specs, strict=True) if s])
    # a column per benchmarked task: the fine-tuned score and its change from the base (studio bench)
    bench_labels, bench_cells = bench_table.run_columns(ctx.t, {j.id: ctx.store.job_dir(j.id) for j in jobs})
    rows = [
        (
            j.id,
            ctx.t.get(f"monitor.state.{j.state}", j.state),
            j.method,
            dataset_shown(ctx.t, j.dataset),
            *[_shown(spec[f]) if f in spec else "" for f in fields],
            *bench_cells[j.id],
            "" if j.final_loss is None else f"{j.final_loss:.4f}",
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(j.created_at)),
        )
        for j, spec in zip(jobs, specs, strict=True)
    ]
    labels = [ctx.t[f] for f in fields]
    labels = [f"{label} ({f})" if labels.count(label) > 1 else label for label, f in zip(labels, fields, strict=True)]
    return pd.DataFrame(rows, columns=[id_, state, method, dataset, *labels, *bench_labels, loss, created])


def delete_job(ctx: Ctx, job_id: str) -> tuple[bool, str]:
    """Delete a job and its files; (done, message for the user). Never raises for a refused delete."""
    try:
        ctx.store.delete_job(job_id)
    except InvalidTransition as e:
        return False, msg(ctx.t, e)
    except KeyError:
        return False, ctx.t["runs.no_such_job"].format(job=job_id)
    return True, ctx.t["runs.deleted"].format(job=job_id)


def build(ctx: Ctx) -> RunsTab:
    t = ctx.t
    gr.Markdown(t["runs.intro"])
    with gr.Row():
        states = gr.CheckboxGroup(
            [(t[f"monitor.state.{state}"], state) for state in STATES], value=list(STATES), label=t["runs.filter"],
            scale=4, elem_id="runs-filter"
        )
        refresh = gr.Button(t["btn.refresh"], scale=1, elem_id="runs-refresh")
    table = gr.Dataframe(runs_frame(ctx), interactive=False, wrap=True, elem_id="runs-table")
    ids = [j.id for j in ctx.store.list_jobs()]
    with gr.Row():
        selected = gr.Dropdown(ids, value=None, label=t["runs.selected"], scale=3, elem_id="runs-selected")
        open_btn = gr.Button(t["runs.open"], scale=1, elem_id="runs-open")
        clone = gr.Button(t["runs.clone"], scale=1, elem_id="runs-clone")
        delete = gr.Button(t["runs.delete"], variant="stop", scale=1, elem_id="runs-delete")
    with gr.Row(visible=False) as confirm_row:
        confirm = gr.Button("", variant="stop", elem_id="runs-confirm-delete")
        keep = gr.Button(t["runs.keep"], elem_id="runs-keep")
    message = gr.Markdown(visible=False, elem_id="runs-message")
    pending = gr.State(None)  # the job the confirm button deletes (fixed when Delete was clicked)
    last = gr.State(None)
    timer = gr.Timer(3.0)

    def current(filter_states, seen):
        frame = runs_frame(ctx, filter_states)
        all_ids = [j.id for j in ctx.store.list_jobs()]
        key = [frame.to_json(), all_ids]
        if key == seen:
            return gr.skip(), gr.skip(), seen
        return frame, gr.update(choices=all_ids), key

    tick = unexpected(t, "runs")(current)

    @unexpected(t, "runs")
    def pick_row(frame, evt: gr.SelectData):
        return str(frame.iloc[evt.index[0], 0])

    def ask_delete(job_id):
        if not job_id:
            gr.Warning(t["runs.pick_first"])
            return gr.update(visible=False), gr.skip(), None
        label = t["runs.confirm_delete"].format(job=job_id)
        job = ctx.store.get(job_id)
        if job is not None and job.state in ("running", "queued"):  # it is stopped first: say so before it happens
            label += " " + t[f"runs.confirm_delete_{job.state}"]
        return gr.update(visible=True), gr.update(value=label), job_id

    @unexpected(t, "delete", fallback=lambda message: (gr.update(visible=False), gr.update(value=message, visible=True),
                                                        gr.skip(), gr.skip(), None, gr.skip()))
    def do_delete(job_id, filter_states):
        hidden = gr.update(visible=False)
        if not job_id:
            return hidden, gr.skip(), gr.skip(), gr.skip(), None, gr.skip()
        done, text = delete_job(ctx, job_id)
        if done:
            gr.Info(text)
            all_ids = [j.id for j in ctx.store.list_jobs()]
            frame = runs_frame(ctx, filter_states)
            return hidden, gr.update(visible=False), frame, gr.update(choices=all_ids, value=None), None, None
        gr.Warning(text)
        return (
            hidden,
            gr.update(value=t["runs.refused"].format(message=text), visible=True),
            *[gr.skip()] * 2,
            None,
            gr.skip(),
        )

    gr.Markdown(t["compare.heading"])
    compared = compare.build(ctx)
    gr.Markdown(t["queue.heading"])
    queued = queue_view.build(ctx)
    from studio.views import sweeps as sweeps_view

    swept = sweeps_view.build(ctx)

    @unexpected(t, "runs")
    def fill(filter_states, seen, compare_ids, compare_seen, queue_seen):
        """The whole tab from the store now (the tab opened, a job ended): table, picks, compare, queue."""
        return (*current(filter_states, seen), *compared.current(compare_ids, compare_seen),
                *queued.current(queue_seen))

    timer.tick(tick, [states, last], [table, selected, last], show_progress="hidden")
    refresh.click(lambda s: tick(s, None), states, [table, selected, last])
    states.change(lambda s: tick(s, None), states, [table, selected, last], show_progress="hidden")
    table.select(pick_row, table, selected)
    # A new pick hides a confirm step that named another job.
    selected.change(
        lambda: (gr.update(visible=False), gr.update(visible=False), None), None, [confirm_row, message, pending]
    )
    delete.click(ask_delete, selected, [confirm_row, confirm, pending])
    keep.click(lambda: (gr.update(visible=False), None), None, [confirm_row, pending])
    confirm.click(do_delete, [pending, states], [confirm_row, message, table, selected, pending, last])
    return RunsTab(table, selected, open_btn, clone, fill,
                   [states, last, compared.picked, compared.seen, queued.seen],
                   [table, selected, last, *compared.outputs, *queued.outputs], swept,
                   [timer, compared.timer, queued.timer])
