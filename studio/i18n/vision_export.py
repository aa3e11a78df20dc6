"""Strings of the image (vision-language) parts of the page: export ("vl.export."; the parity table's check name
keeps its "parity.check." prefix), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
    "parity.check.pixels": "Image pixels",
    "vl.export.note": "**Vision-language job.** The adapter zip and the merged model hold its processor (tokenizer, "
                      "image processor, chat template) and load with `AutoModelForImageTextToText`; the merged "
                      "model's parity check runs on prompts with an image. GGUF (llama.cpp needs the vision tower "
                      "as a separate mmproj file) and the text benchmarks are not offered for it; **Evaluate** "
                      "answers the held-out rows with their images.",
    "vl.export.col.images": "images",
}
ZH: dict[str, str] = {
    "parity.check.pixels": "图像像素",
    "vl.export.note": "**视觉语言任务。** 适配器压缩包和合并模型都带有它的处理器（分词器、图像处理器、对话模板），可用 "
                      "`AutoModelForImageTextToText` 加载；合并模型的一致性检查使用带图片的提示。它不提供 GGUF 导出"
                      "（llama.cpp 需要把视觉塔单独存成 mmproj 文件）和文本基准测试；**评估**会带着图片回答留出的数据行。",
    "vl.export.col.images": "图片",
}
