"""Strings of the image (vision-language) parts of the page: wizard ("vl.wizard."; the two source choices keep
their radio's "model.source." / "data.source." prefix), English and simplified Chinese, merged into the tables by
studio/i18n/tables.py."""

EN: dict[str, str] = {
    "model.source.demo-vl": "Built-in vision-language demo (tiny Qwen2-VL, CPU)",
    "data.source.demo-vl": "Built-in image demo (mllm_demo: 6 conversations about 3 photos)",
    "vl.wizard.where_demo_vl": "demo-vl, a tiny random-init vision-language model (Qwen2-VL), built on first use",
    "vl.wizard.options": "**Vision-language model**: LoRA (or full/freeze) trains its language model; the vision "
                         "tower and the projector stay frozen unless ticked here.",
    "vl.wizard.this_model": "the chosen model",
    "vl.wizard.processor_error": "The model's processor cannot be loaded to show the image tokens: {message}",
    "vl.wizard.text_model_images": "This row has images, but the chosen model is a text model: it cannot see them "
                                   "(training refuses image rows for it). Pick a vision-language model on the Model "
                                   "step, e.g. the built-in vision-language demo.",
    "vl.wizard.legend": "<mark style='background:#c7f0d2'>trained</mark> · <span style='color:#888'>context "
                        "(masked)</span> · <span style='outline:1px dashed #b388eb'>&lt;|image_pad|&gt; ×N</span> "
                        "= N image tokens (the processor's, masked)",
    "vl.wizard.panel_stats": "{tokens} tokens ({images} image tokens), {trained} trained",
    "vl.wizard.row_left_out": "With its image tokens this row is {tokens} tokens, longer than max length "
                              "{max_length}: training leaves it out (an image is never cut).",
    "vl.wizard.fit_ok": "**At max length {max_length}:** all {n} sampled rows fit whole, image tokens included.",
    "vl.wizard.fit_left_out": "**At max length {max_length}:** {over} of {n} sampled rows are longer with their "
                              "image tokens and are left out (the longest: {longest} tokens); raise max length to "
                              "keep them.",
}
ZH: dict[str, str] = {
    "model.source.demo-vl": "内置视觉语言演示模型（小型 Qwen2-VL，CPU）",
    "data.source.demo-vl": "内置图像演示数据（mllm_demo：关于 3 张照片的 6 段对话）",
    "vl.wizard.where_demo_vl": "demo-vl，一个随机初始化的小型视觉语言模型（Qwen2-VL），首次使用时构建",
    "vl.wizard.options": "**视觉语言模型**：LoRA（或 full/freeze）训练其语言模型；除非在此勾选，视觉塔和投影层保持冻结。",
    "vl.wizard.this_model": "所选模型",
    "vl.wizard.processor_error": "无法加载模型的处理器来显示图像词元：{message}",
    "vl.wizard.text_model_images": "这一行带有图像，但所选模型是纯文本模型，看不到图像（训练会拒绝为它使用图像行）。"
                                   "请在“模型”步骤选择视觉语言模型，例如内置视觉语言演示模型。",
    "vl.wizard.legend": "<mark style='background:#c7f0d2'>参与训练</mark> · <span style='color:#888'>上下文（不计损失）"
                        "</span> · <span style='outline:1px dashed #b388eb'>&lt;|image_pad|&gt; ×N</span> = N 个图像词元"
                        "（由处理器生成，不计损失）",
    "vl.wizard.panel_stats": "{tokens} 个词元（其中 {images} 个图像词元），{trained} 个参与训练",
    "vl.wizard.row_left_out": "算上图像词元，这一行共 {tokens} 个词元，超过最大长度 {max_length}：训练时会略过它"
                              "（图像不会被截断）。",
    "vl.wizard.fit_ok": "**最大长度 {max_length} 下：** 抽样的 {n} 行（含图像词元）都能完整放下。",
    "vl.wizard.fit_left_out": "**最大长度 {max_length} 下：** 抽样的 {n} 行中有 {over} 行算上图像词元后过长，会被略过"
                              "（最长 {longest} 个词元）；提高最大长度即可保留它们。",
}
