"""Presets: partial job specs a newcomer picks instead of setting twenty fields by hand.

    from backend.plan.presets import apply_preset, get_preset, list_presets, save_preset
    spec = apply_preset(JobSpec(), get_preset("balanced-0.5b"))       # model, method, training set
    spec = apply_preset(spec, get_preset("style"))                     # then the task: data, stage
    save_preset(workspace, "my-run", spec, title="My usual run")       # -> id "saved/my-run"

Built-in presets are templates/presets/*.yaml; a user's saved ones are <workspace>/presets/*.yaml.
Each file is a partial JobSpec plus a `preset:` block that is not part of the spec:

    preset:
      title: {en: ..., zh: ...}
      description: {en: ..., zh: ...}
      group: quality | task | saved
      size: tiny | 0.5b | 7b           # quality presets only

Quality presets set the model, method and training for a model size; task presets set the data
and stage and keep the user's model, so the two compose. A relative `data/NAME` in a preset or
spec file names a file shipped in the project's data/ folder, wherever the studio runs from.
No torch here: the UI lists and applies presets on every page load.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from backend.data.sources import source_names
from backend.messages import Message, msg
from backend.resources import PROJECT_ROOT, TEMPLATES_DIR
from backend.spec import DEMO, DataSpec, JobSpec, SpecError, SpecIssue

log = logging.getLogger(__name__)

PRESETS_DIR = TEMPLATES_DIR / "presets"
SAVED_PREFIX = "saved/"
GROUPS = ("quality", "task", "saved")
SIZES = ("tiny", "0.5b", "7b")
# The order a newcomer reads them in: smallest model and quickest run first.
LEVELS = ("quick-try", "balanced", "best-quality")
TASKS = ("identity", "style", "json-format", "dpo", "images")
NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# When a preset names its own dataset, these describe the old one and would not fit the new one;
# the rest of `data` (eval_split, seed, shuffle, dedupe, reasoning) is how to use any dataset.
DATASET_FIELDS = ("format", "columns", "tags", "dataset_dir", "subset", "split", "mix", "eval", "placeholders")


@dataclass
class Preset:
    id: str  # file stem, e.g. "balanced-0.5b"; saved ones "saved/<name>"
    title: dict[str, str]  # {"en": ..., "zh": ...}
    description: dict[str, str]
    group: str  # "quality" | "task" | "saved"
    size: str | None
    spec: dict  # the partial spec (without the preset: block)
    path: Path

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.id

    def description_in(self, lang: str) -> str:
        return self.description.get(lang) or self.description.get("en") or ""


class PresetError(ValueError):
    """A preset file that cannot be used, or a name that cannot be saved; the message says why."""


# -- reading ------------------------------------------------------------------------------------
def list_presets(workspace=None) -> list[Preset]:
    """Built-in presets (quality by size and level, then tasks), then the workspace's saved ones.

    A file that cannot be read is skipped with a logged warning, so one bad file never hides
    the others.
    """
    built_in = _read_folder(PRESETS_DIR, saved=False)
    built_in.sort(key=_order)
    saved = _read_folder(_saved_dir(workspace), saved=True) if workspace is not None else []
    return built_in + sorted(saved, key=lambda p: p.id.lower())


def get_preset(preset_id: str, workspace=None) -> Preset:
    """The preset with this id; ValueError naming the ids there are when there is none."""
    presets = list_presets(workspace)
    for preset in presets:
        if preset.id == preset_id:
            return preset
    known = ", ".join(p.id for p in presets)
    raise ValueError(msg("plan.no_preset", name=repr(preset_id), known=known))


def read_preset(path: Path, saved: bool = False) -> Preset:
    """One preset file; PresetError naming the file and the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise PresetError(msg("plan.preset_unreadable", path=str(path), error=str(e))) from None
    if not isinstance(raw, dict):
        raise PresetError(msg("plan.preset_not_a_mapping", path=str(path)))
    meta = raw.pop("preset", None)
    if not isinstance(meta, dict):
        raise PresetError(msg("plan.preset_no_block", path=str(path)))
    title, description = meta.get("title"), meta.get("description", {})
    if isinstance(title, str):
        title = {"en": title}
    if isinstance(description, str):
        description = {"en": description}
    if not isinstance(title, dict) or not title.get("en"):
        raise PresetError(msg("plan.preset_bad_title", path=str(path), value=repr(title)))
    if not isinstance(description, dict):
        raise PresetError(msg("plan.preset_bad_description", path=str(path)))
    group = "saved" if saved else meta.get("group")
    if group not in GROUPS:
        raise PresetError(msg("plan.preset_bad_group", path=str(path), choices=", ".join(GROUPS), value=repr(group)))
    size = meta.get("size")
    if size is not None and str(size) not in SIZES:
        raise PresetError(msg("plan.preset_bad_size", path=str(path), choices=", ".join(SIZES), value=repr(size)))
    try:
        JobSpec.from_dict(_with_shipped_data(raw))  # the part alone must already be a valid spec
    except SpecError as e:
        raise PresetError(msg("plan.preset_bad_spec", path=str(path), error=e)) from None
    return Preset(
        id=(SAVED_PREFIX if saved else "") + path.stem,
        title={str(k): str(v) for k, v in title.items()},
        description={str(k): str(v) for k, v in description.items()},
        group=group,
        size=None if size is None else str(size),
        spec=raw,
        path=path,
    )


