"""YAML text to a node tree that remembers where everything was written.

The text is composed once, by libyaml when it is installed, into nodes whose
marks give line and column. Scalars are resolved with YAML 1.2 core-schema rules:
only ``true``/``false`` are booleans, so ``prune: off`` and ``on:`` stay strings
and no YAML 1.1 surprise (``no`` meaning false, ``1:30`` meaning 90) reaches a
manifest.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import Node
from yaml.resolver import BaseResolver

from bytestack_sync.errors import Problem
from bytestack_sync.model import Location

try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]

    LIBYAML = True
except ImportError:  # pragma: no cover - exercised only where libyaml is missing
    LIBYAML = False


class CoreResolver(BaseResolver):
    """YAML 1.2 core schema, plus ``<<`` merge keys."""


_IMPLICIT: list[tuple[str, str, str]] = [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("merge", r"^(?:<<)$", "<"),
]
for _kind, _pattern, _first in _IMPLICIT:
    CoreResolver.add_implicit_resolver(f"tag:yaml.org,2002:{_kind}", re.compile(_pattern), _first)
CoreResolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])


class _PyComposer(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    CoreResolver,
):
    """The pure-Python composer: the same nodes and marks, for where libyaml is missing."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        CoreResolver.__init__(self)


if LIBYAML:

    class _CComposer(_Parser, CoreResolver):
        def __init__(self, text: str) -> None:
            _Parser.__init__(self, text)
            CoreResolver.__init__(self)


def compose(text: str, file: str, *, pure: bool = False) -> Node | None:
    """The document's root node (None for an empty file); raises YamlSyntaxError.

    libyaml composes when it is installed, unless ``pure`` asks for the Python composer.
    """
    composer = _CComposer(text) if LIBYAML and not pure else _PyComposer(text)
    try:
        node: Node | None = composer.get_single_node()
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(syntax_problem(exc, text, file)) from None
    except RecursionError:  # the Python composer recurses once per level of nesting
        problem = Problem(Location(file, 1, 1), "invalid YAML: nested too deeply to read")
        raise YamlSyntaxError(problem) from None
    finally:
        composer.dispose()
    return node


class YamlSyntaxError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# Hints for the mistakes manifests invite: cron aliases and steps look like YAML syntax.
_STAR_HINT = '; quote a value that starts with *, e.g. "*/15 * * * *"'
_CHARACTER_HINTS = {
    "@": '; quote a value that starts with @, e.g. "@daily"',
    "`": "; quote a value that starts with `",
    "%": "; quote a value that starts with %",
    "\t": "; YAML indents with spaces, never tabs",
}


def syntax_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    """One ``file:line:col`` problem for any error the YAML library raises."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        line_text = _text_at(text, mark.line, 0)
        message = _describe(exc, _text_at(text, mark.line, mark.column), line_text)
        return Problem(Location(file, mark.line + 1, mark.column + 1), message)
    if isinstance(exc, yaml.reader.ReaderError):
        line, column = _line_column(text, exc.position)
        reason = f"{exc.reason} (character #x{exc.character:04x})"
        if isinstance(exc.character, bytes):  # pragma: no cover - text input gives ints
            reason = exc.reason
        return Problem(Location(file, line, column), f"invalid YAML: {reason}")
    return Problem(Location(file, 1, 1), f"invalid YAML: {exc}")  # pragma: no cover


def _describe(exc: yaml.MarkedYAMLError, here: str, here_line: str = "") -> str:
    """The library's reason, with its context, and a hint where one is known."""
    problem = exc.problem or "invalid YAML"
    context = exc.context or ""
    if problem == "found undefined alias":
        name = here[1:].split()[0] if here.startswith("*") and len(here) > 1 else ""
        return f"invalid YAML: undefined alias {name!r}" + _STAR_HINT
    if "another document" in problem:
        return "invalid YAML: a manifest file holds one document; a second one starts here"
    message = f"invalid YAML: {problem}"
    if context and exc.context_mark is not None:
        message += f" ({context} at line {exc.context_mark.line + 1})"
    elif context:  # pragma: no cover - the library gives a mark with its context
        message += f" ({context})"
    if "scanning an alias" in context:
        return message + _STAR_HINT
    if "flow" in context and "${" in here_line:
        # In [a, b] or {a: b}, `{` opens a mapping: ${VAR} must be quoted there.
        return message + '; quote a ${...} inside [...] or {...}, e.g. ["${SOURCE}"]'
    if "tab character" in problem or "cannot start any token" in problem:
        return message + _CHARACTER_HINTS.get(here[:1], "")
    return message


def _text_at(text: str, line: int, column: int) -> str:
    """A little of the text from a 0-based line and column (libyaml's index counts bytes)."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column : start + column + 80]


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    line = before.count("\n") + 1
    return line, position - (before.rfind("\n") + 1) + 1


def mark_location(node: Any, file: str) -> Location:
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)
