"""LLaMA-Factory's `dataset_info.json`, read as-is: each entry becomes a Source.

An entry names a file (`file_name`, relative to the registry's folder) or a hub dataset
(`hf_hub_url`, with `subset` and `split`), its `formatting` (alpaca or sharegpt), `ranking`
(preference pairs), `columns` and `tags`. The column names are the ones this project uses.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from backend.data.read import DataError
from backend.data.turns import SHAREGPT_TAGS
from backend.messages import msg

REGISTRY_FILE = "dataset_info.json"
_MEDIA = ("images", "videos", "audios")
# LLaMA-Factory's defaults when an entry gives no columns.
_ALPACA_COLUMNS = {"prompt": "instruction", "query": "input", "response": "output"}
_SHAREGPT_COLUMNS = {"messages": "conversations"}


@dataclass
class Source:
    """One dataset to read: a local file or folder, or a hub id; how to read its rows."""

    label: str
    path: Path | None = None
    hub: str = ""
    subset: str = ""
    split: str = "train"
    format: str = "auto"
    columns: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    defined_by: str = ""  # "dataset_info.json": format and columns come from a registry entry


def registry_path(where: str | Path) -> Path:
    path = Path(where).expanduser()
    return path / REGISTRY_FILE if path.is_dir() else path


def read_registry(where: str | Path) -> dict[str, dict]:
    path = registry_path(where)
    if not path.is_file():
        raise DataError(msg("data.no_registry", path=path, file=REGISTRY_FILE))
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DataError(msg("data.registry_bad_json", file=path.name, error=str(e))) from None
    if not isinstance(data, dict):
        raise DataError(msg("data.registry_not_object", file=path.name))
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def local_entries(where: str | Path) -> list[str]:
    """Entries whose file lies beside the registry (what can be used offline)."""
    folder = registry_path(where).parent
    return [name for name, e in read_registry(where).items()
            if e.get("file_name") and (folder / e["file_name"]).exists()]


def entry_source(where: str | Path, name: str, allow_images: bool = True) -> Source:
    """The Source for entry `name`; a clear message for unknown names and unsupported entries. A conversation
    entry's `images` column is kept (LLaMA-Factory's image rows, for vision-language models) unless `allow_images`
    is off; video and audio, and images in preference or KTO entries, are refused."""
    entries = read_registry(where)
    path = registry_path(where)
    if name not in entries:
        close = difflib.get_close_matches(name, list(entries), n=3)
        hint = msg("data.did_you_mean", names=", ".join(close)) if close else msg("data.has_entries", n=len(entries))
        raise DataError(msg("data.not_in_registry", name=name, path=path, hint=hint))
    e = entries[name]
    columns = {k: v for k, v in (e.get("columns") or {}).items() if v}
    # images read in conversation and preference rows (sft, dpo); KTO rows with images are not read yet
    conversation = e.get("formatting") in ("sharegpt", "openai") and not columns.get("kto_tag")
    media = [c for c in _MEDIA if columns.get(c) and not (allow_images and conversation and c == "images")]
    if media:
        raise DataError(msg("data.entry_media", file=path.name, name=name, media=", ".join(media)))
    formatting = e.get("formatting", "alpaca")
    if formatting not in ("alpaca", "sharegpt", "openai"):
        raise DataError(msg("data.entry_formatting", file=path.name, name=name, formatting=formatting))
    if formatting == "alpaca":
        defaults = dict(_ALPACA_COLUMNS)
        if e.get("ranking"):
            defaults.pop("response")
        columns = {**defaults, **columns}
    else:
        columns = {**_SHAREGPT_COLUMNS, **columns}
    tags = {**SHAREGPT_TAGS, **(e.get("tags") or {})} if formatting != "alpaca" else {}
    if formatting == "openai":
        tags = {**tags, "role_tag": "role", "content_tag": "content", "user_tag": "user",
                "assistant_tag": "assistant", "observation_tag": "tool", "system_tag": "system"}
    fmt = _format(e, formatting, columns)
    if fmt == "text":  # LLaMA-Factory keeps pretraining text under `prompt`
        columns = {"text": columns.get("prompt", "text")}
    source = Source(label=name, format=fmt, columns=columns, tags=tags, defined_by=path.name,
                    subset=str(e.get("subset") or ""), split=str(e.get("split") or "train"))
    if e.get("file_name"):
        source.path = path.parent / e["file_name"]
        if not source.path.exists():
            raise DataError(msg("data.entry_file_missing", file=path.name, name=name, path=source.path))
    elif e.get("hf_hub_url"):
        source.hub = e["hf_hub_url"]
    else:
        where_from = [k for k in ("ms_hub_url", "om_hub_url", "script_url", "cloud_file_name") if e.get(k)]
        raise DataError(msg("data.entry_remote", file=path.name, name=name,
                            origin=", ".join(where_from) or msg("data.nowhere")))
    return source


def _format(e: dict, formatting: str, columns: dict) -> str:
    if e.get("ranking"):
        return "preference"
    if columns.get("kto_tag"):
        return "kto"
    raw = e.get("columns") or {}
    if formatting == "alpaca" and raw.get("prompt") and not any(raw.get(k) for k in ("response", "query", "history")):
        return "text"
    return "alpaca" if formatting == "alpaca" else "sharegpt"
