"""The one place where wizard form values become a JobSpec, and back.

    values = form_from_spec(spec)                       # {"training.learning_rate": 0.0002, ...}
    values["training.learning_rate"] = 1e-4
    spec = spec_from_form(values, base=defaults)        # JobSpec, or SpecError naming every bad field

The form is a dict keyed by the spec's dotted field path, built from the spec's dataclasses: every
field of backend.spec's SECTIONS (and `stage`) is in the wizard unless NOT_IN_WIZARD names it, and
its value goes both ways by the field's type (GENERIC rules below). Only the few fields the wizard
shows as something else than one value have a CODEC: the model and the dataset (a source choice and
a path, keyed "ui.*" since the spec has no such field), the placeholders (keys and one slot per
value), the grpo reward weights (one slider each, "align.rewards.<name>") and the data fields that
apply to one source only. A new spec field needs no edit here.

Pure Python (no gradio), so it is unit-tested directly; studio.wizard.fields builds the widgets.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from backend.spec import DEMO, DEMO_VL, REWARDS, SECTIONS, JobSpec, SpecError, SpecIssue
from studio.i18n import EN

FormValues = dict  # form key -> the value its widget holds (numbers may be None)

MODEL_SOURCES = ("demo", DEMO_VL, "local", "hub")  # demo-vl: the tiny vision-language demo (issue 22)
DATA_SOURCES = ("demo", DEMO_VL, "upload", "path", "hub", "registry")  # demo-vl: mllm_demo, rows with images
DEMOS = (DEMO, DEMO_VL)  # the sources that are their own value (no path)

# Form keys of values the spec has no field for (UI only).
MODEL_SOURCE = "ui.model_source"  # demo | demo-vl | local | hub
MODEL_PATH = "ui.model_path"  # a folder or a hub id
DATA_SOURCE = "ui.data_source"  # demo | demo-vl | upload | path | hub | registry
# upload: uploads/NAME (relative to the workspace); path: a file or folder on this machine;
# hub: a hub dataset id; registry: an entry name of data.dataset_dir/dataset_info.json
DATA_PATH = "ui.data_path"
MIX_WITH = "ui.data_mix_with"  # more sources, comma-separated (the rest of data.train)
PLACEHOLDER_KEYS = "ui.placeholder_keys"  # the data's {{key}} names, in order
PLACEHOLDER_VALUES = "ui.placeholder_values"  # their values, one per key

# Spec fields the wizard does not show: a run takes them from the base spec (templates/demo.yaml,
# a preset or a spec file), and `studio train` / a spec file set them.
NOT_IN_WIZARD = frozenset({
    "data.tags", "data.shuffle",
    "training.weight_decay", "training.max_grad_norm", "training.eval_steps", "training.precision",
    "training.cpu_threads", "training.memory_limit_gb", "training.device", "training.dataloader_workers",
    "training.tokens_per_pass",
    "training.sample_prompts",
    "export.formats",
    "distributed.num_machines", "distributed.machine_rank", "distributed.main_process_ip",
    "distributed.main_process_port",
})  # fmt: skip


@dataclass(frozen=True)
class Field:
    """One spec field, as its dataclass declares it."""

    path: str  # "training.learning_rate", or "stage"
    default: Any
    help: str
    choices: tuple | None

    @property
    def kind(self) -> str:
        """bool | int | float | text | choice | choices (a list from choices) | list | dict."""
        d = self.default
        if isinstance(d, list):
            return "choices" if self.choices else "list"
        if self.choices:
            return "choice"
        if isinstance(d, bool):
            return "bool"
        if isinstance(d, int):
            return "int"
        if isinstance(d, float):
            return "float"
        if isinstance(d, dict):
            return "dict"
        return "text"


def _field(path: str, f: dataclasses.Field) -> Field:
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
    choices = f.metadata.get("choices")
    return Field(path, default, f.metadata.get("help", ""), tuple(choices) if choices else None)


def spec_fields() -> dict[str, Field]:
    """Every spec field by path, in the spec's order (read from the dataclasses each time)."""
    out: dict[str, Field] = {}
    for section, cls in SECTIONS.items():
        if section == "align":  # JobSpec's order: model, data, method, stage, align, ...
            stage = next(f for f in dataclasses.fields(JobSpec) if f.name == "stage")
            out["stage"] = _field("stage", stage)
        for f in dataclasses.fields(cls):
            out[f"{section}.{f.name}"] = _field(f"{section}.{f.name}", f)
    return out


def wizard_fields() -> list[str]:
    """The spec fields the wizard shows."""
    return [p for p in spec_fields() if p not in NOT_IN_WIZARD]


# -- the value of one field, both ways ------------------------------------------------------------
def _get(spec: JobSpec, path: str, default: Any = None) -> Any:
    section, _, name = path.partition(".")
    if not name:
        return getattr(spec, section)
    return getattr(getattr(spec, section), name, default)  # a spec made before the field existed


