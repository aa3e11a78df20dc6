"""Chinese without a system CJK font (studio/fonts.py): the packaged Noto Sans CJK SC face is copied out of
its collection, covers every Chinese character of the page's tables and the common ones, and draws a loss
chart's Chinese labels with no missing-glyph warning. No browser (tests/browser/test_browser_lang.py has
the page's side)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest

from studio import fonts

I18N = Path(fonts.__file__).parent / "i18n"


def claimed(text: str) -> set[str]:
    """The characters of `text` in the ranges the page's @font-face claims (UNICODE_RANGE)."""
    ranges = [[int(x, 16) for x in part.strip().removeprefix("U+").split("-")] for part in fonts.UNICODE_RANGE.split(",")]
    return {c for c in text if any(r[0] <= ord(c) <= r[-1] for r in ranges)}


def gb2312() -> set[str]:
    """GB 2312's 6,763 hanzi (level 1: the 3,755 common ones) and its symbols: the classic everyday set."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def test_the_packaged_face_is_copied_out_alone_and_covers_the_page():
    from fontTools.ttLib import TTFont

    found = fonts.page_font()
    assert found is not None, "noto-cjk-sans-otc is a dependency: pip install -e ."
    folder, path = found
    assert path.parent == folder and sorted(p.name for p in folder.iterdir()) == sorted([fonts.FILE_NAME, fonts.LICENSE_NAME])
    assert "SIL Open Font License" in (folder / fonts.LICENSE_NAME).read_text(encoding="utf-8")
    assert fonts.served_folders() == [str(folder)]

    face = TTFont(path, lazy=True)
    assert face["name"].getDebugName(1) == fonts.FACE  # the Simplified Chinese face, not the collection's first
    cmap = face.getBestCmap()
    page = claimed("".join(f.read_text(encoding="utf-8") for f in I18N.rglob("*.py")))
    assert len(page) > 500 and not sorted(c for c in page if ord(c) not in cmap)
    common = gb2312()
    assert len(common) > 7000 and not sorted(c for c in common if ord(c) not in cmap)
    face.close()


def test_the_page_css_names_the_served_face_after_the_theme_fonts():
    _, path = fonts.page_font()
    css = fonts.page_css()
    assert f'font-family: "{fonts.PAGE_FAMILY}"' in css and fonts.font_url(path) in css
    theme = fonts.page_theme()
    assert theme.font.startswith("'Montserrat'") and theme.font.endswith(f"'{fonts.PAGE_FAMILY}'")
    assert theme.font_mono.endswith(f"'{fonts.PAGE_FAMILY}'")


def test_a_chinese_loss_chart_draws_without_missing_glyphs(caplog):
    from studio.i18n import ZH, lang_of
    from studio.views.plots import loss_figure, loss_frame

    metrics = [{"step": s, "loss": 3.0 / s} for s in range(1, 30)] + [{"step": 10, "eval_loss": 0.5}]
    frame = loss_frame(metrics, ZH["series.train"], ZH["series.eval"])
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("always")
        fig = loss_figure(frame, x_label="步数", y_label="损失")
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig).draw()  # what savefig does: every glyph is looked up here
    missing = [str(w.message) for w in caught if "Glyph" in str(w.message) or "findfont" in str(w.message)]
    missing += [r.getMessage() for r in caplog.records if "Glyph" in r.getMessage() or "findfont" in r.getMessage()]
    assert not missing
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [ZH["series.train"], ZH["series.eval"]]
    assert fonts.cjk_family() in fonts.CJK_FAMILIES and lang_of(fonts.chart_strings(ZH)) == "zh"


@pytest.mark.filterwarnings("error::UserWarning")
def test_the_packaged_face_alone_draws_chinese():
    """The face the studio adds on a bare machine, drawn by file (this machine may have other CJK fonts)."""
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    _, path = fonts.page_font()
    fig = Figure(figsize=(3, 1))
    fig.text(0.1, 0.5, "训练损失 评估（中文）", fontproperties=FontProperties(fname=path))
    fig.savefig(__import__("io").BytesIO(), format="png")  # a missing glyph warns: an error here
