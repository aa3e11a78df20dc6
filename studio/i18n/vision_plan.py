"""Strings of a vision-language model's facts (the Model step) and memory split (the Review) ("vl.plan."), English
and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
    "vl.plan.model_reads_images": "**Reads images:** yes (a vision-language model)",
    "vl.plan.model_parts": "**Parameters by part:** language model {language}, vision tower {tower}, "
                           "projector {projector}",
    "vl.plan.model_pixels": "**Images:** {min_pixels} to {max_pixels} pixels each, so {min_tokens} to "
                            "{max_tokens} image tokens an image (one token per {side} x {side} pixels)",
    "vl.plan.review_split": "**Vision tower and projector (in the estimate):** weights {weights}, gradients and "
                            "optimizer {train}, activations {activations}; trains: {trains}. {images} images in "
                            "the largest pass: {patches} patches, up to {tokens} image tokens an image",
    "vl.plan.trains.none": "neither (frozen)",
    "vl.plan.trains.projector": "the projector",
    "vl.plan.trains.vision": "the vision tower",
    "vl.plan.trains.both": "the projector and the vision tower",
}
ZH: dict[str, str] = {
    "vl.plan.model_reads_images": "**可读图像：** 是（视觉语言模型）",
    "vl.plan.model_parts": "**各部分参数量：** 语言模型 {language}，视觉编码器 {tower}，投影层 {projector}",
    "vl.plan.model_pixels": "**图像：** 每张 {min_pixels} 至 {max_pixels} 像素，即每张图像 {min_tokens} 至 "
                            "{max_tokens} 个图像 token（每 {side} x {side} 像素一个 token）",
    "vl.plan.review_split": "**视觉编码器与投影层（已计入估计）：** 权重 {weights}，梯度与优化器 {train}，"
                            "激活 {activations}；训练：{trains}。最大一次前向含 {images} 张图像：{patches} 个图块，"
                            "每张最多 {tokens} 个图像 token",
    "vl.plan.trains.none": "都不训练（冻结）",
    "vl.plan.trains.projector": "投影层",
    "vl.plan.trains.vision": "视觉编码器",
    "vl.plan.trains.both": "投影层和视觉编码器",
}
