"""Chinese (simplified) for the backend's `jobs.*` messages (English: backend/messages/en/jobs.py)."""

ZH: dict[str, str] = {
    # backend/store.py
    "jobs.not_queued": "任务 {job} 不在排队中；只有排队中的任务才能调整顺序。",
    "jobs.delete_running": "任务 {job} 正在运行；请先取消再删除。",
    "jobs.delete_started": "任务 {job} 已在此期间开始运行；请先取消再删除。",
    "jobs.bad_transition": "任务 {job} 当前为 {state}；不能变为 {to}。",
    # backend/workspace.py
    "jobs.bad_job_id": "{job} 不是任务 ID（只能包含字母、数字、'-'、'_' 和 '.'）。",
    "jobs.no_job": "{folder} 中没有任务 {job}。",
    "jobs.absolute_path": "{path} 是绝对路径；只接受工作区内的名称。",
    "jobs.outside_workspace": "{path} 指向工作区 {root} 之外。",
    # backend/jobs/scheduler.py
    "jobs.worker_died": "任务完成前，工作进程{how}。",
    "jobs.worker_died_log": "任务完成前，工作进程{how}。最后几行日志：\n{lines}",
    "jobs.worker_died_hint": "进程被强制结束时会出现这种情况（内存不足、重启、kill -9）。{resume}如果是内存不足，"
                             "请先调小批大小或最大长度。",
    "jobs.resume_from_checkpoint": "点“继续”会从最后的检查点 {checkpoint}（第 {step} 步）接着训练。",
    "jobs.resume_from_start": "停止前还没有保存检查点：点“继续”会从第 0 步重新开始。",
    "jobs.how_not_running": "在工作室启动时已不在运行",
    "jobs.how_signal": "被信号 {signal} 终止",
    "jobs.how_exit": "已退出（退出码 {code}）",
    "jobs.how_stopped": "已停止",
    "jobs.cannot_start_worker": "无法启动工作进程：{error}",
    # backend/jobs/worker.py
    "jobs.lost_contact": "这个 {world} 进程任务中的某个进程已停止，或与其他进程失去联系（{type}：{error}）",
    "jobs.lost_contact_hint": "任务日志中的第一个错误说明了原因（主进程以外的进程，其日志行以 [rank N] 开头）；"
                              "没有留下任何信息就被终止的进程，通常是内存不足。",
    "jobs.process_of": "进程 {rank}（共 {world} 个）：{error}",
    # backend/jobs/probe.py
    "jobs.probe_too_few_steps": "试跑只运行了 {steps} 步；数据可能不足一个批次。",
    "jobs.probe_too_few_steps_hint": "请调小 `training.batch_size`，或增加数据行。",
    "jobs.probe_cannot_read_spec": "无法读取任务配置文件 {path}：{error}。请填写任务配置 YAML 的路径，例如 templates/demo.yaml。",
    "jobs.probe_bad_steps": "`--steps` 必须不小于 1，实际为 {steps}。",
    "jobs.probe_bad_spec": "任务配置 {path} 无效：{error} 请修正指出的字段后重试。",
    "jobs.probe_failed": "{message} {hint}",
    # backend/versions.py
    "jobs.libraries_do_not_fit": "已安装的依赖库与本工作室要求的版本不符：\n{details}",
    "jobs.libraries_hint": "请安装声明的版本：{command}（或用 `pip install -e .` 重新安装本工作室）。如要自担风险照常运行，"
                           "请设置 {env}=1。",
    "jobs.package_missing": "{package} 未安装（本工作室需要 {requirement}）",
    "jobs.package_outside_range": "已安装的 {package} 版本 {found} 不在本工作室需要的范围内（{requirement}）",
    # backend/hub.py
    "jobs.hub_offline": "已设置 HF_HUB_OFFLINE",
    # backend/resources.py
    "jobs.no_chat_template": "没有名为 {name} 的对话模板；已有：{known}。",
    # backend/jobs/guard.py
    "jobs.memory_stopped": "任务占用了 {used} 内存，且{why}；工作室在系统的内存耗尽机制挑选进程之前停止了它。",
    "jobs.memory_why_limit": "达到了 {limit} 的上限（training.memory_limit_gb）",
    "jobs.memory_why_machine": "机器只剩 {left} 可用（工作室为自身和系统保留 {reserve}）",
    "jobs.memory_stopped_hint": "调低 training.batch_size 或 training.max_length，用 lora 或 qlora 代替 full，"
                                "或把 training.gradient_checkpointing 设为 on；然后点“继续”（从最后的检查点接着训练）。"
                                "若机器内存足够，也可以调高 training.memory_limit_gb。",
    "jobs.cancel_killed": "取消：请求后 {seconds} 秒内工作进程未停止，已被强制结束。",
    "jobs.cancel_waiting": "已请求停止；最多等待 {seconds} 秒，让任务 {job} 保存并结束",
    # backend/jobs/pace.py
    "jobs.slow_step": "第 {step} 步已运行 {elapsed}，是{source}每步 {expected} 的 {times} 倍。这么慢的一步通常意味着内存正在换页、"
                      "有比其他行长得多的行，或阶段卡在无法训练的行上；请查看系统图表，或取消并调低 "
                      "training.max_length 或 training.batch_size。",
    "jobs.pace_probe": "审核步骤实测的",
    "jobs.pace_earlier": "此前平均",
}
