"""English messages: data (ids `data.*`)."""

EN: dict[str, str] = {
    # data/read/: opening a file or folder, its encoding, one row's place
    "data.no_such_path": "{path}: no such file or folder. Check the path, or upload the file again.",
    "data.row": "row {row}",
    "data.file_row": "{file} row {row}",
    "data.located": "{where}: {message}",
    "data.no_row_number": "{label}: there is no row {row}; it has {rows} rows (numbered from 1).",
    "data.no_splits": "none found",
    "data.dataset_dict": "{label}: a saved dataset with several splits; choose one split folder in it ({splits}).",
    "data.empty_folder": "{label}: the folder holds no data files; put {accepted} files in it, or choose a file.",
    "data.no_suffix": "(none)",
    "data.unsupported_type": "{label}: unsupported file type {suffix}; use one of {accepted}, or a folder of them.",
    "data.empty_file": "{label}: the file is empty; choose the file that holds the data, or export it again.",
    "data.unreadable_file": "{label}: cannot be read ({error}); check that the file is readable.",
    "data.utf32": "{label}: UTF-32 text; save the file as UTF-8.",
    "data.nul_bytes": "{label}: holds NUL bytes, so it is not UTF-8 text (a binary file, or UTF-16 without a "
                      "byte-order mark); save the file as UTF-8.",
    "data.only_blank": "{label}: the file is empty (only blank space); choose the file that holds the data.",
    "data.looks_gbk": "; it looks like GBK/GB18030 (Chinese Windows encoding)",
    "data.not_utf8": "{label}: not UTF-8 text (line {line}, byte {byte}){gbk}; save the file as UTF-8 "
                     "(Excel: Save As, CSV UTF-8; a text editor: save with encoding UTF-8).",
    "data.bad_utf16_after": "{label}: not valid UTF-16 text (after line {line}); save the file as UTF-8.",
    "data.bad_utf16": "{label}: not valid UTF-16 text; save the file as UTF-8.",
    # data/read/text.py: JSON lines
    "data.line_bad_json": "line {line} is not valid JSON ({error}, column {column}); fix that line or delete it.",
    "data.line_too_deep": "line {line} is nested too deeply to read; simplify that line or delete it.",
    "data.line_not_object": 'line {line} is a JSON {type}, not an object with fields; each line must be one object '
                            'like {{"text": "..."}}.',
    # data/read/text.py: csv and tsv
    "data.no_header": "{label}: no header row; the first line must name the columns, e.g. instruction,input,output.",
    "data.bad_header": "{label}: the header line {line} cannot be read ({error}); check its quotes.",
    "data.sep_tab": "tab",
    "data.sep_comma": "comma",
    "data.header_one_column": "{label}: the header is one column {header!r}; the file seems to separate cells with "
                              "{sep!r}, but a {suffix} file separates them with a {what}. Save it again as "
                              "comma-separated .csv (or tab-separated .tsv).",
    "data.header_is_data": "{label}: the first line looks like data, not column names ({name!r}); add a header line "
                           "that names the columns, e.g. instruction,input,output.",
    "data.header_twice": "{label}: the header names column {name!r} twice; rename one of them.",
    "data.header_only": "{label}: has no rows, only the header line; add rows below it.",
    "data.csv_row_unreadable": "row {row} cannot be read ({error}, line {line}); check the quotes in that row.",
    "data.a_tab": "a tab",
    "data.a_comma": "a comma",
    "data.csv_row_too_long": "row {row} has more values than the header has columns ({values} values, {columns} "
                             "columns, line {line}); put cells that contain {sep} in double quotes.",
    # data/read/json_file.py
    "data.bad_json": "{label}: invalid JSON at line {line}, column {column}: {error}. Fix the file there (a JSON "
                     "validator shows the spot), or save it as JSON lines (.jsonl, one object per line).",
    "data.json_too_deep": "{label}: the JSON is nested too deeply to read; simplify or re-export it.",
    "data.empty_array": "{label}: has no rows (an empty JSON array); add at least one row object.",
    "data.column_lengths": "{label}: the columns have different lengths {lengths}; give every column the same "
                           "number of values.",
    "data.empty_columns": "{label}: has no rows (every column is empty); add values to the columns.",
    "data.empty_object": "{label}: has no rows (an empty JSON object); give a JSON array of row objects.",
    "data.one_object": "{label}: expected a list of rows (JSON array) or an object of columns, but it holds one "
                       "object; wrap it in [ ] to make it a one-row list.",
    "data.not_rows": "{label}: expected a list of rows (a JSON array of objects) or an object of columns, got a "
                     "JSON {type}; save the rows as [{{...}}, {{...}}].",
    "data.item_not_object": 'row {row} is a {type}, not an object with fields; every item of the array must be an '
                            'object like {{"text": "..."}}.',
    # data/read/columnar.py
    "data.needs_pyarrow": "{label}: reading {what} files needs the pyarrow package (pip install pyarrow); or save "
                          "the data as .jsonl.",
    "data.empty_parquet": "{label}: has no rows (an empty Parquet table); export the data again.",
    "data.empty_arrow": "{label}: has no rows (an empty Arrow table); export the data again.",
    "data.unreadable_columnar": "{label}: not a readable {what} file ({error}); export it again, or save the data "
                                "as .jsonl.",
}
