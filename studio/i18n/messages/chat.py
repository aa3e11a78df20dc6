"""Chinese (simplified) for the backend's `chat.*` messages (English: backend/messages/en/chat.py)."""

ZH: dict[str, str] = {
    # backend/chat/client.py
    "chat.start_failed": "对话进程启动失败：{error}",
    "chat.process_stopped": "对话进程已停止；错误信息见工作室的控制台输出。",
    "chat.not_running": "对话进程未在运行；请重新加载模型。",
    "chat.reward_model": "任务 {job} 训练的是奖励模型：它只给回复打分，不能对话。",
    "chat.no_adapter": "任务 {job} 还没有适配器；任务成功完成后才能对话。",
    "chat.no_checkpoint": "任务 {job} 没有检查点 {checkpoint}（只保留最近的两个检查点）。",
    # backend/chat/server.py
    "chat.load_failed": "无法加载模型：{type}：{error}",
    "chat.generation_failed": "{type}: {error}",
    "chat.image_text_model": "这个模型只能读文字，看不到附加的图片：请移除图片，或选择一个微调视觉语言模型的任务"
                             "（例如 templates/demo_vl.yaml）。",
    "chat.image_missing": "图片 {path} 已不在工作区中；请重新附加。",
    "chat.too_long": "这段对话有 {tokens} 个 token，而这个模型最多只能读 {limit} 个：请缩短消息，或清空对话重新开始。",
    # backend/chat/images.py
    "chat.image_too_big": "{name} 有 {size} MB；只能附加不超过 {limit} MB 的图片。请附加一个更小的副本。",
    "chat.image_too_many_pixels": "{name} 为 {width} x {height} 像素，超过 {limit}；请附加一个更小的副本。",
    "chat.image_unreadable": "无法把 {name} 读成图片（{error}）；请附加 JPEG、PNG 或 WebP 文件。",
    "chat.image_format": "{name} 是 {format} 格式的图片；请附加以下格式之一：{formats}。",
}
