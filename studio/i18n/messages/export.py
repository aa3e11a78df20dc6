"""Chinese (simplified) for the backend's `export.*` messages (English: backend/messages/en/export.py)."""

ZH: dict[str, str] = {
    # backend/export/adapter_zip.py
    "export.adapter_unfinished": "任务 {job} 没有完成的适配器（{path} 中缺少 {missing}）；只能导出成功完成的任务。",
    # backend/export/gguf_export.py
    "export.bad_quant": "`quant` 必须是 {choices} 之一，实际为 {quant}。",
    "export.gguf_arch": "GGUF 导出支持 Llama 和 Qwen2 系列（{archs}）；此模型是 {model_type}。请导出合并后的模型，再用 "
                        "llama.cpp 的 convert_hf_to_gguf.py 转换。",
    "export.gguf_tensor_name": "张量 {tensor} 没有对应的 GGUF 名称；该模型与 {arch} 的结构不同。",
    # backend/export/hub_push.py
    "export.push_unfinished": "任务 {job} 没有训练完成的适配器；只有成功的任务才能推送。",
    "export.bad_repo_id": "{repo} 不是 Hub 仓库 ID；请写成 `your-name/model-name`。",
    "export.no_token": "没有 Hugging Face 令牌：请传入 --token、设置 HF_TOKEN，或用 `hf auth login` 登录一次。",
    "export.hub_unreachable": "无法连接 Hugging Face Hub（{reason}）；待上传的文件夹已准备在 {folder}：稍后可用 "
                              "`hf upload {repo} {folder}` 上传。",
    # backend/export/merged.py
    "export.bad_dtype": "`dtype` 必须是 {choices} 之一，实际为 {dtype}。",
    "export.nothing_to_merge": "{method} 方法学习的是虚拟词元而不是权重，因此没有可合并的内容；请改为导出适配器 zip。",
    "export.merge_unfinished": "任务 {job} 在 {path} 中没有训练完成的适配器；只有成功的任务才能导出。",
    "export.merge_needs_bnb": "任务 {job} 是在 4 位量化的基座模型上训练的（qlora）；合并时需要用 bitsandbytes 重建这个基座，"
                              "但本机没有安装它。请运行 `pip install bitsandbytes` 后再导出。",
    # backend/evaluation.py
    "export.eval_no_reference": "数据中没有以助手回复结尾的对话，无法比较。",
    "export.eval_unfinished": "任务 {job} 还没有训练好的适配器；请评估一个成功的任务。",
    "export.eval_not_generative": "{stage} 任务不生成回复（奖励模型只给回复打分）。",
    "export.eval_bad_rows": "`rows` 至少为 1，实际为 {rows}。",
}
