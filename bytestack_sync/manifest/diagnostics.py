"""Where a value was written, and pydantic's findings said the way a manifest author reads them."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails
from yaml.nodes import Node

from bytestack_sync import contract
from bytestack_sync.errors import Problem
from bytestack_sync.manifest import models
from bytestack_sync.manifest.construct import (
    PosDict,
    PosList,
    describe_value,
    is_unresolved,
)
from bytestack_sync.manifest.yamlsyntax import mark_location
from bytestack_sync.model import Location, PruneMode

Loc = tuple[int | str, ...]
IsSensitive = Callable[[Any, int | str], bool]


def did_you_mean(word: object, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or ""."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not close:
        close = [c for c in candidates if c.lower() == word.lower()]
    return f" (did you mean {close[0]!r}?)" if close else ""


def find_key(mapping: PosDict, key: str) -> tuple[Node, Node] | None:
    """The (key, value) nodes of ``key``, looking through ``<<`` merges as the constructor did."""
    return mapping.key_nodes.get(key)


class Located:
    """The end of a walk along a pydantic ``loc`` through the constructed values."""

    def __init__(self, root: Any) -> None:
        self.container: Any = None
        self.key: int | str | None = None
        self.value: Any = root
        self.node: Node | None = getattr(root, "node", None)
        self.key_node: Node | None = None
        self.loc: list[int | str] = []  # the parts that named a real key or item

    def step(self, part: int | str) -> bool:
        value = self.value
        if isinstance(value, PosDict) and isinstance(part, str) and part in value:
            found = find_key(value, part)
            self.key_node, self.node = found if found else (None, value.node)
        elif isinstance(value, PosList) and isinstance(part, int) and 0 <= part < len(value):
            self.key_node, self.node = None, value.node.value[part]
        else:
            return False
        self.container, self.key, self.value = value, part, value[part]
        self.loc.append(part)
        return True


def locate(root: Any, loc: Loc) -> Located:
    located = Located(root)
    for part in loc:
        # A union adds its branch's name ("list[...]") to loc; a list has no such key.
        if not located.step(part) and not isinstance(located.value, PosList):
            break
    return located


def node_location(node: Node | None, file: str) -> Location:
    return mark_location(node, file) if node is not None else Location(file, 1, 1)


def field_label(loc: Loc) -> str:
    """``sources[1]`` for ("jobs", 3, "sources", 1): jobs and webhooks are located already."""
    parts = list(loc[2:] if loc[:1] in (("jobs",), ("webhooks",)) and len(loc) > 2 else loc)
    label = ""
    for part in parts:
        label += f"[{part}]" if isinstance(part, int) else (f".{part}" if label else part)
    return label


_SECTIONS: dict[str, tuple[str, type[BaseModel]]] = {
    "jobs": ("job", models.JobModel),
    "webhooks": ("webhook", models.WebhookModel),
    "defaults": ("defaults", models.JobDefaults),
    "ignore": ("ignore", models.IgnoreModel),
    "safety": ("safety", models.SafetyModel),
}


def _owner(loc: Loc) -> tuple[str, type[BaseModel]]:
    """The name and model of the mapping that ``loc``'s last key belongs to."""
    section = loc[0] if len(loc) > 1 else None
    if isinstance(section, str) and section in _SECTIONS:
        return _SECTIONS[section]
    return "manifest", models.ManifestModel


class ErrorTranslator:
    """Turns pydantic's errors for one file into problems at their locations."""

    def __init__(self, file: str, raw: Any, is_sensitive: IsSensitive) -> None:
        self.file = file
        self.raw = raw
        self.is_sensitive = is_sensitive

    def problems(self, errors: Sequence[ErrorDetails]) -> list[Problem]:
        # "Input should be None" is the null branch of an optional field: never the point.
        found = {
            self.problem(error)
            for error in errors
            if error["type"] != "none_required" and not self._unresolved(error)
        }
        return sorted(found)

    def _unresolved(self, error: ErrorDetails) -> bool:
        located = locate(self.raw, tuple(error["loc"]))
        return is_unresolved(located.container, located.key)

    def problem(self, error: ErrorDetails) -> Problem:
        loc = tuple(error["loc"])
        located = locate(self.raw, loc)
        kind = error["type"]
        if kind == "extra_forbidden":
            return Problem(node_location(located.key_node, self.file), self._unknown_key(loc))
        if kind == "missing":
            owner, _model = _owner(loc)
            where = f" in {owner}" if owner != "manifest" else ""
            message = f"missing required key {loc[-1]!r}{where}"
            return Problem(node_location(located.node, self.file), message)
        real_loc = tuple(located.loc)
        shown: Any = located.value
        key = located.key
        if key is not None and self.is_sensitive(located.container, key):
            shown = _Hidden()
        message = _value_message(kind, real_loc, shown, error)
        return Problem(node_location(located.node, self.file), message)

    def _unknown_key(self, loc: Loc) -> str:
        owner, model = _owner(loc)
        key = loc[-1]
        where = f" in {owner}" if owner != "manifest" else " at the top level"
        hint = did_you_mean(key, model.model_fields)
        if not hint and owner == "manifest" and key in models.JobModel.model_fields:
            hint = " (job fields go in an entry of jobs:)"
        return f"unknown key {key!r}{where}{hint}"


