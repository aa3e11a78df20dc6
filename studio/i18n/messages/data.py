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
    "data.registry_not_rows": "{label} 是 LLaMA-Factory 的 dataset_info.json：它列出的是 {count} 个数据集"
                              "（{entries}），不是用来训练的行。请选其中一个条目：在数据步骤选择 dataset_info.json "
                              "来源并填写它所在的文件夹（条目的数据文件须在同一文件夹中），或把 data.dataset_dir "
                              "设为该文件夹并在 data.train 中写条目名（studio data inspect 条目名 --dataset-dir 文件夹）。",
    "data.not_rows": "{label}：应为行的列表（由对象组成的 JSON 数组）或按列组织的对象，实际是 JSON {type}；"
                     "请将各行保存为 [{{...}}, {{...}}]。",
    "data.item_not_object": '第 {row} 行是 {type}，而不是带字段的对象；数组的每一项都必须是对象，例如 {{"text": "..."}}。',
    # data/read/columnar.py
    "data.needs_pyarrow": "{label}：读取 {what} 文件需要 pyarrow 包（pip install pyarrow）；或将数据另存为 .jsonl。",
    "data.empty_parquet": "{label}：没有数据行（空的 Parquet 表）；请重新导出数据。",
    "data.empty_arrow": "{label}：没有数据行（空的 Arrow 表）；请重新导出数据。",
    "data.unreadable_columnar": "{label}：不是可读取的 {what} 文件（{error}）；请重新导出，或将数据另存为 .jsonl。",
    # data/registry.py: LLaMA-Factory's dataset_info.json
    "data.no_registry": "{path}：那里没有 {file}。请填写存放 LLaMA-Factory 的 {file} 的文件夹。",
    "data.registry_bad_json": "{file}：不是有效的 JSON（{error}）。",
    "data.registry_not_object": "{file}：应为以数据集名称为键的对象。",
    "data.did_you_mean": "你是不是想找 {names}？",
    "data.has_entries": "其中有 {n} 个条目。",
    "data.not_in_registry": "数据集 {name!r} 没有在 {path} 中定义。{hint}",
    "data.entry_media": "{file} 的条目 {name!r} 含有 {media}：暂不支持视频和音频，图像只在对话和偏好（sharegpt / openai）条目中读取；请选择其他数据集。",
    "data.entry_formatting": "{file} 的条目 {name!r}：formatting {formatting!r} 不是 alpaca 或 sharegpt。",
    "data.entry_file_missing": "{file} 的条目 {name!r}：缺少其文件 {path}；请把文件放到那里。",
    "data.nowhere": "未注明",
    "data.entry_remote": "{file} 的条目 {name!r} 的来源是 {origin}；只支持本地文件和 Hugging Face Hub 数据集。"
                         "请下载后填写其路径。",
    # data/sources.py: what `data.train` names
    "data.train_empty": "`data.train` 为空；请填写 `demo`、文件、文件夹或 Hub ID。",
    "data.also_looked_in": "（也在 {folder} 中查找过）",
    "data.no_such_source": "{name}：没有这个文件或文件夹{where}。请填写文件或文件夹路径、类似 `org/name` 的 Hub ID，"
                           "或 dataset_info.json 中的条目（需设置 `data.dataset_dir`）。",
    "data.hub_unreachable": "无法连接 Hugging Face Hub 获取数据集 {name!r}（{reason}）。请检查网络连接和 ID，"
                            "或下载数据集后填写其路径。",
    "data.hub_dataset_error": "Hub 数据集 {name!r}（子集 {subset}，划分 {split}）：{error_type}：{error}",
    "data.hub_no_row": "{label}：没有第 {row} 行。",
    # data/load.py: reading, mixing and splitting the sources
    "data.no_readable_rows": "{label}：没有可读取的行。",
    "data.no_usable_rows": "{label}：{rows} 行中没有可用的行（{first}）。",
    "data.no_usable_rows_as": "{label}：{rows} 行中没有可用的行（{first}）。这些行被按 {format} 格式读取：{reason}；"
                              "如果不是这种格式，请设置 data.format 和 data.columns。",
    "data.list_semicolon": "{head}；{tail}",
    "data.list_comma": "{head}，{tail}",
    "data.source_kind": "{label} 是 {format}（{kind}）",
    "data.folder_mixed_kinds": "{label}：其中的 {n} 个文件会作为一个数据集读取，但它们的行属于不同类型：{which}。"
                                "请只把同一类型的文件放在一起（去掉其他文件后重新上传）；其他类型各自用单独的任务训练。",
    "data.folder_mixed_formats": "{label}：其中的 {n} 个文件会按同一种格式作为一个数据集读取，但它们的格式不同："
                                  "{which}，这样其中一个文件的行会全部被跳过。请在这里只用一个文件（单独重新上传），"
                                  "把其余每个文件作为单独的数据集加入：混合、划分与清洗 → 同时混入，填它的路径"
                                  "（{paths}）。",
    "data.files_joined": "{label} 中的 {n} 个文件合并为一个数据集使用：{files}",
    "data.file_rows": "{file}（{rows} 行）",
    "data.mixed_kinds": "这些数据集无法混合：{which}。请混合同一类型的数据集。",
    "data.eval_other_kind": "这份评估数据无法评估本训练数据：{which}，而训练数据是 {kind}。请让 `data.eval` "
                            "使用同一类型的行，或用 `data.eval_split` 从训练数据中留出一部分。",
    "data.eval_split_too_big": "`data.eval_split` 为 {split:g}，{rows} 行数据中不剩任何训练行；请调小。",
    "data.sft_needs_chat": "数据是纯文本（用于继续预训练）；sft 阶段需要对话数据（alpaca、sharegpt 或 messages）。"
                           "请选择对话数据集。",
    "data.sft_from_preference": "偏好对：sft 只用较好的回复（chosen）训练",
    "data.sft_from_kto": "带标签的回复：sft 只用标为好的回复训练",
    "data.sft_from_prompts": "提示：sft 用参考答案训练",
    "data.sft_none_left": "{note}，但没有任何一行可用。",
    # data/inspect.py: the scan of a source
    "data.defined_by_entry": "按其 {file} 条目的定义（列 {columns}）",
    "data.no_rows": "没有数据行",
    "data.no_readable_rows_why": "{label}：没有可读取的行（{first}）。",
    "data.duplicate_row": "与前面某行完全相同（已丢弃：已开启去重）",
    # data/preview.py: the titles of a row's panels
    "data.panel_conversation": "对话",
    "data.panel_chosen": "chosen（较好的回复）",
    "data.panel_rejected": "rejected（较差的回复）",
    "data.panel_desirable": "回复（好）",
    "data.panel_undesirable": "回复（不好）",
    "data.panel_text": "文本",
    "data.panel_prompt": "提示（回复由模型生成）",
    "data.panel_prompt_reference": "提示（回复由模型生成）；参考答案：{reference}",
    # data/tokenize.py, data/tokenized.py
    "data.template_drops_reply": "对话模板丢掉了一条助手回复；请换一个模板",
    "data.all_replies_cut": "全部 {rows} 行都被丢弃：每一行的回复都在 max_length={max_length} 个词元之后才开始"
                            "（提示连同系统提示词和工具列表已占满长度）。请调大 `training.max_length`，或缩短提示。",
    # data/lite_tokenizer.py: the UI's light tokenizer
    "data.tokenizer_file_not_json": "{path}：无法按 JSON 读取（{error}）。",
    "data.tokenizer_file_not_object": "{path}：应为 JSON 对象。",
    "data.no_tokenizer_json": "{folder}：没有 tokenizer.json；轻量分词器需要 `tokenizers` 格式的文件"
                              "（这里不支持只有 sentencepiece 文件或需要远程代码的分词器）。",
    "data.tokenizer_unloadable": "{path}：`tokenizers` 无法加载（{error}）。",
    "data.no_huggingface_hub": "未安装 huggingface_hub；无法从 Hub 获取分词器。",
    "data.no_detail": "无详细信息",
    "data.tokenizer_fetch_failed": "无法从 Hugging Face Hub 获取 {name!r} 的分词器（{error_type}：{error}）。"
                                   "请检查名称、网络（或 HF_HUB_OFFLINE），以及受限模型的访问权限。",
    "data.tokenizer_file_fetch_failed": "无法从 Hub 获取 {name!r} 的 {file}（{error_type}：{error}）。",
    "data.no_default_template": "此分词器有多个对话模板，但没有默认模板：{names}。",
    "data.no_chat_template": "分词器没有对话模板；请设置 `chat_template`（见 templates/chat/）。",
    "data.empty_conversation": "无法对空对话应用对话模板。请至少提供一条消息。",
    "data.template_private_attribute": "对话模板不能在 namespace 上保存以下划线开头的属性，但遇到了 {name!r}。",
    # data/read/：JSON 对象某个键下的数据行、字符串数组、压缩文件（issue 18）
    "data.accepted_types": "{types}（文本类型也可压缩为 {compressed}，例如 data.jsonl.gz）",
    "data.bad_compressed": "{label}：{kind} 压缩数据无法解压（{error}）；请重新压缩该文件，或使用未压缩的文件。",
    "data.rows_from_key": "从 {label} 的键 '{key}' 读取数据行",
    "data.rows_from_key_others": "从 {label} 的键 '{key}' 读取数据行；{others} 下的列表未读取（如需使用，请把每个列表放到单独的文件中）",
    "data.rows_key_ambiguous": "{label}：包含多个数据行列表（{keys}），但没有一个名为 {known}；请只保留要读取的列表，"
                               "或将其命名为 \"train\"，或把每个列表放到单独的文件中。",
    "data.one_conversation": "{label} 只包含一段对话（'{key}'）：按一行读取",
    "data.rows_from_strings": "{label} 是字符串数组：每个字符串作为一行的文本读取",
}
