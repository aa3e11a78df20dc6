"""Which components show an event's progress: only those that need to. Cost, not looks.

    app = ...build the Blocks...
    untrack_hidden(app)   # last: every event with show_progress="hidden" tracks no component's loading status

Why: gradio 6's page keeps a loading status for every component that has been the output (progress target) of an
event it ran, and on each status message of any event (pending, each yield, complete) it writes all of them
again, each after a search of the whole component tree (Blocks: update_loading_stati_state). The language
switch relabels ~240 components and the wizard's draft fills ~75: once the page had opened, every click and
every timer tick rewrote ~300 loading states, 0.5-1.4 s of the page's main thread per click here. An event whose
progress is hidden shows nothing on its outputs anyway; given an empty show_progress_on (`[] || outputs` is `[]`
in the page's JavaScript) it tracks none of them. Events that show progress name where (show_progress_on).
"""

from __future__ import annotations

import gradio as gr


def untrack_hidden(app: gr.Blocks) -> None:
    """Give each event whose progress is hidden (and that does not name where to show it) no progress targets."""
    for fn in app.fns.values():
        if fn.show_progress == "hidden" and fn.show_progress_on is None:
            fn.show_progress_on = []
