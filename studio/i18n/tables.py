"""The UI's string tables, English and Chinese, merged in this one place from one file per area:
ui_en.py / ui_zh.py (the wizard, buttons, errors), ui_data.py (the Data step), ui_results.py (Monitor, Runs,
Chat, Export), advice.py (the live advice), presets.py, monitor.py
(hardware panel and system chart), and for every spec field `<field>` (its label) and `help.<field>`:
in English the spec's own help and ui_en.py's label or one made from the field's name, in Chinese
fields_zh.py. Both tables have the same keys (tests/studio/i18n/test_i18n.py checks).
"""

from __future__ import annotations

import dataclasses

from backend.spec import SECTIONS, field_help
from studio.i18n import (
    advice,
    benchmarks,
    cluster,
    monitor,
    parity,
    presets,
    serving,
    sweeps,
    ui_data,
    ui_en,
    ui_results,
    ui_zh,
    vision_chat,
    vision_export,
    vision_plan,
    vision_wizard,
)
from studio.i18n.fields_zh import FIELDS_ZH

_FIELDS = ["stage"] + [f"{sec}.{f.name}" for sec, cls in SECTIONS.items() for f in dataclasses.fields(cls)]


def field_label(path: str) -> str:
    """A field's English label when ui_en.py has none: "training.max_grad_norm" -> "Max grad norm"."""
    return path.rsplit(".", 1)[-1].replace("_", " ").capitalize()


_UI_EN = {**ui_en.EN, **ui_data.EN, **ui_results.EN}
EN: dict[str, str] = {
    **{name: _UI_EN.get(name) or field_label(name) for name in _FIELDS},
    **_UI_EN,
    **{f"help.{name}": field_help(name) for name in _FIELDS},
    **advice.EN,
    **presets.EN,
    **monitor.EN,
    **serving.EN,
    **benchmarks.EN,
    **parity.EN,
    **cluster.EN,
    **sweeps.EN,
    **vision_chat.EN,
    **vision_wizard.EN,
    **vision_export.EN,
    **vision_plan.EN,
}
ZH: dict[str, str] = {
    # a field without Chinese shows its English (test_i18n fails on it)
    **{name: FIELDS_ZH.get(name, (field_label(name), ""))[0] for name in _FIELDS},
    **ui_zh.ZH,
    **ui_data.ZH,
    **ui_results.ZH,
    **{f"help.{name}": FIELDS_ZH[name][1] if name in FIELDS_ZH else field_help(name) for name in _FIELDS},
    **advice.ZH,
    **presets.ZH,
    **monitor.ZH,
    **serving.ZH,
    **benchmarks.ZH,
    **parity.ZH,
    **cluster.ZH,
    **sweeps.ZH,
    **vision_chat.ZH,
    **vision_wizard.ZH,
    **vision_export.ZH,
    **vision_plan.ZH,
}
for _table in (EN, ZH):
    _table["app.header"] = f"# {_table['app.title']}\n{_table['app.subtitle']}"
