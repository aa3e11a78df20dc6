"""What the Model step shows about a base model: architecture, parameters, chat template; for a vision-language
model also its parameters split into language model / vision tower / projector and the image processor's pixel
budget in image tokens (studio/wizard/model_vision.py).

Read from files only (config.json, safetensors headers, tokenizer_config.json), never by
loading the model, so the UI process stays free of torch. A problem is a ModelInfoError worded from the
UI's string table `t` the caller passes (the page's `ctx.t`; English when not given).

A local folder is read only under the folders the studio may read (`roots`: the workspace, with its models/,
the project's data/ and each --data-root; the Data step's allow-list): `check_model_folder` refuses any other
path with one message that says where models go, before looking at it, so a page cannot learn which server
folders exist.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from backend.demo import DEMO_CONFIG, demo_config, demo_dir, is_built
from backend.demo_vlm import demo_vlm_dir
from backend.demo_vlm import is_built as vl_built
from backend.hub import unreachable_reason
from backend.vlm import DEMO_VL
from backend.workspace import under_roots
from studio.i18n import EN
from studio.unexpected import unexpected
from studio.wizard.model_vision import vision_facts


class ModelInfoError(RuntimeError):
    """A problem to show instead of the model's details."""


@dataclass
class ModelInfo:
    architecture: str
    params: int | None  # None: unknown
    params_exact: bool
    chat_template: bool | None  # None: unknown
    where: str  # the folder, or the hub id (hub)
    hub: bool = False
    vision: object = None  # studio.wizard.model_vision.VisionFacts: a vision-language model's parts, pixels


def describe_demo(models_dir: Path, t: Mapping = EN) -> ModelInfo:
    if is_built(models_dir):
        info = describe_local(demo_dir(models_dir), t)
        info.where = "demo"
        return info
    return ModelInfo(
        architecture=f"{DEMO_CONFIG['model_type']} (Qwen2ForCausalLM)",
        params=params_from_config(demo_config()),  # the vocabulary the build makes: the built model's count
        params_exact=False,
        chat_template=True,  # the demo is built with the chatml template
        where="demo",  # the Model step shows model.where_demo
    )


def model_outside_roots(t, folder, roots, models_dir: Path) -> str | None:
    """The refusal of a local model folder outside the folders the studio may read (the same `roots` as the data:
    the workspace, with its models/, data/ and each --data-root), or None when it is inside. Decided before the
    folder is looked at, in the same words whether it exists, so a page cannot probe the server's folders."""
    if under_roots(folder, roots):
        return None
    listed = ", ".join(str(Path(r)) for r in roots)
    return t["model.err.outside_roots"].format(folder=str(folder).strip(), models=models_dir, roots=listed)


def check_model_folder(folder: str | Path, roots, models_dir: Path, t: Mapping = EN) -> None:
    """A ModelInfoError unless `folder` is under the allowed `roots` (model_outside_roots: the same words whether it
    exists or not, naming where a model may be put)."""
    refusal = model_outside_roots(t, folder, roots, models_dir)
    if refusal:
        raise ModelInfoError(refusal)


def describe_local(folder: str | Path, t: Mapping = EN, roots=None, models_dir: Path | None = None) -> ModelInfo:
    """A local model folder's details; with `roots`, only a folder under them is looked at (check_model_folder)."""
    if roots is not None and str(folder).strip():
        check_model_folder(folder, roots, models_dir or Path(roots[0]) / "models", t)
    folder = Path(folder).expanduser()
    if not str(folder).strip() or not folder.is_dir():
        raise ModelInfoError(t["model.err.no_such_folder"].format(folder=folder))
    cfg_path = folder / "config.json"
    if not cfg_path.is_file():
        raise ModelInfoError(t["model.err.no_config"].format(folder=folder))
    config = _read_json(cfg_path, t)
    params = count_safetensors_params(folder)
    exact = params is not None
    if params is None:
        params = params_from_config(config)
    return ModelInfo(
        architecture=_architecture(config),
        params=params,
        params_exact=exact,
        chat_template=has_chat_template(folder, t),
        where=str(folder),
        vision=vision_facts(config, folder),  # None for a text model
    )


def describe_hub(repo_id: str, timeout_s: float = 3.0, t: Mapping = EN) -> ModelInfo:
    """Fetch config.json (and tokenizer_config.json) from the hub, failing fast when offline."""
    repo_id = (repo_id or "").strip()
    if not repo_id or repo_id.count("/") > 1 or repo_id.startswith(("/", ".")):
        raise ModelInfoError(t["model.err.not_hub_id"].format(repo=repo_id))
    from huggingface_hub import hf_hub_download, try_to_load_from_cache

    cached = try_to_load_from_cache(repo_id, "config.json")
    if not isinstance(cached, str):
        _check_reachable(timeout_s, t)
        with unexpected.optional("hub_config") as failed:
            cached = hf_hub_download(repo_id, "config.json", etag_timeout=timeout_s)
        if failed.error is not None:  # every hub failure becomes a message
            e = failed.error
            raise ModelInfoError(t["model.err.hub_read"].format(
                repo=repo_id, kind=type(e).__name__, error=str(e)[:300])) from None
    config = _read_json(Path(cached), t)
    template: bool | None = None
    with unexpected.optional("hub_tokenizer_config"):  # an optional detail
        tok = hf_hub_download(repo_id, "tokenizer_config.json", etag_timeout=timeout_s)
        template = bool(_read_json(Path(tok), t).get("chat_template"))
    return ModelInfo(
        architecture=_architecture(config),
        params=params_from_config(config),
        params_exact=False,
        chat_template=template,
        where=repo_id,
        hub=True,
        vision=vision_facts(_hub_image_processor(repo_id, config)),
    )


