"""The UI's strings in a language: plain tables (`strings`), the page's session language
(`SessionStrings`), and strings that remember their key so a built page can be relabelled (`Localized`).

t = strings("zh")         # or strings(None): from $LANG, else English
gr.Button(t["btn.next"])
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping

from studio.i18n.render import render
from studio.i18n.tables import EN, ZH

LANGUAGES = {"en": EN, "zh": ZH}
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def pick_language(lang: str | None) -> str:
    if lang in LANGUAGES:
        return lang
    env = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "zh" if env.lower().startswith("zh") else "en"


def strings(lang: str | None) -> dict[str, str]:
    return LANGUAGES[pick_language(lang)]


def translate_value(value, lang: str):
    """A format argument in `lang`: a backend message (a Message, or an exception carrying one) is
    rendered in `lang`; numbers, paths and names come back as they were."""
    if lang == "en" or not isinstance(value, (str, BaseException)):
        return value
    return render(value, lang)


class Localized(str):
    """A string from the tables that remembers its key (and format arguments), so a page built in
    one language can be relabelled in another (studio.i18n.relabel), and whose `.format()` also puts its
    arguments into the same language: `t["data.error"].format(message=e)` shows a backend error in
    Chinese on a Chinese page."""

    def __new__(cls, text: str, lang: str, key: str | None = None, kwargs: dict | None = None):
        obj = super().__new__(cls, text)
        obj.lang, obj.key, obj.kwargs = lang, key, kwargs
        return obj

    # Immutable like any str: gradio deep-copies component configs for every page view.
    def __copy__(self) -> Localized:
        return self

    def __deepcopy__(self, memo) -> Localized:
        return self

    def __reduce__(self):
        return Localized, (str(self), self.lang, self.key, self.kwargs)

    def format(self, *args, **kwargs) -> Localized:
        shown = [translate_value(a, self.lang) for a in args]
        shown_kw = {k: translate_value(v, self.lang) for k, v in kwargs.items()}
        return Localized(str.format(self, *shown, **shown_kw), self.lang, self.key if not args else None, kwargs)


def localized(key: str, lang: str, kwargs: dict | None = None) -> str:
    """The text of `key` in `lang`, formatted with `kwargs` (translated) when given."""
    text = Localized(LANGUAGES[lang][key], lang, key)
    return text.format(**kwargs) if kwargs is not None else text


class SessionStrings(Mapping):
    """`t[key]` in the language of the page being served: each browser session picks its own (the
    language switch), others keep theirs; outside a request (building the page, tests) the default.

    The session is gradio's, read from the request it sets for the handler's thread, so every
    handler written as `t = ctx.t; t["..."]` speaks the page's language without passing it around.
    """

    MAX_SESSIONS = 10_000

    def __init__(self, default: str | None = None):
        self.default = pick_language(default)
        self._sessions: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _session() -> str | None:
        from gradio.context import LocalContext

        request = LocalContext.request.get(None)
        return getattr(request, "session_hash", None)

    @property
    def lang(self) -> str:
        session = self._session()
        if session is None:
            return self.default
        with self._lock:
            return self._sessions.get(session, self.default)

    def set_lang(self, session: str | None, lang: str) -> str:
        lang = pick_language(lang)
        if session:
            with self._lock:
                self._sessions[session] = lang
                self._sessions.move_to_end(session)
                while len(self._sessions) > self.MAX_SESSIONS:
                    self._sessions.popitem(last=False)
        return lang

    @property
    def table(self) -> dict[str, str]:
        return LANGUAGES[self.lang]

    def __getitem__(self, key: str) -> Localized:
        lang = self.lang
        return Localized(LANGUAGES[lang][key], lang, key)

    def __iter__(self):
        return iter(EN)

    def __len__(self) -> int:
        return len(EN)

    def msg(self, text) -> str:
        """A backend message (a Message, an exception, or text) in the page's language."""
        return render(text, self.lang)


def msg(t, text) -> str:
    """A backend message (a Message, an exception, or text) in the language of the table `t`."""
    return render(text, lang_of(t))


def lang_of(t) -> str:
    """The language of a string table: a SessionStrings, or one of the plain tables."""
    if isinstance(t, SessionStrings):
        return t.lang
    return "zh" if t is ZH else "en"
