"""Chinese (simplified) for the backend's `export.*` messages (English: backend/messages/en/export.py)."""

ZH: dict[str, str] = {
    # backend/export/adapter_zip.py
    "export.adapter_unfinished": "任务 {job} 没有完成的适配器（{path} 中缺少 {missing}）；只能导出成功完成的任务。",
    # backend/export/gguf_export.py
    "export.bad_quant": "`quant` 必须是 {choices} 之一，实际为 {quant}。",
    "export.out_not_ours": "{path} 已存在，且不是之前导出的合并模型；导出会整个替换该文件夹，从而删除其中的内容。"
                           "请指定一个新的或空的文件夹（--out），或不写 --out，写入任务的 exports/ 文件夹。",
    "export.gguf_arch": "GGUF 导出支持 Llama 和 Qwen2 系列（{archs}）；此模型是 {model_type}。请导出合并后的模型，再用 "
                        "llama.cpp 的 convert_hf_to_gguf.py 转换。",
    "export.gguf_tensor_name": "张量 {tensor} 没有对应的 GGUF 名称；该模型与 {arch} 的结构不同。",
    # backend/export/llama_cpp_tools.py, gguf_export.py（llama.cpp 的转换器与量化器）
    "export.converter_env_bad": "LLAMA_CPP_DIR 是 {path}，其中没有 llama.cpp 转换器（convert_hf_to_gguf.py、conversion/、"
                                "gguf-py/）；请指向 llama.cpp 源码目录，或取消该变量。",
    "export.converter_no_llama_cpp": "未安装 llama-cpp-python（pip install \"finetune-studio[gguf]\"，需要 C++ 编译器和 "
                                     "cmake），LLAMA_CPP_DIR 也未指向 llama.cpp 源码目录",
    "export.converter_no_workspace": "没有可存放 llama.cpp 转换器的工作区",
    "export.converter_not_asked": "指定使用工作室自带的写入器",
    "export.converter_fetch_failed": "无法获取 llama.cpp 转换器（pip download llama-cpp-python=={version} "
                                     "--no-binary :all:）：{reason}",
    "export.convert_failed": "llama.cpp 转换器失败：{reason}",
    "export.gguf_arch_unsupported": "llama.cpp 转换器不认识此模型的架构（{arch}，模型类型 {model_type}），"
                                    "因此无法生成 GGUF。请改为导出合并后的模型（`studio export {job} --to merged`），"
                                    "再用 transformers 或 vLLM 运行（`studio serve-model {job} --merged`）。",
    "export.quant_needs_llama_cpp": "{quant} 由 llama.cpp 的量化器生成，它随 llama-cpp-python 提供：请运行 "
                                    "`pip install \"finetune-studio[gguf]\"`（会编译 llama.cpp，需要 C++ 编译器和 cmake），"
                                    "或导出 f16 / q8_0。",
    "export.kquant_needs_converter": "{quant} 需要 llama.cpp 的转换器和量化器，但当前没有：{reason}。请导出 f16 或 q8_0"
                                     "（工作室自带写入器），或安装 llama-cpp-python。",
    "export.quantize_failed": "llama.cpp 量化器无法生成 {quant}（代码 {code}）；请查看上方输出。",
    "export.gguf_pre_tokenizer": "llama.cpp 没有此分词器的哈希；预分词器设为该架构的（{pre}）；导出的一致性检查（除非使用 --no-parity）会将其词元 ID 与任务的分词器比较。",
    "export.gguf_studio_writer": "由工作室自带写入器生成：llama.cpp 转换器不可用：{reason}",
    # backend/export/parity*.py（导出一致性检查）
    "export.parity_prompt_same": "{n} 个提示渲染结果相同（{source} 与任务的对话模板）",
    "export.parity_prompt_differs": "{source} 中有 {n} 个提示渲染不同；提示 {prompt}，第 {at} 个字符：任务 {want}，导出 {got}",
    "export.parity_prompt_ids_same": "{n} 个提示的词元 ID 相同（{source} 分词器）",
    "export.parity_ids_differ": "{source} 中有 {n} 个提示分词不同；提示 {prompt}，第 {at} 个词元：任务 {want}，导出 {got}",
    "export.parity_stop_same": "回合结束词元相同：{tokens}",
    "export.parity_stop_gguf": "eos {eos} 与任务一致；llama.cpp 在 {eog} 处停止",
    "export.parity_stop_differs": "{source} 的回合结束词元不同：任务 {want}，导出 {got}",
    "export.parity_greedy_same": "{n} 个提示的贪心续写相同（最多 {tokens} 个词元）",
    "export.parity_greedy_differs": "{total} 个贪心续写中有 {n} 个不同；提示 {prompt} 首次在第 {at} 个词元：任务 {want}，导出 {got}",
    "export.parity_logits": "logit 最大绝对差 {diff}（上限 {tol}）",
    "export.parity_logits_16bit": "logit 最大绝对差 {diff}：权重为 {dtype}（{tol} 的上限针对 float32 导出）",
    "export.parity_next_tokens": "{share} 的下一个词元一致（{agree}/{total}，沿任务的贪心回复逐位比较）；logit 最大绝对差 {diff}",
    "export.parity_writer_llama": "llama.cpp 的转换器与量化器（{quant}）；张量类型：{types}。{note}",
    "export.parity_writer_studio": "{reason}；张量类型：{types}",
    "export.parity_no_llama_cpp": "未安装 llama-cpp-python，因此未加载该文件：pip install \"finetune-studio[gguf]\"",
    # backend/export/hub_push.py
    "export.push_unfinished": "任务 {job} 没有训练完成的适配器；只有成功的任务才能推送。",
    "export.bad_repo_id": "{repo} 不是 Hub 仓库 ID；请写成 `your-name/model-name`。",
    "export.no_token": "没有 Hugging Face 令牌：请传入 --token、设置 HF_TOKEN，或用 `hf auth login` 登录一次。",
    "export.hub_unreachable": "无法连接 Hugging Face Hub（{reason}）；待上传的文件夹已准备在 {folder}：稍后可用 "
                              "`hf upload {repo} {folder}` 上传。",
    # backend/export/merged.py
    "export.bad_dtype": "`dtype` 必须是 {choices} 之一，实际为 {dtype}。",
    "export.nothing_to_merge": "{method} 方法学习的是虚拟词元而不是权重，因此没有可合并的内容；请改为导出适配器 zip。",
    "export.gguf_reward_model": "任务 {job} 训练的是奖励模型（rm 阶段）：它用单输出的打分头给回复打分，而 llama.cpp 或 Ollama "
                                "的 GGUF 文件容纳不了这个头。请导出合并模型（`--to merged`：transformers 的序列分类模型）或适配器 zip。",
    "export.merge_unfinished": "任务 {job} 在 {path} 中没有训练完成的适配器；只有成功的任务才能导出。",
    "export.merge_needs_bnb": "任务 {job} 是在 4 位量化的基座模型上训练的（qlora）；合并时需要用 bitsandbytes 重建这个基座，"
                              "但本机没有安装它。请运行 `pip install bitsandbytes` 后再导出。",
    # backend/evaluation.py
    "export.eval_no_reference": "数据中没有以助手回复结尾的对话，无法比较。",
    "export.eval_unfinished": "任务 {job} 还没有训练好的适配器；请评估一个成功的任务。",
    "export.eval_not_generative": "{stage} 任务不生成回复（奖励模型只给回复打分）。",
    "export.eval_bad_rows": "`rows` 至少为 1，实际为 {rows}。",
    # backend/export/parity_vision.py, gguf_export.py: vision-language jobs
    "export.parity_pixels_same": "{images} 张图片得到相同的像素张量（{source} 的图像处理器）",
    "export.parity_pixels_differ": "{source} 的图像处理器对提示 {prompts} 给出了不同的像素张量",
    "export.gguf_vision": "任务 {job} 微调的是视觉语言模型 {model}。{reason}\n可以试试：{hint}",
}
