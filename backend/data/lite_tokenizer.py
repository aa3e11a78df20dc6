"""A light tokenizer for the UI process: `tokenizers` + jinja2, no torch, no transformers.

`from transformers import AutoTokenizer` imports torch (seconds); the UI only needs to render a
row through the chat template and count tokens. `LiteTokenizer` loads the same files that
AutoTokenizer reads (tokenizer.json, tokenizer_config.json, special_tokens_map.json,
chat_template.jinja) and mirrors what transformers 5 does with them, so that it gives the same
text and the same ids as the training process for everything backend/data/tokenize.py uses:

    tok = LiteTokenizer.from_dir(folder)           # or .from_hub("org/name"), .from_pretrained(either)
    tok.chat_template = "..."                     # settable, like transformers
    text = tok.apply_chat_template(messages, tools=None, tokenize=False, add_generation_prompt=False)
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)   # {"input_ids", ..., "offset_mapping"}

Limits: transformers 5 rebuilds the pre-tokenizer/normalizer of some model-specific tokenizer
classes from its own code (e.g. Qwen2Tokenizer); for the hub's models of those families the
rebuilt pipeline is the one their tokenizer.json holds, which is what this class uses. Remote
tokenizer code (trust_remote_code) and sentencepiece/tiktoken-only repos (no tokenizer.json)
are not supported: LiteTokenizerError says so.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from backend.messages import msg

SPECIAL_TOKENS_ATTRIBUTES = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")
HUB_FILES = ("tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja")
_REASONING_FIELDS = ("reasoning_content", "thinking", "reasoning")


class LiteTokenizerError(ValueError):
    """The tokenizer files cannot be found, fetched or read; the message says which and why."""


def _token_text(value) -> str | None:
    """A special token as saved: a string, or an AddedToken dict {"content": ..., ...}."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get("content")
    return str(value)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise LiteTokenizerError(msg("data.tokenizer_file_not_json", path=path, error=str(e))) from e
    if not isinstance(data, dict):
        raise LiteTokenizerError(msg("data.tokenizer_file_not_object", path=path))
    return data


