"""What the Data step shows, as plain values: the data spec from the form, the scan summary, every
skipped row, a row rendered through the chat template with its loss mask, the token-length
histogram. No gradio here (unit-tested directly); no torch (the tokenizer is LiteTokenizer).
"""

from __future__ import annotations

import html
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from backend.data.detect import FORMAT_HELP, REQUIRED
from backend.data.formats import Options, convert_rows
from backend.data.inspect import Report, options_for
from backend.data.read import DataError, RowFault
from backend.data.registry import Source
from backend.data.sources import open_rows, parse_sources
from backend.data.turns import RowProblem
from backend.spec import STAGE_REGISTRY, DataSpec, JobSpec, SpecError
from studio.i18n import msg
from studio.unexpected import unexpected
from studio.wizard.model_info import model_outside_roots

# Roles shown as mapping dropdowns, per format: the required ones first, then the optional.
ROLES_FOR = {
    "alpaca": ("prompt", "query", "response", "system", "history", "reasoning"),
    "sharegpt": ("messages", "system", "tools"),
    "messages": ("messages", "system", "tools"),
    "preference": ("prompt", "query", "messages", "chosen", "rejected", "system"),
    "kto": ("prompt", "messages", "response", "kto_tag", "system"),
    "text": ("text",),
    "prompt": ("prompt", "query", "messages", "reference", "system"),
    "": ("prompt", "query", "response", "messages", "chosen", "rejected", "kto_tag", "text", "reference"),
}
ALL_ROLES = ("prompt", "query", "response", "history", "system", "messages", "tools", "chosen", "rejected",
             "kto_tag", "text", "reasoning", "reference")
NONE = "—"
ERRORS_SHOWN = 2000


def data_spec(raw: dict) -> DataSpec:
    """A DataSpec from form values (SpecError names each bad field)."""
    return JobSpec.from_dict({"data": raw}).data


def main_source(ctx, data: DataSpec) -> Source:
    """The first source of the data spec, checked against the folders the studio may read."""
    sources = parse_sources(data, ctx.workspace.root)
    for s in sources:
        if s.path is not None:
            check_readable(ctx, s.path)
    return sources[0]


def check_readable(ctx, path: Path) -> None:
    """Only files under the workspace, the project's data and the allowed data roots are read."""
    target = Path(path).expanduser().resolve()
    roots = [Path(r).expanduser().resolve() for r in ctx.data_roots]
    if not any(target == r or r in target.parents for r in roots):
        listed = ", ".join(str(r) for r in roots)
        raise DataError(ctx.t["data.err.outside_roots"].format(path=path, roots=listed))


# -- summary --------------------------------------------------------------------------------------
def summary_markdown(t: dict, report: Report) -> str:
    skipped = report.rows - report.valid_rows
    head = t["data.summary"].format(
        read=f"{report.rows:,}", valid=f"{report.valid_rows:,}", skipped=f"{skipped:,}",
        fmt=report.format, reason=report.reason, file=report.source,
    )
    lines = [head, *(msg(t, note) for note in report.notes)]
    if report.traits:
        lines.append(t["data.traits"].format(traits=", ".join(t.get(f"data.trait.{x}", x) for x in report.traits)))
    lines.append(t["data.kind"].format(kind=report.kind, what=FORMAT_HELP.get(report.format, "")))
    if report.duplicates:
        lines.append(t["data.duplicates"].format(n=f"{report.duplicates:,}"))
    if not report.done:
        lines.append(t["data.scanning"].format(rows=f"{report.rows:,}", s=f"{report.seconds:.1f}"))
    elif not report.valid_rows:
        lines.append(t["data.none_valid"])
    if any(getattr(e.get("message"), "id", "") == "rows.image_missing" for e in report.errors):
        lines.append(t["data.images_beside"])  # an upload brings the file, not the images its rows name
    return "  \n".join(lines)