class _Hidden:
    def __repr__(self) -> str:
        return "(sensitive value)"


_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
}


_SCALAR_KINDS = frozenset(k for k in _TYPE_NAMES if k.startswith(("int_", "float_", "bool_")))
# YAML 1.1 booleans, which YAML 1.2 (and so a manifest) reads as strings.
_OLD_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})
_SHOW_LIMIT = 24


def _value_message(kind: str, loc: Loc, value: Any, error: ErrorDetails) -> str:
    label = field_label(loc) or "the manifest"
    if kind in _SCALAR_KINDS:
        return f"{label} must be {_TYPE_NAMES[kind]} (got {_scalar_got(kind, value)})"
    if kind in _TYPE_NAMES:
        got = "a sensitive value" if isinstance(value, _Hidden) else describe_value(value)
        hint = "; quote it" if kind == "string_type" and isinstance(value, (int, float)) else ""
        return f"{label} must be {_TYPE_NAMES[kind]} (got {got}{hint})"
    if kind in ("literal_error", "enum"):
        return _choice_message(loc, label, value)
    if kind in ("too_short", "string_too_short", "string_too_long"):
        return _length_message(loc, label, value)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{label} must be {_bound(kind, error)} (got {value!r})"
    if kind == "finite_number":
        return f"{label} must be a finite number"
    return f"{label}: {error['msg']}"  # pragma: no cover - a type the models do not produce


def _scalar_got(kind: str, value: Any) -> str:
    """What a boolean or number field got instead, with how to write it if that is clear."""
    if isinstance(value, _Hidden):
        return "a sensitive value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value!r}"
    if not isinstance(value, str):
        return describe_value(value)
    shown = repr(value if len(value) <= _SHOW_LIMIT else value[: _SHOW_LIMIT - 1] + "…")
    wanted = "bool" if kind.startswith("bool") else "number"
    if wanted == "bool" and value.strip().lower() in ("true", "false"):
        return f"the string {shown}; remove the quotes"
    if wanted == "bool" and value.strip().lower() in _OLD_BOOLEANS:
        return f"{shown}; YAML 1.2 reads only true and false as booleans"
    if wanted == "number" and _is_number(value):
        return f"the string {shown}; remove the quotes"
    return shown


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _bound(kind: str, error: ErrorDetails) -> str:
    ctx = error.get("ctx", {})
    words = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    word, name = words[kind]
    bound = ctx.get(name)
    if isinstance(bound, float) and bound.is_integer():
        bound = int(bound)
    return f"{word} {bound}"


def _choice_message(loc: Loc, label: str, value: Any) -> str:
    field = next((part for part in reversed(loc) if isinstance(part, str)), "")
    choices: tuple[str, ...]
    if field == "sources":
        message = contract.check_sources([value])[0] if isinstance(value, str) else ""
        choices = contract.KNOWN_SOURCES
    elif field == "events":
        message = contract.check_events([value])[0] if isinstance(value, str) else ""
        choices = contract.EVENT_TYPES
    elif field == "version":
        shown = _scalar_got("int_type", value) if isinstance(value, (bool, float)) else repr(value)
        if value is None or isinstance(value, str):
            # A quoted "1" or a bare `version:` is a slip, not a newer format.
            written = "empty" if value is None else f"the string {shown}"
            return f"version must be the number 1, unquoted: write `version: 1` (got {written})"
        return f"unsupported manifest version {shown} (this tool reads version 1)"
    else:
        choices = tuple(m.value for m in PruneMode) if field == "prune" else contract.JOB_STATUSES
        message = ""
    if isinstance(value, _Hidden) or not message:
        message = f"{label} must be one of {', '.join(choices)} (got {_shown(value)})"
        return message + did_you_mean(value, choices)
    return message + _suggestion(value, field, choices)


# Names people reach for that no spelling distance finds; each maps to a known id.
_SOURCE_ALIASES = {
    "twitter": "x",
    "tweets": "x",
    "yt": "youtube",
    "fb": "facebook",
    "ig": "instagram",
    "insta": "instagram",
    "tt": "tiktok",
    "li": "linkedin",
}


def _suggestion(value: Any, field: str, choices: tuple[str, ...]) -> str:
    """A close match, a well-known other name, or else the whole list of valid values."""
    hint = did_you_mean(value, choices)
    if hint:
        return hint
    alias = _SOURCE_ALIASES.get(str(value).lower()) if field == "sources" else None
    if alias in choices:
        return f" (did you mean {alias!r}?)"
    noun = "sources" if field == "sources" else "event types"
    return f"; known {noun}: {', '.join(choices)}"


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, (str, _Hidden)) else describe_value(value)


def _length_message(loc: Loc, label: str, value: Any) -> str:
    field = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if field == "name" and isinstance(value, str):
        return contract.check_name(value) or f"{label} has the wrong length"
    if field == "sources":
        return contract.check_sources([])[0]
    if field == "events":
        return contract.check_events([])[0]
    return f"{label} must not be empty"  # pragma: no cover
