"""The wizard's side of vision-language models (issue 22): which choice of the Model step is one, the stage and
method it can train with, and the processor that renders image rows on the Data step.

    vision_model(ctx, source, path)          # demo-vl, or a model whose config has a vision tower
    vision_problems(spec)                    # [Message]: a stage or method the image path does not offer
    PROCESSORS.get(ctx, source, path, tpl)   # (processor, "") or (None, why not)

A local folder is looked at only under the folders the studio may read (the Model step's rule), so the answer
says nothing about other folders. The processor (transformers, so torch) is loaded only once a vision model's
rows are shown, never while the page is built.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from backend.messages import msg
from backend.spec import DEMO_VL
from backend.workspace import under_roots


def vision_stages() -> tuple[str, ...]:
    """The stages the image path trains (backend/training/run.py's table; sft at least)."""
    from backend.training import run

    return tuple(getattr(run, "VISION_STAGES", None) or ("sft",))


def vision_model(ctx, source: str, path: str) -> bool:
    """Whether the Model step's choice is a vision-language model (backend.vlm.is_vision_model; a hub id from the
    local cache only, a folder only under the allowed roots)."""
    from backend.vlm import is_vision_model

    if source == DEMO_VL:
        return True
    path = (path or "").strip()
    if source not in ("local", "hub") or not path:
        return False
    if source == "local" and not under_roots(path, ctx.data_roots):
        return False
    try:
        return is_vision_model(path)
    except Exception:  # noqa: BLE001 - an unreadable config: a text model as far as the page can tell
        return False


def vision_methods() -> tuple[str, ...]:
    from backend.training.vision_model import VISION_METHODS

    return tuple(VISION_METHODS)


def vision_problems(spec) -> list:
    """What the image path refuses in `spec` (a vision model's): another stage, a method it does not offer."""
    out = []
    if spec.stage not in vision_stages():
        out.append(("stage", msg("vision.stage_text_only", stage=spec.stage, model=spec.model.name_or_path)))
    if spec.method.name not in vision_methods():
        out.append(("method.name", msg("vision.method_not_for_vision", method=spec.method.name)))
    return out


def describe_demo_vl(models_dir: Path, t):
    """The Model step's facts of demo-vl: from its folder once built, else from the config its build makes."""
    from backend.demo_vlm import demo_vlm_config, demo_vlm_dir, is_built
    from studio.wizard.model_info import ModelInfo, describe_local, params_from_config

    if is_built(models_dir):
        info = describe_local(demo_vlm_dir(models_dir), t)
        info.where = DEMO_VL
        return info
    config = demo_vlm_config()
    try:
        params = params_from_config(config)
    except (KeyError, TypeError, ValueError):
        params = None
    return ModelInfo(architecture=f"{config['model_type']} ({', '.join(config['architectures'])})", params=params,
                     params_exact=False, chat_template=True, where=DEMO_VL)


def model_folder(ctx, source: str, path: str) -> Path | None:
    """The folder (or hub id) the processor loads from; demo-vl built on first use."""
    if source == DEMO_VL:
        from backend.demo_vlm import ensure_demo_vlm

        return ensure_demo_vlm(ctx.workspace.models_dir)
    return Path(path.strip()).expanduser() if source == "local" else None


class Processors:
    """Processors of vision-language models by (model, template), loaded once."""

    def __init__(self, size: int = 2):
        self._cache: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, ctx, source: str, path: str, template: str = ""):
        t = ctx.t
        if not vision_model(ctx, source, path):
            return None, ""
        key = f"{source}|{path}|{template}"
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key], ""
        try:
            from backend.vlm.processor import load_processor

            if source == "hub":
                from backend.hub import unreachable_reason

                reason = unreachable_reason(2.0)
                if reason:
                    return None, t["vl.wizard.processor_error"].format(message=reason)
                where = path.strip()
            else:
                where = str(model_folder(ctx, source, path))
            processor = load_processor(where)
            if template:
                from backend.resources import chat_template

                processor.chat_template = chat_template(template)
        except Exception as e:  # noqa: BLE001 - any loading problem is shown in place of the token view
            return None, t["vl.wizard.processor_error"].format(message=f"{type(e).__name__}: {e}")
        with self._lock:
            self._cache[key] = processor
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return processor, ""


PROCESSORS = Processors()


def vision_lengths(processor, report, limit: int = 200) -> list[int]:
    """Token lengths (image tokens included) of the report's sampled rows, the first `limit` of them."""
    from backend.data.vision_rows import measure

    out = []
    for _, example in report.sample[:limit]:
        try:
            out.append(measure(processor, example).length)
        except Exception:  # noqa: BLE001 - a row the processor cannot encode: left out of the chart
            continue
    return out


def fit_markdown(t, lengths: list[int], max_length: int) -> str:
    """Rows longer than max_length with their image tokens are left out (never cut): how many of the sample."""
    if not lengths:
        return ""
    over = [n for n in lengths if n > max_length]
    if not over:
        return t["vl.wizard.fit_ok"].format(max_length=max_length, n=len(lengths))
    return t["vl.wizard.fit_left_out"].format(max_length=max_length, n=len(lengths), over=len(over),
                                              longest=max(over))