def errors_text(report: Report, t: dict) -> str:
    lines = [msg(t, line) for line in report.error_lines(ERRORS_SHOWN)]
    if report.errors_total > len(lines):
        lines.append(t["data.more_errors"].format(n=f"{report.errors_total - len(lines):,}"))
    return "\n".join(lines)


def mapping_choices(report: Report) -> tuple[list[str], dict[str, str], list[str]]:
    """(dropdown choices, current role -> column, the roles to show for this format)."""
    choices = [NONE, *report.file_columns]
    roles = list(ROLES_FOR.get(report.format, ROLES_FOR[""]))
    if not report.confident:  # inferred from a partial mapping: keep every role on offer
        roles += [r for r in ROLES_FOR[""] if r not in roles]
    return choices, {r: report.mapping.get(r, NONE) or NONE for r in ALL_ROLES}, list(roles)


def required_roles(fmt: str) -> list[str]:
    return sorted({r for alt in REQUIRED.get(fmt, ()) for r in alt})


# -- one row through the chat template -------------------------------------------------------------
_OPEN: OrderedDict[str, object] = OrderedDict()
_OPEN_LOCK = threading.Lock()


def cached_rows(source: Source):
    """The opened source, kept while its files are unchanged: a big jsonl's line index is built
    once, then any row is one seek away (row-by-row browsing of a million-row file stays quick)."""
    key = ReportCache.key(source, DataSpec())
    with _OPEN_LOCK:
        if key in _OPEN:
            _OPEN.move_to_end(key)
            return _OPEN[key]
    rows = open_rows(source)
    with _OPEN_LOCK:
        _OPEN[key] = rows
        while len(_OPEN) > 4:
            _OPEN.popitem(last=False)
    return rows


@dataclass
class RowView:
    html: str
    number: int
    skipped_reason: str = ""


def row_view(t: dict, source: Source, number: int, data: DataSpec, tokenizer, max_length: int,
             kind_and_opts: tuple[str, Options] | None = None, vision=None) -> RowView:
    """Row `number` converted and rendered; a skipped row shows its reason and raw content. `vision`: (the
    vision-language model's processor or None for a text model, the folders its images may be read from)."""
    rows = cached_rows(source)
    raw = rows.row(number)
    if kind_and_opts is None:
        head = [r for _, r in rows.head(200) if isinstance(r, dict)]
        opts, d = options_for(source, head, data.placeholders, data.reasoning)
        kind = d.kind
    else:
        kind, opts = kind_and_opts
    if isinstance(raw, RowFault):
        return RowView(_skipped_html(t, number, raw.message, None), number, raw.message)
    ((_, result),) = list(convert_rows([(number, raw)], opts))
    if isinstance(result, RowProblem):
        return RowView(_skipped_html(t, number, result.message, raw), number, result.message)
    return RowView(example_html(t, tokenizer, result, kind, max_length, vision), number)


def example_html(t: dict, tokenizer, example: dict, kind: str, max_length: int, vision=None) -> str:
    """The example through the chat template; a row with images shows them first, and with a vision-language
    model's processor (`vision`: (processor, allowed folders)) the tokens that processor makes."""
    from backend.data.preview import render_example, segments_html

    if example.get("images"):
        from studio.views.data_vision import images_head, vision_html

        processor, allowed = vision or (None, ())
        head = images_head(t, example, allowed, processor is not None)
        if processor is not None:
            return head + vision_html(t, processor, example, max_length)
        return head + example_html(t, tokenizer, {k: v for k, v in example.items() if k != "images"}, kind,
                                   max_length)

    if tokenizer is None:
        body = html.escape(json.dumps(example, ensure_ascii=False, indent=1))
        return f"<div class='dp-note'>{t['data.no_tokenizer']}</div><pre class='dp-raw'>{body}</pre>"
    parts = [f"<div class='dp-legend'>{t['data.legend']}</div>"]
    for panel in render_example(tokenizer, example, kind, max_length):
        stats = t["data.panel_stats"].format(tokens=panel.n_tokens, trained=panel.n_trained,
                                             cut=panel.truncated_tokens)
        # The rows fit.py leaves out (no reply token within max_length): said on the row, not only as a count.
        left_out = (f"<div class='dp-skipped'>{html.escape(t['data.row_left_out_fit'].format(max_length=max_length))}"
                    "</div>") if kind in ("sft", "preference", "kto") and max_length and panel.truncated_tokens \
            and not panel.n_trained else ""
        parts.append(f"<div class='dp-panel'><div class='dp-title'>{html.escape(msg(t, panel.title))} · {stats}</div>"
                     f"{left_out}{segments_html(panel)}</div>")
    return "\n".join(parts)


