"""English messages: vision (ids `vision.*`): vision-language models (backend/vlm/, the image stage path)."""

EN: dict[str, str] = {
    # backend/training/stages/sft.py: data with images, a text model
    "vision.text_model_image_rows": "{rows} training row(s) carry images ({first}) but {model} is a text model: "
                                    "it cannot see them.",
    "vision.text_model_image_rows_hint": "Pick a vision-language model (the offline `demo-vl`, or a hub id such as "
                                         "Qwen/Qwen2-VL-2B-Instruct), or a dataset without images.",
    "vision.stage_text_only": "stage {stage} trains text models only so far; {model} is a vision-language model, "
                              "which trains with stage sft (image conversations) or dpo (image preference pairs).",
    "vision.stage_text_only_hint": "Set stage to sft or dpo, or pick a text model for {stage}.",
    "vision.method_not_for_vision": "method {method} is not offered for vision-language models; use lora, dora, "
                                    "rslora, qlora, full or freeze.",
    "vision.method_not_for_vision_hint": "Pick one of those methods on the Method step (`method.name`).",
    "vision.rows_too_long": "{dropped} of {total} row(s) are longer than max_length={max_length} with their image "
                            "tokens and are left out (the longest: {longest} tokens).",
    "vision.none_fit": "none of the {total} row(s) fits in max_length={max_length} with its image tokens (the "
                       "shortest: {shortest} tokens): raise training.max_length to at least {shortest}, or use "
                       "smaller images.",
    "vision.gguf_refused": "GGUF export of a vision-language model is not offered yet: llama.cpp needs the vision "
                           "tower in a separate mmproj file.",
    "vision.gguf_refused_hint": "Export the adapter or the merged model instead; both load in transformers and vLLM.",
}
