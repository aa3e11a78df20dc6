"""Chinese (simplified) for the backend's `cluster.*` messages (English: backend/messages/en/cluster.py)."""

ZH: dict[str, str] = {
    # backend/launch/（studio export-launch：Slurm 与 SkyPilot 启动文件）
    "cluster.launch_bad_count": "`--{option}` 必须是不小于 1 的整数，收到的是 {value}。请写成如 --{option} 1，"
                                "或省略它（GPU 与机器数取自规格的 distributed 部分）。",
    "cluster.launch_control_chars": "`--{option}` 含有控制字符（换行、制表符等）：{value}。请写在一行内。",
    "cluster.launch_bad_time": "`--time` 必须是 HH:MM:SS 或 D-HH:MM:SS（如 04:00:00 或 1-12:00:00），收到的是 {value}。",
    "cluster.launch_bad_name": "`--name` 只能包含字母、数字、'.'、'_' 和 '-'（最多 63 个，以字母或数字开头），收到的是 "
                               "{value}。",
    "cluster.launch_bad_word": "`--{option}` 只能包含字母、数字和 . _ , : + -，收到的是 {value}。请填写集群使用的名称"
                               "（例如 `sinfo` 会列出分区）。",
    "cluster.launch_empty": "`--{option}` 为空；请给出一个值，或省略该选项。",
    "cluster.launch_bad_target": "`--to` 必须是 {choices} 之一，收到的是 {value}。",
    "cluster.launch_bad_spec": "任务 {job} 的 spec.yaml 不是有效的任务规格（{error}）；请先修正该任务的规格。",
    "cluster.launch_local_paths": "规格从本机读取 {paths}：集群必须在相同路径下能看到它们（共享存储，或同一个工作区），"
                                  "或者在启动文件中修改规格。",
    "cluster.launch_layout": "规格在 {spec_nodes} 台机器 x {spec_gpus} 个进程上训练；启动文件申请 {nodes} x {gpus} 个 "
                             "GPU，并相应设置 distributed 部分，因此每步处理 {after} 行而不是 {before} 行"
                             "（可降低 gradient_accumulation_steps 或提高学习率来弥补）。",
    "cluster.launch_not_skypilot": "`--{option}` 是 Slurm 的选项；SkyPilot 任务没有对应字段，已忽略。",
    "cluster.launch_written": "已写入 {path}；用 `{how}` 运行它。",
}