def _skipped_html(t: dict, number: int, reason: str, raw) -> str:
    body = html.escape(json.dumps(raw, ensure_ascii=False, indent=1)[:4000]) if raw is not None else ""
    return (f"<div class='dp-skipped'>{html.escape(t['data.row_skipped'].format(row=number, reason=reason))}</div>"
            + (f"<pre class='dp-raw'>{body}</pre>" if body else ""))


# -- token lengths -------------------------------------------------------------------------------
def token_lengths(tokenizer, report: Report) -> list[int]:
    from backend.data.preview import token_length

    out = []
    for _, example in report.sample:
        with unexpected.optional("token_length"):  # a row the template cannot render: left out
            out.append(token_length(tokenizer, example, report.kind))
    return out


def length_figure(t: dict, lengths: list[int], max_length: int, total_rows: int, left_out: bool = False):
    """Histogram of token lengths with the max_length cut-off and the share that will be cut (`left_out`: image
    rows, which are left out rather than cut)."""
    from matplotlib.figure import Figure

    from studio.fonts import chart_strings

    t = chart_strings(t)
    fig = Figure(figsize=(9, 2.8), dpi=100)
    ax = fig.add_subplot()
    if lengths:
        ax.hist(lengths, bins=min(50, max(5, len(set(lengths)))), color="#6366f1", alpha=0.85)
        ax.axvline(max_length, color="#dc2626", linestyle="--", linewidth=1.5)
        cut = sum(1 for n in lengths if n > max_length) / len(lengths)
        ax.set_title(t["data.hist_title_left_out" if left_out else "data.hist_title"].format(share=f"{cut:.0%}", max_length=max_length, n=len(lengths),
                                                 total=f"{total_rows:,}"), fontsize=9)
    ax.set_xlabel(t["data.hist_x"])
    ax.set_ylabel(t["data.hist_y"])
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def truncated_share(lengths: list[int], max_length: int) -> float:
    return sum(1 for n in lengths if n > max_length) / len(lengths) if lengths else 0.0


# -- which rows fit in max_length (backend/data/fit.py, as the worker counts them) --------------------------------
# The stage counted for when the form's stage cannot take the data (the Data step comes before the stage's step).
FIT_STAGE_FOR = {"sft": "sft", "preference": "dpo", "kto": "kto", "text": "pt", "prompt": "grpo"}


def fit_stage(stage: str, kind: str) -> str:
    """The stage whose rule counts the rows: the form's when it takes data of this kind, else one that does."""
    return stage if kind in STAGE_KINDS.get(stage, ()) else FIT_STAGE_FOR.get(kind, stage)


class SampleFits:
    """The sampled rows' lengths by (report, tokenizer, stage), measured once: a new max_length is only a count."""

    def __init__(self, size: int = 8):
        self._items: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def lengths(self, tokenizer, report: Report, stage: str) -> list | None:
        from backend.data.fit import measure, preview_rows

        key = (id(report), id(tokenizer), stage)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] is report and hit[1] is tokenizer:
                self._items.move_to_end(key)
                return hit[2]
        try:
            rows = preview_rows(stage, report.kind, [e for _, e in report.sample], tokenizer)
        except DataError:  # the stage takes none of the sampled rows
            return None
        lengths = measure(rows, tokenizer, strict=False)
        with self._lock:
            self._items[key] = (report, tokenizer, lengths)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return lengths


FITS = SampleFits()


