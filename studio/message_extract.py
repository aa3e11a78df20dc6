"""Which English messages of the backend a user can see, read from the source with `ast`:
the templates studio/backend_zh.py must translate (tests/test_backend_text.py checks it).

    from studio.message_extract import extract_templates
    extract_templates(Path("."))                       # backend/**/*.py
    extract_templates(Path("."), packages=("studio",))  # the studio's own messages

The rules are in `extract_templates`'s docstring; studio.backend_text translates.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

from studio.backend_text import WORDS, is_message  # noqa: F401 - WORDS is part of the rules

# -- extraction --------------------------------------------------------------------------------------
# A call whose argument is shown to the user, and the positions of those arguments (a message, a hint).
MESSAGE_ARGS = {
    "SpecIssue": (1,),  # (field, message)
    "RowProblem": (1,),  # (field, message)
    "JobError": (1, 2),  # (kind, message, hint): the job's status
    "TrainingError": (1, 2),  # (kind, message, hint)
    "Detection": (1,),  # (format, reason): why the data step reads a file as it does
    "Recommendation": (1,),  # (action, reason): the review step's memory advice
    "InvalidTransition": (0,),  # the queue view shows str(e)
}
# Any other class named like this takes its message first: DataError(...), RowFault(...), ...
MESSAGE_CLASS_ENDINGS = ("Error", "Exception", "Problem", "Issue", "Fault", "Warning")
# An argument for a parameter of these names (f(..., hint=...) or by position), an attribute set so
# (`d.reason = ...`), and a dict literal's value under these keys ({"error": ...}: the chat process).
MESSAGE_KEYWORDS = ("message", "hint", "reason", "why", "detail", "note", "problem", "title", "error")
MESSAGE_LISTS = ("notes", "problems", "issues", "warnings", "hints", "reasons")  # notes.append(...)
# Functions whose return value is shown beside a message: the row's place ("row 17", "b.jsonl row 3").
MESSAGE_FUNCTIONS = ("where",)
MESSAGE_TABLES = ("FORMAT_HELP",)  # module dicts whose values the UI shows (the data step's format line)
# Exceptions for a wrong internal call, never a user's doing: their messages are not translated.
IGNORED_TYPES = ("TypeError", "KeyError", "AssertionError", "NotImplementedError", "AttributeError")
# Messages of internal faults, by (file, template); each says why no user sees it.
IGNORED = {
    ("backend/training/methods.py", "unknown task {}; accepted: {}"): "task is chosen by the stage code",
    ("backend/training/methods.py", "unknown method {}"): "the spec was validated before (`method.name`)",
    ("backend/plan/param_count.py", "unknown method {}"): "the spec was validated before (`method.name`)",
    ("backend/data/preview.py", "unknown example kind {}; expected sft, preference, kto, text or prompt."):
        "kind comes from the data layer, not from the user",
    ("backend/demo.py", "demo tokenizer does not survive a reload; check the pre-tokenizer pattern"):
        "a build check of the bundled demo model",
    ("backend/plan/estimate.py", "{} TB"): "a size: the unit is the same in Chinese",
    ("backend/training/early_stop.py", "`patience` must be at least 1, got {}."):
        "the spec checks `training.early_stopping_patience` first",
    ("backend/jobs/probe.py", "`steps` must be at least 1, got {}."): "steps is set by the calling code",
}
# The studio's own modules that show messages the way the backend does (SpecIssue, *Error): read too.
# Skipped: terminal output (English by design) and the tables themselves.
STUDIO_SKIP = ("cli.py", "data_cli.py", "jobs_cli.py", "eval_cli.py", "i18n.py", "i18n_zh.py", "help_zh.py", "i18n_advice.py",
               "i18n_monitor.py", "i18n_presets.py", "backend_text.py", "backend_zh.py", "message_extract.py",
               "fonts.py")
_MAX_TEMPLATES = 64  # alternatives one expression may yield (concatenations multiply them)
_MAX_DEPTH = 8


def extract_templates(root: Path, ignored: dict | None = None, packages: tuple = ("backend", "studio"),
                      skip: tuple = STUDIO_SKIP) -> dict[str, list[str]]:
    """Every user-facing English template in `root`/<package>/**/*.py -> ["backend/x.py:LINE", ...]
    (files named in `skip` left out).

    Why from the source: a message added anywhere in backend/ shows up here (and in the test) at once.
    A message is what the UI shows: the arguments in MESSAGE_ARGS; the first argument of a class named
    *Error, *Exception, *Problem, *Issue, *Fault or *Warning (raised or built: `return DataError(...)`);
    a `message=`, `hint=`, `reason=`... keyword (MESSAGE_KEYWORDS) and `x.reason = ...` / `+=`; the
    argument of `notes.append(...)` and the like (MESSAGE_LISTS); the returns of MESSAGE_FUNCTIONS.
    Its templates: a str literal as it is; an f-string, `"...".format()` or `"..." % x` with a `{}` per
    field; `+` and implicit concatenation joined; `a if c else b` and `a or b` both ways (also inside
    an f-string field). Any other expression is a hole, and what can fill it is followed and collected
    as templates of their own: a variable's assignments in its function or module (`+=` appends,
    `a, b = f()` takes f's returns), a dict or tuple's values (`WHAT[stage]`, `NAMES.get(k)`), a
    backend function's returns, and a parameter's arguments at every call in backend/. Left out:
    templates with no prose word (only holes, punctuation, `code`, 'names' or files: they would match
    anything) and lone words not in WORDS (names: stages, states, file types); logging and print calls
    (the log stays English); IGNORED_TYPES; and the (file, template) pairs in IGNORED (or `ignored`).
    """
    modules = [_Module(p, root) for package in packages for p in sorted((root / package).rglob("*.py"))
               if p.name not in skip]
    walker = _Walker(modules, IGNORED if ignored is None else ignored)
    for mod in modules:
        for node, scope in mod.nodes:
            if isinstance(node, ast.Call):
                for arg in _message_args(node) + walker.by_parameter(node, mod):
                    walker.add(arg, mod, scope)
            elif isinstance(node, (ast.Assign, ast.AugAssign)) and any(
                    isinstance(t, ast.Attribute) and t.attr in MESSAGE_KEYWORDS
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])):
                walker.add(node.value, mod, scope)  # d.reason = f"..."; d.reason += note
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in MESSAGE_FUNCTIONS:
                for ret in _returns(node):
                    walker.add(ret, mod, node)
            elif isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values):
                    if isinstance(k, ast.Constant) and k.value in MESSAGE_KEYWORDS:
                        walker.add(v, mod, scope)
            elif isinstance(node, ast.Assign) and scope is None and any(
                    isinstance(t, ast.Name) and t.id in MESSAGE_TABLES for t in node.targets):
                walker.add(ast.copy_location(ast.Subscript(node.value, ast.Constant(""), ast.Load()), node), mod, None)
    return walker.found


def _name_of(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _message_args(call: ast.Call) -> list[ast.expr]:
    name = _name_of(call.func)
    owner = _name_of(call.func.value) if isinstance(call.func, ast.Attribute) else ""
    if name in IGNORED_TYPES or name == "print" or owner in ("log", "logger", "logging"):
        return []  # the log and the console stay English
    args = [kw.value for kw in call.keywords if kw.arg in MESSAGE_KEYWORDS]
    if name in MESSAGE_ARGS:
        args += [call.args[i] for i in MESSAGE_ARGS[name] if i < len(call.args)]
    elif name.endswith(MESSAGE_CLASS_ENDINGS) and name[:1].isupper() and call.args:
        args.append(call.args[0])
    elif name == "append" and _name_of(call.func.value) in MESSAGE_LISTS and call.args:  # type: ignore[union-attr]
        args.append(call.args[0])
    return args


def _returns(func: ast.AST) -> list[ast.expr]:
    """The returned expressions of a function, not of the functions inside it."""
    out, todo = [], list(ast.iter_child_nodes(func))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Return) and node.value is not None:
            out.append(node.value)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))
    return out


class _Module:
    """One parsed file: its nodes with their enclosing function, its functions, names and imports."""

    def __init__(self, path: Path, root: Path):
        self.rel = path.relative_to(root).as_posix()
        self.dotted = self.rel[:-3].replace("/", ".").removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        self.nodes: list[tuple[ast.AST, ast.AST | None]] = []  # (node, enclosing function or None)
        self.functions: dict[str, list[ast.AST]] = {}
        self.methods: set[int] = set()  # ids of functions defined in a class
        self.imports: dict[str, tuple[str, str]] = {}  # local name -> (module, name)
        todo: list[tuple[ast.AST, ast.AST | None, bool]] = [(tree, None, False)]
        while todo:
            node, scope, in_class = todo.pop()
            self.nodes.append((node, scope))
            inner, child_in_class = scope, isinstance(node, ast.ClassDef)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, []).append(node)
                if in_class:
                    self.methods.add(id(node))
                inner = node
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    self.imports[a.asname or a.name] = (node.module, a.name)
            todo.extend((c, inner, child_in_class) for c in ast.iter_child_nodes(node))
        self.module_scope = tree


def _assigned(scope: ast.AST, name: str) -> tuple[list[ast.expr], list[ast.expr]]:
    """(values assigned to `name` in scope, values added with `+=`); module scope: top level only."""
    nodes = scope.body if isinstance(scope, ast.Module) else ast.walk(scope)
    plain, added = [], []
    for node in nodes:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            plain.append(node.value)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple):  # a, b = f()
            for k, t in enumerate(node.targets[0].elts):
                if isinstance(t, ast.Name) and t.id == name:
                    plain.append(ast.copy_location(ast.Subscript(node.value, ast.Constant(k), ast.Load()), node))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name \
                and node.value is not None:
            plain.append(node.value)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name \
                and isinstance(node.op, ast.Add):
            added.append(node.value)
    return plain, added


_Parts = tuple  # literal strings and None (a hole)


def _render(parts: _Parts) -> str:
    """Parts as a template: `{}` per hole, literal braces doubled, neighbouring literals joined."""
    out, last_hole = [], False
    for p in parts:
        if p is None:
            if not last_hole:
                out.append("{}")
            last_hole = True  # two holes in a row would be one ambiguous hole
        else:
            out.append(p.replace("{", "{{").replace("}", "}}"))
            last_hole = last_hole and not p
    return "".join(out)


class _Walker:
    """Resolves message expressions to templates, following what fills their holes."""

    def __init__(self, modules: list[_Module], ignored: dict):
        self.ignored = ignored
        self.modules = {m.dotted: m for m in modules}
        self.found: dict[str, list[str]] = {}
        self.busy: set[tuple[int, int]] = set()
        self.assigned: dict[tuple[int, str], tuple[list, list]] = {}  # (scope, name) -> _assigned(...)
        self.calls: dict[str, list[tuple[ast.Call, _Module, ast.AST | None]]] = {}
        for mod in modules:
            for node, scope in mod.nodes:
                if isinstance(node, ast.Call) and (name := _name_of(node.func)):
                    self.calls.setdefault(name, []).append((node, mod, scope))

    def _assigned(self, scope: ast.AST, name: str) -> tuple[list[ast.expr], list[ast.expr]]:
        key = (id(scope), name)
        if key not in self.assigned:
            self.assigned[key] = _assigned(scope, name)
        return self.assigned[key]

    def add(self, expr: ast.expr, mod: _Module, scope: ast.AST | None, depth: int = 0) -> None:
        for parts in self.resolve(expr, mod, scope, depth):
            template = _render(parts)
            if not is_message(template) or (mod.rel, template) in self.ignored:
                continue
            where = f"{mod.rel}:{expr.lineno}"
            if where not in (places := self.found.setdefault(template, [])):
                places.append(where)

    def resolve(self, expr: ast.expr, mod: _Module, scope: ast.AST | None, depth: int) -> list[_Parts]:
        key = (id(expr), id(scope))
        if depth > _MAX_DEPTH or key in self.busy:
            return [(None,)]
        self.busy.add(key)
        try:
            found = self._resolve(expr, mod, scope, depth + 1)
        finally:
            self.busy.discard(key)
        unique = list(dict.fromkeys(found))
        return unique[:_MAX_TEMPLATES] if unique else [(None,)]

    def _field(self, value: ast.FormattedValue, mod: _Module, scope, depth: int) -> list[_Parts]:
        """An f-string field: `{'are both' if x else 'is'}` is spelled out both ways; any other is a hole."""
        if isinstance(value.value, ast.IfExp) and value.format_spec is None and value.conversion == -1:
            spelled = self.resolve(value.value, mod, scope, depth)
            if all(None not in t for t in spelled):
                return spelled
        return [self._hole(value.value, mod, scope, depth)]

    def _hole(self, expr: ast.expr, mod: _Module, scope: ast.AST | None, depth: int) -> _Parts:
        """A hole in a template; what fills it is collected as templates of their own."""
        self.add(expr, mod, scope, depth)
        return (None,)

    def _resolve(self, expr, mod: _Module, scope, depth: int) -> list[_Parts]:
        if isinstance(expr, ast.Constant):
            return [(expr.value,)] if isinstance(expr.value, str) else [] if expr.value is None else [(None,)]
        if isinstance(expr, ast.JoinedStr):
            choices = [[(v.value,)] if isinstance(v, ast.Constant) else self._field(v, mod, scope, depth)
                       for v in expr.values]
            return [sum(c, ()) for c in itertools.islice(itertools.product(*choices), _MAX_TEMPLATES)]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left, right = self.resolve(expr.left, mod, scope, depth), self.resolve(expr.right, mod, scope, depth)
            return [a + b for a, b in itertools.islice(itertools.product(left, right), _MAX_TEMPLATES)]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and _is_str(expr.left):
            values = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
            for v in values:
                self._hole(v, mod, scope, depth)
            return [_split_fields(re.sub(r"%[-+ #0-9.]*[sdrfgixe]", "\0", expr.left.value.replace("%%", "%")))]
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format" \
                and _is_str(expr.func.value):
            for v in [*expr.args, *(kw.value for kw in expr.keywords)]:
                self._hole(v, mod, scope, depth)
            text = re.sub(r"(?<!\{)\{[^{}]*\}(?!\})", "\0", expr.func.value.value)
            return [_split_fields(text.replace("{{", "{").replace("}}", "}"))]
        if isinstance(expr, ast.IfExp):
            return self.resolve(expr.body, mod, scope, depth) + self.resolve(expr.orelse, mod, scope, depth)
        if isinstance(expr, ast.BoolOp):
            return [t for v in expr.values for t in self.resolve(v, mod, scope, depth)]
        if isinstance(expr, ast.Name):
            return self._name(expr.id, mod, scope, depth)
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, (ast.Name, ast.Dict)):
            return self._values(expr.value, mod, scope, depth)
        k = expr.slice.value if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant) else None
        if isinstance(k, int) and isinstance(expr.value, ast.Tuple) and k < len(expr.value.elts):
            return self.resolve(expr.value.elts[k], mod, scope, depth)
        if isinstance(k, int) and isinstance(expr.value, ast.Call):  # `rows, note = _majority(rows)`: item k
            for other, f in self._targets(expr.value, mod):
                for r in _returns(f):
                    if isinstance(r, ast.Tuple) and k < len(r.elts):
                        self.add(r.elts[k], other, f, depth)
            return [(None,)]
        if isinstance(expr, ast.Call):
            return self._call(expr, mod, scope, depth)
        return [(None,)]

    def _name(self, name: str, mod: _Module, scope, depth: int) -> list[_Parts]:
        """A variable: what it is assigned in its function, else at module level, else by callers."""
        for where in ([scope] if scope is not None else []) + [mod.module_scope]:
            plain, added = self._assigned(where, name)
            if plain:
                out = [t for v in plain for t in self.resolve(v, mod, where, depth)]
                for v in added:  # `x += ...` extends the last assignment before it
                    last = max((p for p in plain if p.lineno < v.lineno), key=lambda p: p.lineno, default=None)
                    base = self.resolve(last, mod, where, depth) if last is not None else [(None,)]
                    out += [b + a for a in self.resolve(v, mod, where, depth) for b in base]
                return out
        if name in mod.imports:
            source, original = mod.imports[name]
            if (other := self.modules.get(source)) is not None:
                return self._name(original, other, None, depth)
        if scope is not None and isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._argument(scope, name, mod, depth)
        return [(None,)]

    def _values(self, holder: ast.expr | str, mod: _Module, scope, depth: int) -> list[_Parts]:
        """`NAMES[key]`, `{...}[key]`: every value of the dict, list or tuple."""
        if isinstance(holder, ast.Dict):
            return [t for v in holder.values for t in self.resolve(v, mod, scope, depth)]
        name = holder.id if isinstance(holder, ast.Name) else holder
        out = []
        for where in ([scope] if scope is not None else []) + [mod.module_scope]:
            plain, _ = self._assigned(where, name)
            for v in plain:
                items = v.values if isinstance(v, ast.Dict) else v.elts if isinstance(v, (ast.List, ast.Tuple)) else []
                out += [t for item in items for t in self.resolve(item, mod, where, depth)]
            if plain:
                return out
        if name in mod.imports and (other := self.modules.get(mod.imports[name][0])) is not None:
            return self._values(mod.imports[name][1], other, None, depth)
        return [(None,)]

    def _call(self, call: ast.Call, mod: _Module, scope, depth: int) -> list[_Parts]:
        """`NAMES.get(k, default)`: the values and the default; `f(...)`: a hole, and what the backend
        function returns is collected as templates of their own."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and isinstance(func.value, (ast.Name, ast.Dict)):
            out = self._values(func.value, mod, scope, depth)
            return out + [t for a in call.args[1:] for t in self.resolve(a, mod, scope, depth)]
        for other, f in self._targets(call, mod):
            for r in _returns(f):
                self.add(r, other, f, depth)  # collected where it is written
        return [(None,)]

    def by_parameter(self, call: ast.Call, mod: _Module) -> list[ast.expr]:
        """Positional arguments of a backend function for parameters named in MESSAGE_KEYWORDS."""
        out = []
        for _, f in self._targets(call, mod):
            params = [a.arg for a in f.args.posonlyargs + f.args.args]
            params = params[1:] if id(f) in mod.methods and isinstance(call.func, ast.Attribute) else params
            out += [a for a, name in zip(call.args, params) if name in MESSAGE_KEYWORDS and a not in out]
        return out

    def _targets(self, call: ast.Call, mod: _Module) -> list[tuple[_Module, ast.AST]]:
        """The backend functions a call may run: by name in its module or imported, or `self.method`."""
        func, targets = call.func, []
        if isinstance(func, ast.Name):
            if func.id in mod.functions:
                targets = [(mod, f) for f in mod.functions[func.id] if id(f) not in mod.methods]
            elif func.id in mod.imports and (other := self.modules.get(mod.imports[func.id][0])) is not None:
                targets = [(other, f) for f in other.functions.get(mod.imports[func.id][1], [])]
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            targets = [(mod, f) for f in mod.functions.get(func.attr, []) if id(f) in mod.methods]
        return targets

    def _argument(self, func, name: str, mod: _Module, depth: int) -> list[_Parts]:
        """A parameter: a hole; the arguments the function's callers pass for it (and its default)
        are collected as templates of their own."""
        params = [a.arg for a in func.args.posonlyargs + func.args.args]
        if name not in params and name not in [a.arg for a in func.args.kwonlyargs]:
            return [(None,)]
        defaults = dict(zip(params[len(params) - len(func.args.defaults):], func.args.defaults))
        if name in defaults:
            self.add(defaults[name], mod, None, depth)
        is_method = id(func) in mod.methods
        for call, caller, caller_scope in self.calls.get(func.name, []):
            if func.name.startswith("_") and caller is not mod:
                continue  # a private helper is called from its own module
            shift = 1 if is_method and isinstance(call.func, ast.Attribute) else 0
            given = [kw.value for kw in call.keywords if kw.arg == name]
            if not given and name in params and 0 <= params.index(name) - shift < len(call.args):
                arg = call.args[params.index(name) - shift]
                given = [] if isinstance(arg, ast.Starred) else [arg]
            for g in given:
                self.add(g, caller, caller_scope, depth)  # collected at the call
        return [(None,)]


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _split_fields(text: str) -> _Parts:
    """Text with NUL where a field was -> parts with holes."""
    pieces = text.split("\0")
    return tuple(p for i, piece in enumerate(pieces) for p in ((None, piece) if i else (piece,)))
