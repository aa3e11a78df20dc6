"""Chinese messages: vision (ids `vision.*`), by the ids of backend/messages/en/vision.py."""

ZH: dict[str, str] = {
    "vision.text_model_image_rows": "{rows} 条训练数据带有图像（{first}），但 {model} 是纯文本模型，看不到图像。",
    "vision.text_model_image_rows_hint": "请选择视觉语言模型（离线的 `demo-vl`，或 Qwen/Qwen2-VL-2B-Instruct 等 Hub "
                                         "模型），或选择不含图像的数据集。",
    "vision.stage_text_only": "阶段 {stage} 目前只训练文本模型；{model} 是视觉语言模型，请用 sft（图像对话）或 dpo（图像偏好对）阶段训练。",
    "vision.stage_text_only_hint": "把阶段设为 sft 或 dpo，或为 {stage} 选择文本模型。",
    "vision.method_not_for_vision": "视觉语言模型不支持方法 {method}；请用 lora、dora、rslora、qlora、full 或 freeze。",
    "vision.method_not_for_vision_hint": "在“方法”步骤（`method.name`）中选择上述方法之一。",
    "vision.rows_too_long": "{total} 行中有 {dropped} 行连同图像词元超过 max_length={max_length}，已跳过（最长 {longest} "
                            "个词元）。",
    "vision.none_fit": "{total} 行数据连同图像词元都超过 max_length={max_length}（最短 {shortest} 个词元）：请把 "
                       "training.max_length 调到至少 {shortest}，或使用更小的图像。",
    "vision.gguf_refused": "暂不支持把视觉语言模型导出为 GGUF：llama.cpp 需要把视觉塔放在单独的 mmproj 文件中。",
    "vision.gguf_refused_hint": "请导出适配器或合并后的模型；两者都能在 transformers 和 vLLM 中加载。",
}
