"""Strings of the hardware panel ("hw.") and the Monitor's system chart and advice ("sys."),
English and simplified Chinese, merged into the tables by studio/i18n/tables.py:

    from studio.i18n import strings
    t = strings("en")
    t["hw.gpu"].format(name="NVIDIA H100", total="79.6 GB", used="1.2 GB")
"""

from __future__ import annotations

EN = {
    "hw.title": "This machine",
    "hw.refresh": "Check again",
    "hw.gpu": "**GPU:** {name} · {total} ({used} in use)",
    "hw.no_gpu": "**GPU:** none: training runs on the CPU",
    "hw.cpu": "**CPU:** {name} · {cores} cores",
    "hw.ram": "**RAM:** {available} available of {total}",
    "hw.disk": "**Disk:** {free} free in `{path}`",
    "hw.unknown": "unknown",
    "hw.hint.no_gpu": "Without a GPU, models up to about 1B parameters train in minutes to hours; larger ones are very slow.",
    "hw.hint.no_gpu_big": "This model has {params} parameters and there is no GPU: training will be very slow. Pick a model under 1B, or a machine with a GPU.",
    "hw.hint.gpu_busy": "Other programs already use {used} of the GPU's {total}: a job gets only the rest.",
    "hw.hint.ram": "Only {available} of RAM is free: close other programs, or pick a smaller model.",
    "hw.hint.disk": "Only {free} of disk is free in the workspace: models and checkpoints need several GB each.",
    "sys.plot": "Memory and utilisation",
    "sys.latest": "**Worker memory:** {rss} · **CPU:** {cpu} · **System RAM used:** {ram} · **GPU memory:** {gpu_mem} · **GPU:** {gpu}",
    "sys.none": "No memory or CPU samples for this job yet.",
    "sys.chart.memory": "memory ({unit})",
    "sys.chart.util": "utilisation (%)",
    "sys.chart.elapsed_s": "elapsed (s)",
    "sys.chart.step": "step",
    "sys.chart.loss": "loss",
    "sys.chart.elapsed_min": "elapsed (min)",
    "sys.series.rss": "worker RAM",
    "sys.series.gpu_mem": "GPU memory",
    "sys.series.cpu": "CPU",
    "sys.series.gpu": "GPU",
    "sys.series.ram": "system RAM",
}

ZH = {
    "hw.title": "本机配置",
    "hw.refresh": "重新检测",
    "hw.gpu": "**GPU：** {name} · {total}（已用 {used}）",
    "hw.no_gpu": "**GPU：** 无：训练将在 CPU 上运行",
    "hw.cpu": "**CPU：** {name} · {cores} 核",
    "hw.ram": "**内存：** 可用 {available}，共 {total}",
    "hw.disk": "**磁盘：** `{path}` 剩余 {free}",
    "hw.unknown": "未知",
    "hw.hint.no_gpu": "没有 GPU 时，约 1B 参数以内的模型需要几分钟到几小时训练完；更大的模型会非常慢。",
    "hw.hint.no_gpu_big": "这个模型有 {params} 参数，而本机没有 GPU：训练会非常慢。请选 1B 以下的模型，或换一台有 GPU 的机器。",
    "hw.hint.gpu_busy": "其他程序已占用 GPU {total} 中的 {used}：任务只能用剩下的部分。",
    "hw.hint.ram": "可用内存只有 {available}：请关闭其他程序，或选更小的模型。",
    "hw.hint.disk": "工作区所在磁盘只剩 {free}：模型和检查点每个都需要好几 GB。",
    "sys.plot": "内存与利用率",
    "sys.latest": "**训练进程内存：** {rss} · **CPU：** {cpu} · **系统内存占用：** {ram} · **GPU 显存：** {gpu_mem} · **GPU：** {gpu}",
    "sys.none": "这个任务还没有内存和 CPU 采样。",
    "sys.chart.memory": "内存（{unit}）",
    "sys.chart.util": "利用率（%）",
    "sys.chart.elapsed_s": "已用时（秒）",
    "sys.chart.step": "步数",
    "sys.chart.loss": "损失",
    "sys.chart.elapsed_min": "已用时（分钟）",
    "sys.series.rss": "训练进程内存",
    "sys.series.gpu_mem": "GPU 显存",
    "sys.series.cpu": "CPU",
    "sys.series.gpu": "GPU",
    "sys.series.ram": "系统内存",
}
