"""Image rows to model inputs through a vision-language model's processor, only the replies trained.

    enc = encode(processor, example)            # input_ids, labels, and the processor's image tensors
    collate = VisionCollator(processor)         # a batch of examples -> padded tensors for the model

`example` is the data layer's image row: {"messages": [...] with "<image>" placeholders, "images": [absolute
paths]} (backend/data/images.py). Each message becomes structured content (an image part where each "<image>" was)
and is rendered with the processor's chat template; the replies are found in characters turn by turn as for text
(backend.data.tokenize.assistant_spans). The text is then encoded segment by segment, a prompt segment with the
images it holds, so each image's tokens (the processor expands one image token into as many as the image has
patches) stay inside its segment and the replies' labels stay exact whatever the family. An image cannot be cut:
a row longer than max_length is left out (fit_rows), never truncated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from backend.data.images import IMAGE_PLACEHOLDER
from backend.data.tokenize import IGNORE, assistant_spans

ROW = "row"  # the one column of the trainer's dataset: the example as JSON (messages + image paths)


def structured(messages: list[dict]) -> list[dict]:
    """String contents with "<image>" placeholders as lists of {"type": "image"} and {"type": "text"} parts."""
    out = []
    for m in messages:
        content = m.get("content")
        if not isinstance(content, str):
            out.append(m)
            continue
        parts = []
        for i, piece in enumerate(content.split(IMAGE_PLACEHOLDER)):
            if i:
                parts.append({"type": "image"})
            if piece:
                parts.append({"type": "text", "text": piece})
        out.append({**m, "content": parts})
    return out


def image_token(processor) -> str:
    """The token the chat template writes once per image (and the processor repeats per patch)."""
    token = getattr(processor, "image_token", None) or getattr(processor.tokenizer, "image_token", None)
    return token or "<image>"


def open_image(path: str):
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGB")


def segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The rendered text cut at the replies' spans: (piece, trained) in order, empty pieces left out."""
    out, at = [], 0
    for start, end in sorted(spans):
        if start > at:
            out.append((text[at:start], False))
        if end > start:
            out.append((text[max(start, at):end], True))
        at = max(at, end)
    if at < len(text):
        out.append((text[at:], False))
    return out


def encode(processor, example: dict, images: list | None = None) -> dict:
    """input_ids and labels (lists) and the processor's image outputs (tensors, e.g. pixel_values and
    image_grid_thw) of one image row; `images` the row's PIL images when already open."""
    import torch

    messages = structured(example["messages"])
    text, spans = assistant_spans(processor, messages, tools=example.get("tools") or None)
    pictures = list(images) if images is not None else [open_image(p) for p in example.get("images") or []]
    token = image_token(processor)
    ids: list[int] = []
    labels: list[int] = []
    extra: dict[str, list] = {}  # image tensors, concatenated over the row's images
    per_token: dict[str, list] = {}  # lists as long as input_ids
    used = 0
    for piece, trained in segments(text, spans):
        n = piece.count(token)
        own = pictures[used:used + n]
        used += n
        enc = processor(text=[piece], images=own or None, add_special_tokens=False, return_tensors="pt")
        piece_ids = enc["input_ids"][0].tolist()
        ids += piece_ids
        labels += piece_ids if trained else [IGNORE] * len(piece_ids)
        for key, value in enc.items():
            if key in ("input_ids", "attention_mask") or not isinstance(value, torch.Tensor):
                continue
            if tuple(value.shape[:2]) == tuple(enc["input_ids"].shape):  # one value per token (mm_token_type_ids)
                per_token.setdefault(key, []).extend(value[0].tolist())
            else:
                extra.setdefault(key, []).append(value)
    if used != len(pictures):
        raise ValueError(f"the rendered conversation holds {used} image token(s) for {len(pictures)} image(s)")
    out = {"input_ids": ids, "labels": labels, **per_token}
    out.update({key: torch.cat(values) for key, values in extra.items()})
    return out


@dataclass
class Measured:
    length: int  # tokens with the image tokens
    trained: int  # reply tokens


def measure(processor, example: dict) -> Measured:
    enc = encode(processor, example)
    return Measured(len(enc["input_ids"]), sum(1 for x in enc["labels"] if x != IGNORE))


class VisionCollator:
    """Rows of the trainer's dataset ({"row": the example as JSON}) to a padded batch: input_ids, attention_mask,
    labels (right-padded), and each image tensor of the rows concatenated (pixel_values, image_grid_thw, ...)."""

    def __init__(self, processor):
        self.processor = processor
        tok = processor.tokenizer
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id

    def __call__(self, rows: list[dict]) -> dict:
        import torch

        encoded = [encode(self.processor, json.loads(r[ROW]) if ROW in r else r) for r in rows]
        width = max(len(e["input_ids"]) for e in encoded)
        ids = torch.full((len(encoded), width), self.pad_id, dtype=torch.long)
        labels = torch.full((len(encoded), width), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(encoded), width), dtype=torch.long)
        for i, e in enumerate(encoded):
            n = len(e["input_ids"])
            ids[i, :n] = torch.tensor(e["input_ids"])
            labels[i, :n] = torch.tensor(e["labels"])
            mask[i, :n] = 1
        batch = {"input_ids": ids, "attention_mask": mask, "labels": labels}
        for key in sorted({k for e in encoded for k, v in e.items() if k not in batch and isinstance(v, list)}):
            values = torch.zeros((len(encoded), width), dtype=torch.long)
            for i, e in enumerate(encoded):
                values[i, :len(e[key])] = torch.tensor(e[key])
            batch[key] = values
        keys = {k for e in encoded for k in e if k not in batch}
        for key in sorted(keys):
            parts = [e[key] for e in encoded if key in e]
            batch[key] = torch.cat(parts)
        return batch


def as_rows(examples: list[dict]) -> list[dict]:
    """The trainer's dataset rows: each example as JSON (images as their paths)."""
    return [{ROW: json.dumps({"messages": e["messages"], "images": list(e.get("images") or []),
                              "tools": e.get("tools")}, ensure_ascii=False)} for e in examples]
