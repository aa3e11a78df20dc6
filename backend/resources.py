"""Files the project ships beside its code: templates/ (chat templates, specs) and data/."""

from __future__ import annotations

from pathlib import Path

from backend.messages import msg

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = PROJECT_ROOT / "templates"
CHAT_TEMPLATES_DIR = TEMPLATES_DIR / "chat"
DATA_DIR = PROJECT_ROOT / "data"
DEMO_DATASET = DATA_DIR / "identity.json"
DEMO_SPEC = TEMPLATES_DIR / "demo.yaml"
DEMO_VL_DATASET = DATA_DIR / "vision_demo" / "mllm_demo.json"
DEMO_VL_SPEC = TEMPLATES_DIR / "demo_vl.yaml"
DEMO_VL_DPO_DATASET = DATA_DIR / "vision_demo" / "mllm_dpo_demo.json"  # `demo-vl-dpo`: pairs about the photos


def chat_template(name: str) -> str:
    """The text of a named chat template in templates/chat/ (e.g. `chatml`)."""
    path = CHAT_TEMPLATES_DIR / f"{name}.jinja"
    if not path.is_file():
        known = sorted(p.stem for p in CHAT_TEMPLATES_DIR.glob("*.jinja"))
        raise ValueError(msg("jobs.no_chat_template", name=repr(name), known=", ".join(known)))
    return path.read_text(encoding="utf-8")
