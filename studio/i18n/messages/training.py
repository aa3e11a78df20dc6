"""Chinese (simplified) for the backend's `training.*` messages (English: backend/messages/en/training.py)."""

ZH: dict[str, str] = {
    # backend/training/errors.py
    "training.fix_spec_hint": "请修正任务配置中指出的字段，然后重新开始。",
    "training.fix_data_hint": "请修正指出的文件或行，或换一个数据集。",
    "training.out_of_memory": "训练时内存不足。",
    "training.out_of_memory_hint": "请调小 `training.batch_size`（同时调大 `gradient_accumulation_steps` 以保持等效批大小）、"
                                   "调小 `training.max_length`，或换一个更小的模型。",
    "training.disk_full": "磁盘已满。",
    "training.disk_full_hint": "请清理工作区的空间，或删除旧任务。",
    "training.model_gated_hint": "请在模型的 Hub 页面上接受其许可协议，并用 `hf auth login` 登录。",
    "training.no_network": "无法下载模型或数据：{reason}",
    "training.model_hub_unreachable": "`model.name_or_path`：本机的 Hugging Face 缓存中没有 {name}，且无法连接 Hub"
                                      "（{reason}）。请连上网络后重试，或在有网络的机器上下载它（`hf download {name}`）"
                                      "并填写其文件夹。",
    "training.no_network_hint": "请检查网络，或先下载一次，再填写它的本地文件夹。",
    "training.needs_remote_code": "`model.trust_remote_code`：`model.name_or_path` 指定的模型附带自己的 Python 代码"
                                  "（自定义代码），只有在 `model.trust_remote_code` 为 true 时才会运行（默认关闭）。",
    "training.needs_remote_code_hint": "仅当你信任该模型的来源时，才设置 `model.trust_remote_code: true`（模型步骤中的"
                                       "“信任远程代码”）：它的代码会在本机运行。或者选择 transformers 无需自定义代码即可支持的模型。",
    "training.model_not_found_hint": "请检查 `model.name_or_path`：应为包含 config.json 的本地文件夹，或类似 `org/name` 的 Hub ID。",
    "training.unexpected": "{type}: {error}",
    "training.unexpected_hint": "完整的回溯信息在任务日志中。如果日志无法说明原因，请附上日志报告此问题。",
    # backend/training/run.py
    "training.stage_cannot_train": "无法训练阶段 `{stage}`：{why}",
    "training.stage_no_trainer": "本工作室没有该阶段的训练器。",
    "training.pick_another_stage_hint": "请在任务配置中选择其他阶段。",
    # backend/training/callback.py
    "training.nan_loss": "损失在第 {step} 步变成了 {loss}。",
    "training.nan_loss_hint": "请调低 `training.learning_rate`（例如降到原来的十分之一），或检查数据中是否有损坏的行。",
    # backend/training/accel.py
    "training.compile_needs_gpu": "`training.compile`：on 需要 GPU；这个任务在 CPU 上运行。",
    "training.compile_needs_gpu_hint": "请设置 `training.compile: off`。",
    "training.flash_attn_missing": "`training.attention`：flash_attention_2 需要 flash-attn 包，这里没有安装。",
    "training.flash_attn_missing_hint": "安装它（`pip install flash-attn`，需与你的 CUDA 和 torch 匹配的版本），或设置 "
                                        "`training.attention: auto`。",
    "training.flash_attn_needs_gpu": "`training.attention`：flash_attention_2 需要 GPU；这个任务在 CPU 上运行。",
    "training.flash_attn_needs_gpu_hint": "请设置 `training.attention: auto`。",
    "training.note_no_varlen": "这块 GPU 或这个 torch 没有变长 FlashAttention：无填充批次中的各行用块对角掩码隔开",
    "training.liger_needs_gpu": "需要 GPU（它们是 Triton 内核），而这个任务在 CPU 上运行",
    "training.liger_not_installed": "需要 liger-kernel 包，这里没有安装",
    "training.fused_kernels_unusable": "`training.fused_kernels` 设为 on，但 Liger 的内核{problem}。",
    "training.fused_kernels_unusable_hint": "在有 GPU 的机器上用 `pip install \"finetune-studio[gpu]\"` 安装（liger-kernel），"
                                            "或设置 `training.fused_kernels: auto`。",
    "training.note_liger_not_installed": "未安装 Liger 内核（pip install \"finetune-studio[gpu]\"）",
    "training.liger_unknown_model": "`training.fused_kernels`：Liger Kernel 没有适用于这种模型类型（{model_type}）的内核。",
    "training.liger_unknown_model_hint": "把 `training.fused_kernels` 设为 auto 或 off。",
    "training.note_liger_unknown_model": "Liger Kernel 不支持模型类型 {model_type}：保留模型自己的层",
    # backend/training/varlen_attention.py
    "training.varlen_differs": "它的输出与 SDPA 相差 {err:.3g}（相对误差）",
    # backend/training/lm_head.py
    "training.dense_head_no_softcap": "稠密 LM 头不做 softcap；TRL 的分块 LM 头会做",
    # backend/training/methods.py
    "training.freeze_modules_no_match": "`method.freeze_modules`：{modules} 匹配不到此模型的任何参数（参数名形如 {sample}）。",
    "training.freeze_modules_no_match_hint": "请填写参数名的一部分，例如 `self_attn`、`mlp` 或 `lm_head`；或留空，只训练最后 "
                                             "`freeze_layers` 层。",
    "training.adalora_needs_total_steps": "adalora 需要知道本次训练的优化器总步数（total_steps > 0）",
    # backend/training/model.py
    "training.model_no_weights": "`model.name_or_path`：{path} 中有 config.json 但没有权重文件（*.safetensors 或 "
                                 "*.bin）；请填写完整保存或下载了模型的文件夹。",
    "training.model_no_tokenizer": "`model.name_or_path`：{path} 中没有分词器（tokenizer.json、tokenizer_config.json "
                                   "或 tokenizer.model）；请把其基座模型的分词器文件复制进去，或填写完整保存了模型的文件夹。",
    "training.model_no_config": "`model.name_or_path`：{path} 中没有 config.json；请填写存放模型文件的文件夹。",
    "training.model_folder_missing": "`model.name_or_path`：文件夹 {path} 不存在。",
    "training.model_source_hint": "请填写包含 config.json 和权重的本地文件夹，或类似 `org/name` 的 Hub ID。",
    # backend/training/quantized.py
    "training.bnb_cannot_unpack": "当前的 bitsandbytes 已把一个 4 位权重重排为其 CPU 内核的格式，却无法还原；请更新它"
                                  "（`pip install -U bitsandbytes`）后重新运行。",
    "training.bnb_missing_for_base": "这个任务的适配器是在 {bits} 位量化的基座模型上训练的（`method.name: qlora`）；"
                                     "重建这个基座需要 bitsandbytes，但本机没有安装它。请运行 `pip install bitsandbytes` 后重试。",
    # backend/training/stages/common.py
    "training.report_to_missing": "`training.report_to` 要求使用 {name}，但本机没有安装。",
    "training.report_to_missing_hint": "请安装（`pip install {package}`）并登录，或从 `training.report_to` 中去掉 {name}。",
    "training.all_dropped": "全部 {given} {what}都被 {stage} 训练器丢弃：它们超出了 max_length={max_length} 个词元。"
                            "请调大 `training.max_length`，或缩短数据行。",
    # backend/training/stages/grpo.py
    "training.exact_match_no_reference": "exact_match 奖励会把回复与参考答案比较，但没有任何提示带参考答案。请映射一个 "
                                         "`reference` 列（或使用对话数据：最后一条回复即参考答案），或在 `align.rewards` "
                                         "中选择其他奖励。",
    # backend/training/stages/pt.py
    "training.texts_no_tokens": "文本中没有可训练的词元。",
}
