"""`studio data inspect` as a user runs it: a real process, real files, exit codes and messages.

Every call must end in a message, never a traceback, and stay quick (the command imports no torch).
"""

import json
import re
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, SHARED_DATASETS, python_env

needs_shared = pytest.mark.skipif(not (SHARED_DATASETS / "dataset_info.json").is_file(),
                                  reason="../shared/datasets is not beside this clone")
LF_REL = "../shared/datasets/llamafactory"  # as a user types it from the project folder
FAST_S = 10.0


def inspect(*args, env=None, timeout=60):
    """Run `studio data inspect ARGS`; check it ends without a traceback and in a few seconds."""
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "studio.cli", "data", "inspect", *map(str, args)],
                            capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                            env={**python_env(), **(env or {})})
    seconds = time.monotonic() - start
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr[-3000:]
    assert seconds < FAST_S, f"`studio data inspect {' '.join(map(str, args))}` took {seconds:.1f} s"
    result.seconds = seconds
    return result


def inspect_json(*args, **kwargs):
    result = inspect(*args, "--json", **kwargs)
    return result, json.loads(result.stdout)


def alpaca(i, **over):
    return {"instruction": f"question {i}", "input": "", "output": f"answer {i}", **over}


def write_jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_a_good_alpaca_file_prints_format_reason_and_counts(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps([alpaca(i) for i in range(30)]), encoding="utf-8")
    result = inspect(path)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("good.json: alpaca") and "rows have `instruction` and `output` fields" in first
    assert "columns: prompt=instruction, response=output, query=input" in result.stdout
    assert "rows: 30 read, 30 valid, 0 skipped" in result.stdout
    assert result.stderr == ""


def bad_rows_file(tmp_path, n=300, every=5):
    """n rows, of which a share (rows 1, 2 of every 5 → 40%) are bad in four different ways."""
    rows, bad = [], {}
    for i in range(1, n + 1):
        kind = (i // every) % 4
        if i % every not in (1, 2):
            rows.append(alpaca(i))
            continue
        if kind == 0:
            rows.append(alpaca(i, output=""))
            bad[i] = "output"
        elif kind == 1:
            rows.append('{"instruction": "cut off", "output": ')
            bad[i] = "(line)"
        elif kind == 2:
            rows.append(alpaca(i, instruction=["not", "text"]))
            bad[i] = "instruction"
        else:
            rows.append({"instruction": f"q{i}"})
            bad[i] = "output"
    return write_jsonl(tmp_path / "mixed_quality.jsonl", rows), bad


def test_json_lists_every_skipped_row_and_text_shows_the_first_ones(tmp_path):
    path, bad = bad_rows_file(tmp_path)
    assert len(bad) == 120
    result, report = inspect_json(path)
    assert result.returncode == 0, result.stderr
    assert report["format"] == "alpaca" and report["kind"] == "sft"
    assert (report["rows"], report["valid_rows"], report["skipped_rows"]) == (300, 180, 120)
    assert report["errors_total"] == 120 and len(report["errors"]) == 120
    assert {e["row"]: e["field"] for e in report["errors"]} == bad
    for e in report["errors"]:
        assert {"row", "field", "message"} <= set(e) and e["message"]
    messages = {e["row"]: e["message"] for e in report["errors"]}
    assert "not valid JSON" in messages[6] and "'output' is empty" in messages[1]
    assert "'instruction' is a list" in messages[11] and "'output' is missing" in messages[16]

    text = inspect(path, "--max-errors", "7")
    assert text.returncode == 0
    listed = [line for line in text.stdout.splitlines() if re.match(r"\s+row \d+: ", line)]
    assert [int(re.search(r"row (\d+)", line)[1]) for line in listed] == sorted(bad)[:7]
    assert "rows: 300 read, 180 valid, 120 skipped" in text.stdout
    assert "... and 113 more skipped rows" in text.stdout


def test_a_file_with_no_usable_row_fails_naming_the_file(tmp_path):
    path = write_jsonl(tmp_path / "all_bad.jsonl", [alpaca(i, output="  ") for i in range(5)])
    result = inspect(path)
    assert result.returncode != 0
    assert "rows: 5 read, 0 valid, 5 skipped" in result.stdout
    assert "no usable rows in all_bad.jsonl" in result.stderr
    result, report = inspect_json(path)
    assert result.returncode != 0 and report["valid_rows"] == 0 and len(report["errors"]) == 5


def test_a_missing_path_and_an_unreadable_format_exit_2(tmp_path):
    result = inspect(tmp_path / "nowhere.jsonl")
    assert result.returncode == 2 and "nowhere.jsonl: no such file or folder" in result.stderr
    sheet = tmp_path / "data.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a workbook")
    result = inspect(sheet)
    assert result.returncode == 2 and "data.xlsx: unsupported file type .xlsx" in result.stderr
    assert ".jsonl" in result.stderr  # says what is accepted
    result, report = inspect_json(sheet)
    assert result.returncode == 2 and "unsupported file type" in report["error"] and report["valid_rows"] == 0


