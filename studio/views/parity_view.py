"""The Export panel's parity table: the report `studio export` wrote (<job>/exports/<artifact>.parity.json,
backend.export.parity) as Markdown in the page's language, a warning on top when the export differs."""

from __future__ import annotations

import json
from pathlib import Path

from backend.messages import Message
from studio.i18n import msg


def report_path(job_dir: Path, artifact: str) -> Path:
    return Path(job_dir) / "exports" / f"{Path(artifact.strip()).name}.parity.json"


def parity_markdown(t, report: dict) -> str:
    bad = [t.get(f"parity.check.{r['check']}", r["check"]) for r in report["rows"] if r["result"] == "mismatch"]
    head = t["parity.mismatch"].format(checks=", ".join(bad)) if bad else t["parity.ok"]
    lines = [f"**{t['parity.title'].format(artifact=report['artifact'], prompts=report['prompts'])}**", "", head, "",
             f"| {t['parity.col.check']} | {t['parity.col.result']} | {t['parity.col.detail']} |", "| --- | --- | --- |"]
    for r in report["rows"]:
        detail = r["detail"]
        if r.get("detail_ref"):
            detail = msg(t, Message.from_json(r["detail_ref"], detail))
        detail = str(detail).replace("|", "\\|").replace("\n", " ")
        check = t.get(f"parity.check.{r['check']}", r["check"])
        lines.append(f"| {check} | {t.get('parity.result.' + r['result'], r['result'])} | {detail} |")
    return "\n".join(lines)


def parity_for(t, job_dir: Path, artifact: str) -> str:
    """The table of the report beside `artifact`, or "" when the export ran with --no-parity."""
    path = report_path(job_dir, artifact)
    if not path.is_file():
        return ""
    try:
        return parity_markdown(t, json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return t["parity.unreadable"].format(file=path)
