"""`studio bench JOB`: standard benchmarks, base vs tuned, through lm-evaluation-harness.

    studio bench JOB [--tasks studio_mini,gsm8k] [--limit N] [--no-chat-template] [--batch-size 8] [--json]

Prints the table (task, version, metric, base, tuned, delta, n); the scores are merged into
<job>/eval/benchmarks.json (backend/bench/). The local task studio_mini runs offline; lm-eval's standard
tasks (mmlu, ceval-valid, cmmlu, gsm8k, ...) download their data from the Hugging Face Hub. `--show`
prints the saved table without running anything. Exit 0, or 2 with a message.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from studio.cli.common import _fail


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="standard benchmarks, base vs tuned")
    p.add_argument("job", help="the job id (its directory's name) or its directory")
    p.add_argument("--tasks", default="studio_mini",
                   help="comma-separated lm-eval tasks (default studio_mini, the offline local task; also mmlu, "
                        "ceval-valid, cmmlu, gsm8k, ...: their data comes from the Hugging Face Hub)")
    p.add_argument("--limit", type=int, help="score only the first N items of each task")
    p.add_argument("--no-chat-template", dest="chat_template", action="store_false", default=None,
                   help="raw prompts, not through the job's chat template (default: the template, except pt jobs)")
    p.add_argument("--batch-size", type=int, default=8, help="items per forward pass (default 8)")
    p.add_argument("--show", action="store_true", help="print the job's saved scores; run nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)


def run(args, workspace) -> int:
    from backend.bench import results
    from backend.bench.run import check_job, run_benchmarks
    from backend.bench.tasks import BenchError
    from backend.workspace import PathError

    try:
        candidate = Path(args.job)
        job_dir = candidate.resolve() if candidate.is_dir() else workspace.job_dir(args.job)
        if args.show:
            check_job(job_dir)
            data = results.load(job_dir)
            report = {"path": str(job_dir / "eval" / results.FILE), "rows": results.table_rows(data),
                      "entries": list((data.get("tasks") or {}).values())}
        else:
            report = run_benchmarks(job_dir, workspace, tasks=args.tasks, limit=args.limit,
                                    chat_template=args.chat_template, batch_size=args.batch_size)
    except (BenchError, PathError, OSError) as e:
        return _fail(e.args[0] if e.args else str(e))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    if not report["entries"]:  # --show of a job never benchmarked: no empty table "saved in" a file that is not there
        print(f"no benchmark scores saved for job {job_dir.name} yet; run `studio bench {args.job}` to score it.")
        return 0
    print(results.text_table(report["rows"]))
    for entry in report["entries"]:
        template = "chat template" if entry.get("chat_template") else "raw prompts"
        limit = f", first {entry['limit']} items per task" if entry.get("limit") else ""
        print(f"{entry['task']}: lm-eval {entry.get('lm_eval_version')}, {template}{limit}, {entry.get('date')}")
    print(f"saved in {report['path']}")
    return 0
