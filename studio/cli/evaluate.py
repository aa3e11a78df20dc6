"""`studio eval JOB_ID`: the base and the tuned model on the job's eval prompts, side by side.

    studio eval JOB_ID [--rows 20] [--max-new-tokens 64] [--json]

Prints the scores (exact match, ROUGE-L, BLEU) for both and a few rows of the table; the whole
table is in <job>/eval/results.jsonl (backend/evaluation.py). Runs in its own process: it loads
the model. Exit 0, or 2 with a message.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub) -> None:
    ev = sub.add_parser("eval", help="compare the base and the tuned model on the job's eval prompts")
    ev.add_argument("job", help="the job id (its directory's name) or its directory")
    ev.add_argument("--rows", type=int, default=20, help="eval prompts to answer (default 20)")
    ev.add_argument("--max-new-tokens", type=int, default=64, help="longest reply in tokens (default 64)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)


def run(args, workspace) -> int:
    from backend.data.read import DataError
    from backend.evaluation import EvalError, evaluate_job
    from backend.workspace import PathError

    try:
        candidate = Path(args.job)
        job_dir = candidate.resolve() if candidate.is_dir() else workspace.job_dir(args.job)
        if not (job_dir / "spec.yaml").is_file():
            raise EvalError(f"no job {args.job!r} in {workspace.jobs_dir}.")
        report = evaluate_job(job_dir, workspace, rows=args.rows, max_new_tokens=args.max_new_tokens)
    except (EvalError, DataError, PathError, OSError) as e:
        from backend.messages import message_of
        from studio.cli.common import _fail

        return _fail(message_of(e))  # with its id for the page (STUDIO_ERROR_REF): shown in the page's language
    s = report["scores"]
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{s['rows']} prompts from the {s['source']}")
    print(f"{'':8}{'exact match':>14}{'ROUGE-L':>10}{'BLEU':>8}")
    for who in ("base", "tuned"):
        v = s[who]
        print(f"{who:8}{v['exact_match']:>14.2%}{v['rouge_l']:>10.3f}{v['bleu']:>8.1f}")
    for r in report["results"][:5]:
        print(f"\nprompt:    {r['prompt']}\nreference: {r['reference']}\nbase:      {r['base']}\ntuned:     {r['tuned']}")
    print(f"\nthe whole table: {Path(job_dir) / 'eval' / 'results.jsonl'}")
    return 0
