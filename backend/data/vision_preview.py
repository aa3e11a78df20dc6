"""Show one image row as a vision-language model will see it: the tokens its processor makes
(backend.data.vision_rows.encode, the very encoding training uses), the trained (loss) tokens set apart from the
masked ones, and each run of image tokens collapsed to one marker ("<|image_pad|> ×10").

    panel = render_vision_example(processor, example, max_length)   # a backend.data.preview.Panel
    html = segments_html(panel)                                      # backend.data.preview's, as for text
    html = thumbnails_html(example["images"], allowed)               # the row's images, small, inline

A row longer than max_length with its image tokens is left out by training (an image cannot be cut): the panel
counts it as no trained token and marks nothing as cut. The thumbnails are inline data URIs made here from files
the data layer resolved and checked (backend/data/images.py), and only those under `allowed` folders: nothing is
served by URL. Imports torch (through the processor) only when a panel is rendered.
"""

from __future__ import annotations

import base64
import html
import io
import threading
from collections import OrderedDict
from pathlib import Path

from backend.data.preview import Panel, Segment, _special_tokens
from backend.data.tokenize import IGNORE
from backend.messages import msg
from backend.workspace import under_roots

MARKER = "{token} ×{n}"  # a run of n image tokens
THUMB_PX = 160


def render_vision_example(processor, example: dict, max_length: int | None) -> Panel:
    """The row through the processor: one panel, image-token runs collapsed, trained tokens marked."""
    from backend.data.vision_rows import encode, image_token

    enc = encode(processor, example)
    ids, labels = enc["input_ids"], enc["labels"]
    tok = processor.tokenizer
    image_id = tok.convert_tokens_to_ids(image_token(processor))
    n = len(ids)
    left_out = bool(max_length and max_length > 0 and n > max_length)
    segments: list[Segment] = []
    markers: list[str] = []
    for kind, trained, run in _runs(ids, labels, image_id):
        text = MARKER.format(token=image_token(processor), n=len(run)) if kind == "image" else \
            tok.decode(run, skip_special_tokens=False, clean_up_tokenization_spaces=False)
        if kind == "image":
            markers.append(text)
        if segments and segments[-1].trained == trained:
            segments[-1].text += text
        else:
            segments.append(Segment(text, trained, False))
    n_trained = 0 if left_out else sum(1 for x in labels if x != IGNORE)
    text = "".join(s.text for s in segments)
    specials = [*dict.fromkeys(markers), *(t for t in _special_tokens(tok) if t in text)]
    return Panel(title=msg("data.panel_conversation"), segments=segments, n_tokens=n, n_trained=n_trained,
                 truncated_tokens=0, special_tokens=specials)


def _runs(ids: list[int], labels: list[int], image_id: int):
    """(kind "image" | "text", trained, ids) runs of the row's tokens."""
    out: list[tuple[str, bool, list[int]]] = []
    for i, label in zip(ids, labels, strict=True):
        key = ("image" if i == image_id else "text", label != IGNORE)
        if out and out[-1][:2] == key:
            out[-1][2].append(i)
        else:
            out.append((*key, [i]))
    return out


def image_token_count(processor, example: dict) -> int:
    """The row's image tokens (as its processor expands them)."""
    from backend.data.vision_rows import encode, image_token

    ids = encode(processor, example)["input_ids"]
    image_id = processor.tokenizer.convert_tokens_to_ids(image_token(processor))
    return sum(1 for i in ids if i == image_id)


# -- thumbnails -------------------------------------------------------------------------------------------
_THUMBS: OrderedDict[tuple, str] = OrderedDict()
_LOCK = threading.Lock()


def thumbnail_uri(path: str | Path, size: int = THUMB_PX) -> str:
    """A small JPEG of the image as a data: URI (kept while the file is unchanged)."""
    from PIL import Image

    p = Path(path)
    st = p.stat()
    key = (str(p), st.st_size, st.st_mtime_ns, size)
    with _LOCK:
        if key in _THUMBS:
            _THUMBS.move_to_end(key)
            return _THUMBS[key]
    with Image.open(p) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=80)
    uri = "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    with _LOCK:
        _THUMBS[key] = uri
        while len(_THUMBS) > 256:
            _THUMBS.popitem(last=False)
    return uri


def thumbnails_html(paths: list[str], allowed) -> str:
    """The row's images in a strip, each with its file name; a path outside `allowed` or one that no longer
    opens is shown as its name only (never read)."""
    items = []
    for number, path in enumerate(paths, 1):
        name = html.escape(f"{number}. {Path(path).name}")
        uri = None
        if under_roots(path, list(allowed)):
            try:
                uri = thumbnail_uri(path)
            except (OSError, ValueError):
                uri = None
        img = (f"<img class='dp-thumb' src='{uri}' alt='{name}' title='{html.escape(str(path))}' "
               "style='max-height:160px;max-width:160px;border-radius:4px;border:1px solid #d0d7de'>") if uri else ""
        items.append(f"<figure style='margin:0;text-align:center'>{img}"
                     f"<figcaption style='font-size:12px;color:#57606a'>{name}</figcaption></figure>")
    return ("<div class='dp-images' style='display:flex;gap:8px;flex-wrap:wrap;margin:6px 0'>"
            + "".join(items) + "</div>")