def test_format_and_column_mapping_for_unusual_columns(tmp_path):
    path = write_jsonl(tmp_path / "qa.jsonl", [{"q": f"why {i}?", "a": f"because {i}", "x": i} for i in range(12)])
    result = inspect(path)
    assert result.returncode == 2 and "cannot tell the format from the columns ['q', 'a', 'x']" in result.stderr
    result, report = inspect_json(path, "--format", "alpaca", "--columns", "prompt=q,response=a")
    assert result.returncode == 0, result.stderr
    assert report["format"] == "alpaca" and report["columns"] == {"prompt": "q", "response": "a"}
    assert (report["rows"], report["valid_rows"], report["errors"]) == (12, 12, [])
    assert "chosen by you" in report["reason"] and "prompt=q, response=a" in report["reason"]
    # The mapping alone is enough: it names the roles of alpaca.
    result, report = inspect_json(path, "--columns", "prompt=q,response=a")
    assert result.returncode == 0 and report["format"] == "alpaca" and report["valid_rows"] == 12
    result = inspect(path, "--columns", "prompt")
    assert result.returncode == 2 and "'prompt' is not role=column" in result.stderr


@needs_shared
def test_llamafactory_registry_lists_every_local_entry_as_valid():
    result = inspect(f"{LF_REL}/dataset_info.json")
    assert result.returncode == 0, result.stdout + result.stderr
    found, refused = {}, {}
    *lines, rest = result.stdout.splitlines()
    # The entries not inspected are counted, not left out silently (104 entries, the demo files are here).
    assert re.match(r"^\(\d+ more entries not inspected: .*glaive_toolcall_zh_demo.*; \d+ on a hub or a URL "
                    r"\(e\.g\. alpaca_en, .*\): inspect one by its hub id\)$", rest), rest
    for line in lines:
        m = re.match(r"^(\S+)\s+(\w+): (\d+)/(\d+) valid$", line)
        if m:
            found[m[1]] = (m[2], int(m[3]), int(m[4]))
            continue
        m = re.match(r"^(\S+)\s+(.*not supported yet.*)$", line)  # an entry with images (mllm_demo): why not
        assert m, f"not an entry line: {line!r}"
        refused[m[1]] = m[2]
    assert all("images" in why for why in refused.values()), refused
    expected = {"identity": "alpaca", "alpaca_en_demo": "alpaca", "alpaca_zh_demo": "alpaca",
                "glaive_toolcall_en_demo": "sharegpt", "dpo_en_demo": "preference", "kto_en_demo": "kto",
                "c4_demo": "text"}
    assert expected.keys() <= found.keys()
    for name, fmt in expected.items():
        got_fmt, valid, rows = found[name]
        assert got_fmt == fmt and valid == rows > 0, (name, found[name])


