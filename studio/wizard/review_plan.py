"""The Review step's plan in plain words: steps, rows, tokens, the rows max_length leaves out or cuts (and a
max_length that keeps most whole), and time from a measurement.

    text = plan_markdown(ctx, spec, values, sources)

Tokens come from the Data step's sample of rows through the model's own tokenizer (the light one,
no torch), cut at max length; time from `studio.wizard.speed` (a probe run or a finished job of the same
setup), never from a formula, so it is either measured or said to be unknown.
"""

from __future__ import annotations

import statistics

from backend.spec import JobSpec, get_stage
from studio.unexpected import unexpected
from studio.views import data_view as dv
from studio.wizard import speed
from studio.wizard.form import MODEL_SOURCE, FormValues, train_steps


def fmt_duration(t, seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return t["duration.s"].format(s=seconds)
    if seconds < 3600:
        return t["duration.m"].format(m=seconds // 60, s=seconds % 60)
    return t["duration.h"].format(h=seconds // 3600, m=seconds % 3600 // 60)


def split_rows(spec: JobSpec, rows: int) -> tuple[int, int]:
    """(training rows, eval rows) after the eval split."""
    split = spec.data.eval_split
    n_eval = (max(1, round(rows * split)) if split < 1 else int(split)) if split > 0 else 0
    return max(rows - n_eval, 0), n_eval


def sample_lengths(ctx, spec: JobSpec, values: FormValues, fit=None) -> list[int] | None:
    """Token counts of the first source's sampled rows through the model's tokenizer (uncut), or None when
    there is no sample or tokenizer yet. With a `fit` that leaves rows out (kept_share), only the rows it keeps: the
    ones that pass through training. The memory estimate builds its largest batch from them."""
    tok, _, _ = dv.TOKENIZERS.get(ctx, values[MODEL_SOURCE], spec.model.name_or_path, spec.model.chat_template)
    if tok is None:
        return None
    report = _sampled_report(ctx, spec)
    if report is None:
        return None
    if kept_share(spec, fit) is not None and fit.rule in ("reply", "whole"):
        measured = dv.FITS.lengths(tok, report, fit.stage)
        if measured is not None and len(measured) == fit.total:
            return [measured[i].total for i in fit.kept if measured[i] is not None] or None
    return dv.token_lengths(tok, report) or None


def _sampled_report(ctx, spec: JobSpec):
    """The Data step's report of the first source (with its sampled rows), or None when it has none yet."""
    from backend.data.sources import parse_sources

    source = parse_sources(spec.data, ctx.workspace.root)[0]
    report = dv.REPORTS.get(dv.ReportCache.key(source, spec.data))
    return report if report is not None and report.sample else None


def mean_tokens(ctx, spec: JobSpec, values: FormValues, fit=None) -> float | None:
    """Average tokens per row (cut at max length) over the first source's sampled rows, or None. With a `fit` that
    leaves rows out (kept_share), over the rows it keeps."""
    lengths = sample_lengths(ctx, spec, values, fit)
    if not lengths:
        return None
    return statistics.fmean(min(n, spec.training.max_length) for n in lengths)


def sample_fit(ctx, spec: JobSpec, values: FormValues):
    """The first source's sampled rows as the job's stage counts them at its max_length (backend/data/fit.py, the
    worker's rule): a Fit with the rows left out and why, and the rows cut; None when there is no sample or
    tokenizer yet."""
    tok, _, _ = dv.TOKENIZERS.get(ctx, values[MODEL_SOURCE], spec.model.name_or_path, spec.model.chat_template)
    if tok is None:
        return None
    from backend.data.sources import parse_sources

    source = parse_sources(spec.data, ctx.workspace.root)[0]
    return dv.sample_fit(tok, dv.REPORTS.get(dv.ReportCache.key(source, spec.data)), spec.stage,
                         spec.training.max_length)


def kept_share(spec: JobSpec, fit) -> float | None:
    """The share of the sampled rows the worker keeps at max_length when its rule leaves some out (the job's own
    stage; backend.training.stages.common.fit_to_length), or None when it keeps them all or there is no count."""
    if fit is None or not fit.rule or fit.stage != spec.stage or not fit.total or not fit.n_dropped:
        return None
    return len(fit.kept) / fit.total


def kept_share_of_sources(ctx, spec: JobSpec, values: FormValues, sources) -> float | None:
    """The share of the training rows the worker keeps at max_length: each source's sampled rows counted by its rule
    (kept_share), weighted by the rows the job takes from that source; None when every source keeps all its rows or
    none could be counted. sources: [(report, rows)] (studio.views.data_view.source_rows)."""
    tok, _, _ = dv.TOKENIZERS.get(ctx, values[MODEL_SOURCE], spec.model.name_or_path, spec.model.chat_template)
    if tok is None:
        return None
    kept = total = 0.0
    leaves_out = False
    for report, rows in sources:
        share = kept_share(spec, dv.sample_fit(tok, report, spec.stage, spec.training.max_length))
        leaves_out = leaves_out or share is not None
        kept += rows * (1.0 if share is None else share)
        total += rows
    return kept / total if leaves_out and total else None


def kept_rows(t, share: float | None, train_rows: int, eval_rows: int) -> tuple[int, int, str]:
    """(training rows, eval rows, the training rows as the plan says them) once max_length has left out its share
    of each (the worker checks the training and the eval rows alike)."""
    if share is None:
        return train_rows, eval_rows, f"{train_rows:,}"
    kept = max(1, round(train_rows * share)) if share > 0 else 0
    said = t["review.rows_kept"].format(kept=f"{kept:,}", rows=f"{train_rows:,}")
    return kept, round(eval_rows * share), said


def length_cap(ctx, spec: JobSpec, values: FormValues) -> int | None:
    """The model's max positions: the most a suggested max_length may be."""
    from studio.wizard.model_info import max_positions

    return max_positions(values[MODEL_SOURCE], spec.model.name_or_path, ctx.workspace.models_dir, ctx.data_roots)


def plan_markdown(ctx, spec: JobSpec, values: FormValues, sources) -> str:
    """sources: [(report, rows)] of the training sources (studio.views.data_view.source_rows)."""
    t, tr = ctx.t, spec.training
    fit = share = None  # a template that cannot render the sample: no count
    with unexpected.optional("sample_fit"):
        fit = sample_fit(ctx, spec, values)
    with unexpected.optional("kept_share"):
        share = kept_share_of_sources(ctx, spec, values, sources)
    rows = sum(n for _, n in sources)
    train_rows, eval_rows, rows_said = kept_rows(t, share, *split_rows(spec, rows))  # what training will use
    steps = train_steps(spec, train_rows)
    d = spec.distributed
    per_step = tr.batch_size * tr.gradient_accumulation_steps * d.world_size  # rows of one step, every process's
    common = dict(steps=f"{steps:,}", rows=rows_said, eval=f"{eval_rows:,}",
                  per_step=tr.batch_size * tr.gradient_accumulation_steps,
                  batch=tr.batch_size, accum=tr.gradient_accumulation_steps, epochs=f"{tr.num_epochs:g}")
    key = "review.plan_steps" if tr.max_steps > 0 else "review.plan"
    lines = [t[key if eval_rows else key + "_no_eval"].format(**common)]
    if d.world_size > 1:  # every step: each process trains on a batch of its own
        lines.append(t["review.processes"].format(n=d.world_size, strategy=d.strategy, machines=d.num_machines,
                                                  batch=tr.batch_size, accum=tr.gradient_accumulation_steps,
                                                  per_step=per_step))
    avg = None  # a template that cannot render the sample: no token count
    with unexpected.optional("mean_tokens"):
        avg = mean_tokens(ctx, spec, values, fit)
    if avg is not None:
        seen = min(steps * per_step, train_rows * tr.num_epochs if tr.max_steps <= 0 else steps * per_step)
        sequences = get_stage(spec.stage).sequences  # a pair (dpo, orpo, rm) or kto's KL pass: 2 through the model
        key = "review.tokens" if sequences == 1 else "review.tokens_sequences"
        lines.append(t[key].format(tokens=f"{int(avg * seen * sequences):,}", avg=f"{avg:,.0f}",
                                   max_length=tr.max_length, sequences=sequences))
    if fit is not None and fit.total:
        lines.append(dv.fit_markdown(t, fit, length_cap(ctx, spec, values)))
    pace = speed.known_pace(ctx, spec)
    if pace is None:
        lines.append(t["review.time_unknown"])
    else:
        per, startup, where = pace
        source = (t["review.time.probe"] if where in ("probe", "probe_busy")
                  else t["review.time.job"].format(job=where))
        lines.append(t["review.time"].format(time=fmt_duration(t, startup + steps * per), pace=f"{per:.2f}",
                                             source=source, startup=f"{startup:.0f}"))
        if where == "probe_busy":  # measured on a shared machine: likely slower than this job will run
            lines.append(t["review.time.busy"])
    return "  \n".join(lines)


def sample_image_tokens(ctx, spec: JobSpec, values: FormValues, config: dict | None) -> list[int] | None:
    """Image tokens of each of the first source's sampled rows (their images' sizes as the model's image processor
    resizes them: backend.plan.vision), in the sample's order; None for a text model or without a sample. Only the
    images' headers are read, of paths the data layer checked."""
    from backend.plan.vision import tokens_per_image, vision_dims

    d = vision_dims(config or {})
    report = _sampled_report(ctx, spec) if d is not None else None
    if report is None:
        return None
    out = []
    for _, example in report.sample:
        out.append(sum(tokens_per_image(d, _image_size(path)) for path in example.get("images") or []))
    return out if any(out) else None


def _image_size(path) -> tuple[int, int] | None:
    """(height, width) from an image file's header, or None (unreadable: counted at max_pixels)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            return im.height, im.width
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def vision_split_markdown(t, est) -> str:
    """The vision tower's and projector's share of a memory estimate (Estimate.vision), "" for a text model."""
    from backend.plan.estimate import format_bytes

    vis = getattr(est, "vision", None)
    if vis is None:
        return ""
    trains = {(): "none", ("projector",): "projector", ("vision",): "vision"}.get(tuple(vis.parts), "both")
    return t["vl.plan.review_split"].format(
        weights=format_bytes(vis.weights), train=format_bytes(vis.gradients + vis.optimizer),
        activations=format_bytes(vis.activations), trains=t[f"vl.plan.trains.{trains}"], images=vis.images,
        patches=f"{vis.patches:,}", tokens=f"{vis.tokens_per_image:,}")
