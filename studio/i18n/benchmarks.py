"""Strings of the Benchmarks panel ("bench."), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
    "bench.title": "Standard benchmarks: base vs fine-tuned",
    "bench.intro": "Scores the base model and the fine-tuned one on benchmark tasks with lm-evaluation-harness "
                   "(`studio bench`). **studio_mini** (24 English + 24 Chinese multiple-choice questions) ships with "
                   "the studio and runs offline; the standard tasks download their data from the Hugging Face Hub "
                   "the first time.",
    "bench.tasks": "Tasks",
    "bench.local_choice": "studio_mini: local, offline (48 questions, English + Chinese)",
    "bench.hub_choice": "{task}: downloads {dataset} from the Hugging Face Hub",
    "bench.limit": "Items per task (0 = all)",
    "bench.chat_template": "Through the job's chat template (both columns)",
    "bench.run": "Run benchmarks",
    "bench.running": "⏳ lm-evaluation-harness scores the base model, then the fine-tuned one…",
    "bench.no_tasks": "Tick at least one task.",
    "bench.none_yet": "No benchmark scores for this job yet.",
    "bench.saved": "Scores saved in {path}.",
    "bench.meta": "{task}: lm-eval {lm_eval}, {template}{limit}, {date}",
    "bench.meta.template": "chat template",
    "bench.meta.raw": "raw prompts",
    "bench.meta.limit": ", first {limit} items per task",
    "bench.columns": "task|version|metric|base|fine-tuned|delta|n",
    "bench.heading": "**Standard benchmarks** (lm-evaluation-harness)",
    "bench.compare_heading": "**Standard benchmarks of the picked runs**",
    "bench.compare_columns": "job|task|version|metric|base|fine-tuned|delta",
    "bench.run_column": "{task} {metric} (fine-tuned)",
    "action.bench": "Running the benchmarks",
}
ZH: dict[str, str] = {
    "bench.title": "标准评测：基座模型与微调模型对比",
    "bench.intro": "用 lm-evaluation-harness 在评测任务上给基座模型和微调后的模型打分（`studio bench`）。"
                   "**studio_mini**（24 道英文 + 24 道中文选择题）随工作室一起提供，可离线运行；标准任务首次运行时会从 "
                   "Hugging Face Hub 下载数据。",
    "bench.tasks": "任务",
    "bench.local_choice": "studio_mini：本地、离线（48 道题，英文 + 中文）",
    "bench.hub_choice": "{task}：从 Hugging Face Hub 下载 {dataset}",
    "bench.limit": "每个任务的题数（0 = 全部）",
    "bench.chat_template": "使用任务的对话模板（两列相同）",
    "bench.run": "运行评测",
    "bench.running": "⏳ lm-evaluation-harness 正在给基座模型打分，然后是微调后的模型……",
    "bench.no_tasks": "请至少勾选一个任务。",
    "bench.none_yet": "这个任务还没有评测分数。",
    "bench.saved": "分数已保存在 {path}。",
    "bench.meta": "{task}：lm-eval {lm_eval}，{template}{limit}，{date}",
    "bench.meta.template": "对话模板",
    "bench.meta.raw": "原始提示",
    "bench.meta.limit": "，每个任务前 {limit} 题",
    "bench.columns": "任务|版本|指标|基座|微调后|差值|题数",
    "bench.heading": "**标准评测**（lm-evaluation-harness）",
    "bench.compare_heading": "**所选运行的标准评测**",
    "bench.compare_columns": "任务 ID|评测任务|版本|指标|基座|微调后|差值",
    "bench.run_column": "{task} {metric}（微调后）",
    "action.bench": "运行标准评测",
}
