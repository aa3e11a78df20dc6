"""Data shapes people have: rows under one key of a JSON object, one conversation object, an array of strings,
JSON with a BOM and CRLF line ends, compressed files; and the same rows as `datasets`' own json loader reads."""

import bz2
import gzip
import json
import logging
import lzma

import pytest

from backend.data.inspect import inspect
from backend.data.load import load_data
from backend.data.read import DataError, open_source, read_rows
from backend.data.read.json_shape import ROW_KEYS
from backend.data.registry import Source
from backend.spec import DataSpec

ROWS = [
    {"instruction": "Add", "input": "2+2", "output": "4"},
    {"instruction": "Capital of France?", "input": "", "output": "Paris"},
    {"instruction": "你好", "input": "", "output": "您好"},
]
CHAT = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
SHAREGPT = [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]
COMPRESS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}
BOM = b"\xef\xbb\xbf"


def dumps(data, indent=None) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)


def lines(rows) -> str:
    return "\n".join(dumps(r) for r in rows) + "\n"


def put(path, data: str | bytes):
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


# ---------------------------------------------------------------- rows under one key


@pytest.mark.parametrize("key", ROW_KEYS)
def test_rows_under_one_known_key_are_read_and_the_key_is_named(tmp_path, key):
    path = put(tmp_path / "data.json", dumps({"version": "1.0", key: ROWS}, indent=2))
    src = open_source(path)
    assert read_rows(path) == ROWS and src.count() == 3 and src.row(3) == ROWS[2]
    assert src.notes == [f"rows read from the key '{key}' of data.json"]


def test_the_one_list_of_objects_is_taken_whatever_its_name(tmp_path):
    path = put(tmp_path / "export.json", dumps({"name": "my set", "tags": ["a"], "qa_pairs": ROWS}))
    assert read_rows(path) == ROWS
    assert open_source(path).notes == ["rows read from the key 'qa_pairs' of export.json"]


def test_of_several_lists_the_first_known_name_wins_and_the_others_are_named(tmp_path):
    path = put(tmp_path / "splits.json", dumps({"test": ROWS[:1], "data": ROWS[:2], "train": ROWS}))
    src = open_source(path)
    assert [r for _, r in src.iter_rows()] == ROWS
    assert src.notes == ["rows read from the key 'train' of splits.json; the lists under 'test', 'data' are not read "
                         "(give each its own file to use it)"]


def test_several_lists_and_no_known_name_is_refused_naming_them_and_what_to_do(tmp_path):
    path = put(tmp_path / "two.json", dumps({"questions": ROWS, "extra": ROWS[:1]}))
    with pytest.raises(DataError) as info:
        open_source(path)
    text = str(info.value)
    assert text.startswith("two.json: holds several lists of rows ('questions', 'extra')")
    assert "none is named train, data, rows" in text and 'name it "train"' in text
    assert info.value.args[0].id == "data.rows_key_ambiguous"


def test_an_object_of_columns_is_still_read_as_columns(tmp_path):
    columns = {k: [r[k] for r in ROWS] for k in ROWS[0]}
    src = open_source(put(tmp_path / "cols.json", dumps(columns)))
    assert [r for _, r in src.iter_rows()] == ROWS and src.notes == []
    mixed = {"meta": [{"id": 1}, {"id": 2}], "text": ["a", "b"]}  # a column of objects beside one of strings
    assert read_rows(put(tmp_path / "mixed.json", dumps(mixed))) == [{"meta": {"id": 1}, "text": "a"},
                                                                     {"meta": {"id": 2}, "text": "b"}]


@pytest.mark.parametrize("obj, key", [
    ({"messages": CHAT}, "messages"),
    ({"conversations": SHAREGPT, "system": "Be brief."}, "conversations"),
    ({"id": 7, "messages": CHAT, "tools": []}, "messages"),
], ids=["messages", "sharegpt with system", "with other fields"])
def test_one_conversation_object_is_one_row(tmp_path, obj, key):
    for indent in (None, 2):
        path = put(tmp_path / "chat.json", dumps(obj, indent=indent))
        src = open_source(path)
        assert [r for _, r in src.iter_rows()] == [obj] and src.count() == 1
        assert src.notes == [f"chat.json holds one conversation ('{key}'): read as one row"]


def test_a_plain_object_and_an_empty_row_list_are_still_refused(tmp_path):
    with pytest.raises(DataError, match="one object; wrap it in"):
        open_source(put(tmp_path / "one.json", dumps({"instruction": "q", "output": "a"})))
    with pytest.raises(DataError, match="one object; wrap it in"):
        open_source(put(tmp_path / "none.json", dumps({"version": "1", "data": []})))


