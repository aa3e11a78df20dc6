"""`studio export`'s parity check (backend.export.parity), run after a merged or GGUF export unless --no-parity:
the table goes to stdout before the export's path (the last line, which the Export panel reads), a mismatch
as a WARNING line on stderr too. The export stands either way: the check reports, it does not undo."""

from __future__ import annotations

import sys
from pathlib import Path


def run_parity(job_dir: Path, artifact: Path, kind: str, workspace, made=None) -> dict | None:
    from backend.export.parity import check_export
    from backend.export.parity_table import parity_table
    from backend.messages import message_of

    try:
        report = check_export(job_dir, artifact, kind, workspace, gguf=made)
    except Exception as e:  # noqa: BLE001 - the export is written; say why it could not be checked
        print(f"WARNING: the parity check of {Path(artifact).name} could not run: {message_of(e)}", file=sys.stderr)
        return None
    print(parity_table(report), flush=True)
    if not report["ok"]:
        bad = [f"{r['check']}: {r['detail']}" for r in report["rows"] if r["result"] == "mismatch"]
        print(f"WARNING: {report['artifact']} differs from base + adapter: " + "; ".join(bad), file=sys.stderr)
    return report
