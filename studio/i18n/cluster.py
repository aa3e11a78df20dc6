"""Strings of the cluster settings and where each job runs ("cluster."), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
    # the Train tab's hardware panel (studio/views/cluster_state.py) and the Monitor's header (views/monitor.py)
    "cluster.state.on": "Ray cluster {address}: connected, {nodes} node(s), {free_cpus:g} of {cpus:g} CPUs and "
                        "{free_gpus:g} of {gpus:g} GPUs free; queued jobs run there.",
    "cluster.state.off": "Ray cluster: not connected; queued jobs wait. Start it again (`ray start --head`) or "
                         "restart the studio without `--cluster`.",
    "cluster.ran_on": "Runs on the cluster node {host}",
}
ZH: dict[str, str] = {
    "cluster.state.on": "Ray 集群 {address}：已连接，{nodes} 个节点，空闲 CPU {free_cpus:g}/{cpus:g}、GPU "
                        "{free_gpus:g}/{gpus:g}；排队的任务在集群上运行。",
    "cluster.state.off": "Ray 集群：未连接；排队的任务正在等待。请重新启动集群（`ray start --head`），"
                         "或不带 `--cluster` 重启工作室。",
    "cluster.ran_on": "在集群节点 {host} 上运行",
}
