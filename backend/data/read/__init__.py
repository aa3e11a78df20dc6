"""Read dataset files row by row: json, jsonl, csv, tsv, parquet, arrow, txt (the text types also as .gz,
.bz2 or .xz), or a folder of them.

    src = open_source("data/train.jsonl")     # DataError if the file as a whole cannot be read
    for number, row in src.iter_rows():        # numbers from 1; row is a dict, or a RowFault
        ...
    src.head(5), src.columns(), src.row(17), src.count(), src.where(17)

Pure Python on purpose: the UI calls this for previews without importing torch or datasets; pyarrow
is imported only for .parquet and .arrow. Big files stream (jsonl/csv/tsv/txt line by line, parquet
and arrow batch by batch); a .json array is parsed whole, as JSON has no streaming form.

Two kinds of problems, both with a message that says where and what to do:
- DataError: the file as a whole cannot be read (missing, unsupported, empty, not UTF-8, a broken
  JSON array, a csv without a header, an unreadable parquet/arrow file).
- RowFault: one row cannot be read (a bad JSON line, a line that is not an object, a csv row with
  more cells than the header). It stands in for the row, so a scan goes on and reports every bad row.

A .json file's rows may sit under one key ({"train": [...]}); `src.notes` then says which (for the report
and the log).

One direction, no circle: base.py (the problems, the Reader class, a file's bytes, encodings) <- text.py,
json_shape.py <- json_file.py, columnar.py (the readers) <- open.py (a file or folder opened as one numbered
source). This face names the API.
"""

from backend.data.read.base import COMPRESSED, DataError, RowFault, data_suffix  # noqa: F401
from backend.data.read.open import ACCEPTED, SUFFIXES, FileSource, is_data_file, open_source, read_rows  # noqa: F401