def _set(raw: dict, path: str, value: Any) -> None:
    section, _, name = path.partition(".")
    if name:
        raw.setdefault(section, {})[name] = value
    else:
        raw[section] = value


def _as_text(items: list) -> str:
    return ", ".join(f"{x:g}" if isinstance(x, (int, float)) and not isinstance(x, bool) else str(x) for x in items)


def _generic_to_form(field: Field, value: Any) -> Any:
    """A spec value as its default widget holds it."""
    kind = field.kind
    if kind == "list":  # a text box: "0.5, 200"
        return _as_text(value or [])
    if kind == "dict":  # a text box in YAML: "{a: 1}"
        return yaml.safe_dump(value, default_flow_style=True).strip() if value else ""
    return copy.deepcopy(value)


def _generic_from_form(field: Field, value: Any) -> Any:
    """A widget's value as the spec reads it (backend.spec's coerce does the typing, and names
    the field when a value cannot be meant)."""
    kind = field.kind
    if kind == "bool":
        return bool(value)
    if kind == "text":
        return "" if value is None else str(value).strip()
    if kind == "choice":  # nothing chosen: the field's default
        return field.default if value is None or value == "" else value
    if kind == "choices":
        return list(value or [])
    if kind == "list":
        return "" if value is None else value  # "0.5, 200": each item read by coerce
    if kind == "dict" and isinstance(value, str):
        if not value.strip():
            return {}
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return value  # refused by the spec as "must be a mapping"
        return parsed if isinstance(parsed, dict) else value
    return value  # numbers as they are (None is refused, naming the field)


# -- the fields shown as something else than one value ----------------------------------------------
@dataclass(frozen=True)
class Codec:
    keys: tuple[str, ...]  # the form keys that hold the field
    to_form: Callable[[JobSpec], dict]  # spec -> {key: value}
    # (form values, issues to add to, the UI's string table for their messages) -> the spec value
    from_form: Callable[[dict, list, Mapping], Any]


def _model_to_form(spec: JobSpec) -> dict:
    name = spec.model.name_or_path
    return {MODEL_SOURCE: model_source_of(name), MODEL_PATH: "" if name in DEMOS else name}


def _model_from_form(v: dict, issues: list, t: Mapping) -> str:
    source = v[MODEL_SOURCE]
    if source not in MODEL_SOURCES:
        issues.append(SpecIssue("model.name_or_path", t["model.err.unknown_source"].format(source=source)))
    name = source if source in DEMOS else (v[MODEL_PATH] or "").strip()
    if source == "local" and name:  # absolute: the worker runs in the job dir
        path = Path(name).expanduser()
        # A link put in the workspace's models/ stays the path given (the Review's folder check reads it); `..` is
        # resolved by the system, never by the text.
        name = str(path.resolve() if ".." in path.parts else Path(os.path.abspath(path)))
    return name


def _sources(spec: JobSpec) -> list[str]:
    return [s.strip() for s in spec.data.train.split(",") if s.strip()] or [DEMO]


def _train_to_form(spec: JobSpec) -> dict:
    sources = _sources(spec)
    source = data_source_of(sources[0], spec.data.dataset_dir)
    return {DATA_SOURCE: source, DATA_PATH: "" if source in DEMOS else sources[0], MIX_WITH: ", ".join(sources[1:])}


def _train_from_form(v: dict, issues: list, t: Mapping) -> str:
    source = v[DATA_SOURCE]
    if source not in DATA_SOURCES:
        issues.append(SpecIssue("data.train", t["data.err.unknown_source"].format(source=source)))
    if source in DEMOS:
        train = source
    else:
        train = (v[DATA_PATH] or "").strip()
        if not train:
            missing = {"upload": "data.err.no_upload", "path": "data.err.no_path", "hub": "data.err.no_hub_id",
                       "registry": "data.err.no_entry"}
            issues.append(SpecIssue("data.train", t[missing.get(source, "data.err.no_dataset")]))
    if source == "path" and train:
        train = str(Path(train).expanduser().resolve())  # the worker runs elsewhere
    more = [s.strip() for s in (v[MIX_WITH] or "").split(",") if s.strip()]
    return ",".join([train or DEMO, *more])


def _placeholders_from_form(v: dict, issues: list, t: Mapping) -> dict:
    keys, values = v[PLACEHOLDER_KEYS] or [], v[PLACEHOLDER_VALUES] or []
    return {str(k): "" if val is None else str(val) for k, val in zip(keys, values, strict=False) if k}


def _only_for(source: str, path: str) -> Codec:
    """A data field that applies to one source only (the others' boxes may hold stale text)."""
    return Codec((path,), lambda spec: {path: _get(spec, path)},
                 lambda v, issues, t: (v[path] or "").strip() if v[DATA_SOURCE] == source else "")