def _hub_image_processor(repo_id: str, config: dict) -> dict:
    """A hub vision-language model's config with its cached preprocessor_config.json (never downloaded for this:
    without it the family's default pixel budget is shown)."""
    from backend.vlm import is_vision_config

    if not is_vision_config(config):
        return config
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo_id, "preprocessor_config.json")
    if isinstance(found, str):
        from backend.plan.vision import with_image_processor

        return with_image_processor(config, Path(found).parent)
    return config


def _check_reachable(timeout_s: float, t: Mapping = EN) -> None:
    reason = unreachable_reason(timeout_s)
    if reason:
        raise ModelInfoError(t["model.err.hub_unreachable"].format(reason=reason))


def has_chat_template(folder: Path, t: Mapping = EN) -> bool:
    if (folder / "chat_template.jinja").is_file():
        return True
    tok_cfg = folder / "tokenizer_config.json"
    return tok_cfg.is_file() and bool(_read_json(tok_cfg, t).get("chat_template"))


def count_safetensors_params(folder: Path) -> int | None:
    """Sum of tensor sizes from the safetensors headers (8-byte length, then JSON)."""
    files = sorted(Path(folder).glob("*.safetensors"))
    if not files:
        return None
    total = 0
    for f in files:
        with open(f, "rb") as fh:
            (length,) = struct.unpack("<Q", fh.read(8))
            if length > 100_000_000:
                return None
            header = json.loads(fh.read(length))
        for name, meta in header.items():
            if name == "__metadata__":
                continue
            n = 1
            for dim in meta.get("shape", []):
                n *= dim
            total += n
    return total


def params_from_config(cfg: dict) -> int | None:
    """An estimate for decoder-only transformers (Llama/Qwen style) from the config; a vision-language model's
    language model from its text_config (transformers 5) or the top level (older files), plus its vision tower and
    projector (backend.plan.vision)."""
    if isinstance(cfg.get("vision_config"), dict):
        from backend.plan.vision import vision_params

        text = cfg.get("text_config") if isinstance(cfg.get("text_config"), dict) else cfg
        text = {**text, "tie_word_embeddings": cfg.get("tie_word_embeddings", text.get("tie_word_embeddings"))}
        language = params_from_config({k: v for k, v in text.items() if k not in ("vision_config", "text_config")})
        return None if language is None else language + sum(vision_params(cfg).values())
    try:
        h = int(cfg["hidden_size"])
        layers = int(cfg["num_hidden_layers"])
        inter = int(cfg.get("intermediate_size") or 4 * h)
        heads = int(cfg["num_attention_heads"])
        kv = int(cfg.get("num_key_value_heads") or heads)
        vocab = int(cfg.get("vocab_size") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    head_dim = int(cfg.get("head_dim") or h // heads)
    bias = 1 if cfg.get("model_type") in ("qwen2", "qwen2_vl", "qwen2_vl_text", "qwen2_5_vl", "qwen2_5_vl_text") else 0
    attn = h * heads * head_dim + 2 * h * kv * head_dim + heads * head_dim * h
    attn += bias * (heads * head_dim + 2 * kv * head_dim)
    per_layer = attn + 3 * h * inter + 2 * h
    embed = vocab * h * (1 if cfg.get("tie_word_embeddings") else 2)
    return embed + layers * per_layer + h


def _architecture(config: dict) -> str:
    archs = config.get("architectures") or []
    kind = config.get("model_type", "?")
    return f"{kind} ({', '.join(archs)})" if archs else kind


def _read_json(path: Path, t: Mapping = EN) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ModelInfoError(t["model.err.unreadable"].format(file=path.name, error=e)) from None
    if not isinstance(data, dict):
        raise ModelInfoError(t["model.err.not_object"].format(file=path.name))
    return data


def model_config(source: str, path: str, models_dir: Path, roots=None) -> dict | None:
    """The base model's config.json as a dict (for parameter and memory estimates), or None.
    Never downloads: a hub model counts only once its config is in the local cache. A local folder is read only
    under `roots` when given (check_model_folder), and a hub id only from the cache."""
    try:
        if source == DEMO_VL or (path or "").strip() == DEMO_VL and source != "local":
            folder = demo_vlm_dir(models_dir)
            if vl_built(models_dir):
                from backend.plan.vision import with_image_processor

                return with_image_processor(_read_json(folder / "config.json"), folder)
            from backend.demo_vlm import demo_vlm_config

            return demo_vlm_config()
        if source == "demo":
            folder = demo_dir(models_dir)
            if (folder / "config.json").is_file():
                return _read_json(folder / "config.json")
            return demo_config()
        folder = Path(path or "").expanduser()
        if source == "local":
            if roots is not None and not under_roots(path or "", roots):
                return None
            if (folder / "config.json").is_file():
                from backend.plan.vision import with_image_processor

                return with_image_processor(_read_json(folder / "config.json"), folder)
        if source == "hub" and path:
            from huggingface_hub import try_to_load_from_cache

            cached = try_to_load_from_cache(path.strip(), "config.json")
            if isinstance(cached, str):
                return _hub_image_processor(path.strip(), _read_json(Path(cached)))
    except (OSError, ValueError, ModelInfoError):
        return None
    return None


def max_positions(source: str, path: str, models_dir: Path, roots=None) -> int | None:
    """The longest sequence the base model reads (its config's max positions), or None when unknown: the cap
    of the max_length the Data step and the Review suggest."""
    from backend.data.fit import max_positions as from_config

    return from_config(model_config(source, path, models_dir, roots))
