"""Reading dataset files row by row: every source type, folders, random access, broken files."""

import json
import time
import tracemalloc

import pytest

from backend.data.read import SUFFIXES, DataError, FileSource, RowFault, open_source, read_rows

ROWS = [
    {"instruction": "Add", "input": "2+2", "output": "4"},
    {"instruction": "Capital of France?", "input": "", "output": "Paris"},
    {"instruction": "你好", "input": "", "output": "您好"},
]


def write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def rows_of(src: FileSource) -> list:
    return [row for _, row in src.iter_rows()]


def write_parquet(path, rows, row_group_size=None):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)
    return path


def write_arrow(path, rows, stream: bool, batch_rows: int = 2):
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_pylist(rows)
    opener = pa.ipc.new_stream if stream else pa.ipc.new_file
    with pa.OSFile(str(path), "wb") as sink, opener(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=batch_rows):
            writer.write_batch(batch)
    return path


# ---------------------------------------------------------------- every source type


def test_suffixes_cover_every_source_type():
    assert SUFFIXES == (".json", ".jsonl", ".csv", ".tsv", ".parquet", ".arrow", ".txt")


def test_json_array_and_object_of_columns(tmp_path):
    src = open_source(write(tmp_path / "a.json", json.dumps(ROWS, ensure_ascii=False)))
    assert src.name == "a.json" and src.files == [tmp_path / "a.json"]
    assert rows_of(src) == ROWS and src.count() == 3 and src.row(3) == ROWS[2]
    columns = {k: [r[k] for r in ROWS] for k in ROWS[0]}
    assert read_rows(write(tmp_path / "c.json", json.dumps(columns))) == ROWS


def test_json_file_holding_json_lines_is_read_as_lines(tmp_path):
    text = "\n".join(json.dumps(r) for r in ROWS) + "\n"
    assert read_rows(write(tmp_path / "lines.json", text)) == ROWS
    broken_first = '{"a": \n' + text
    rows = rows_of(open_source(write(tmp_path / "broken.json", broken_first)))
    assert isinstance(rows[0], RowFault) and rows[1:] == ROWS


def test_jsonl_skips_blank_lines_and_keeps_numbering(tmp_path):
    text = "\n" + json.dumps(ROWS[0]) + "\n\n  \n" + json.dumps(ROWS[1]) + "\r\n" + json.dumps(ROWS[2])
    src = open_source(write(tmp_path / "a.jsonl", text))
    assert list(src.iter_rows()) == [(1, ROWS[0]), (2, ROWS[1]), (3, ROWS[2])]
    assert src.count() == 3 and src.where(2) == "row 2"
    assert src.columns() == ["instruction", "input", "output"]
    assert src.head(2) == [(1, ROWS[0]), (2, ROWS[1])]


@pytest.mark.parametrize("name, sep", [("a.csv", ","), ("a.tsv", "\t")])
def test_csv_and_tsv_with_json_cells_and_empty_cells(tmp_path, name, sep):
    messages = [{"role": "user", "content": "hi, there"}, {"role": "assistant", "content": "yo"}]
    cell = json.dumps(messages).replace('"', '""')
    text = sep.join(["id", "messages", "note", "tags"]) + "\n"
    text += sep.join(["1", f'"{cell}"', "", '"[1, 2]"']) + "\n"
    text += sep.join(["2", "[not json", "{x}", '"a ""quoted"" word"']) + "\n"
    text += sep.join(["3", '"multi\nline"']) + "\n"
    rows = read_rows(write(tmp_path / name, text))
    assert rows[0] == {"id": "1", "messages": messages, "note": "", "tags": [1, 2]}
    assert rows[1] == {"id": "2", "messages": "[not json", "note": "{x}", "tags": 'a "quoted" word'}
    assert rows[2] == {"id": "3", "messages": "multi\nline", "note": "", "tags": ""}
    src = open_source(tmp_path / name)
    assert src.count() == 3 and src.row(2)["tags"] == 'a "quoted" word'


