"""The UI in English and Chinese: string tables by key, the page's language per session, and backend
messages rendered by id.

    from studio.i18n import strings, render
    t = strings("zh"); t["btn.next"]                    # a UI string
    render(exc, "zh")                                   # a backend message (backend.messages) in Chinese

Files: ui_en.py / ui_zh.py, ui_data.py, ui_results.py, advice.py, presets.py, monitor.py, serving.py,
benchmarks.py, parity.py, fields_zh.py (UI tables, merged in tables.py);
messages/<area>.py (the backend's messages by id); strings.py (tables, sessions, Localized); render.py.
"""

from studio.i18n.render import render
from studio.i18n.strings import (
    EN,
    LANGUAGE_NAMES,
    LANGUAGES,
    ZH,
    Localized,
    SessionStrings,
    lang_of,
    localized,
    msg,
    pick_language,
    strings,
    translate_value,
)

__all__ = [
    "EN", "LANGUAGE_NAMES", "LANGUAGES", "ZH", "Localized", "SessionStrings", "lang_of", "localized", "msg",
    "pick_language", "render", "strings", "translate_value",
]
