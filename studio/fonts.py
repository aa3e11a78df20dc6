"""Chinese in the charts and on the page, also on a machine without any CJK font.

matplotlib's default (DejaVu Sans) and the default fonts of a bare machine's browser have no Chinese
glyphs: Chinese would show as boxes. The studio depends on `noto-cjk-sans-otc` (Google/Adobe's Noto Sans
CJK Regular collection, SIL Open Font License 1.1). Browsers and matplotlib read one face, not a
collection (.ttc), and the collection's first face is the Japanese one, which draws some characters in
their Japanese forms: so its Simplified Chinese face is copied out once (fontTools, which matplotlib
depends on: raw tables, under a second) into a folder of its own under the user's cache, with the
licence beside it. That folder is all the page serves of it.

    cjk_family()      # the family matplotlib draws Chinese in: an installed CJK font, else the packaged face
    chart_strings(t)  # the page's strings, or English if no CJK font can draw them (the package missing)
    page_font()       # (folder to serve, file) of the packaged face for the browser, or None
    page_css()        # its @font-face rule ("" without it); page_theme(): the theme with it as a fallback
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger("studio.fonts")

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei", "Droid Sans Fallback")

_CJK_FILES = ("CJK", "wqy", "WenQuanYi", "msyh", "simhei", "PingFang", "DroidSansFallback", "SourceHanSans")

PACKAGE = "noto-cjk-sans-otc"  # the distribution; its module is noto_cjk_sans_otc
FACE = "Noto Sans CJK SC"  # the face taken out of its collection (name ID 1)
FILE_NAME = "NotoSansCJKsc-Regular.otf"
LICENSE_NAME = "OFL.txt"
# The page's name for the served face: a name of its own, so that a browser's machine with an installed
# font of the same family never has it replaced (the installed ones are listed before it: PAGE_FALLBACKS).
PAGE_FAMILY = "Studio Noto Sans SC"
# After the theme's fonts: the browser's machine's own CJK fonts first (nothing to download), then the
# served face. The browser downloads it only for text in UNICODE_RANGE that no earlier font has.
PAGE_FALLBACKS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei",
                  "WenQuanYi Micro Hei", PAGE_FAMILY)
# CJK radicals, symbols and punctuation (、。「」), kana, ideographs (and extension A), compatibility
# ideographs, vertical and small forms, fullwidth forms (，：（）), and the supplementary ideographs.
UNICODE_RANGE = ("U+2E80-2FDF, U+3000-30FF, U+3190-31FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FE10-FE1F, "
                 "U+FE30-FE4F, U+FF00-FFEF, U+20000-2FA1F")


@functools.cache
def cjk_family() -> str | None:
    """The family matplotlib draws Chinese in, set as the fallback after DejaVu Sans: the first CJK font
    installed on this machine, else the packaged face (added to matplotlib); None if neither is there."""
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
    if not found:  # a bare machine: the packaged face
        packaged = page_font()
        if packaged:
            try:
                font_manager.fontManager.addfont(str(packaged[1]))
                found = FACE
            except (OSError, RuntimeError, ValueError) as e:
                log.warning("cannot add %s to matplotlib: %s", packaged[1], e)
    if found:  # explicit families: matplotlib falls back glyph by glyph only along this list
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", found]
    return found


def chart_strings(t: dict) -> dict:
    """The strings to draw in charts: the page's own, or English when no CJK font can show them."""
    from studio.i18n import EN, lang_of

    if lang_of(t) == "en" or cjk_family():
        return t
    return EN


# -- the packaged face, copied out of its collection -------------------------------------------------
def _packaged_collection() -> tuple[Path, str] | None:
    """(the .ttc, the package's version), or None when the package is not installed."""
    from importlib import metadata

    try:
        import noto_cjk_sans_otc as package
    except ImportError:
        return None
    path = Path(str(getattr(package, "FONT_PATH", "") or ""))
    if not path.is_file():  # a later layout: the one collection in the package
        path = next(iter(sorted(Path(package.__file__).parent.glob("*.tt[cf]"))), path)
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        version = "0"
    return (path, version) if path.is_file() else None