CODECS: dict[str, Codec] = {
    "model.name_or_path": Codec((MODEL_SOURCE, MODEL_PATH), _model_to_form, _model_from_form),
    "data.train": Codec((DATA_SOURCE, DATA_PATH, MIX_WITH), _train_to_form, _train_from_form),
    "data.placeholders": Codec(
        (PLACEHOLDER_KEYS, PLACEHOLDER_VALUES),
        lambda spec: {PLACEHOLDER_KEYS: list(spec.data.placeholders),
                      PLACEHOLDER_VALUES: list(spec.data.placeholders.values())},
        _placeholders_from_form,
    ),
    "data.columns": Codec(  # the mapping the user made, role -> column (a State, not a text box)
        ("data.columns",), lambda spec: {"data.columns": dict(spec.data.columns)},
        lambda v, issues, t: {k: c for k, c in (v["data.columns"] or {}).items() if c},
    ),
    "data.dataset_dir": _only_for("registry", "data.dataset_dir"),
    "data.subset": _only_for("hub", "data.subset"),
    "data.split": Codec(("data.split",), lambda spec: {"data.split": spec.data.split},
                        lambda v, issues, t: (v["data.split"] or "").strip() or "train"),
    "align.rewards": Codec(  # one weight per reward; 0 = off
        tuple(f"align.rewards.{r}" for r in REWARDS),
        lambda spec: {f"align.rewards.{r}": spec.align.rewards.get(r, 0.0) for r in REWARDS},
        lambda v, issues, t: {r: float(w or 0) for r in REWARDS if (w := v[f"align.rewards.{r}"])},
    ),
}


def keys_of(path: str) -> tuple[str, ...]:
    """The form keys that hold a spec field (its own path for all but the CODECS)."""
    codec = CODECS.get(path)
    return codec.keys if codec else (path,)


def form_keys() -> list[str]:
    """Every key of the form, in the spec's order."""
    return [k for path in wizard_fields() for k in keys_of(path)]


# -- the whole form ------------------------------------------------------------------------------------
def form_from_spec(spec: JobSpec) -> FormValues:
    """The wizard's values for a spec (templates/demo.yaml at start-up, a clone, a preset)."""
    fields = spec_fields()
    values: dict = {}
    for path in wizard_fields():
        codec = CODECS.get(path)
        if codec:
            values.update(codec.to_form(spec))
        else:
            values[path] = _generic_to_form(fields[path], _get(spec, path, fields[path].default))
    return values


def spec_from_form(values: FormValues, base: JobSpec | None = None, t: Mapping | None = None) -> JobSpec:
    """Build and validate the spec; raises SpecError whose issues name each bad field.

    Fields the wizard does not show (weight decay, precision, ...) come from `base`, and so do keys
    missing from `values`. The form's own issues (no dataset chosen, ...) are worded from the UI's string
    table `t` (the page's: `ctx.t`; English when not given); the spec's own are backend messages.
    """
    base = base or JobSpec()
    t = EN if t is None else t
    v = {**form_from_spec(base), **values}
    fields = spec_fields()
    issues: list[SpecIssue] = []
    raw = base.to_dict()
    for path in wizard_fields():
        codec = CODECS.get(path)
        _set(raw, path, codec.from_form(v, issues, t) if codec else _generic_from_form(fields[path], v[path]))
    try:
        spec = JobSpec.from_dict(raw)
    except SpecError as e:
        raise SpecError(issues + e.issues) from None
    if issues:
        raise SpecError(issues)
    return spec


def data_source_of(train_first: str, dataset_dir: str) -> str:
    """Which Data-step source a spec's first `data.train` entry is."""
    from backend.hub import looks_like_hub_id

    if train_first in DEMOS:
        return train_first
    if train_first.startswith("uploads/"):
        return "upload"
    if dataset_dir and "/" not in train_first:
        return "registry"
    if looks_like_hub_id(train_first) and not Path(train_first).expanduser().exists():
        return "hub"
    return "path"


def model_source_of(name_or_path: str) -> str:
    """Which Model-step source a spec's model is: the demo, a hub id (`org/name` that is not a folder
    here), or a local folder."""
    from backend.hub import looks_like_hub_id

    if name_or_path in DEMOS:
        return name_or_path
    if looks_like_hub_id(name_or_path) and not Path(name_or_path).expanduser().exists():
        return "hub"
    return "local"


def estimate_steps(spec: JobSpec, n_rows: int) -> int:
    """Optimizer steps the run will take: max_steps, else ceil(rows*(1-eval)/batch/accum/processes)*epochs
    (several processes share out every epoch's rows)."""
    split = spec.data.eval_split
    n_eval = (max(1, round(n_rows * split)) if split < 1 else int(split)) if split > 0 else 0
    return train_steps(spec, n_rows - n_eval)


def train_steps(spec: JobSpec, n_train: int) -> int:
    """Optimizer steps over `n_train` training rows (after the eval split, and after max_length left some out)."""
    t = spec.training
    if t.max_steps > 0:
        return t.max_steps
    per_epoch = -(-max(n_train, 0) // (t.batch_size * t.gradient_accumulation_steps * spec.distributed.world_size))
    return int(-(-per_epoch * t.num_epochs // 1))
