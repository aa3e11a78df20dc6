"""Images of LLaMA-Factory's multimodal rows: a `messages` list with `<image>` placeholders and an `images` list of
paths relative to the data file (mllm_demo.json). Each row's paths become absolute; a path outside the data file's
folder (or the allowed roots), a missing or unreadable image, or placeholders that do not match the list are row
problems that name the path."""

from __future__ import annotations

from pathlib import Path

from backend.data.turns import RowProblem
from backend.messages import msg
from backend.workspace import under_roots

IMAGE_PLACEHOLDER = "<image>"


def count_placeholders(messages: list[dict]) -> int:
    return sum(m["content"].count(IMAGE_PLACEHOLDER) for m in messages if isinstance(m.get("content"), str))


def row_images(value, column: str, messages: list[dict], base_dir: Path | None, roots=()) -> list[str]:
    """The row's images as absolute paths, each checked to open as an image; RowProblem otherwise."""
    if value is None:
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RowProblem(column, msg("rows.images_not_list", column=column))
    placeholders = count_placeholders(messages)
    if placeholders != len(value):
        raise RowProblem(column, msg("rows.image_count", column=column, placeholders=placeholders, images=len(value)))
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    allowed = [base, *roots]
    paths = []
    for given in value:
        path = Path(given).expanduser()
        path = path if path.is_absolute() else base / path
        if not under_roots(path, allowed):
            raise RowProblem(column, msg("rows.image_outside", path=given, folder=str(base)))
        if not path.is_file():
            raise RowProblem(column, msg("rows.image_missing", path=given, where=str(path)))
        _check_image(path, given, column)
        paths.append(str(path.resolve()))
    return paths


def _check_image(path: Path, given: str, column: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as e:
        raise RowProblem(column, msg("rows.image_unreadable", path=given, error=str(e) or type(e).__name__)) from None
