"""The page's polling timers run only while their tab is shown.

The Monitor polls its job every second, the Runs tab its table, comparison and queue every 2-5 s. Gradio draws a
tab's content (its timers with it) when the tab is first shown and keeps it: once the user had looked at the
Monitor and the Runs tab, all four ticked for the rest of the page's life, whatever tab was shown. Off their tab
those ticks redraw nothing anyone sees, yet each one is a request, a read of the job's files (a matplotlib redraw
while a job writes points) and the page's own work on a dozen outputs, on the machine that trains and in the
browser the user is filling the form in. Each timer starts paused unless its tab is the one the page opens on,
and the main tabs' change, which gradio fires for a click and for a handler's switch alike (Start, Open, a page
opened while a job runs), turns each on or off. The tab shown is read from the page itself (the change event
carries no data): the main tab bar's selected button.
"""

from __future__ import annotations

import gradio as gr

# The selected button of the main tab bar (its id is the tab's elem_id + "-button"); the nested tab bars (the
# wizard's steps) are inside a panel, after the main bar in the document.
SHOWN_JS = """(_) => {
  const bar = document.querySelector('#main-tabs [role=tablist]');
  const button = bar && bar.querySelector('[role=tab][aria-selected=true]');
  return button ? button.id.replace(/-button$/, '') : '';
}"""


def wire(tabs: gr.Tabs, shown: gr.Textbox, timers: dict[gr.Tab, list[gr.Timer]]) -> None:
    """timers: a main tab -> the timers that poll for it. Called while the page is built (it sets each timer's
    initial state from the tab the page opens on, `tabs.selected`)."""
    order = [(tab, timer) for tab, group in timers.items() for timer in group]
    for tab, timer in order:
        timer.active = tab.id == tabs.selected

    def switch(tab_shown: str):  # the shown tab's elem_id
        # Nothing read (a page gradio drew otherwise): every timer on, as before this module.
        return [gr.Timer(active=not tab_shown or tab.elem_id == tab_shown) for tab, _ in order]

    tabs.change(switch, shown, [timer for _, timer in order], js=SHOWN_JS, queue=False, show_progress="hidden")
