"""Strings of the cluster settings and where each job runs ("cluster."), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
    # the Train tab's cluster setting (studio/views/cluster_panel.py)
    "cluster.address": "Ray cluster (optional)",
    "cluster.address.hint": "auto, or HOST:6379 of a running Ray head; empty: jobs run on this machine",
    "cluster.connect": "Connect",
    "cluster.local": "This machine only",
    "cluster.give_address": "Give the cluster's address first: `auto` for the Ray head running on this machine, or "
                            "HOST:PORT (6379 unless it was started with another `--port`).",
    "cluster.connected": "✓ Jobs started from now on run on the Ray cluster {address} (remembered in the workspace's "
                         "settings.json).",
    "cluster.local_now": "✓ Jobs run on this machine (remembered in the workspace's settings.json).",
    "cluster.busy": "{n} job(s) run now ({jobs}): switch when they have ended, or cancel them first.",
    "cluster.no_queue": "this page has no queue to send jobs from (it was built outside `studio`).",
    "action.cluster": "Connecting to the cluster",
    # the Train tab's hardware panel (studio/views/cluster_state.py) and the Monitor's header (views/monitor.py)
    "cluster.state.on": "Ray cluster {address}: connected, {nodes} node(s), {free_cpus:g} of {cpus:g} CPUs and "
                        "{free_gpus:g} of {gpus:g} GPUs free; queued jobs run there.",
    "cluster.state.off": "Ray cluster: not connected; queued jobs wait. Start it again (`ray start --head`) or "
                         "restart the studio without `--cluster`.",
    "cluster.ran_on": "Runs on the cluster node {host}",
    # the Export panel's launch file row (studio/views/launch_panel.py)
    "cluster.launch.to": "Launch file for a cluster",
    "cluster.launch.gpus": "GPUs per machine",
    "cluster.launch.nodes": "Machines",
    "cluster.launch.from_spec": "0: as the job's spec",
    "cluster.launch.button": "Export launch file (Slurm / SkyPilot)",
    "cluster.launch.file": "Launch file",
    "cluster.launch.done": "✓ Written to `{path}`: copy it to the cluster and run `{how}`. Time limit, partition, "
                           "GPU type and the rest: `studio export-launch --help`.",
}
ZH: dict[str, str] = {
    # 训练页的集群设置（studio/views/cluster_panel.py）
    "cluster.address": "Ray 集群（可选）",
    "cluster.address.hint": "auto，或正在运行的 Ray 头节点的 HOST:6379；留空：任务在本机运行",
    "cluster.connect": "连接",
    "cluster.local": "仅用本机",
    "cluster.give_address": "请先填写集群地址：`auto` 表示本机上运行的 Ray 头节点，或 HOST:PORT（未用 `--port` "
                            "指定时为 6379）。",
    "cluster.connected": "✓ 此后启动的任务在 Ray 集群 {address} 上运行（已记在工作区的 settings.json 中）。",
    "cluster.local_now": "✓ 任务在本机运行（已记在工作区的 settings.json 中）。",
    "cluster.busy": "现在有 {n} 个任务在运行（{jobs}）：请等它们结束后再切换，或先取消它们。",
    "cluster.no_queue": "此页面没有可发送任务的队列（它不是由 `studio` 启动的）。",
    "action.cluster": "连接集群",
    "cluster.state.on": "Ray 集群 {address}：已连接，{nodes} 个节点，空闲 CPU {free_cpus:g}/{cpus:g}、GPU "
                        "{free_gpus:g}/{gpus:g}；排队的任务在集群上运行。",
    "cluster.state.off": "Ray 集群：未连接；排队的任务正在等待。请重新启动集群（`ray start --head`），"
                         "或不带 `--cluster` 重启工作室。",
    "cluster.ran_on": "在集群节点 {host} 上运行",
    # 导出面板的启动文件一行（studio/views/launch_panel.py）
    "cluster.launch.to": "集群启动文件",
    "cluster.launch.gpus": "每台机器的 GPU 数",
    "cluster.launch.nodes": "机器数",
    "cluster.launch.from_spec": "0：按任务规格",
    "cluster.launch.button": "导出启动文件（Slurm / SkyPilot）",
    "cluster.launch.file": "启动文件",
    "cluster.launch.done": "✓ 已写入 `{path}`：复制到集群后运行 `{how}`。时间限制、分区、GPU 型号等其他选项见 "
                           "`studio export-launch --help`。",
}