@needs_shared
def test_a_registry_entry_by_name_with_dataset_dir():
    result, report = inspect_json("dpo_en_demo", "--dataset-dir", LF_REL)
    assert result.returncode == 0, result.stderr
    assert report["source"] == "dpo_en_demo" and report["format"] == "preference" and report["kind"] == "preference"
    assert report["valid_rows"] == report["rows"] > 0 and report["errors"] == []
    result = inspect("dpo_en_demo_typo", "--dataset-dir", LF_REL)
    assert result.returncode == 2 and "'dpo_en_demo_typo' is not defined" in result.stderr
    assert "dpo_en_demo" in result.stderr.split("Did you mean", 1)[1]


def test_a_broken_registry_file_is_a_message(tmp_path):
    (tmp_path / "dataset_info.json").write_text('{"a": ', encoding="utf-8")
    result = inspect(tmp_path / "dataset_info.json")
    assert result.returncode == 2 and "dataset_info.json: not valid JSON" in result.stderr
    (tmp_path / "dataset_info.json").write_text('{"remote": {"hf_hub_url": "org/name"}}', encoding="utf-8")
    result = inspect(tmp_path / "dataset_info.json")
    assert result.returncode == 2 and "no entry has its file beside it" in result.stderr


def test_a_hub_id_offline_fails_in_seconds():
    result = inspect("some-org/some-dataset", env={"HF_HUB_OFFLINE": "1"})
    assert result.returncode == 2
    assert "cannot reach the Hugging Face hub" in result.stderr and "'some-org/some-dataset'" in result.stderr
    assert result.seconds < 8


# ------------------------------------------------------------------ broken files, one by one

GOOD = [json.dumps(alpaca(i)) for i in range(3)]
MSGS = json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]})


def _gbk_late() -> bytes:
    head = "".join(json.dumps(alpaca(i)) + "\n" for i in range(2000)).encode()  # past the 64 KB encoding probe
    return head + json.dumps(alpaca(0, instruction="你好，世界"), ensure_ascii=False).encode("gbk") + b"\n"


def _lines(*lines) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


