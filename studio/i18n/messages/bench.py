"""Chinese (simplified) for the backend's `bench.*` messages (English: backend/messages/en/bench.py)."""

ZH: dict[str, str] = {
    # backend/bench/tasks.py
    "bench.no_tasks": "没有指定评测任务：请至少给出一个，例如 `--tasks {local}`。",
    "bench.unknown_task": "{task} 不是 lm-evaluation-harness 的任务；可以试试 {local}（离线）或 {known} 之一。",
    "bench.needs_hub": "任务 {task} 的数据来自 Hugging Face Hub（数据集 {dataset}），此处无法获取（{reason}）。请联网运行一次"
                       "（取消 HF_HUB_OFFLINE；数据会被缓存，之后可离线运行），或把 HF_ENDPOINT 设为可访问的 Hub 镜像。"
                       "本地任务 {local} 可离线运行。",
    "bench.local_missing": "本地评测的文件在 {path} 中缺失；请重新安装 finetune-studio。",
    # backend/bench/run.py
    "bench.no_job": "{jobs} 中没有任务 {job}。",
    "bench.unfinished": "任务 {job} 还没有训练好的适配器；请对成功完成的任务运行评测。",
    "bench.score_head": "{stage} 任务用打分头给回复打分，没有语言模型头来回答评测题目。",
    "bench.bad_limit": "`limit`（每个任务的题数）至少为 1，实际为 {limit}。",
    "bench.bad_batch_size": "`batch_size` 至少为 1，实际为 {batch_size}。",
    "bench.run_failed": "lm-evaluation-harness 在任务 {task} 上出错（{type}：{error}）。",
    "bench.no_results": "lm-evaluation-harness 没有返回任务 {task} 的分数。",
    # backend/bench/run.py: a vision-language job
    "bench.vision_refused": "任务 {job} 微调的是视觉语言模型 {model}；这里的基准测试（lm-evaluation-harness）只向文本模型"
                            "提纯文本问题，无法运行它。",
    "bench.vision_refused_hint": "用 `studio eval {job}`（“评估”按钮）在任务自己的图片数据上比较基座和微调后的模型，"
                                 "或上传图片对话。",
    "bench.refused": "{reason}\n可以试试：{hint}",
}