def _read_folder(folder: Path, saved: bool) -> list[Preset]:
    presets = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            presets.append(read_preset(path, saved=saved))
        except PresetError as e:
            log.warning("preset skipped: %s", e)
    return presets


def _order(p: Preset) -> tuple:
    def rank(value, order) -> int:
        return order.index(value) if value in order else len(order)

    level = next((lv for lv in LEVELS if p.id.startswith(lv + "-")), None)
    return GROUPS.index(p.group), rank(p.size, SIZES), rank(level, LEVELS), rank(p.id, TASKS), p.id


# -- applying -----------------------------------------------------------------------------------
def apply_preset(base: JobSpec, preset: Preset) -> JobSpec:
    """`base` with the preset's fields set; SpecError if the result is not a valid spec.

    Sections merge field by field (a task preset keeps the base's model); a field's value is
    replaced whole (placeholders, rewards). A preset naming its own `data.train` also resets the
    fields that described the base's dataset (column mapping, format, mix, ...).
    """
    raw = base.to_dict()
    part = _with_shipped_data(preset.spec)
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            if key == "data" and "train" in value:
                fresh = asdict(DataSpec())
                raw["data"].update({f: fresh[f] for f in DATASET_FIELDS})
            raw[key].update(value)
        else:
            raw[key] = value
    return JobSpec.from_dict(raw)


def load_spec_text(text: str, source: str | Message | None = None) -> JobSpec:
    """A spec YAML (full or partial; a `preset:` block is ignored) as a JobSpec, as `studio train`
    reads it: fields it leaves out take the JobSpec defaults. SpecError messages name `source` (a file
    name; by default "the file")."""
    if source is None:
        source = msg("plan.the_file")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        from backend.spec.yaml_error import yaml_problem

        raise SpecError([SpecIssue("(yaml)", msg("plan.spec_not_yaml", source=source,
                                                 error=yaml_problem(e, text)))]) from None
    if raw is None:
        raise SpecError([SpecIssue("(top)", msg("plan.spec_empty", source=source))])
    if not isinstance(raw, dict):
        raise SpecError([SpecIssue("(top)", msg("plan.spec_not_a_mapping", source=source, got=type(raw).__name__))])
    raw.pop("preset", None)
    try:
        return JobSpec.from_dict(_with_shipped_data(raw))
    except SpecError as e:
        raise SpecError([SpecIssue(i.field, msg("plan.in_source", message=i.message, source=source))
                         for i in e.issues]) from None


def _with_shipped_data(part: dict) -> dict:
    """A copy of `part` whose `data/NAME` sources that exist in the project's data/ are absolute,
    so a preset works whatever the current folder (the worker runs in the job's folder)."""
    data = part.get("data")
    if not isinstance(data, dict):
        return part
    data = dict(data)
    for key in ("train", "eval"):
        if isinstance(data.get(key), str) and data[key]:
            data[key] = ",".join(_shipped(name) for name in source_names(data[key]))
    return {**part, "data": data}


def _shipped(name: str) -> str:
    if name == DEMO or Path(name).is_absolute() or not name.replace("\\", "/").startswith("data/"):
        return name
    path = PROJECT_ROOT / name
    return str(path) if path.exists() else name


# -- saving -------------------------------------------------------------------------------------
def save_preset(workspace, name: str, spec: JobSpec, title: str | None = None) -> Preset:
    """Write `spec` (whole) as <workspace>/presets/<name>.yaml; overwriting a saved one is fine.

    The name is a plain file stem ([A-Za-z0-9_-], at most 64), so it cannot point elsewhere;
    the ids of built-in presets are refused to keep one name, one meaning.
    """
    name = (name or "").strip()
    if name in {p.stem for p in PRESETS_DIR.glob("*.yaml")}:
        raise PresetError(msg("plan.preset_name_built_in", name=repr(name), stem=name))
    if not NAME_RE.fullmatch(name):
        raise PresetError(msg("plan.preset_bad_name", name=repr(name)))
    folder = _saved_dir(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    label = (title or "").strip() or name
    summary = (
        f"{spec.model.name_or_path} · {spec.method.name} · {spec.stage} · {spec.dataset_label} · "
        f"lr {spec.training.learning_rate:g}"
    )
    meta = {"title": {"en": label, "zh": label}, "description": {"en": summary, "zh": summary}, "group": "saved"}
    path = folder / f"{name}.yaml"
    header = f"# A preset saved in the studio. Run it headless:\n#   studio train {path}\n"
    body = yaml.safe_dump({"preset": meta, **spec.to_dict()}, sort_keys=False, allow_unicode=True)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(header + body, encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a file
    return read_preset(path, saved=True)


def _saved_dir(workspace) -> Path:
    root = getattr(workspace, "root", workspace)
    return Path(root) / "presets"
