"""Chinese (simplified) for the backend's `data.*` messages (English: backend/messages/en/data.py)."""

ZH: dict[str, str] = {
    # data/read/: opening a file or folder, its encoding, one row's place
    "data.no_such_path": "{path}：没有这个文件或文件夹。请检查路径，或重新上传文件。",
    "data.row": "第 {row} 行",
    "data.file_row": "{file} 第 {row} 行",
    "data.located": "{where}：{message}",
    "data.no_row_number": "{label}：没有第 {row} 行；共 {rows} 行（从 1 开始编号）。",
    "data.no_splits": "未找到",
    "data.dataset_dict": "{label}：这是包含多个划分（split）的已保存数据集；请选择其中一个划分的文件夹（{splits}）。",
    "data.empty_folder": "{label}：文件夹中没有数据文件；请放入 {accepted} 文件，或选择一个文件。",
    "data.no_suffix": "（无）",
    "data.unsupported_type": "{label}：不支持的文件类型 {suffix}；请使用 {accepted} 之一，或包含这些文件的文件夹。",
    "data.empty_file": "{label}：文件为空；请选择包含数据的文件，或重新导出。",
    "data.unreadable_file": "{label}：无法读取（{error}）；请检查文件是否可读。",
    "data.utf32": "{label}：这是 UTF-32 文本；请将文件另存为 UTF-8。",
    "data.nul_bytes": "{label}：含有 NUL 字节，因此不是 UTF-8 文本（可能是二进制文件，或没有字节顺序标记的 UTF-16）；"
                      "请将文件另存为 UTF-8。",
    "data.only_blank": "{label}：文件为空（只有空白）；请选择包含数据的文件。",
    "data.looks_gbk": "；看起来是 GBK/GB18030 编码（中文 Windows 的默认编码）",
    "data.not_utf8": "{label}：不是 UTF-8 文本（第 {line} 行，第 {byte} 个字节）{gbk}；请将文件另存为 UTF-8"
                     "（Excel：另存为“CSV UTF-8”；文本编辑器：以 UTF-8 编码保存）。",
    "data.bad_utf16_after": "{label}：不是有效的 UTF-16 文本（第 {line} 行之后）；请将文件另存为 UTF-8。",
    "data.bad_utf16": "{label}：不是有效的 UTF-16 文本；请将文件另存为 UTF-8。",
    # data/read/text.py: JSON lines
    "data.line_bad_json": "第 {line} 行不是有效的 JSON（{error}，第 {column} 列）；请修正或删除该行。",
    "data.line_too_deep": "第 {line} 行嵌套太深，无法读取；请简化或删除该行。",
    "data.line_not_object": '第 {line} 行是 JSON {type}，而不是带字段的对象；每行必须是一个对象，例如 {{"text": "..."}}。',
    # data/read/text.py: csv and tsv
    "data.no_header": "{label}：没有表头行；第一行必须是列名，例如 instruction,input,output。",
    "data.bad_header": "{label}：表头行 {line} 无法读取（{error}）；请检查其中的引号。",
    "data.sep_tab": "制表符",
    "data.sep_comma": "逗号",
    "data.header_one_column": "{label}：表头只有一列 {header!r}；文件似乎用 {sep!r} 分隔单元格，但 {suffix} 文件应使用"
                              "{what}分隔。请重新保存为逗号分隔的 .csv（或制表符分隔的 .tsv）。",
    "data.header_is_data": "{label}：第一行看起来是数据而不是列名（{name!r}）；请添加一行列名作为表头，"
                           "例如 instruction,input,output。",
    "data.header_twice": "{label}：表头中列名 {name!r} 出现了两次；请重命名其中一个。",
    "data.header_only": "{label}：只有表头行，没有数据行；请在表头下方添加数据行。",
    "data.csv_row_unreadable": "第 {row} 行无法读取（{error}，文件第 {line} 行）；请检查该行中的引号。",
    "data.a_tab": "制表符",
    "data.a_comma": "逗号",
    "data.csv_row_too_long": "第 {row} 行的值比表头的列多（{values} 个值，{columns} 列，文件第 {line} 行）；"
                             "请把含有{sep}的单元格放在双引号中。",
    # data/read/json_file.py
    "data.bad_json": "{label}：第 {line} 行第 {column} 列处的 JSON 无效：{error}。请修正该处（JSON 校验工具可以定位），"
                     "或另存为 JSON Lines（.jsonl，每行一个对象）。",
    "data.json_too_deep": "{label}：JSON 嵌套太深，无法读取；请简化或重新导出。",
    "data.empty_array": "{label}：没有数据行（空的 JSON 数组）；请至少添加一个行对象。",
    "data.column_lengths": "{label}：各列的长度不同 {lengths}；请让每一列的值个数相同。",
    "data.empty_columns": "{label}：没有数据行（每一列都为空）；请给各列添加值。",
    "data.empty_object": "{label}：没有数据行（空的 JSON 对象）；请提供由行对象组成的 JSON 数组。",
    "data.one_object": "{label}：应为行的列表（JSON 数组）或按列组织的对象，但文件中只有一个对象；"
                       "请用 [ ] 把它包起来，变成只有一行的列表。",
    "data.not_rows": "{label}：应为行的列表（由对象组成的 JSON 数组）或按列组织的对象，实际是 JSON {type}；"
                     "请将各行保存为 [{{...}}, {{...}}]。",
    "data.item_not_object": '第 {row} 行是 {type}，而不是带字段的对象；数组的每一项都必须是对象，例如 {{"text": "..."}}。',
    # data/read/columnar.py
    "data.needs_pyarrow": "{label}：读取 {what} 文件需要 pyarrow 包（pip install pyarrow）；或将数据另存为 .jsonl。",
    "data.empty_parquet": "{label}：没有数据行（空的 Parquet 表）；请重新导出数据。",
    "data.empty_arrow": "{label}：没有数据行（空的 Arrow 表）；请重新导出数据。",
    "data.unreadable_columnar": "{label}：不是可读取的 {what} 文件（{error}）；请重新导出，或将数据另存为 .jsonl。",
}
