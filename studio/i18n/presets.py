"""Strings of the presets panel (studio/wizard/presets.py), merged into EN and ZH by studio/i18n/tables.py.
A preset's own title and description come from its YAML (`title: {en: ..., zh: ...}`)."""

from __future__ import annotations

EN = {
    "presets.title": "Presets and spec files",
    "presets.intro": "Start from a preset: a **quality** preset sets the model, method and training for a model "
    "size; a **task** preset sets the data and stage and keeps your model. Apply one, then check "
    "the steps below. The wizard keeps what you enter across reloads and restarts; **Start over** brings back "
    "its starting settings.",
    "presets.pick": "Preset",
    "presets.group.quality": "Quality",
    "presets.group.task": "Task",
    "presets.group.saved": "Saved",
    "presets.apply": "Apply preset",
    "presets.upload": "Load a spec file into the wizard (.yaml)",
    "presets.save_name": "Preset name",
    "presets.save_name.placeholder": "my-style-run (letters, digits, - and _)",
    "presets.save": "Save current settings as preset",
    "presets.pick_first": "⚠ Pick a preset first.",
    "presets.reset": "Start over",
    "presets.reset_done": "✓ The wizard is back to its starting settings (the built-in demo). Your jobs, files and "
                          "saved presets are untouched.",
    "presets.applied": "✓ Applied **{title}**. The wizard shows its settings; review them in each step.",
    "presets.apply_failed": "⚠ The preset **{title}** does not fit the current settings:\n\n{issues}",
    "presets.loaded": "✓ Loaded **{file}** into the wizard.",
    "presets.load_failed": "⚠ **{file}** was not loaded (the wizard is unchanged):\n\n{issues}",
    "presets.too_big": "⚠ **{file}** is {size} KB; a spec file is a few KB of YAML. Pick the spec .yaml file.",
    "presets.saved": "✓ Saved as **{id}** in {path}.",
    "presets.save_failed": "⚠ Not saved: {message}",
    "presets.form_invalid": "⚠ Not saved: the current settings are not a valid spec yet:\n\n{issues}",
    "presets.dropped": "Note: the wizard does not show {fields}, so the run uses the studio's defaults for them.",
}

ZH = {
    "presets.title": "预设与配置文件",
    "presets.intro": "从预设开始：**质量**预设按模型规模设置模型、方法和训练参数；**任务**预设设置数据和训练阶段，并保留你选的模型。"
    "应用后请在下面各步骤中检查设置。向导会在刷新和重启后保留你填写的内容；**重新开始**可恢复初始设置。",
    "presets.pick": "预设",
    "presets.group.quality": "质量",
    "presets.group.task": "任务",
    "presets.group.saved": "已保存",
    "presets.apply": "应用预设",
    "presets.upload": "把配置文件载入向导（.yaml）",
    "presets.save_name": "预设名称",
    "presets.save_name.placeholder": "my-style-run（字母、数字、- 和 _）",
    "presets.save": "将当前设置保存为预设",
    "presets.pick_first": "⚠ 请先选择一个预设。",
    "presets.reset": "重新开始",
    "presets.reset_done": "✓ 向导已恢复为初始设置（内置演示）。你的任务、文件和已保存的预设都不受影响。",
    "presets.applied": "✓ 已应用 **{title}**。向导已填入其设置，请在各步骤中检查。",
    "presets.apply_failed": "⚠ 预设 **{title}** 与当前设置不兼容：\n\n{issues}",
    "presets.loaded": "✓ 已将 **{file}** 载入向导。",
    "presets.load_failed": "⚠ 未载入 **{file}**（向导保持不变）：\n\n{issues}",
    "presets.too_big": "⚠ **{file}** 有 {size} KB；配置文件通常只有几 KB 的 YAML。请选择配置 .yaml 文件。",
    "presets.saved": "✓ 已保存为 **{id}**，位于 {path}。",
    "presets.save_failed": "⚠ 未保存：{message}",
    "presets.form_invalid": "⚠ 未保存：当前设置还不是有效的配置：\n\n{issues}",
    "presets.dropped": "注意：向导中没有 {fields} 这些字段，训练时将使用工作室的默认值。",
}