class LiteTokenizer:
    """Duck-types the part of a transformers tokenizer that tokenize.py and preview.py use."""

    def __init__(self, tokenizer, config: dict | None = None, special_tokens_map: dict | None = None,
                 chat_template: str | dict | None = None, name_or_path: str = ""):
        from tokenizers import AddedToken

        config = dict(config or {})
        self._tokenizer = tokenizer
        self.name_or_path = name_or_path
        self.init_kwargs = config
        # Named special tokens: tokenizer_config.json, overridden by special_tokens_map.json when the
        # config has no `added_tokens_decoder` (what transformers 5 does with the legacy file).
        raw = {key: config.get(key) for key in SPECIAL_TOKENS_ATTRIBUTES}
        if special_tokens_map and "added_tokens_decoder" not in config:
            for key, value in special_tokens_map.items():
                if key in raw:
                    raw[key] = value
        self._special: dict[str, str | None] = {k: _token_text(v) for k, v in raw.items()}

        # Tokens transformers adds at load when tokenizer.json lacks them: the config's
        # added_tokens_decoder, the named special tokens, the extra special tokens.
        present = {t.content for t in tokenizer.get_added_tokens_decoder().values()}
        to_add = []
        decoder = config.get("added_tokens_decoder") or {}
        for _, tok in sorted(((int(i), t) for i, t in decoder.items()), key=lambda x: x[0]):
            if isinstance(tok, dict) and tok.get("content") and tok["content"] not in present:
                to_add.append(AddedToken(**{k: v for k, v in tok.items() if k != "__type"}))
                present.add(tok["content"])
        extra = config.get("extra_special_tokens") or config.get("additional_special_tokens") or []
        if isinstance(extra, dict):
            extra = list(extra.values())
        for value in [*raw.values(), *extra]:
            text = _token_text(value)
            if text and text not in present:
                flags = {k: v for k, v in value.items() if k not in ("__type", "content", "special")} \
                    if isinstance(value, dict) else {}
                to_add.append(AddedToken(text, special=True, **flags))
                present.add(text)
        if to_add:
            tokenizer.add_tokens(to_add)
        tokenizer.encode_special_tokens = bool(config.get("split_special_tokens", False))
        self.clean_up_tokenization_spaces = bool(config.get("clean_up_tokenization_spaces", False))

        if chat_template is None:
            chat_template = config.get("chat_template")
        if isinstance(chat_template, (list, tuple)):
            chat_template = {t["name"]: t["template"] for t in chat_template}
        self.chat_template = chat_template

    # ---- loading -------------------------------------------------------------------------

    @classmethod
    def from_dir(cls, folder) -> LiteTokenizer:
        from tokenizers import Tokenizer

        folder = Path(folder).expanduser()
        path = folder / "tokenizer.json"
        if not path.is_file():
            raise LiteTokenizerError(msg("data.no_tokenizer_json", folder=folder))
        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as e:  # the Rust side raises plain Exception
            raise LiteTokenizerError(msg("data.tokenizer_unloadable", path=path, error=str(e))) from e
        config_path = folder / "tokenizer_config.json"
        config = _read_json(config_path) if config_path.is_file() else {}
        map_path = folder / "special_tokens_map.json"
        special_map = _read_json(map_path) if map_path.is_file() else None

        # Template files take priority over the config's entry, as in transformers 5.
        templates: dict[str, str] = {}
        if (folder / "chat_template.jinja").is_file():
            templates["default"] = (folder / "chat_template.jinja").read_text(encoding="utf-8")
        extra_dir = folder / "additional_chat_templates"
        if extra_dir.is_dir():
            for f in sorted(extra_dir.glob("*.jinja")):
                templates[f.stem] = f.read_text(encoding="utf-8")
        if list(templates) == ["default"]:
            template = templates["default"]
        else:
            template = templates or None
        return cls(tokenizer, config, special_map, template, name_or_path=str(folder))

    @classmethod
    def from_hub(cls, repo_id: str, revision: str | None = None, token: str | None = None) -> LiteTokenizer:
        """Fetch only the small tokenizer files (into the usual HF cache) and load them.
        Raises LiteTokenizerError when offline with nothing cached, or the repo/file is missing."""
        try:
            from huggingface_hub import hf_hub_download
            from huggingface_hub.errors import EntryNotFoundError
        except ImportError as e:  # pragma: no cover - huggingface_hub ships with the project
            raise LiteTokenizerError(msg("data.no_huggingface_hub")) from e
        try:
            main = hf_hub_download(repo_id, "tokenizer.json", revision=revision, token=token)
        except Exception as e:
            raise LiteTokenizerError(msg("data.tokenizer_fetch_failed", name=repo_id, error_type=type(e).__name__,
                                         error=str(e).splitlines()[0] if str(e) else msg("data.no_detail"))) from e
        for name in HUB_FILES:
            try:
                hf_hub_download(repo_id, name, revision=revision, token=token)
            except EntryNotFoundError:  # the repo has no such file (or, offline, it is not cached)
                continue
            except Exception as e:
                raise LiteTokenizerError(msg("data.tokenizer_file_fetch_failed", file=name, name=repo_id,
                                             error_type=type(e).__name__, error=str(e))) from e
        tok = cls.from_dir(Path(main).parent)
        tok.name_or_path = repo_id
        return tok

    @classmethod
    def from_pretrained(cls, name_or_path: str, **hub_kwargs) -> LiteTokenizer:
        """A local folder if it exists, else a hub id."""
        path = Path(str(name_or_path)).expanduser()
        if path.is_dir():
            return cls.from_dir(path)
        return cls.from_hub(str(name_or_path), **hub_kwargs)

    # ---- special tokens ------------------------------------------------------------------

    def _get(self, key):
        return self._special.get(key)

    def _set(self, key, value):
        self._special[key] = _token_text(value)

    bos_token = property(lambda s: s._get("bos_token"), lambda s, v: s._set("bos_token", v))
    eos_token = property(lambda s: s._get("eos_token"), lambda s, v: s._set("eos_token", v))
    unk_token = property(lambda s: s._get("unk_token"), lambda s, v: s._set("unk_token", v))
    sep_token = property(lambda s: s._get("sep_token"), lambda s, v: s._set("sep_token", v))
    pad_token = property(lambda s: s._get("pad_token"), lambda s, v: s._set("pad_token", v))
    cls_token = property(lambda s: s._get("cls_token"), lambda s, v: s._set("cls_token", v))
    mask_token = property(lambda s: s._get("mask_token"), lambda s, v: s._set("mask_token", v))

    @property
    def bos_token_id(self):
        return self.convert_tokens_to_ids(self.bos_token) if self.bos_token else None

    @property
    def eos_token_id(self):
        return self.convert_tokens_to_ids(self.eos_token) if self.eos_token else None

    @property
    def pad_token_id(self):
        return self.convert_tokens_to_ids(self.pad_token) if self.pad_token else None

    @property
    def special_tokens_map(self) -> dict[str, str]:
        return {k: v for k, v in self._special.items() if v is not None}

    @property
    def added_tokens_encoder(self) -> dict[str, int]:
        return {t.content: i for i, t in sorted(self._tokenizer.get_added_tokens_decoder().items())}

    @property
    def all_special_tokens(self) -> list[str]:
        """The special tokens: named ones and every added token flagged special."""
        out = list(dict.fromkeys(self.special_tokens_map.values()))
        for _, t in sorted(self._tokenizer.get_added_tokens_decoder().items()):
            if t.special and t.content not in out:
                out.append(t.content)
        return out

    @property
    def backend_tokenizer(self):
        return self._tokenizer

    def __len__(self) -> int:
        return self._tokenizer.get_vocab_size(with_added_tokens=True)

    def get_vocab(self) -> dict[str, int]:
        return self._tokenizer.get_vocab(with_added_tokens=True)

    # ---- chat template -------------------------------------------------------------------

    def get_chat_template(self, chat_template: str | None = None, tools=None) -> str:
        """Same choice as transformers: a named template of a dict ("tool_use" when tools are
        given and it exists, else "default"), the given text, or the tokenizer's own."""
        own = self.chat_template
        if isinstance(own, dict):
            if chat_template is not None and chat_template in own:
                return own[chat_template]
            if chat_template is None:
                if tools is not None and "tool_use" in own:
                    return own["tool_use"]
                if "default" in own:
                    return own["default"]
                raise ValueError(msg("data.no_default_template", names=sorted(own)))
            return chat_template
        if chat_template is None:
            if not own:
                raise ValueError(msg("data.no_chat_template"))
            return own
        return chat_template

    def apply_chat_template(self, conversation, tools=None, documents=None, chat_template=None,
                            add_generation_prompt: bool = False, tokenize: bool = False,
                            return_dict: bool = True, continue_final_message: bool = False, **kwargs):
        """Render like transformers' apply_chat_template (note: tokenize defaults to False here).
        With tokenize=True returns {"input_ids", "attention_mask"} (or the ids if return_dict=False)."""
        if continue_final_message:
            raise NotImplementedError("continue_final_message is not supported by the light tokenizer.")
        template = self.get_chat_template(chat_template, tools)
        if not conversation:
            raise ValueError(msg("data.empty_conversation"))
        messages = _alias_reasoning([{k: v for k, v in dict(m).items() if v is not None} for m in conversation])
        text = _compile(template).render(
            messages=_plain(messages),
            tools=_plain(list(tools)) if tools is not None else None,
            documents=_plain(documents),
            add_generation_prompt=add_generation_prompt,
            **_plain({**self.special_tokens_map, **kwargs}),
        )
        if not tokenize:
            return text
        enc = self(text, add_special_tokens=False)
        return enc if return_dict else enc["input_ids"]

    # ---- encoding ------------------------------------------------------------------------

    def __call__(self, text, add_special_tokens: bool = False, return_offsets_mapping: bool = False, **_ignored):
        """Encode one text (or a list). Note: add_special_tokens defaults to False here."""
        if isinstance(text, (list, tuple)):
            encs = self._tokenizer.encode_batch(list(text), add_special_tokens=add_special_tokens)
            out = {"input_ids": [e.ids for e in encs], "attention_mask": [e.attention_mask for e in encs]}
            if return_offsets_mapping:
                out["offset_mapping"] = [list(e.offsets) for e in encs]
            return out
        enc = self._tokenizer.encode(text, add_special_tokens=add_special_tokens)
        out = {"input_ids": enc.ids, "attention_mask": enc.attention_mask}
        if return_offsets_mapping:
            out["offset_mapping"] = list(enc.offsets)
        return out

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return self._tokenizer.encode(text, add_special_tokens=add_special_tokens).ids

    def tokenize(self, text: str, add_special_tokens: bool = False) -> list[str]:
        return self._tokenizer.encode(text, add_special_tokens=add_special_tokens).tokens

    def decode(self, ids, skip_special_tokens: bool = False) -> str:
        if isinstance(ids, int):
            ids = [ids]
        text = self._tokenizer.decode(list(ids), skip_special_tokens=skip_special_tokens)
        if self.clean_up_tokenization_spaces and type(self._tokenizer.model).__name__ != "BPE":
            for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                         (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
                text = text.replace(a, b)
        return text

    def convert_ids_to_tokens(self, ids, skip_special_tokens: bool = False):
        if isinstance(ids, int):
            return self._tokenizer.id_to_token(ids)
        special = set(self.all_special_tokens) if skip_special_tokens else set()
        tokens = [self._tokenizer.id_to_token(i) for i in ids]
        return [t for t in tokens if t not in special]

    def convert_tokens_to_ids(self, tokens):
        if isinstance(tokens, str):
            i = self._tokenizer.token_to_id(tokens)
            return i if i is not None else self._unk_id()
        return [self.convert_tokens_to_ids(t) for t in tokens]

    def _unk_id(self):
        return self._tokenizer.token_to_id(self.unk_token) if self.unk_token else None

    def __repr__(self) -> str:
        return f"LiteTokenizer({self.name_or_path!r}, vocab={len(self)}, special={self.special_tokens_map})"


# ---- rendering: the same jinja environment as transformers' chat_template_utils -------------


def _alias_reasoning(chat: list[dict]) -> list[dict]:
    out = []
    for message in chat:
        reasoning = next((message[k] for k in _REASONING_FIELDS if message.get(k) is not None), None)
        if reasoning is not None:
            message = {"thinking": reasoning, **message, "reasoning_content": reasoning}
        out.append(message)
    return out


def _plain(value):
    """Plain JSON-like copies of what the template sees (as transformers does)."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return f"<{type(value).__name__}>"


@lru_cache(maxsize=32)
def _compile(template: str):
    import jinja2
    import jinja2.ext
    import jinja2.nodes
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class GenerationTag(jinja2.ext.Extension):
        """Accept `{% generation %}...{% endgeneration %}` (used by some templates); renders its body."""

        tags = {"generation"}

        def parse(self, parser):
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
            return jinja2.nodes.CallBlock(self.call_method("_body"), [], [], body).set_lineno(lineno)

        def _body(self, caller):
            return caller()

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return datetime.now().strftime(fmt)

    class TemplateDict:
        def __call__(self, *args, **kwargs):
            return dict(*args, **kwargs)

        def fromkeys(self, *args, **kwargs):
            return dict.fromkeys(*args, **kwargs)

    class TemplateNamespace(jinja2.utils.Namespace):
        def __init__(*args, **kwargs):
            self, args = args[0], args[1:]
            attrs = dict(*args, **kwargs)
            for name in attrs:
                TemplateNamespace._check_name(name)
            jinja2.utils.Namespace.__init__(self, attrs)

        def __setitem__(self, name, value):
            TemplateNamespace._check_name(name)
            jinja2.utils.Namespace.__setitem__(self, name, value)

        @staticmethod
        def _check_name(name):
            if isinstance(name, str) and name.startswith("_"):
                raise jinja2.exceptions.SecurityError(msg("data.template_private_attribute", name=name))

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    env.globals["dict"] = TemplateDict()
    env.globals["namespace"] = TemplateNamespace
    return env.from_string(template)