# name, file name, content (or a function making it), exit code, text that must appear, rows skipped
BROKEN = [
    ("bad json line", "a.jsonl", _lines(GOOD[0], '{"instruction": "q", "output": ', GOOD[1]), 0,
     ["row 2: line 2 is not valid JSON (Expecting value, column 32)"], {2: "(line)"}),
    ("not an object", "a.jsonl", _lines(GOOD[0], "[1, 2]", '"text"', GOOD[1]), 0,
     ["row 2: line 2 is a JSON array, not an object", "row 3: line 3 is a JSON string"], {2: "(line)", 3: "(line)"}),
    ("wrong types", "a.jsonl",
     _lines(GOOD[0], json.dumps(alpaca(1, instruction=["x"])), json.dumps(alpaca(2, output={"a": 1})),
            json.dumps(alpaca(3, output=True))), 0,
     ["row 2: 'instruction' is a list, expected text", "row 3: 'output' is a dict, expected text",
      "row 4: 'output' is true/false, expected text"], {2: "instruction", 3: "output", 4: "output"}),
    ("missing column", "a.jsonl", _lines(GOOD[0], GOOD[1], json.dumps({"instruction": "q"}), GOOD[2]), 0,
     ["row 3: 'output' is missing (this row has ['instruction']"], {3: "output"}),
    ("empty strings", "a.jsonl",
     _lines(GOOD[0], json.dumps(alpaca(1, instruction="")), json.dumps(alpaca(2, output="")),
            json.dumps(alpaca(3, output="   "))), 0,
     ["row 2: 'instruction' and 'input' are both empty", "row 3: 'output' is empty", "row 4: 'output' is empty"],
     {2: "instruction", 3: "output", 4: "output"}),
    ("mixed formats", "a.jsonl", _lines(*GOOD, *GOOD, MSGS, MSGS), 0,
     ["2 of the first 8 rows have other columns", "row 7: 'instruction' is missing (this row has ['messages']",
      "the file is read as alpaca"], {7: "instruction", 8: "instruction"}),
    ("10 MB single line", "a.jsonl", lambda: _lines(json.dumps(alpaca(0, input="x" * (10 << 20))), GOOD[1]), 0,
     ["rows: 2 read, 2 valid, 0 skipped"], {}),
    ("10 MB broken line", "a.jsonl", lambda: _lines('{"instruction": "' + "x" * (10 << 20), GOOD[1]), 0,
     ["row 1: line 1 is not valid JSON"], {1: "(line)"}),
    ("no known columns", "a.jsonl", _lines(*[json.dumps({"foo": "a", "bar": "b"})] * 3), 2,
     ["a.jsonl: cannot tell the format from the columns ['foo', 'bar']"], None),
    ("empty file", "a.jsonl", b"", 2, ["a.jsonl: the file is empty"], None),
    ("only blank lines", "a.jsonl", b"\n  \n\n", 2, ["a.jsonl: the file is empty (only blank space)"], None),
    ("empty json array", "a.json", b"[]", 2, ["a.json: has no rows (an empty JSON array)"], None),
    ("broken json array", "a.json", b'[{"instruction": "q", "output": "a"},\n{"instruction": ', 2,
     ["a.json: invalid JSON at line 2"], None),
    ("gbk bytes", "a.jsonl", _lines(json.dumps(alpaca(0, instruction="你好"), ensure_ascii=False)).decode().encode("gbk"),
     2, ["a.jsonl: not UTF-8 text (line 1", "GBK", "save the file as UTF-8"], None),
    ("gbk bytes far into the file", "a.jsonl", _gbk_late, 2, ["a.jsonl: not UTF-8 text (line 2001", "GBK"], None),
    ("csv without rows", "a.csv", b"instruction,output\n", 2, ["a.csv: has no rows, only the header line"], None),
    ("corrupt parquet", "a.parquet", b"not parquet at all", 2, ["a.parquet: not a readable Parquet file"], None),
]


@pytest.mark.parametrize(("filename", "content", "code", "expected", "skipped"), [b[1:] for b in BROKEN],
                         ids=[b[0] for b in BROKEN])
def test_a_broken_file_gives_a_clear_message(tmp_path, filename, content, code, expected, skipped):
    path = tmp_path / filename
    path.write_bytes(content() if callable(content) else content)
    result = inspect(path, "--max-errors", "100")
    out = result.stdout + result.stderr
    assert result.returncode == code, out[-2000:]
    for text in expected:
        assert text in out, (text, out[-2000:])
    if code:
        assert result.stderr.startswith(f"error: {filename}: "), result.stderr  # names the file first
        return
    result, report = inspect_json(path)
    assert result.returncode == 0
    assert {e["row"]: e["field"] for e in report["errors"]} == skipped
    assert report["valid_rows"] == report["rows"] - len(skipped) > 0


def test_the_cli_stays_light(tmp_path):
    """No torch, transformers or datasets for a local file: a second is enough."""
    path = write_jsonl(tmp_path / "a.jsonl", [alpaca(i) for i in range(50)])
    code = (f"import sys; from studio.cli import main; rc = main(['data', 'inspect', {str(path)!r}]); "
            "heavy = [m for m in ('torch', 'transformers', 'datasets') if m in sys.modules]; "
            "print('HEAVY', heavy); sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            env=python_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout


def test_rows_under_a_key_are_inspected_and_the_key_is_named(tmp_path):
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"version": "1.0", "train": [alpaca(i) for i in range(5)]}), encoding="utf-8")
    result = inspect(path)
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0].startswith("data.json: alpaca") and out[1] == "  rows read from the key 'train' of data.json"
    assert "rows: 5 read, 5 valid, 0 skipped" in result.stdout
    _, report = inspect_json(path)
    assert report["notes"] == ["rows read from the key 'train' of data.json"] and report["valid_rows"] == 5
