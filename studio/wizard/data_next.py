"""The Data step's Next checks the sources beside the main one, as the Review would: the datasets of "Also mix in"
and the evaluation data must be there, readable, with rows that can train, and of the main one's kind (a
preference set mixed into a conversation set is refused by the worker at once).

    problem = more_sources_problem(ctx, values)   # "" when they can be used (or there are none)
"""

from __future__ import annotations

from backend.data.read import DataError
from backend.messages import message_of
from backend.spec import SpecError
from studio.i18n import msg
from studio.views import data_view as dv
from studio.wizard.form import MIX_WITH, keys_of, spec_from_form, wizard_fields

# The form's data fields (the rest, other steps' fields, come from the defaults: their problems are not this step's).
DATA_PATHS = ("data.",)


def more_sources_problem(ctx, values: dict) -> str:
    """Why the mixed-in or evaluation sources cannot be used with the main one, by field; "" when they can."""
    if not (values.get(MIX_WITH) or "").strip() and not (values.get("data.eval") or "").strip():
        return ""
    data_keys = {k for path in wizard_fields() if path.startswith(DATA_PATHS) for k in keys_of(path)}
    t = ctx.t
    try:
        spec = spec_from_form({k: v for k, v in values.items() if k in data_keys}, base=ctx.defaults, t=t)
    except SpecError as e:
        return " ".join(f"`{i.field}`: {msg(t, i.message)}" for i in e.issues if i.field.startswith(DATA_PATHS))
    try:
        dv.valid_rows(ctx, spec.data)
    except DataError as e:
        return msg(t, message_of(e))
    return ""

