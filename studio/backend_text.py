"""Show the backend's English messages in the UI's language: `translate(str(e), lang)`.

    from studio.backend_text import translate
    gr.Warning(translate(str(e), lang))    # "row 4: 'instruction' is missing ..." -> "第 4 行：缺少 ..."

Why: backend/ stays English (the CLI and the logs use it), so the UI translates each message when it
shows it. The English templates are read from the backend's source (`extract_templates`, rules in
its docstring); studio.backend_zh.ZH holds their Chinese, and tests/test_backend_text.py fails when
a template has none. A template is an anchored regex whose `{}` holes are lazy groups; the text a
hole caught is translated in turn (it often holds another message), and a value no template matches
(a path, a number, a column) stays as it is, as does a hole between backticks or quotes. Text no
template covers is cut at new lines, then at sentence ends (". ", "; ", ": "), and the longest runs of
sentences that match are translated; the rest stays English. The catalog is compiled once and looked
up by a template's first characters or a key word, and results are cached: 10,000 distinct row
messages take about 0.1 s (benchmarks/bench_translate.py).
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

__all__ = ["translate", "holes", "is_message", "WORDS"]

_HOLE_SPLIT = re.compile(r"(?<!\{)\{\}(?!\})")
# Not prose: `code`, 'names', {a: b}, and words with . _ / inside (files, fields, ids: e.g. is prose)
_NAMES = re.compile(r"`[^`]*`|'[^'\s]*'|\{[^}]*\}|(?<![\w.])(?!e\.g\.)[\w-]*[._/][\w./-]*\w")
# Lone words that are English in a sentence, not names: a hole filled with one of them is translated.
WORDS = ("tab", "comma", "rows", "pairs", "replies", "conversations", "stopped", "nowhere")
_BREAK = re.compile(r"((?<=[.;!?])[ \t]+|:[ \t]+)")  # a sentence end ("x: y" splits before the colon)
_ANY, _NO_COLON = "(.*?)", r"((?:[^\n:]|:(?![ \t]))*?)"
_QUOTES = "`'\""
_WORD = re.compile(r"[A-Za-z]+")
_CJK_END = ("。", "；", "：", "！", "？", "）")
_PREFIX = 6  # a template that starts with words is looked up by up to this many first characters


def translate(text: str, lang: str) -> str:
    """`text` in `lang` ("en", "zh"); English, an unknown language, or text nothing matches: unchanged."""
    if lang != "zh" or not text:
        return text
    done = _translate(text)
    return text if done is None else done


def holes(template: str) -> list[str]:
    """The literal pieces around the `{}` holes of an English template (escaped braces unescaped)."""
    return [p.replace("{{", "{").replace("}}", "}") for p in _HOLE_SPLIT.split(template)]


def literal_words(template: str) -> list[str]:
    """The prose words of a template: outside its holes, `code`, 'names' and {braces}."""
    text = _NAMES.sub(" ", "\0".join(holes(template)))
    return re.findall(r"[A-Za-z]+", text)


def is_message(template: str) -> bool:
    """Worth translating: a template with a hole and a prose word, or one without holes and two words
    (a lone word is a name: a stage, a state, a file type), or one of WORDS."""
    words = literal_words(template)
    if len(holes(template)) > 1:
        return bool(words)
    return len(words) >= 2 or template in WORDS


def _spaced(left: str, value: str, right: str) -> str:
    """`value` between two pieces of Chinese: a space where Chinese meets Latin or digits, none
    between two Chinese words ("必须是 1 到 4 之间的整数", "位于该文件")."""
    if value:
        if left.endswith(" ") and _is_cjk(left[-2:-1]) and _is_cjk(value[0]):
            left = left[:-1]
        elif left and _is_cjk(left[-1]) and _is_latin(value[0]):
            left += " "
        if right.startswith(" ") and _is_cjk(right[1:2]) and _is_cjk(value[-1]):
            right = right[1:]
        elif right and _is_cjk(right[0]) and _is_latin(value[-1]):
            right = " " + right
    return left + value + right


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _is_latin(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "`'\"[(")


class _Entry:
    __slots__ = ("regex", "zh", "rank", "anchor", "first", "last", "verbatim", "label")

    def __init__(self, english: str, zh: str):
        pieces = holes(english)
        # A hole at either end of a template without ": " ("row {}") holds no "x: y" and no new line:
        # "row 4: 'x' is missing" is "row 4" and a message, not "row {}" with a long hole.
        edge = _ANY if ": " in english or "\n" in english else _NO_COLON
        groups = [edge if i in (0, len(pieces) - 2) else _ANY for i in range(len(pieces) - 1)]
        self.regex = re.compile("".join(re.escape(p) + g for p, g in zip(pieces, groups)) + re.escape(pieces[-1]), re.S)
        # The Chinese as (text before the hole, hole number) pairs and the text after the last hole.
        pieces_zh, text = [], ""
        for lit, f, _, _ in string.Formatter().parse(zh):  # "{{" comes back as "{"
            text += lit
            if f is not None:
                pieces_zh.append((text, int(f)))
                text = ""
        self.zh = (pieces_zh, text)
        self.rank = -sum(len(p) for p in pieces)  # more literal text is more specific: tried first
        self.anchor = max(pieces, key=len)  # a template that starts with a hole needs this in the text
        self.first, self.last = pieces[0], pieces[-1]
        # A label names a place ("row {}", "{} row {}", "{} turn {}"): one word, holes without spaces.
        label = len(pieces) > 1 and len(literal_words(english)) == 1 and not re.search(r"[.;:!?()]", english)
        self.label = re.compile(r"(\S+)".join(re.escape(p) for p in pieces)) if label else None
        # A hole between quotes or backticks holds a name (a column, a field), and so does a label's
        # ("conversations turn 2"): shown as it is.
        self.verbatim = [label or (a[-1:] in _QUOTES and a[-1:] == b[:1]) for a, b in zip(pieces, pieces[1:])]

    def fill(self, m: re.Match) -> str:
        values = [v if keep or (t := _translate(v)) is None else t for v, keep in zip(m.groups(), self.verbatim)]
        pieces, tail = self.zh
        texts = [lit for lit, _ in pieces] + [tail]
        for i, (_, hole) in enumerate(pieces):
            texts[i + 1] = _spaced(texts[i], values[hole], texts[i + 1])
            texts[i] = ""
        return "".join(texts)


@lru_cache(maxsize=1)
def _catalog() -> tuple[dict, dict, dict, list]:
    """({prefix length: {first characters: templates}}, {key word: templates that start with a hole},
    {key word: tails such as " (also looked in {})" that the backend appends to messages}, labels)."""
    from studio.backend_zh import ZH

    by_prefix: dict[int, dict[str, list[_Entry]]] = {}
    hole_first: list[_Entry] = []
    for english, zh in ZH.items():
        if not is_message(english):
            continue  # only holes and punctuation would match anything (the test rejects such entries)
        entry = _Entry(english, zh)
        if entry.first:
            key = entry.first[:_PREFIX]
            by_prefix.setdefault(len(key), {}).setdefault(key, []).append(entry)
        else:
            hole_first.append(entry)
    for table in by_prefix.values():
        for entries in table.values():
            entries.sort(key=lambda e: e.rank)
    everything = [e for t in by_prefix.values() for es in t.values() for e in es] + hole_first
    tails = [e for e in everything if e.first and not e.first[0].isalnum()]
    # Labels: one word and holes, no sentence ("row {}", "{} row {}", "{} turn {}").
    labels = sorted((e for e in everything if e.label), key=lambda e: e.rank)
    return by_prefix, _by_word(hole_first), _by_word(tails), labels


def _by_word(entries: list[_Entry]) -> dict[str, list[_Entry]]:
    """Templates by a whole word of their longest literal piece ("" for those without one)."""
    table: dict[str, list[_Entry]] = {}
    for e in entries:
        piece = e.anchor  # a word that touches a hole may be the end of a longer one: not a key
        words = [m.group(0) for m in re.finditer(r"[A-Za-z]+", piece)
                 if (m.start() > 0 or piece == e.first) and (m.end() < len(piece) or piece == e.last)]
        table.setdefault(max(words, key=len) if words else "", []).append(e)
    for es in table.values():
        es.sort(key=lambda e: e.rank)
    return table


def _lookup(table: dict[str, list[_Entry]], words: set[str], text: str) -> list[_Entry]:
    found = [e for w in words.intersection(table) for e in table[w]] + table.get("", [])
    return [e for e in found if e.anchor in text]


def _candidates(text: str, words: set[str]) -> list[_Entry]:
    by_prefix, hole_first = _catalog()[:2]
    found = [e for n, table in by_prefix.items() for e in table.get(text[:n], ())]
    found += _lookup(hole_first, words, text)
    if len(found) > 1:
        found.sort(key=lambda e: e.rank)
    return found


@lru_cache(maxsize=65536)
def _match(text: str) -> str | None:
    """The Chinese of `text` when one template covers all of it (its holes translated too), else None."""
    words = set(_WORD.findall(text))
    if not words:
        return None  # every template has a word
    for entry in _candidates(text, words):
        m = entry.regex.fullmatch(text) if entry.anchor in text else None
        if m is not None:
            return entry.fill(m)
    tails = _lookup(_catalog()[2], words, text)
    for entry in sorted(tails, key=lambda e: e.rank):  # a message with a tail: "rows have ... (3 of ...)"
        pos = text.find(entry.first, 1)
        while pos > 0:
            m = entry.regex.fullmatch(text, pos)
            if m is not None and (head := _match(text[:pos])) is not None:
                return head + entry.fill(m)
            pos = text.find(entry.first, pos + 1)
    return None


def _label(text: str) -> str | None:
    """`text` in Chinese if a label template ("row {}", "{} turn {}") covers it, else None."""
    for entry in _catalog()[3]:
        if entry.anchor in text and (m := entry.label.fullmatch(text)) is not None:
            return entry.fill(m)
    return None


@lru_cache(maxsize=65536)
def _translate(text: str) -> str | None:
    """The whole text, else line by line, else the longest runs of sentences that match; None: nothing."""
    if not _WORD.search(text):
        return None  # every template has a word: "22" or "" is not a message
    head, colon, rest = text.partition(": ")  # "row 4: message", "b.jsonl row 3: message": most row lines
    if colon and (label := _label(head)) is not None and (done := _translate(rest)) is not None:
        return label + "：" + done
    if (done := _match(text)) is not None:
        return done
    if "\n" in text:
        lines = text.split("\n")
        done_lines = [_translate(line) for line in lines]
        if all(d is None for d in done_lines):
            return None
        return "\n".join(line if d is None else d for line, d in zip(lines, done_lines))
    pieces = _BREAK.split(text)  # sentence, separator, sentence, ...
    if len(pieces) == 1:
        return None
    out: list[str] = []
    found = False
    i = 0
    while i < len(pieces):
        j, done = i, None
        for end in range(len(pieces) - 1, i - 1, -2):  # the longest run of sentences from i first
            done = _match("".join(pieces[i:end + 1]))
            if done is not None:
                j = end
                break
        if done is not None:
            found = True
            if len(out) >= 2 and out[-1].startswith(":"):
                out[-1] = "："  # "第 4 行：缺少 ..."
            elif len(out) >= 2 and out[-2].endswith(_CJK_END):
                out[-1] = ""  # no space after "。" before a Chinese sentence
        out.append(pieces[i] if done is None else done)
        if j + 1 < len(pieces):
            out.append(pieces[j + 1])
        i = j + 2
    return "".join(out) if found else None
