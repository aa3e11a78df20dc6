"""The Monitor's words and small HTML pieces, from a job's records: the state badge and header, the progress bar,
the stage's own numbers (rewards, ranked pairs), the newest sample replies, the machine's latest values and the
live advice. No gradio; studio.views.monitor puts them on the page.
"""

from __future__ import annotations

import html
import json
import re
import time

from backend.plan.estimate import format_bytes
from studio.views.job_labels import dataset_shown

ADVICE_ICONS = {"error": "⛔", "warn": "⚠"}


def fmt_seconds(s) -> str:
    if s is None:
        return "–"
    s = int(round(float(s)))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def progress_html(t: dict, state: str, progress: dict) -> str:
    done, total = int(progress.get("step") or 0), int(progress.get("total_steps") or 0)
    if state == "succeeded" and total:
        done = total
    pct = 100.0 * done / total if total else (100.0 if state == "succeeded" else 0.0)
    if total:
        label = t["monitor.progress"].format(done=done, total=total) + f" · {pct:.0f}%"
    elif state == "queued":
        label = t["monitor.queued"]
    elif state == "running":
        phase = str(progress.get("phase") or "loading")
        label = t["monitor.loading"].format(phase=html.escape(t.get(f"phase.{phase}", phase)))
    else:
        label = state_label(t, state)
    return (
        f'<div class="sp-progress"><div class="sp-bar sp-{state}" style="width:{pct:.1f}%"></div></div>'
        f'<div class="sp-progress-text" id="progress-text">{label}</div>'
    )


def state_label(t: dict, state: str) -> str:
    """A job state in the page's language (the badge's CSS class keeps the state's own name)."""
    return t.get(f"monitor.state.{state}", state)


def header_html(t: dict, job) -> str:
    """The job's id, its state badge and one line of what it trains (the `names` in the table as <code>)."""
    created = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(job.created_at))
    meta = re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(t["monitor.meta"]))
    meta = meta.format(model=html.escape(job.model), dataset=html.escape(dataset_shown(t, job.dataset)),
                       method=html.escape(job.method), created=created)
    return (
        f'<div class="sp-header"><code class="job-id">{html.escape(job.id)}</code> '
        f'<span class="sp-state sp-{job.state}" id="job-state-text">{html.escape(state_label(t, job.state))}</span>'
        f'<div class="sp-meta">{meta}</div>{ran_on_html(t, job)}</div>'
    )


def ran_on_html(t: dict, job) -> str:
    """Where a cluster job runs or ran (its node, as backend/cluster/runner.py records it in `host`); empty for
    a job of this machine."""
    if "(ray " not in (job.host or ""):
        return ""
    return f'<div class="sp-meta" id="job-node">{html.escape(t["cluster.ran_on"].format(host=job.host))}</div>'


STAGE_STATS = ((("rewards_margins", "margin"), "monitor.margin", "{:.3f}"), (("reward",), "monitor.reward", "{:.3f}"),
               (("rewards_accuracies", "accuracy"), "monitor.accuracy", "{:.0%}"))


def stage_stats(t: dict, metrics: list[dict]) -> str:
    """The stage's own numbers for the stats line, e.g. " · Reward margin: 3.796 · Pairs ranked right: 100%" (dpo),
    the reward for grpo; "" for pt and sft."""
    out = ""
    for keys, text, fmt in STAGE_STATS:
        value = next((m[k] for m in reversed(metrics) for k in keys if isinstance(m.get(k), (int, float))), None)
        if value is not None:
            out += " · " + t[text].format(value=fmt.format(value))
    return out


def samples_markdown(t: dict, path, keep: int = 3) -> str:
    """The replies of the last `keep` sampling steps, newest first, each prompt with its reply."""

    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError):
        return ""
    if not rows:
        return ""
    steps = sorted({r["step"] for r in rows}, reverse=True)[:keep]
    lines = [f"**{t['monitor.samples']}**", ""]
    for step in steps:
        lines.append(t["monitor.samples.step"].format(step=step))
        lines += [f"- *{html.escape(r['prompt'])}* → {html.escape(r['reply']) or '∅'}" for r in rows if r["step"] == step]
        lines.append("")
    return "\n".join(lines)


def system_line(t: dict, row: dict) -> str:
    """The latest sample in one line: worker memory, CPU, system RAM, GPU memory and use."""

    def pct(v):
        return f"{v:.0f}%" if isinstance(v, (int, float)) else "—"

    def mb(v):
        return format_bytes(v * 2**20) if isinstance(v, (int, float)) else "—"

    return t["sys.latest"].format(
        rss=mb(row.get("rss_mb")),
        cpu=pct(row.get("cpu_pct")),
        ram=pct(row.get("ram_used_pct")),
        gpu_mem=mb(row.get("gpu_mem_mb")),
        gpu=pct(row.get("gpu_util_pct")),
    )


def advice_markdown(t: dict, advice: list) -> str:
    """backend.plan.advice findings as a titled list in the page's language; "" when there are none."""
    if not advice:
        return ""
    lines = [f"**{t['advice.title']}**", ""]
    for a in advice:
        template = t.get(f"advice.{a.code}")
        try:
            message = template.format(**a.params) if template else f"{a.code}: {a.params}"
        except (KeyError, IndexError, ValueError):  # a template and the advice's numbers out of step
            message = f"{template} {a.params}"
        lines.append(f"- {ADVICE_ICONS.get(a.severity, '⚠')} {message}")
    return "\n".join(lines)
