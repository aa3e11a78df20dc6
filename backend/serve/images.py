"""Images in an OpenAI chat request: `{"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}}`
content parts, decoded into Pillow images for a vision-language engine.

    image = decode_part(part, index)    # a PIL image, or ApiError 400 naming the message and what to send

Only inline data URLs are read: the server fetches nothing (no http, no file path: a request never makes it read
or reach anything else). At most MAX_IMAGE_MB and MAX_PIXELS per image, as the Chat tab's uploads
(backend/chat/images.py); each image is decoded whole here, so a damaged file is a 400, not a failure mid-reply.
"""

from __future__ import annotations

import base64
import binascii
import io
import re

from backend.chat.images import MAX_IMAGE_MB, MAX_PIXELS
from backend.messages import msg
from backend.serve.errors import ApiError

DATA_URL = re.compile(r"^data:(image/[\w.+-]+)?(;[\w=.+-]+)*;base64,(?P<data>.*)$", re.DOTALL)


def is_image_part(part) -> bool:
    return isinstance(part, dict) and part.get("type") in ("image_url", "input_image", "image")


def _url(part: dict) -> str:
    value = part.get("image_url", part.get("image"))
    if isinstance(value, dict):
        value = value.get("url")
    return value if isinstance(value, str) else ""


def decode_part(part: dict, index: int):
    from PIL import Image, UnidentifiedImageError

    param = f"messages.[{index}].content"
    url = _url(part)
    found = DATA_URL.match(url)
    if not found:
        given = (url.split(":", 1)[0] + ": URL") if ":" in url[:12] else repr(url[:40])
        raise ApiError(400, msg("serve.image_not_data_url", index=index, given=given), param=param)
    try:
        raw = base64.b64decode(re.sub(r"\s+", "", found.group("data")), validate=True)  # line breaks allowed
    except (binascii.Error, ValueError) as e:
        raise ApiError(400, msg("serve.image_not_base64", index=index, error=str(e)), param=param) from None
    size_mb = len(raw) / 1e6
    if size_mb > MAX_IMAGE_MB:
        raise ApiError(400, msg("serve.image_too_big", index=index, size=f"{size_mb:.1f}", limit=MAX_IMAGE_MB),
                       param=param)
    try:
        with Image.open(io.BytesIO(raw)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ApiError(400, msg("serve.image_too_many_pixels", index=index, width=width, height=height,
                                        limit=f"{MAX_PIXELS:,}"), param=param)
            return image.convert("RGB")  # decodes it all
    except ApiError:
        raise
    except UnidentifiedImageError:  # its text is "cannot identify image file <_io.BytesIO object at 0x...>"
        raise ApiError(400, msg("serve.image_unknown", index=index, size=f"{len(raw):,}"), param=param) from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise ApiError(400, msg("serve.image_bad", index=index, error=str(e) or type(e).__name__),
                       param=param) from None
