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
    "cluster.no_ray": "已配置集群（{address}），但本机未安装 ray。请用 `pip install 'finetune-studio[cluster]'` 安装，"
                      "或关闭集群：`--cluster off`、取消 STUDIO_CLUSTER，或在工作区的 settings.json 中设置 "
                      "\"cluster\": \"off\"。",
    "cluster.unreachable": "无法连接位于 {address} 的 Ray 集群（{error}）。请用 `ray start --head` 启动一个集群"
                           "（然后使用 `--cluster auto` 或其地址 HOST:6379），检查地址以及本机能否访问它，"
                           "或关闭集群：`--cluster off`、取消 STUDIO_CLUSTER，或在工作区的 settings.json 中设置 "
                           "\"cluster\": \"off\"。",
    "cluster.bad_settings": "无法读取 {path}（{error}）。请修正或删除它（其中保存集群地址，例如 "
                            "{{\"cluster\": \"127.0.0.1:6379\"}}）。",
    "cluster.how_actor_died": "随其 Ray 工作进程一起丢失（{error}）",
    "cluster.no_job_folder": "集群节点 {host}（{node}）看不到任务文件夹 {folder}。",
    "cluster.no_job_folder_hint": "每个节点都必须在相同路径下看到工作区（在该路径挂载 NFS 或共享磁盘）："
                                  "请把工作区放在共享存储上（--workspace 或 STUDIO_WORKSPACE），或不使用集群运行。",
    "cluster.runner_failed": "任务无法在集群节点 {host} 上启动：{error}",
    "cluster.runner_failed_hint": "每个节点都需要在与本机相同的路径下有本项目及其依赖库（同一个虚拟环境）；"
                                  "请查看该节点上 Ray 工作进程的日志。",
    "cluster.too_big": "该任务需要 {cpus} 个 CPU 和 {gpus} 个 GPU；整个集群只有 {have_cpus} 个 CPU 和 {have_gpus} 个 GPU。",
    "cluster.too_big_hint": "请降低 distributed.num_processes 或 training.cpu_threads，在没有 GPU 的集群上把 "
                            "training.device 设为 cpu，或为集群增加节点。",
}
