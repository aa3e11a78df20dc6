"""Chinese (simplified) for the backend's `plan.*` messages (English: backend/messages/en/plan.py)."""

ZH: dict[str, str] = {
    # backend/plan/estimate.py: the memory estimate's notes
    "plan.config_lacks": "config.json 中缺少可用的 {what}：无法估计内存。",
    "plan.note_moe": "混合专家（MoE）模型：按稠密模型计算，估计值偏低",
    "plan.note_vision": "图像：最大一次前向含 {images} 张，视觉编码器处理 {patches:,} 个图块；"
                        "按处理器 max_pixels 的一张图像为 {tokens:,} 个图像 token",
    "plan.note_generation": "{stage}：未计入生成和采样回复所需的内存",
    "plan.note_mixed_precision": "混合精度：训练的权重为 fp32，每一步还有它们的 bf16/fp16 副本",
    "plan.note_largest_batch": "激活值按数据实际组成的最大批次计算：{tokens:,} 个 token",
    "plan.note_pairs": "{stage}：每行两个序列（激活值和 logits 翻倍）",
    "plan.note_checkpointing": "梯度检查点：每层的激活值在反向传播时重新计算（约慢三分之一）",
    "plan.note_reference_copy": "{stage}：另有一份冻结的参考模型副本",
    # backend/plan/estimate.py: the recommendation (`where`: the memory it is measured against)
    "plan.where_gpu": "GPU 显存",
    "plan.where_ram": "空闲内存",
    "plan.fit_unknown": "任务约需 {need}；{where}大小在这里无法得知，因此无法判断能否放下。",
    "plan.fits": "任务约需 {need}，{where}有 {budget}，可以放下且有余量。",
    "plan.fits_with_checkpointing": "任务按现设置约需 {need}，超过了可用的 {usable}（{where}），因此训练进程会自动开启梯度检查点"
                                    "（auto），可降到 {got}（约慢三分之一）。",
    "plan.change": "任务约需 {need}，超过了可用的 {usable}（{where}）；但{why}。",
    "plan.why_lora": "改为训练 LoRA 适配器而不是全部权重（{method}），可降到 {got}",
    "plan.why_qlora": "在 4 位量化的基座模型上训练 LoRA（qlora），可降到 {got}",
    "plan.why_batch": "批大小 {batch}、梯度累积 {steps} 步（等效批大小不变），可降到 {got}",
    "plan.why_length": "把每行截断到 {length} 个词元，可降到 {got}",
    "plan.nothing_fits": "任务约需 {need}；即使用 {method}、批大小 {batch}、每行 {length} 个词元，也需要 {smallest}，"
                         "超过了可用的 {usable}（{where}）；请选择更小的模型，或内存更大的机器。",
    # backend/plan/distributed.py: a multi-process job that cannot start
    "plan.no_deepspeed": "`distributed.strategy` 为 {strategy}，但本机没有安装 DeepSpeed。",
    "plan.no_deepspeed_hint": "请安装（`pip install deepspeed`；DeepSpeed 需要 NVIDIA GPU 和 CUDA 工具包），或改选 ddp 或 fsdp。",
    "plan.sharded_without_gpu": "`distributed.strategy` 为 {strategy}，它需要 GPU，而本机没有 GPU：在 CPU 上 accelerate "
                                "只能以 ddp（通过 gloo）运行多个进程。",
    "plan.sharded_without_gpu_hint": "请选择 `distributed.strategy: ddp`，或在有 GPU 的机器上运行这个任务。",
    # backend/plan/presets.py
    "plan.no_preset": "没有名为 {name} 的预设；可选：{known}。",
    "plan.preset_unreadable": "{path}：无法按 YAML 读取：{error}",
    "plan.preset_not_a_mapping": "{path}：必须是由任务配置的各部分和一个 `preset:` 块组成的映射。",
    "plan.preset_no_block": "{path}：缺少包含 title、description 和 group 的 `preset:` 块。",
    "plan.preset_bad_title": "{path}：`preset.title` 必须是至少包含 `en` 的映射，实际为 {value}。",
    "plan.preset_bad_description": "{path}：`preset.description` 必须是类似 {{en: ..., zh: ...}} 的映射。",
    "plan.preset_bad_group": "{path}：`preset.group` 必须是 {choices} 之一，实际为 {value}。",
    "plan.preset_bad_size": "{path}：`preset.size` 必须是 {choices} 之一，实际为 {value}。",
    "plan.preset_bad_spec": "{path}：不是有效的任务配置：{error}",
    "plan.the_file": "该文件",
    "plan.spec_not_yaml": "{source} 不是有效的 YAML：{error}",
    "plan.spec_empty": "{source} 为空；任务配置应包含 model:、data:、training: 等部分。",
    "plan.spec_not_a_mapping": "{source} 必须是由各部分（model:、data:、...）组成的映射，实际为 {got}。",
    "plan.in_source": "{message}（位于 {source}）",
    "plan.preset_name_built_in": "{name} 是内置预设的名称；请换一个名称，例如 `my-{stem}`。",
    "plan.preset_bad_name": "预设名称 {name} 不可用：请使用 1-64 个字母、数字、'-' 或 '_'（不含空格、点或斜杠），例如 "
                            "`my-style-run`。",
}
