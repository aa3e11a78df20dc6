"""The wizard's draft, kept in the browser: each change of a form field is saved (localStorage, under the workspace's
secret: studio.browser_state), and a page opened again (a reload mid-training, the browser closed, the studio
restarted) shows the form as the user left it rather than the demo's defaults.

    draft = Draft(ctx, form)                       # inside the Blocks
    draft.wire()                                   # every field's change saves the form
    app.load(draft.restore, draft.saved, draft.outputs).then(...)   # studio.app: before the steps' redraws
"""

from __future__ import annotations

import json
import logging

import gradio as gr

from studio.browser_state import stored
from studio.unexpected import unexpected
from studio.wizard.fields import Form

STORAGE_KEY = "studio-wizard"
VERSION = 1  # a draft of another version is not restored (its keys may mean other things)


def to_draft(form: Form, data: dict) -> dict:
    """The form's values from a handler's {component: value}, as JSON (what localStorage holds)."""
    return {"version": VERSION, "values": json.loads(json.dumps(form.values(data), default=str))}


def from_draft(form: Form, draft) -> dict:
    """{component: value} that show a saved draft in the form; {} when there is none (or of another version).
    Keys the form no longer has are left out; fields the draft lacks keep their values."""
    if not isinstance(draft, dict) or draft.get("version") != VERSION or not isinstance(draft.get("values"), dict):
        return {}
    return form.updates(draft["values"])


class Draft:
    def __init__(self, ctx, form: Form):
        self.ctx, self.form = ctx, form
        self.saved = stored(ctx.workspace, STORAGE_KEY)
        self.outputs = sorted(form.inputs, key=lambda c: c._id)  # a list: restore returns a dict over them

    def wire(self) -> None:
        """Save the form on each change of one of its fields (typed, picked, or filled by a preset, a clone or a
        data handler): at once, hidden, outside the queue."""
        form, inputs = self.form, self.form.inputs

        saved = self.saved

        @unexpected.optional("save_draft", logging.WARNING)  # the page goes on; the draft is a convenience
        def save(data: dict):
            return {saved: to_draft(form, data)}  # keyed by the component: a plain dict would read as updates

        # One event for every field (not one per field, each sending the whole form): a burst of changes (a preset,
        # a data re-read filling several fields) saves once more after the save under way, with the latest values.
        gr.on([c.change for c in self.outputs], save, inputs, self.saved, queue=False, show_progress="hidden",
              trigger_mode="always_last")

    def restore(self, draft):
        """The form as saved (every output skipped when nothing was)."""
        with unexpected.optional("restore_draft", logging.WARNING) as failed:
            updates = from_draft(self.form, draft)
        if failed.error or not updates:
            return {c: gr.skip() for c in self.outputs}
        return {c: updates.get(c, gr.skip()) for c in self.outputs}
