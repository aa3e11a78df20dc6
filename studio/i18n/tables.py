"""The UI's string tables, English and Chinese, merged in this one place from one file per area:
ui_en.py / ui_zh.py (the wizard, views, buttons), advice.py (the live advice), presets.py, monitor.py
(hardware panel and system chart), and `help.<field>` for every spec field (the English is the spec's own
help text, the Chinese is help_zh.py). Both tables have the same keys (tests/studio/test_i18n.py checks).
"""

from __future__ import annotations

import dataclasses

from backend.spec import SECTIONS, field_help
from studio.i18n import advice, monitor, presets, ui_en, ui_zh
from studio.i18n.help_zh import HELP_ZH

_FIELDS = ["stage"] + [f"{sec}.{f.name}" for sec, cls in SECTIONS.items() for f in dataclasses.fields(cls)]

EN: dict[str, str] = {
    **ui_en.EN,
    **{f"help.{name}": field_help(name) for name in _FIELDS},
    **advice.EN,
    **presets.EN,
    **monitor.EN,
}
ZH: dict[str, str] = {
    **ui_zh.ZH,
    **{f"help.{name}": HELP_ZH.get(name, "") for name in _FIELDS},
    **advice.ZH,
    **presets.ZH,
    **monitor.ZH,
}
for _table in (EN, ZH):
    _table["app.header"] = f"# {_table['app.title']}\n{_table['app.subtitle']}"
