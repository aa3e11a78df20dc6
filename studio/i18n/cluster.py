"""Strings of the cluster settings and where each job runs ("cluster."), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
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