def test_a_llamafactory_dataset_info_json_is_named_as_such_with_how_to_pick_an_entry(tmp_path):
    # Uploaded on its own (renamed by the upload), or inside LLaMA-Factory's data folder given as one dataset:
    # it lists datasets, it holds no rows; "wrap it in [ ]" was the wrong advice.
    registry = {"identity": {"file_name": "identity.json"}, "alpaca_en": {"hf_hub_url": "llamafactory/alpaca_en"},
                "kto": {"file_name": "kto.json", "formatting": "sharegpt", "columns": {"kto_tag": "label"}}}
    put(tmp_path / "dataset_info-1.json", dumps(registry))
    with pytest.raises(DataError, match=r"dataset_info-1.json is a LLaMA-Factory dataset_info.json: it lists 3 "
                                        r"datasets \(identity, alpaca_en, kto\).*dataset_dir") as e:
        open_source(tmp_path / "dataset_info-1.json")
    assert "wrap it" not in str(e.value)
    folder = tmp_path / "data"
    folder.mkdir()
    put(folder / "dataset_info.json", dumps(registry))
    put(folder / "identity.json", dumps(ROWS))
    with pytest.raises(DataError, match="data/dataset_info.json is a LLaMA-Factory dataset_info.json"):
        open_source(folder)


