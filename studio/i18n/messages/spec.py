"""Chinese (simplified) for the backend's `spec.*` messages (English: backend/messages/en/spec.py).

What a field accepts follows "必须是" (spec.must_be): where it starts with a digit or a sign, it starts with a
space, as Chinese text sets digits apart ("必须是 0（关闭）或……").
"""

ZH: dict[str, str] = {
    # backend/spec/checks.py: a problem, the list of them, and the generic checks
    "spec.issue": "`{field}`：{message}",
    "spec.issues": "{issues}",
    "spec.did_you_mean": "你是不是想写 `{name}`？",
    "spec.unknown_field": "不是已知字段。{hint}可选：{accepted}。",
    "spec.must_be": "必须是{accepted}，实际为 {value}。",
    "spec.is_empty": "为空；请填写 {accepted}。",
    "spec.not_a_choice": "值为 {value}；可选：{choices}。",
    "spec.kind_text": "文本",
    "spec.kind_number": "数字",
    "spec.kind_whole_number": "整数",
    "spec.kind_bool": " true 或 false",
    "spec.kind_list": "列表",
    "spec.kind_mapping": "映射",
    # backend/spec/job.py: reading a spec
    "spec.not_a_mapping": "任务配置必须是由各部分组成的映射，实际为 {got}。",
    "spec.section_not_a_mapping": "必须是由字段组成的映射，实际为 {value}。",
    "spec.not_yaml": "文本不是有效的 YAML：{error}",
    "spec.yaml_at": "第 {line} 行第 {column} 列（`{text}`）：{problem}。请检查该处的缩进（用空格，不用制表符；"
                    "字段与上面各行一样缩进在其所属部分之下），每个字段是否写作 `name: value`，"
                    "以及上面打开的 `{{`、`[` 或引号是否都已闭合。",
    "spec.override_form": "覆盖项的写法形如 `training.max_steps=10`。",
    "spec.override_inside_value": "不能在普通值内部设置字段。",
    # backend/spec/job.py: what a field accepts ("must be ...", "is empty; give ...")
    "spec.accept_model": "`demo`、本地文件夹或 Hub ID",
    "spec.accept_train": "`demo`、文件或文件夹路径、Hub ID，或 dataset_info.json 中的条目",
    "spec.accept_whole_range": "介于 {low} 到 {high} 之间的整数",
    "spec.accept_number_range": "介于 {low} 到 {high} 之间的数",
    "spec.accept_whole_at_least": "不小于 {low} 的整数",
    "spec.accept_positive": "不超过 {high} 的正数，例如 {example}",
    "spec.accept_target_modules": "`all-linear`，或类似 `q_proj,v_proj` 的列表",
    "spec.accept_epochs": "正数轮数",
    "spec.accept_max_steps": " 0（按 num_epochs）或正整数",
    "spec.accept_tokens_per_pass": " -1、0（自动）或一个 token 数",
    "spec.accept_max_length": "8 到 1048576 之间的整数词元数",
    "spec.accept_share": "介于 0 到 0.5 之间的比例",
    "spec.accept_grad_norm": "非负数（0 = 不裁剪）",
    "spec.accept_save_steps": " 0（仅按时间）或整数",
    "spec.accept_save_minutes": " 0（关闭）或正数分钟数",
    "spec.accept_eval_steps": " 0 或整数",
    "spec.accept_patience": " 0（关闭）或评估次数（整数），例如 3",
    "spec.accept_min_delta": "非负数，例如 0 或 0.01",
    "spec.accept_cpu_threads": " 0（自动）或整数线程数",
    "spec.accept_memory_limit": "0（使用机器剩余的内存）或以 GB 为单位的数字，例如 24",
    "spec.accept_dataloader_workers": " -1（自动）、0（在训练进程中）或不超过 64 的进程数",
    "spec.accept_freeze_layers": "不小于 1 的整数层数",
    "spec.accept_weight": "正的权重",
    "spec.accept_tokens": "整数个词元",
    # backend/spec/job.py: the rules of what fits together
    "spec.no_length": "为 0，而 `training.max_steps` 也为 0：请设置其中之一。",
    "spec.padding_free_prompt_method": "不能与 {method} 同用：它的虚拟 token 不看位置编号，拼在一起的数据会互相看到。"
                                       "请关闭 padding_free。",
    "spec.formats_not_a_list": "必须是列表，例如 [adapter]，实际为 {value}。",
    "spec.adalora_init_below_target": "（{init}）必须不小于 adalora_target_r（{target}）。",
    "spec.rewards_not_a_mapping": "必须是类似 {{exact_match: 1.0}} 的映射，实际为 {value}。",
    "spec.reward_weight_not_a_number": "权重必须是数字，实际为 {value}。",
    "spec.grpo_needs_reward": "grpo 至少需要一个权重不为 0 的奖励。",
    "spec.early_stopping_needs_eval": "早停依据的是评估损失：请设置 `data.eval_split`（例如 0.1）或 `data.eval`，"
                                      "或将此项设为 0。",
    "spec.bad_eval_split": "必须是 0 到 0.5 之间的比例，或整数行数，实际为 {value}。",
    "spec.mix_not_a_list": "必须是列表，每个数据集对应一个数字，实际为 {value}。",
    "spec.mix_count": "有 {values} 个值，但 `data.train` 中有 {datasets} 个数据集；请每个数据集给一个值。",
    "spec.bad_mix_value": "值 {value} 既不是 (0-1] 之间的比例，也不是整数行数。",
    "spec.not_a_mapping_like": "必须是类似 {example} 的映射，实际为 {value}。",
    "spec.value_not_text": "必须是文本，实际为 {value}；含有“: ”的值需要加引号，例如 "
                           "--set '{field}=\"Aurora: the AI\"'。",
    # backend/spec/stages.py: a stage refused here
    "spec.rm_prompt_methods": "奖励模型用分类头打分；基于提示的方法只学习用于生成的虚拟词元。请使用 lora、full 或 freeze。",
    "spec.ppo_removed": "TRL 1.16 已不再提供 PPO（已从库中移除）；请使用 grpo（它不需要单独的奖励模型或价值模型），"
                        "或继续使用仍包含 PPO 的 TRL 版本。",
    # backend/spec/distributed.py
    "spec.accept_num_processes": "每台机器至少 1 个进程的整数（每个 GPU 一个）",
    "spec.accept_num_machines": "至少为 1 的机器数（整数）",
    "spec.accept_machine_rank": " 0（主机器）或更大的数",
    "spec.accept_port": "介于 1 到 65535 之间的 TCP 端口",
    "spec.main_ip_missing": "为空，而 `distributed.num_machines` 为 {machines}：请填写 0 号机器的地址（例如 10.0.0.1），"
                            "所有机器都必须能访问到它。",
    "spec.machine_rank_too_high": "为 {rank}，但机器编号是 0 到 {last}（`distributed.num_machines` 为 {machines}）。",
    "spec.sharded_on_cpu": "{strategy} 需要 GPU，而 `training.device` 为 cpu：在 CPU 上 accelerate 只能运行 ddp（通过 gloo）。"
                           "请选择 ddp，或在 GPU 上训练。",
}