def _cache_roots() -> list[Path]:
    """Where the copied face may live, in order: the user's cache, else a folder of this user's in the
    temporary directory."""
    roots = []
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        roots.append(Path(xdg) / "finetune-studio" / "fonts")
    roots.append(Path.home() / ".cache" / "finetune-studio" / "fonts")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    roots.append(Path(tempfile.gettempdir()) / f"finetune-studio-fonts-{uid}")
    return roots


def _own_folder(path: Path) -> bool:
    """Make `path` (and its parents) a folder; False unless it is a real folder of this user's that it can
    write in (not a link someone else left in /tmp)."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o755)
        st = os.lstat(path)
    except OSError:
        return False
    import stat

    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return False
    return os.access(path, os.W_OK | os.X_OK)


def _extract(ttc: Path, target: Path) -> None:
    """Write the collection's FACE as a plain OpenType file at `target` (via a temporary name beside it,
    so that another process never reads half a file)."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(ttc), lazy=True)
    try:
        face = next((f for f in collection.fonts if f["name"].getDebugName(1) == FACE), None)
        if face is None:
            raise ValueError(f"{ttc} has no face named {FACE!r}")
        fd, tmp = tempfile.mkstemp(prefix=".font-", suffix=".otf", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                face.save(out)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    finally:
        collection.close()


def _licence_text() -> str | None:
    from importlib import metadata

    try:
        files = metadata.files(PACKAGE) or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name.upper().startswith(("LICENSE", "LICENCE", "OFL")):
            try:
                return f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    return None


@functools.cache
def page_font() -> tuple[Path, Path] | None:
    """(folder, file) of the packaged Simplified Chinese face, copied out of the collection on first use
    into <cache>/<package>-<version>/, which holds only the face and its licence (the page serves that
    folder); None without the package or a folder to write in."""
    found = _packaged_collection()
    if found is None:
        log.warning("%s is not installed: Chinese shows only where the machine has a CJK font", PACKAGE)
        return None
    ttc, version = found
    for root in _cache_roots():
        folder = root / f"{PACKAGE}-{version}"
        if not _own_folder(root) or not _own_folder(folder):
            continue
        target = folder / FILE_NAME
        try:
            if not target.is_file() or target.stat().st_size == 0:
                _extract(ttc, target)
            licence = folder / LICENSE_NAME
            text = _licence_text()
            if text and not licence.is_file():
                fd, tmp = tempfile.mkstemp(prefix=".licence-", dir=folder)
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                os.chmod(tmp, 0o644)
                os.replace(tmp, licence)
        except Exception as e:  # noqa: BLE001 - a font is never worth failing the studio for
            log.warning("cannot copy %s out of %s into %s: %s", FACE, ttc, folder, e)
            continue
        return folder.resolve(), target.resolve()
    return None


# -- the page ----------------------------------------------------------------------------------------
def font_url(path: Path) -> str:
    """The address gradio serves an allowed file at (its file route), relative to the page."""
    from urllib.parse import quote

    return "gradio_api/file=" + quote(str(path))


def served_folders() -> list[str]:
    """The folders the page may fetch files from besides gradio's own: the packaged face's, or none."""
    font = page_font()
    return [str(font[0])] if font else []


def page_css() -> str:
    """The @font-face rule of the served face ("" without it). Regular only: bold is synthesised."""
    font = page_font()
    if font is None:
        return ""
    return (f'\n@font-face {{ font-family: "{PAGE_FAMILY}"; src: url("{font_url(font[1])}") format("opentype"); '
            f"font-display: swap; unicode-range: {UNICODE_RANGE}; }}\n")


def page_theme():
    """gradio's Soft theme with its own fonts first and the CJK fallbacks after them (text and code)."""
    import inspect

    import gradio as gr

    params = inspect.signature(gr.themes.Soft).parameters

    def with_fallbacks(name: str) -> list:
        default = params[name].default if name in params else ()
        fonts = [default] if isinstance(default, (str, gr.themes.Font)) else list(default or ())
        return [*fonts, *(gr.themes.Font(name) for name in PAGE_FALLBACKS)]  # quoted in the CSS

    return gr.themes.Soft(font=with_fallbacks("font"), font_mono=with_fallbacks("font_mono"))
