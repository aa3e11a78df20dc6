"""`studio data inspect PATH_OR_ID`: what the studio makes of a dataset, before any training.

    studio data inspect data.jsonl                      # format and why, counts, every skipped row
    studio data inspect data.csv --format alpaca --columns prompt=question,response=answer
    studio data inspect alpaca_en_demo --dataset-dir ../LLaMA-Factory/data
    studio data inspect ../LLaMA-Factory/data/dataset_info.json   # every entry whose file is there
    studio data inspect org/dataset --subset en --split train --json

Exit status 0 when at least one row is usable; 2 when none is, or the source cannot be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def add_parser(sub) -> None:
    data = sub.add_parser("data", help="inspect a dataset: format, counts, skipped rows")
    actions = data.add_subparsers(dest="action")
    ins = actions.add_parser("inspect", help="detect the format, count rows, list every skipped row")
    ins.add_argument("source", help="a file, a folder, a hub id (org/name), an entry name (with --dataset-dir), "
                                    "or a dataset_info.json (inspects each entry whose file is there)")
    ins.add_argument("--format", default="auto", help="override the detected format")
    ins.add_argument("--columns", default="", help="column mapping, e.g. prompt=question,response=answer")
    ins.add_argument("--tags", default="", help="turn keys, e.g. role_tag=speaker,content_tag=text")
    ins.add_argument("--dataset-dir", default="", help="folder with a LLaMA-Factory dataset_info.json")
    ins.add_argument("--subset", default="", help="hub datasets: subset name")
    ins.add_argument("--split", default="train", help="hub datasets: split")
    ins.add_argument("--reasoning", choices=("keep", "drop"), default="keep")
    ins.add_argument("--dedupe", action="store_true", help="count exact duplicate rows as skipped")
    ins.add_argument("--max-errors", type=int, default=50, help="skipped rows printed (all go to --json)")
    ins.add_argument("--json", action="store_true", help="one machine-readable JSON object")
    ins.add_argument("--workspace", dest="sub_workspace", help=argparse_suppress())


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def _pairs(text: str, what: str) -> dict:
    out = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        if "=" not in item:
            raise ValueError(f"--{what}: {item!r} is not role=column (e.g. prompt=question)")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def run(args) -> int:
    from backend.data.inspect import inspect
    from backend.data.read import DataError
    from backend.data.registry import REGISTRY_FILE
    from backend.data.sources import parse_sources
    from backend.spec import DataSpec, JobSpec, SpecError

    if args.action != "inspect":
        print("usage: studio data inspect PATH_OR_ID [--format F] [--json]", file=sys.stderr)
        return 2
    if Path(args.source).name == REGISTRY_FILE and Path(args.source).is_file():
        return _inspect_registry(args)
    try:
        raw = dict(train=args.source, format=args.format, columns=_pairs(args.columns, "columns"),
                   tags=_pairs(args.tags, "tags"), dataset_dir=args.dataset_dir, subset=args.subset,
                   split=args.split, reasoning=args.reasoning)
        data: DataSpec = JobSpec.from_dict({"data": raw}).data
        sources = parse_sources(data, Path.cwd())
        reports = [inspect(s, reasoning=data.reasoning, dedupe=args.dedupe) for s in sources]
    except (ValueError, DataError, SpecError) as e:
        return _fail(args, str(e))
    if args.json:
        obj = reports[0].to_json() if len(reports) == 1 else {"sources": [r.to_json() for r in reports]}
        print(json.dumps(obj, ensure_ascii=False, indent=2))
    else:
        for r in reports:
            _print_report(r, args.max_errors)
    usable = all(r.usable for r in reports)
    if not usable and not args.json:
        bad = ", ".join(r.source for r in reports if not r.usable)
        print(f"error: no usable rows in {bad}; fix the rows above or map the columns (--columns).", file=sys.stderr)
    return 0 if usable else 2


def _fail(args, message: str) -> int:
    if args.json:
        print(json.dumps({"source": args.source, "error": message, "rows": 0, "valid_rows": 0, "errors": []},
                         ensure_ascii=False))
    print(f"error: {message}", file=sys.stderr)
    return 2


def _print_report(r, max_errors: int) -> None:
    traits = f" ({', '.join(r.traits)})" if r.traits else ""
    print(f"{r.source}: {r.format}{traits} — {r.reason}")
    for note in r.notes:
        print(f"  {note}")
    print(f"  columns: {', '.join(f'{k}={v}' for k, v in r.mapping.items())}")
    print(f"  rows: {r.rows} read, {r.valid_rows} valid, {r.rows - r.valid_rows} skipped ({r.seconds:.1f} s)")
    for line in r.error_lines(max_errors):
        print(f"  {line}")
    if r.errors_total > max_errors:
        print(f"  ... and {r.errors_total - max_errors} more skipped rows (--max-errors N, or --json for all)")


def _inspect_registry(args) -> int:
    """Every entry of a dataset_info.json whose file lies beside it."""
    from backend.data.inspect import inspect
    from backend.data.read import DataError
    from backend.data.registry import entry_source, local_entries

    folder = Path(args.source).parent
    try:
        names = local_entries(folder)
    except DataError as e:  # the registry itself is broken: a message, not a traceback
        return _fail(args, str(e))
    if not names:
        return _fail(args, f"{args.source}: no entry has its file beside it (entries with `file_name` are "
                           "inspected; hub entries are not). Put the data files next to it.")
    results = []
    for name in names:
        try:
            r = inspect(entry_source(folder, name), reasoning=args.reasoning)
            results.append({"entry": name, **r.to_json()})
        except DataError as e:
            results.append({"entry": name, "error": str(e), "rows": 0, "valid_rows": 0, "errors": []})
    missing, remote = _not_inspected(folder, names)
    if args.json:
        print(json.dumps({"registry": str(args.source), "entries": results,
                          "not_inspected": {"file_missing": missing, "remote": remote}}, ensure_ascii=False, indent=2))
    else:
        for r in results:
            status = r.get("error") or f"{r['format']}: {r['valid_rows']}/{r['rows']} valid"
            print(f"{r['entry']:<28} {status}")
        if missing or remote:  # the rest of the registry: said, so that no entry silently disappears
            print(f"({len(missing) + len(remote)} more entries not inspected: "
                  + "; ".join(part for part in (
                      f"{len(missing)} whose file is not in {folder}: {_some(missing)}" if missing else "",
                      f"{len(remote)} on a hub or a URL (e.g. {_some(remote, 3)}): inspect one by its hub id"
                      if remote else "") if part) + ")")
    # as for one dataset: 0 when something can be trained on (an entry with images is listed with its reason)
    return 0 if any(r["valid_rows"] > 0 for r in results) else 2


def _not_inspected(folder: Path, inspected: list[str]) -> tuple[list[str], list[str]]:
    """The registry's other entries: (a file_name that is not there, no local file at all: hub, ms, script...)."""
    from backend.data.registry import read_registry

    rest = {n: e for n, e in read_registry(folder).items() if n not in inspected}
    missing = [n for n, e in rest.items() if isinstance(e, dict) and e.get("file_name")]
    return missing, [n for n in rest if n not in missing]


def _some(names: list[str], n: int = 5) -> str:
    return ", ".join(names[:n]) + (", ..." if len(names) > n else "")
