"""The transformers engine for vision-language jobs: the base loaded with AutoModelForImageTextToText (a qlora job's
base with its quantized values), each job's adapter by name as for text, and the job's processor (the chat template
it trained with, its image processor). A request's image parts (backend/serve/images.py) go where they stood in the
message, through the same rendering as the Chat tab (backend.chat.vision), so the server answers what the Chat tab
answers for the same image and question.

    engine = VisionEngine(targets); engine.load()
    prompt = engine.render("JOB", messages)       # a VisionPrompt: the rendered text, carrying its images
    engine.generate("JOB", prompt, params, emit, should_stop)
"""

from __future__ import annotations

from backend.serve.engine import render_chat
from backend.serve.engine_hf import TransformersEngine


class VisionPrompt(str):
    """A rendered prompt and the images its image tokens stand for (one per placeholder, in order): a str, so the
    app and the runner pass it on as any prompt."""

    images: list

    def __new__(cls, text: str, images: list):
        prompt = super().__new__(cls, text)
        prompt.images = list(images)
        return prompt


class VisionEngine(TransformersEngine):
    name = "transformers"

    def auto_class(self):
        from transformers import AutoModelForImageTextToText

        return AutoModelForImageTextToText

    def load_tokenizers(self) -> None:
        from backend.chat.vision import processor_source
        from backend.vlm.processor import load_processor

        self.processors = {}
        for t in self.targets.values():
            processor = load_processor(processor_source(t.base, t.adapter), trust_remote_code=False)
            self.processors[t.job] = processor
            self.tokenizers[t.job] = processor.tokenizer

    def processor(self, model: str):
        return self.processors[self.target(model).job]

    def render(self, model: str, messages: list[dict]) -> str:
        from backend.chat.vision import with_placeholders
        from backend.data.vision_rows import structured

        images = [image for m in messages for image in m.get("images") or []]
        rows, _ = with_placeholders([{**m, "images": [None] * len(m.get("images") or [])} for m in messages])
        return VisionPrompt(render_chat(self.processor(model), structured(rows)), images)

    def inputs(self, model: str, prompt: str):
        images = getattr(prompt, "images", None) or None
        enc = self.processor(model)(text=[str(prompt)], images=images, add_special_tokens=False, return_tensors="pt")
        return enc.to(self.model.device)

    def count_tokens(self, model: str, text: str) -> int:
        if not getattr(text, "images", None):
            return super().count_tokens(model, text)
        return int(self.inputs(model, text)["input_ids"].shape[1])

    def extra_generate_kwargs(self) -> dict:
        from backend.vlm import placeholder_ids

        ids = placeholder_ids(self.model)
        return {"suppress_tokens": ids} if ids else {}