def sample_fit(tokenizer, report: Report | None, stage: str, max_length: int):
    """backend.data.fit.Fit of the report's sampled rows for the stage at max_length, or None (no sample, no
    tokenizer, or a stage that takes none of them)."""
    from backend.data.fit import fit_lengths

    if tokenizer is None or report is None or not report.sample:
        return None
    stage = fit_stage(stage, report.kind)
    lengths = FITS.lengths(tokenizer, report, stage)
    if lengths is None:
        return None
    return fit_lengths(stage, lengths, max_length)


def fit_markdown(t: dict, fit, cap: int | None = None) -> str:
    """The rows that would be left out at max_length and why, the rows cut, and a max_length that keeps most
    whole (under the model's `cap` of positions): "" without a count."""
    from backend.data.fit import suggest_max_length
    from backend.data.load import joined

    if fit is None or not fit.total:
        return ""
    key = dict(max_length=fit.max_length, n=f"{fit.total:,}", unit=msg(t, fit.unit), truncated=f"{fit.truncated:,}")
    if not fit.rule:
        return t["data.fit_packed"].format(**key)
    if fit.n_dropped:
        line = t["data.fit_dropped"].format(**key, dropped=f"{fit.n_dropped:,}",
                                            reasons=msg(t, joined(fit.reasons(), comma=True)))
    elif fit.truncated:
        line = t["data.fit_cut"].format(**key)
    else:
        return t["data.fit_ok"].format(**key)
    suggest = suggest_max_length(fit.totals, cap=cap)
    if suggest and suggest > fit.max_length:
        share = sum(1 for n in fit.totals if n <= suggest) / max(len(fit.totals), 1)
        line += " " + t["data.fit_suggest"].format(suggest=suggest, share=f"{share:.0%}")
    return line


# -- the tokenizer for previews ------------------------------------------------------------------
class PreviewTokenizers:
    """LiteTokenizers by model (folder or hub id) and template, loaded once:
    (tokenizer, "", the template in use), or (None, the reason it is not ready, "")."""

    def __init__(self, size: int = 4):
        self._cache: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, ctx, model_source: str, model_path: str, template: str = ""):
        from backend.data.lite_tokenizer import LiteTokenizer, LiteTokenizerError
        from backend.data.tokenize import ensure_chat_template
        from backend.demo import demo_dir, is_built
        from backend.hub import unreachable_reason

        if model_source == "demo":
            if not is_built(ctx.workspace.models_dir):
                return None, ctx.t["data.demo_building"], ""
            where = str(demo_dir(ctx.workspace.models_dir))
        elif model_source == "demo-vl":  # the vision-language demo: built on first use (studio.wizard.vision)
            from studio.wizard.vision import model_folder

            where = str(model_folder(ctx, model_source, model_path))
        else:
            where = (model_path or "").strip()
            if not where:
                return None, ctx.t["data.no_model"], ""
            refusal = model_source == "local" and model_outside_roots(ctx.t, where, ctx.data_roots,
                                                                       ctx.workspace.models_dir)
            if refusal:  # only under the folders the studio may read (the Model step's check)
                return None, ctx.t["data.tokenizer_error"].format(message=refusal), ""
        key = f"{where}|{template}"
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                tok, used = self._cache[key]
                return tok, "", used
        try:
            if model_source != "hub" and Path(where).expanduser().is_dir():
                tok = LiteTokenizer.from_dir(Path(where).expanduser())
            elif model_source == "hub":
                reason = unreachable_reason(2.0)
                if reason:
                    return None, ctx.t["data.hub_tokenizer"].format(reason=reason), ""
                tok = LiteTokenizer.from_hub(where)
            else:
                return None, ctx.t["data.no_model"], ""
        except (LiteTokenizerError, OSError) as e:
            return None, ctx.t["data.tokenizer_error"].format(message=e), ""
        try:
            used = ensure_chat_template(tok, template)
        except ValueError as e:  # an unknown template name
            return None, ctx.t["data.tokenizer_error"].format(message=e), ""
        with self._lock:
            self._cache[key] = (tok, used)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return tok, "", used


