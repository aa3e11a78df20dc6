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
    "data.registry_not_rows": "{label} is a LLaMA-Factory dataset_info.json: it lists {count} datasets ({entries}), "
                              "not rows to train on. Pick one of its entries: on the Data step choose the "
                              "dataset_info.json source and give the folder it is in (with the entries' files "
                              "beside it), or set data.dataset_dir to that folder and name the entry in data.train "
                              "(studio data inspect ENTRY --dataset-dir FOLDER).",
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
    # data/registry.py: LLaMA-Factory's dataset_info.json
    "data.no_registry": "{path}: no {file} there. Give the folder that holds LLaMA-Factory's {file}.",
    "data.registry_bad_json": "{file}: not valid JSON ({error}).",
    "data.registry_not_object": "{file}: expected an object of named datasets.",
    "data.did_you_mean": " Did you mean {names}?",
    "data.has_entries": " It has {n} entries.",
    "data.not_in_registry": "dataset {name!r} is not defined in {path}.{hint}",
    "data.entry_media": "{file} entry {name!r} has {media}: video and audio are not supported yet, and images are "
                        "read in conversation and preference (sharegpt / openai) entries only; pick another dataset.",
    "data.entry_formatting": "{file} entry {name!r}: formatting {formatting!r} is not alpaca or sharegpt.",
    "data.entry_file_missing": "{file} entry {name!r}: its file {path} is missing; put the file there.",
    "data.nowhere": "nowhere",
    "data.entry_remote": "{file} entry {name!r} comes from {origin}; only local files and Hugging Face hub datasets "
                         "are supported. Download it and give its path.",
    # data/sources.py: what `data.train` names
    "data.train_empty": "`data.train` is empty; give `demo`, a file, a folder or a hub id.",
    "data.also_looked_in": " (also looked in {folder})",
    "data.no_such_source": "{name}: no such file or folder{where}. Give a file or folder path, a hub id like "
                           "`org/name`, or an entry of a dataset_info.json (set `data.dataset_dir`).",
    "data.hub_unreachable": "cannot reach the Hugging Face hub to fetch dataset {name!r} ({reason}). Check the "
                            "internet connection and the id, or download the dataset and give its path.",
    "data.hub_dataset_error": "hub dataset {name!r} (subset {subset}, split {split}): {error_type}: {error}",
    "data.hub_no_row": "{label}: has no row {row}.",
    # data/load.py: reading, mixing and splitting the sources
    "data.no_readable_rows": "{label}: no readable rows.",
    "data.no_usable_rows": "{label}: no usable rows out of {rows} ({first}).",
    "data.no_usable_rows_as": "{label}: no usable rows out of {rows} ({first}). The rows were read as {format}: "
                              "{reason}; set data.format and data.columns if that is not what they are.",
    "data.list_semicolon": "{head}; {tail}",
    "data.list_comma": "{head}, {tail}",
    "data.source_kind": "{label} is {format} ({kind})",
    "data.mixed_kinds": "the datasets cannot be mixed: {which}. Mix datasets of one kind.",
    "data.folder_mixed_kinds": "{label}: its {n} files are read as one dataset, but their rows are of different "
                                "kinds: {which}. Use only files of one kind together (upload them again without the "
                                "others); each other kind trains in a job of its own.",
    "data.folder_mixed_formats": "{label}: its {n} files are read as one dataset in one format, but they are in "
                                  "different formats: {which}, so one file's rows would all be skipped. Use one "
                                  "file here (upload it alone) and add each other one as a dataset of its own: Mix, "
                                  "split and clean → Also mix in, with its path ({paths}).",
    "data.files_joined": "the {n} files of {label} are used together as one dataset: {files}",
    "data.file_rows": "{file} ({rows} rows)",
    "data.eval_other_kind": "the eval data cannot evaluate this training data: {which}, the training rows are "
                            "{kind}. Give `data.eval` rows of the same kind, or hold out training rows with "
                            "`data.eval_split`.",
    "data.eval_split_too_big": "`data.eval_split` {split:g} leaves no training rows out of {rows}; lower it.",
    "data.sft_needs_chat": "the data is plain text (for continued pretraining); the sft stage needs conversations "
                           "(alpaca, sharegpt or messages). Choose a chat dataset.",
    "data.sft_from_preference": "preference pairs: sft trains on the chosen replies",
    "data.sft_from_kto": "labelled replies: sft trains on the desirable ones",
    "data.sft_from_prompts": "prompts: sft trains on the reference answers",
    "data.sft_none_left": "{note}, and no row has one.",
    # data/inspect.py: the scan of a source
    "data.defined_by_entry": "as its {file} entry defines it (columns {columns})",
    "data.no_rows": "no rows",
    "data.no_readable_rows_why": "{label}: no readable rows ({first}).",
    "data.duplicate_row": "an exact copy of an earlier row (dropped: dedupe is on)",
    # data/preview.py: the titles of a row's panels
    "data.panel_conversation": "conversation",
    "data.panel_chosen": "chosen",
    "data.panel_rejected": "rejected",
    "data.panel_desirable": "completion (desirable)",
    "data.panel_undesirable": "completion (undesirable)",
    "data.panel_text": "text",
    "data.panel_prompt": "prompt (the model writes the reply)",
    "data.panel_prompt_reference": "prompt (the model writes the reply); reference: {reference}",
    # data/tokenize.py, data/tokenized.py
    "data.template_drops_reply": "the chat template drops an assistant reply; choose another template",
    "data.all_replies_cut": "all {rows} rows were dropped: in each, the reply starts after max_length={max_length} "
                            "tokens (the prompt, with any system text and tool list, fills it). Raise "
                            "`training.max_length`, or shorten the prompts.",
    # data/lite_tokenizer.py: the UI's light tokenizer
    "data.tokenizer_file_not_json": "{path}: cannot be read as JSON ({error}).",
    "data.tokenizer_file_not_object": "{path}: expected a JSON object.",
    "data.no_tokenizer_json": "{folder}: has no tokenizer.json; the light tokenizer needs the `tokenizers` file "
                              "(sentencepiece-only or remote-code tokenizers are not supported here).",
    "data.tokenizer_unloadable": "{path}: cannot be loaded by `tokenizers` ({error}).",
    "data.no_huggingface_hub": "huggingface_hub is not installed; cannot fetch a tokenizer from the Hub.",
    "data.no_detail": "no detail",
    "data.tokenizer_fetch_failed": "cannot fetch the tokenizer of {name!r} from the Hugging Face Hub ({error_type}: "
                                   "{error}). Check the name, the network (or HF_HUB_OFFLINE), and access to gated "
                                   "models.",
    "data.tokenizer_file_fetch_failed": "cannot fetch {file} of {name!r} from the Hub ({error_type}: {error}).",
    "data.no_default_template": "this tokenizer has several chat templates and no default: {names}.",
    "data.no_chat_template": "the tokenizer has no chat template; set `chat_template` (see templates/chat/).",
    "data.empty_conversation": "Cannot apply chat template to an empty conversation. Provide at least one message.",
    "data.template_private_attribute": "Chat templates cannot store underscore-prefixed attributes on a namespace, "
                                       "but got {name!r}.",
    # data/read/: rows under one key of a JSON object, arrays of strings, compressed files (issue 18)
    "data.accepted_types": "{types} (the text types also compressed as {compressed}, e.g. data.jsonl.gz)",
    "data.bad_compressed": "{label}: the {kind} data cannot be decompressed ({error}); compress the file again, "
                           "or use it uncompressed.",
    "data.rows_from_key": "rows read from the key '{key}' of {label}",
    "data.rows_from_key_others": "rows read from the key '{key}' of {label}; the lists under {others} are not read "
                                 "(give each its own file to use it)",
    "data.rows_key_ambiguous": "{label}: holds several lists of rows ({keys}) and none is named {known}; keep only "
                               "the list to read, or name it \"train\", or give each list its own file.",
    "data.one_conversation": "{label} holds one conversation ('{key}'): read as one row",
    "data.rows_from_strings": "{label} is an array of strings: each string read as one row's text",
}
