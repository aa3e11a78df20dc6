"""The Data step's view of a row with images (issue 22): its thumbnails, and the row as the vision-language
model's processor encodes it (trained tokens marked, each run of image tokens one marker). No gradio."""

from __future__ import annotations

import html

from backend.data.preview import segments_html
from backend.data.vision_preview import MARKER, render_vision_example, thumbnails_html
from studio.i18n import msg


def images_head(t: dict, example: dict, allowed, vision: bool) -> str:
    """The row's thumbnails, and for a text model the note that it cannot see them."""
    images = example.get("images") or []
    if not images:
        return ""
    out = thumbnails_html(images, allowed)
    if not vision:
        out += f"<div class='dp-note'>{html.escape(t['vl.wizard.text_model_images'])}</div>"
    return out


def vision_html(t: dict, processor, example: dict, max_length: int) -> str:
    """The legend and the one panel of the row through the processor."""
    panel = render_vision_example(processor, example, max_length)
    image_tokens = sum(int(s.rsplit("×", 1)[1]) for s in panel.special_tokens if "×" in s)
    stats = t["vl.wizard.panel_stats"].format(tokens=panel.n_tokens, images=image_tokens, trained=panel.n_trained)
    parts = [f"<div class='dp-legend'>{t['vl.wizard.legend']}</div>"]
    if max_length and panel.n_tokens > max_length:
        note = t["vl.wizard.row_left_out"].format(tokens=panel.n_tokens, max_length=max_length)
        parts.append(f"<div class='dp-skipped'>{html.escape(note)}</div>")
    parts.append(f"<div class='dp-panel dp-vision'><div class='dp-title'>{html.escape(msg(t, panel.title))} · {stats}"
                 f"</div>{segments_html(panel)}</div>")
    return "\n".join(parts)


__all__ = ["MARKER", "images_head", "vision_html"]