TOKENIZERS = PreviewTokenizers()


# -- reports kept for the Review step -------------------------------------------------------------
class ReportCache:
    """Final scan reports by data key, so Review counts rows without reading the data again."""

    def __init__(self, size: int = 8):
        self._items: OrderedDict[str, Report] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    @staticmethod
    def key(source: Source, data: DataSpec) -> str:
        stamp = ""
        if source.path is not None and Path(source.path).exists():
            p = Path(source.path)
            files = sorted(p.iterdir()) if p.is_dir() else [p]
            stamp = ";".join(f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files if f.is_file())
        return json.dumps([source.label, str(source.path), source.hub, source.subset, source.split, source.format,
                           source.columns, source.tags, data.reasoning, data.dedupe, stamp], sort_keys=True)

    def put(self, key: str, report: Report) -> None:
        with self._lock:
            self._items[key] = report
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, key: str) -> Report | None:
        with self._lock:
            return self._items.get(key)


REPORTS = ReportCache()


# What each stage can learn from, by stage name: its record's data kinds (backend/spec/stages.py).
STAGE_KINDS = {stage.name: stage.accepts for stage in STAGE_REGISTRY.values()}


def data_kind(ctx, data: DataSpec) -> str:
    """The kind of the first source's rows (sft, preference, kto, text, prompt), from the scan."""
    source = parse_sources(data, ctx.workspace.root)[0]
    report = REPORTS.get(ReportCache.key(source, data))
    if report is None:
        from backend.data.inspect import inspect

        report = inspect(source, placeholders=data.placeholders, reasoning=data.reasoning, dedupe=data.dedupe)
        REPORTS.put(ReportCache.key(source, data), report)
    return report.kind


def valid_rows(ctx, data: DataSpec) -> int:
    """Rows the job will train on (before the eval split), from cached reports or a fresh scan."""
    return sum(rows for _, rows in source_rows(ctx, data))


def source_rows(ctx, data: DataSpec) -> list[tuple[Report, int]]:
    """Each training source's report and the rows the job takes from it (after data.mix, before the eval split);
    a DataError when a source has no usable row, the sources' kinds do not mix, or the eval set's kind differs."""
    from backend.data.inspect import inspect
    from backend.data.load import eval_kind_problem, mixed_kinds

    out, kinds = [], []
    sources = parse_sources(data, ctx.workspace.root)
    mix = data.mix or [1.0] * len(sources)
    for source, amount in zip(sources, mix, strict=False):
        if source.path is not None:
            check_readable(ctx, source.path)
        key = ReportCache.key(source, data)
        report = REPORTS.get(key)
        if report is None:
            report = inspect(source, placeholders=data.placeholders, reasoning=data.reasoning, dedupe=data.dedupe)
            REPORTS.put(key, report)
        if not report.valid_rows:
            errors = "; ".join(msg(ctx.t, line) for line in report.error_lines(3))
            raise DataError(ctx.t["data.err.no_usable_rows"].format(source=source.label, rows=report.rows, errors=errors))
        n = report.valid_rows
        out.append((report, min(n, round(n * amount) if amount <= 1 else int(amount))))
        kinds.append((source.label, report.format, report.kind))
    problem = mixed_kinds(kinds)  # the worker refuses such a mix at once: say so on the Review, not after Start
    if not problem and data.eval and kinds:
        evals = []
        for source in parse_sources(data, ctx.workspace.root, train=data.eval):
            if source.path is not None:
                check_readable(ctx, source.path)
            report = REPORTS.get(ReportCache.key(source, data))
            if report is None:
                report = inspect(source, placeholders=data.placeholders, reasoning=data.reasoning)
                REPORTS.put(ReportCache.key(source, data), report)
            evals.append((source.label, report.format, report.kind))
        problem = eval_kind_problem(evals, kinds[0][2])
    if problem:
        raise DataError(problem)
    return out


__all__ = ["SpecError", "DataError"]
