"""The parity report (backend.export.parity) as a table a person reads: `studio export` prints it, the Export
panel shows it (studio/views/export.py, which translates the details through their message ids)."""

from __future__ import annotations

MARK = {"ok": "ok", "mismatch": "MISMATCH", "info": "info", "skipped": "skipped"}


def parity_table(report: dict) -> str:
    """A Markdown table: artifact | check | result | detail, and a closing line (a warning on a mismatch)."""
    lines = ["| artifact | check | result | detail |", "| --- | --- | --- | --- |"]
    for r in report["rows"]:
        detail = r["detail"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {report['artifact']} | {r['check']} | {MARK.get(r['result'], r['result'])} | {detail} |")
    bad = [r["check"] for r in report["rows"] if r["result"] == "mismatch"]
    if bad:
        lines.append(f"\nWARNING: {report['artifact']} does not match base + adapter: {', '.join(bad)} "
                     f"(details above; report in {report.get('file', '')})")
    else:
        lines.append(f"\nparity: {report['artifact']} matches base + adapter on {report['prompts']} prompts")
    return "\n".join(lines)
