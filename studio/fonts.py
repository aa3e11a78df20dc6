"""Fonts for the charts: matplotlib's default (DejaVu Sans) has no Chinese glyphs, so the first
CJK font found on the machine is added as a fallback. Without one, charts use English labels
rather than boxes."""

from __future__ import annotations

import functools

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei", "Droid Sans Fallback")

_CJK_FILES = ("CJK", "wqy", "WenQuanYi", "msyh", "simhei", "PingFang", "DroidSansFallback", "SourceHanSans")


@functools.cache
def cjk_family() -> str | None:
    """The first installed CJK font family, registered as a sans-serif fallback; None if none."""
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((f for f in CJK_FAMILIES if f in installed), None)
    if not found:  # matplotlib's font cache predates the font's installation: add the files now
        for path in font_manager.findSystemFonts():
            if any(k in path for k in _CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        installed = {f.name for f in font_manager.fontManager.ttflist}
        found = next((f for f in CJK_FAMILIES if f in installed), None)
    if found:  # explicit families: matplotlib falls back glyph by glyph only along this list
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", found]
    return found


def chart_strings(t: dict) -> dict:
    """The strings to draw in charts: the page's own, or English when no CJK font can show them."""
    from studio.i18n import EN, lang_of

    if lang_of(t) == "en" or cjk_family():
        return t
    return EN
