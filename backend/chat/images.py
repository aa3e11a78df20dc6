"""Images a person attaches to a chat message: checked and copied into the workspace before the model sees them.

    path = store_chat_image(workspace, uploaded_path, orig_name="photo.jpg")   # <ws>/uploads/chat/<hash>.jpg

Only files that Pillow opens and decodes as an image of a usual format, at most MAX_IMAGE_MB and MAX_PIXELS; the
copy is named by its content's hash in the workspace's uploads/chat/ folder, so the chat process reads images
from the workspace only (never a path a person typed). No torch here.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from backend.chat.client import ChatError
from backend.messages import msg

MAX_IMAGE_MB = 20
MAX_PIXELS = 40_000_000  # e.g. 8000 x 5000; a larger image is a decompression bomb more often than a photo
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp", "TIFF": "tiff"}
FOLDER = "chat"


def chat_images_dir(workspace) -> Path:
    folder = Path(workspace.uploads_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_image(path: Path, name: str, max_mb: float = MAX_IMAGE_MB) -> str:
    """The image's format suffix (jpg, png, ...); ChatError with a message naming the file otherwise."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise ChatError(msg("chat.image_missing", path=name))
    size_mb = path.stat().st_size / 1e6
    if size_mb > max_mb:
        raise ChatError(msg("chat.image_too_big", name=name, size=f"{size_mb:.1f}", limit=max_mb))
    try:
        with Image.open(path) as image:
            kind = image.format
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ChatError(msg("chat.image_too_many_pixels", name=name, width=width, height=height,
                                    limit=f"{MAX_PIXELS:,}"))
            image.load()  # decodes it all: a cut or damaged file fails here, not in the model
    except ChatError:
        raise
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise ChatError(msg("chat.image_unreadable", name=name, error=str(e) or type(e).__name__)) from None
    if kind not in FORMATS:
        raise ChatError(msg("chat.image_format", name=name, format=kind or "?", formats=", ".join(FORMATS)))
    return FORMATS[kind]


def store_chat_image(workspace, path, orig_name: str | None = None, max_mb: float = MAX_IMAGE_MB) -> Path:
    """A checked copy of the uploaded image in <workspace>/uploads/chat/ (named by its content's hash)."""
    path = Path(path)
    name = Path(orig_name).name if orig_name else path.name
    suffix = check_image(path, name, max_mb)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
    out = chat_images_dir(workspace) / f"{digest}.{suffix}"
    if not out.is_file():
        tmp = out.with_suffix(out.suffix + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(out)
    return out