def test_csv_with_bom_and_blank_trailing_rows(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfinstruction,output,\r\nq,a,\r\n,,\r\n")
    assert read_rows(path) == [{"instruction": "q", "output": "a", "column_3": ""}]


def test_txt_one_document_per_line(tmp_path):
    src = open_source(write(tmp_path / "lines.txt", "first line\nsecond line\n\n"))
    assert rows_of(src) == [{"text": "first line"}, {"text": "second line"}]
    assert src.count() == 2 and src.row(2) == {"text": "second line"}


def test_txt_blank_line_separated_blocks(tmp_path):
    text = "\n\nPara one,\nstill one.\n\n\nPara two.\n  \nPara three\nends here.\n"
    src = open_source(write(tmp_path / "blocks.txt", text))
    expected = [{"text": "Para one,\nstill one."}, {"text": "Para two."}, {"text": "Para three\nends here."}]
    assert rows_of(src) == expected
    assert src.count() == 3
    assert [src.row(n) for n in (3, 1, 2)] == [expected[2], expected[0], expected[1]]


def test_parquet_streams_and_reads_any_row(tmp_path):
    rows = [{"text": f"row {i}", "n": i, "messages": [{"role": "user", "content": str(i)}]} for i in range(2500)]
    src = open_source(write_parquet(tmp_path / "a.parquet", rows, row_group_size=700))
    assert rows_of(src) == rows
    assert src.count() == 2500 and src.row(1) == rows[0] and src.row(1401) == rows[1400] and src.row(2500) == rows[-1]
    with pytest.raises(DataError, match="there is no row 2501"):
        src.row(2501)


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "file"])
def test_arrow_stream_and_file_format(tmp_path, stream):
    rows = [{"text": f"row {i}", "n": i} for i in range(7)]
    src = open_source(write_arrow(tmp_path / "a.arrow", rows, stream=stream))
    assert rows_of(src) == rows and src.count() == 7 and src.row(6) == rows[5]
    assert src.columns() == ["text", "n"]


def test_arrow_written_by_datasets_save_to_disk_layout(tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    write_arrow(folder / "data-00000-of-00002.arrow", ROWS[:2], stream=True)
    write_arrow(folder / "data-00001-of-00002.arrow", ROWS[2:], stream=True)
    write(folder / "state.json", json.dumps({"_data_files": []}))
    write(folder / "dataset_info.json", json.dumps({"features": {}}))
    assert read_rows(folder) == ROWS


def test_utf8_bom_and_utf16_with_bom_are_read(tmp_path):
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS)
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode())
    wide = write(tmp_path / "wide.jsonl", text, encoding="utf-16")
    for path in (bom, wide):
        src = open_source(path)
        assert rows_of(src) == ROWS and src.count() == 3 and src.row(3) == ROWS[2]
    assert read_rows(write(tmp_path / "wide.csv", "a,b\n你,好\n", encoding="utf-16")) == [{"a": "你", "b": "好"}]
    assert read_rows(write(tmp_path / "wide.txt", "x\n\ny\n", encoding="utf-16")) == [{"text": "x"}, {"text": "y"}]


# ---------------------------------------------------------------- folders


