"""The page tracks a loading status only where an event shows its progress (studio/progress_targets.py): gradio 6
rewrites every tracked component's status on each status message of any event, after a search of the whole tree,
so the language switch's ~240 relabeled components or the draft's ~75 fields as progress targets made each
click cost the page's main thread up to 1.4 s here."""

from __future__ import annotations

from backend.workspace import Workspace
from studio.app import build_app


def targets(dep: dict) -> list[int]:
    """What the page's JavaScript takes as an event's progress targets: `show_progress_on || outputs`."""
    return dep["show_progress_on"] if dep["show_progress_on"] is not None else dep["outputs"]


def test_hidden_progress_tracks_nothing_and_few_components_are_ever_tracked(tmp_path):
    config = build_app(Workspace.at(tmp_path / "ws"), "en").get_config_file()
    deps = config["dependencies"]
    hidden = [d for d in deps if d["show_progress"] == "hidden"]
    assert hidden and all(targets(d) == [] for d in hidden)
    # the language switch and the page's opening relabel the most components: no progress on any of them
    relabel = max(deps, key=lambda d: len(d["outputs"]))
    assert len(relabel["outputs"]) > 200 and targets(relabel) == []
    widest = max(len(targets(d)) for d in deps)
    tracked = {c for d in deps for c in targets(d)}
    assert widest <= 16, f"an event shows progress on {widest} components: name where (show_progress_on)"
    assert len(tracked) <= len(config["components"]) // 3, f"{len(tracked)} components can get a loading status"