def test_inside_a_folder_the_note_names_the_folder_and_the_file(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    put(folder / "a.json", dumps({"train": ROWS[:2]}))
    put(folder / "b.jsonl", lines(ROWS[2:]))
    src = open_source(folder)
    assert [r for _, r in src.iter_rows()] == ROWS and src.where(3) == "b.jsonl row 1"
    assert src.notes == ["rows read from the key 'train' of set/a.json"]


def test_an_array_of_strings_is_a_row_of_text_each(tmp_path):
    src = open_source(put(tmp_path / "docs.json", dumps(["first document", "second"])))
    assert [r for _, r in src.iter_rows()] == [{"text": "first document"}, {"text": "second"}]
    assert src.notes == ["docs.json is an array of strings: each string read as one row's text"]


# ---------------------------------------------------------------- the note reaches the report, the page and the log


def test_the_key_reaches_the_report_and_the_worker_log(tmp_path, caplog):
    path = put(tmp_path / "data.json", dumps({"version": "1.0", "train": ROWS}))
    report = inspect(Source(label="data.json", path=path))
    assert report.valid_rows == 3 and report.format == "alpaca"
    assert report.notes == ["rows read from the key 'train' of data.json"]
    assert report.notes[0].id == "data.rows_from_key" and report.to_json()["notes"] == report.notes
    with caplog.at_level(logging.INFO, logger="backend.data.load"):
        loaded = load_data(DataSpec(train=str(path)), tmp_path)
    assert len(loaded.train) == 3
    assert "data: rows read from the key 'train' of data.json" in caplog.text


# ---------------------------------------------------------------- a BOM and CRLF line ends


@pytest.mark.parametrize("name, text", [
    ("bom.jsonl", lines(ROWS)),
    ("crlf.jsonl", lines(ROWS).replace("\n", "\r\n")),
    ("blank-lines.jsonl", "\r\n" + lines(ROWS).replace("\n", "\r\n\r\n  \r\n")),
    ("lines.json", lines(ROWS).replace("\n", "\r\n")),
    ("array.json", dumps(ROWS, indent=2).replace("\n", "\r\n") + "\r\n"),
    ("keyed.json", dumps({"train": ROWS}, indent=2).replace("\n", "\r\n")),
])
@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
def test_a_bom_and_crlf_line_ends_read_the_same_rows(tmp_path, name, text, bom):
    path = put(tmp_path / name, (BOM if bom else b"") + text.encode())
    src = open_source(path)
    assert [r for _, r in src.iter_rows()] == ROWS
    assert src.count() == 3 and src.row(1) == ROWS[0] and src.row(3) == ROWS[2]


# ---------------------------------------------------------------- compressed files


@pytest.mark.parametrize("suffix", COMPRESS)
@pytest.mark.parametrize("name, text", [
    ("d.jsonl", lines(ROWS)),
    ("d.json", dumps(ROWS)),
    ("lines.json", lines(ROWS)),
    ("keyed.json", dumps({"version": 1, "data": ROWS})),
])
def test_gzip_bzip2_and_xz_files_are_read_decompressed(tmp_path, name, text, suffix):
    path = put(tmp_path / (name + suffix), COMPRESS[suffix](BOM + text.replace("\n", "\r\n").encode()))
    src = open_source(path)
    assert [r for _, r in src.iter_rows()] == ROWS
    assert src.count() == 3 and src.row(3) == ROWS[2] and src.row(1) == ROWS[0]


def test_compressed_csv_and_txt_and_a_folder_of_compressed_files(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    put(folder / "a.csv.gz", gzip.compress(b"instruction,output\nq,a\n"))
    put(folder / "b.txt.xz", lzma.compress(b"one\ntwo\n"))
    put(folder / "c.jsonl.bz2", bz2.compress(lines(ROWS[:1]).encode()))
    put(folder / "notes.gz", gzip.compress(b"not data"))  # no type inside the name: left out of the folder
    assert read_rows(folder) == [{"instruction": "q", "output": "a"}, {"text": "one"}, {"text": "two"}, ROWS[0]]


@pytest.mark.parametrize("name, data, words", [
    ("a.jsonl.gz", b"not gzip at all", ["a.jsonl.gz: the gzip data cannot be decompressed", "compress the file again"]),
    ("a.jsonl.xz", b"not xz", ["a.jsonl.xz: the xz data cannot be decompressed"]),
    ("cut.jsonl.gz", gzip.compress(lines(ROWS * 50).encode())[:-30], ["cut.jsonl.gz: the gzip data cannot be "
                                                                      "decompressed", "uncompressed"]),
    ("a.parquet.gz", gzip.compress(b"x"), ["unsupported file type .parquet.gz", "also compressed as .gz, .bz2, .xz"]),
    ("a.gz", gzip.compress(b"x"), ["a.gz: unsupported file type .gz"]),
])
def test_broken_or_unsupported_compressed_files_say_what_to_do(tmp_path, name, data, words):
    path = put(tmp_path / name, data)
    with pytest.raises(DataError) as info:
        read_rows(path)
    for word in words:
        assert word in str(info.value)


# ---------------------------------------------------------------- the same rows as datasets' json loader


def shapes() -> dict:
    """file name -> (bytes, the `field` datasets needs for rows under a key)."""
    text = lines(ROWS)
    return {
        "plain.jsonl": (text.encode(), None),
        "bom-crlf.jsonl": (BOM + text.replace("\n", "\r\n").encode(), None),
        "blank-lines.jsonl": (("\n" + text.replace("\n", "\n\n \n")).encode(), None),
        "lines.json": (BOM + text.replace("\n", "\r\n").encode(), None),
        "array.json": (dumps(ROWS, indent=2).encode(), None),
        "bom-crlf-array.json": (BOM + dumps(ROWS, indent=2).replace("\n", "\r\n").encode(), None),
        "strings.json": (dumps(["one text", "two"]).encode(), None),
        "keyed.json": (dumps({"version": "1.0", "data": ROWS}, indent=2).encode(), "data"),
        "one-chat.json": (dumps({"messages": CHAT}, indent=2).encode(), None),
        "plain.jsonl.gz": (gzip.compress(text.encode()), None),
        "plain.jsonl.bz2": (bz2.compress(text.encode()), None),
        "plain.jsonl.xz": (lzma.compress(text.encode()), None),
        "array.json.gz": (gzip.compress(dumps(ROWS).encode()), None),
    }


@pytest.mark.parametrize("name", list(shapes()))
def test_each_shape_gives_the_rows_datasets_json_loader_gives(tmp_path, name):
    datasets = pytest.importorskip("datasets")
    data, field = shapes()[name]
    path = put(tmp_path / name, data)
    theirs = datasets.load_dataset("json", data_files=str(path), split="train", field=field,
                                   cache_dir=str(tmp_path / "cache")).to_list()
    assert read_rows(path) == theirs


def test_an_object_of_columns_holds_the_same_values_datasets_reads_as_one_row(tmp_path):
    """datasets reads {"col": [...], ...} as ONE row of lists; we read it as columns (a row per index)."""
    datasets = pytest.importorskip("datasets")
    columns = {k: [r[k] for r in ROWS] for k in ROWS[0]}
    path = put(tmp_path / "cols.json", dumps(columns, indent=2))
    (theirs,) = datasets.load_dataset("json", data_files=str(path), split="train",
                                      cache_dir=str(tmp_path / "cache")).to_list()
    assert theirs == columns and read_rows(path) == ROWS