def test_folder_numbers_rows_across_files_in_name_order(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    write(folder / "b.jsonl", json.dumps(ROWS[1]) + "\n" + "{oops\n" + json.dumps(ROWS[2]) + "\n")
    write(folder / "a.json", json.dumps(ROWS[:1]))
    write(folder / "c.csv", "instruction,input,output\nq,,a\n")
    write(folder / "notes.md", "ignored")
    write(folder / ".hidden.jsonl", "ignored")
    (folder / "sub").mkdir()
    src = open_source(folder)
    assert src.name == "data" and [p.name for p in src.files] == ["a.json", "b.jsonl", "c.csv"]
    got = list(src.iter_rows())
    assert [n for n, _ in got] == [1, 2, 3, 4, 5]
    assert got[0][1] == ROWS[0] and got[1][1] == ROWS[1] and got[3][1] == ROWS[2]
    assert isinstance(got[2][1], RowFault) and "line 2 is not valid JSON" in got[2][1].message
    assert [src.where(n) for n in (1, 2, 3, 4, 5)] == [
        "a.json row 1", "b.jsonl row 1", "b.jsonl row 2", "b.jsonl row 3", "c.csv row 1"]
    assert src.count() == 5
    assert src.row(4) == ROWS[2] and src.row(5) == {"instruction": "q", "input": "", "output": "a"}
    fresh = open_source(folder)  # where() without a scan first
    assert fresh.where(5) == "c.csv row 1"
    with pytest.raises(DataError, match=r"data/b\.jsonl: line 2 is not valid JSON"):
        read_rows(folder)


# ---------------------------------------------------------------- random access and counting


def test_jsonl_random_access_uses_the_index(tmp_path):
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i in range(5000):
            f.write(json.dumps({"i": i, "text": "x" * (i % 50)}) + ("\n\n" if i % 1000 == 999 else "\n"))
        f.write("[1]\n")
    src = open_source(path)
    assert src.count() == 5001
    assert src.row(1) == {"i": 0, "text": ""} and src.row(4321)["i"] == 4320 and src.row(5000)["i"] == 4999
    fault = src.row(5001)
    assert isinstance(fault, RowFault) and "line 5006 is a JSON array, not an object" in fault.message
    for bad in (0, 5002):
        with pytest.raises(DataError, match=f"big.jsonl: there is no row {bad}; it has 5001 rows"):
            src.row(bad)


def test_a_ten_megabyte_line_is_one_valid_row(tmp_path):
    big = "é" * (5 * 1024 * 1024)  # 10 MB of UTF-8
    jsonl = write(tmp_path / "big.jsonl", json.dumps({"text": big}, ensure_ascii=False) + "\n" + '{"text": "small"}\n')
    src = open_source(jsonl)
    assert src.count() == 2 and src.row(1)["text"] == big and src.row(2) == {"text": "small"}
    csv_path = write(tmp_path / "big.csv", f"text,n\n{big},1\n")
    assert read_rows(csv_path) == [{"text": big, "n": "1"}]
    assert read_rows(write(tmp_path / "big.txt", big + "\n")) == [{"text": big}]


def test_iterating_a_large_jsonl_keeps_memory_bounded(tmp_path):
    path = tmp_path / "large.jsonl"
    line = json.dumps({"text": "x" * 100}) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(line * 200_000)
    size = path.stat().st_size
    src = open_source(path)
    started = time.perf_counter()
    tracemalloc.start()
    try:
        count = sum(1 for _, row in src.iter_rows() if isinstance(row, dict))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < size / 100, (peak, size)
    assert time.perf_counter() - started < 10


# ---------------------------------------------------------------- broken files


def _bytes(path, data: bytes):
    path.write_bytes(data)
    return path


BROKEN = [
    # (id, file name, content (str or bytes), words the message must hold)
    ("json syntax", "bad.json", '[{"a": 1},\n {"a": 2,}]', ["bad.json: invalid JSON at line 2, column", "Fix the file"]),
    ("json number", "num.json", "42", ["num.json: expected a list of rows", "got a JSON number", "save the rows as"]),
    ("json string", "str.json", '"rows"', ["str.json:", "got a JSON string"]),
    ("json one object", "one.json", '{"a": 1, "b": 2}', ["one.json:", "one object", "wrap it in [ ]"]),
    ("json ragged columns", "cols.json", '{"a": [1, 2], "b": [1]}', ["cols.json: the columns have different lengths"]),
    ("empty file", "empty.jsonl", "", ["empty.jsonl: the file is empty", "choose the file"]),
    ("whitespace only", "blank.json", "  \n\t\n", ["blank.json: the file is empty", "choose the file"]),
    ("empty array", "none.json", "[]", ["none.json: has no rows", "add at least one row"]),
    ("latin-1", "latin.csv", "text\ncafé\n".encode("latin-1"), ["latin.csv: not UTF-8 text (line 2, byte 4)", "save the file as UTF-8"]),
    ("gbk", "gbk.jsonl", '{"text": "你好世界"}\n'.encode("gbk"), ["gbk.jsonl: not UTF-8 text (line 1, byte 11)", "looks like GBK", "save the file as UTF-8"]),
    ("unsupported", "data.docx", "x", ["data.docx: unsupported file type .docx", ".jsonl", ".parquet"]),
    ("csv no header", "noheader.csv", ",,\n,\n", ["noheader.csv: no header row", "the first line must name the columns"]),
    ("csv data as header", "data.csv", '"{""a"": 1}",x\n"{""a"": 2}",y\n', ["data.csv: the first line looks like data", "add a header line"]),
    ("csv semicolons", "semi.csv", "a;b\n1;2\n", ["semi.csv: the header is one column", "';'", "Save it again"]),
    ("csv header only", "head.csv", "a,b\n", ["head.csv: has no rows", "add rows"]),
    ("bad parquet", "bad.parquet", b"not parquet at all", ["bad.parquet: not a readable Parquet file", "export it again"]),
    ("bad arrow", "bad.arrow", b"not arrow at all", ["bad.arrow: not a readable Arrow file", "export it again"]),
    ("binary as text", "bin.txt", b"\x00\x01\x02text", ["bin.txt: holds NUL bytes", "save the file as UTF-8"]),
]


@pytest.mark.parametrize("name, content, words", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_files_are_a_data_error_that_names_the_file_and_the_fix(tmp_path, name, content, words):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as info:
        src = open_source(path)
        list(src.iter_rows())
    for word in words:
        assert word in str(info.value)
    with pytest.raises(DataError):
        read_rows(path)


BAD_ROWS = [
    # (id, file name, content, row number of the fault, words the fault must hold)
    ("bad json line", "a.jsonl", '{"a": 1}\n\n{"a": 1 "b": 2}\n{"a": 3}\n', 2,
     ["line 3 is not valid JSON (Expecting ',' delimiter, column 9)", "fix that line"]),
    ("line not an object", "b.jsonl", '{"a": 1}\n[1, 2]\n{"a": 3}\n', 2, ["line 2 is a JSON array, not an object", "each line"]),
    ("array item not an object", "c.json", '[{"a": 1}, 5, {"a": 3}]', 2, ["row 2 is a int, not an object", "every item"]),
    ("csv extra cells", "d.csv", "a,b\n1,2\n1,2,3\n3,4\n", 2,
     ["row 2 has more values than the header has columns (3 values, 2 columns, line 3)", "double quotes"]),
    ("tsv extra cells", "e.tsv", "a\tb\n1\t2\n1\t2\t3\n3\t4\n", 2, ["row 2 has more values", "a tab in double quotes"]),
]


@pytest.mark.parametrize("name, content, bad, words", [b[1:] for b in BAD_ROWS], ids=[b[0] for b in BAD_ROWS])
def test_a_bad_row_is_a_fault_in_its_place_and_the_others_read(tmp_path, name, content, bad, words):
    path = write(tmp_path / name, content)
    src = open_source(path)
    got = list(src.iter_rows())
    assert [n for n, _ in got] == [1, 2, 3]
    for number, row in got:
        assert isinstance(row, RowFault) == (number == bad)
    fault = got[bad - 1][1]
    for word in words:
        assert word in fault.message
    assert src.row(bad) == fault and src.where(bad) == f"row {bad}"
    with pytest.raises(DataError) as info:
        read_rows(path)
    assert str(info.value) == f"{name}: {fault.message}"


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(DataError, match=r"nope\.jsonl: no such file or folder\. Check the path"):
        open_source(tmp_path / "nope.jsonl")
    folder = tmp_path / "empty"
    folder.mkdir()
    write(folder / "readme.md", "not data")
    with pytest.raises(DataError) as info:
        open_source(folder)
    assert "empty: the folder holds no data files" in str(info.value) and ".jsonl" in str(info.value)


def test_a_bad_file_inside_a_folder_is_named_with_its_folder(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    write(folder / "a.jsonl", '{"a": 1}\n')
    write(folder / "b.json", "[]")
    with pytest.raises(DataError, match=r"set/b\.json: has no rows"):
        open_source(folder)


def test_saved_dataset_dict_asks_for_a_split(tmp_path):
    folder = tmp_path / "dd"
    (folder / "train").mkdir(parents=True)
    (folder / "test").mkdir()
    write(folder / "dataset_dict.json", json.dumps({"splits": ["train", "test"]}))
    with pytest.raises(DataError, match=r"dd: .*choose one split folder in it \(test, train\)"):
        open_source(folder)


def test_bad_bytes_late_in_a_file_stop_the_scan_with_the_line(tmp_path):
    path = tmp_path / "late.jsonl"
    good = (json.dumps({"text": "x" * 100}) + "\n").encode()
    path.write_bytes(good * 1000 + b'{"text": "caf\xe9"}\n')  # past the part checked on opening
    src = open_source(path)
    with pytest.raises(DataError, match=r"late\.jsonl: not UTF-8 text \(line 1001, byte 14\); save the file as UTF-8"):
        list(src.iter_rows())
