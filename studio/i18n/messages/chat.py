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
}
