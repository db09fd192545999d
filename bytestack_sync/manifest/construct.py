"""Build Python values from a YAML node tree, keeping each value's node for messages.

Mappings become ``PosDict`` and sequences ``PosList``: plain ``dict``/``list``
subclasses that also hold the node they came from, so any later finding (a pydantic
error, a bad schedule, a duplicate name) can be placed at a line and column without
a second parse. String values are interpolated here, once, with every missing
variable reported at the place it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bytestack_sync.errors import Problem
from bytestack_sync.manifest import interpolate
from bytestack_sync.manifest.yamlsyntax import mark_location

_TAG = "tag:yaml.org,2002:"
STR, MAP, SEQ, MERGE = _TAG + "str", _TAG + "map", _TAG + "seq", _TAG + "merge"
# Aliases can make a small text expand enormously ("billion laughs"); stop early.
MAX_EXPANDED_VALUES = 2_000_000
# A manifest nests 4 levels (jobs, an entry, sources, a source); constructing,
# validating and locating recurse, so a fixed bound, not Python's recursion limit,
# decides what is refused.
MAX_NESTING = 100
MISSING_VARIABLE = "environment variable {name} is not set"


class PosDict(dict[str, Any]):
    """A mapping that remembers its node, and which of its values were secret."""

    __slots__ = ("key_nodes", "node", "secrets", "unresolved")

    def __init__(self, node: MappingNode) -> None:
        super().__init__()
        self.node = node
        # key -> (key node, value node) where it was written, merged keys included:
        # every finding is located in constant time, however many keys there are.
        self.key_nodes: dict[str, tuple[Node, Node]] = {}
        self.secrets: dict[str, str] | None = None  # key -> template as written
        # Keys whose template could not be resolved: reported once, never checked further.
        self.unresolved: set[str | int] | None = None


class PosList(list[Any]):
    __slots__ = ("node", "unresolved")

    def __init__(self, node: SequenceNode) -> None:
        super().__init__()
        self.node = node
        self.unresolved: set[str | int] | None = None


def is_unresolved(container: object, key: object) -> bool:
    """Whether the value at ``key`` had an unset variable or an unreadable reference.

    Its problem is reported where it is written; a check of the value that resulted
    (an empty name, a URL with no host) would only be the same problem again.
    """
    unresolved: set[object] | None = getattr(container, "unresolved", None)
    return unresolved is not None and key in unresolved


@dataclass(frozen=True)
class SecretUse:
    """A ``${secret:...}`` value: where it is, so the loader can check it is allowed there."""

    owner: PosDict | PosList
    key: str | int
    template: str
    node: Node


class TooLarge(Exception):
    """The document cannot be constructed: ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def describe_value(value: object) -> str:
    """How a value's YAML type is named in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - the constructor makes no other type


class Constructor:
    """Turns one document's nodes into values; collects problems instead of raising."""

    def __init__(self, file: str, environ: Mapping[str, str]) -> None:
        self.file = file
        self.environ = environ
        self.problems: list[Problem] = []
        self.secret_uses: list[SecretUse] = []
        self.sensitive_values: set[str] = set()
        # Unset variables of ``${secret:...}`` templates: the value they stand for is
        # unknown, so nothing can mask it (the tree survey refuses a plan over them).
        self.unresolved_secrets: list[Problem] = []
        self._done: dict[int, Any] = {}
        self._sizes: dict[int, int] = {}
        self._active: set[int] = set()
        self._count = 0

    def construct(self, node: Node) -> Any:
        """The document's value; raises TooLarge when aliases expand past the limit
        or lists and mappings nest deeper than MAX_NESTING."""
        return self._value(node, None, None, 0)

    def _problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(mark_location(node, self.file), message))

    def _value(
        self, node: Node, owner: PosDict | PosList | None, key: str | int | None, depth: int
    ) -> Any:
        if isinstance(node, ScalarNode):
            self._count += 1
            return self._scalar(node, owner, key)
        ident = id(node)
        if ident in self._done:
            if ident in self._active:
                self._problem(node, "a recursive alias cannot be used in a manifest")
                return None
            self._count += self._sizes[ident]
            if self._count > MAX_EXPANDED_VALUES:
                raise TooLarge(Problem(mark_location(node, self.file), _EXPANDED))
            return self._done[ident]
        if depth >= MAX_NESTING:
            raise TooLarge(Problem(mark_location(node, self.file), _NESTED))
        start = self._count
        self._active.add(ident)
        value = self._collection(node, ident, depth)
        self._active.discard(ident)
        self._count += 1
        self._sizes[ident] = self._count - start
        return value

    def _collection(self, node: Node, ident: int, depth: int) -> Any:
        if isinstance(node, MappingNode):
            if node.tag != MAP:
                self._problem(node, f"unsupported tag {node.tag!r} on a mapping")
            mapping = PosDict(node)
            self._done[ident] = mapping
            self._fill_mapping(mapping, node, depth + 1)
            return mapping
        assert isinstance(node, SequenceNode)
        if node.tag != SEQ:
            self._problem(node, f"unsupported tag {node.tag!r} on a list")
        items = PosList(node)
        self._done[ident] = items
        for index, item in enumerate(node.value):
            items.append(self._value(item, items, index, depth + 1))
        return items

    def _fill_mapping(self, mapping: PosDict, node: MappingNode, depth: int) -> None:
        """``mapping``'s keys and values, its values being ``depth`` levels deep."""
        first_at = mapping.key_nodes
        merged: list[PosDict] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE and isinstance(key_node, ScalarNode):
                merged.extend(self._merge_sources(value_node, depth))
                continue
            key = self._key(key_node)
            if key is None:
                continue
            if key in first_at:
                line = first_at[key][0].start_mark.line + 1
                self._problem(key_node, f"duplicate key {key!r} (first defined at line {line})")
                continue
            first_at[key] = key_node, value_node
            mapping[key] = self._value(value_node, mapping, key, depth)
        # Explicit keys override merged ones; among merged mappings the first wins.
        for source in merged:
            for key, nodes in source.key_nodes.items():
                first_at.setdefault(key, nodes)
            for key, value in source.items():
                if key not in mapping:
                    mapping[key] = value
                    if source.secrets and key in source.secrets:
                        _mark_secret(mapping, key, source.secrets[key])
                    if is_unresolved(source, key):
                        _mark_unresolved(mapping, key)

    def _merge_sources(self, node: Node, depth: int) -> list[PosDict]:
        value = self._value(node, None, None, depth)
        candidates = value if isinstance(value, PosList) else [value]
        sources = [item for item in candidates if isinstance(item, PosDict)]
        if len(sources) != len(candidates):
            self._problem(node, "a merge key (<<) takes a mapping or a list of mappings")
        return sources

    def _key(self, node: Node) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == STR:
            return str(node.value)
        if isinstance(node, ScalarNode):
            shown = describe_value(self._plain(node))
            self._problem(node, f"keys must be strings (got {shown} {node.value!r})")
        else:
            kind = "a mapping" if isinstance(node, MappingNode) else "a list"
            self._problem(node, f"keys must be strings (got {kind})")
        return None

    def _scalar(
        self, node: ScalarNode, owner: PosDict | PosList | None, key: str | int | None
    ) -> Any:
        text: str = node.value
        if node.tag != STR:
            count = len(self.problems)
            value = self._plain(node)
            if len(self.problems) > count:  # unreadable: the text stands in, unchecked
                _mark_unresolved(owner, key)
            return value
        if "${" not in text:
            return text
        result = interpolate.resolve(text, self.environ)
        if result.invalid is not None or result.missing:
            _mark_unresolved(owner, key)
        if result.invalid is not None:
            self._problem(node, result.invalid)
            return text
        for name in result.missing:
            self._problem(node, MISSING_VARIABLE.format(name=name))
            if result.sensitive:
                self.unresolved_secrets.append(self.problems[-1])
        if result.sensitive:
            if not result.missing:  # a value with a gap is not the one to mask
                self.sensitive_values.add(result.value)
            if owner is not None and key is not None:
                self.secret_uses.append(SecretUse(owner, key, text, node))
                if isinstance(owner, PosDict) and isinstance(key, str):
                    _mark_secret(owner, key, text)
        return result.value

    def _plain(self, node: ScalarNode) -> Any:
        text: str = node.value
        tag: str = node.tag
        try:
            if tag == _TAG + "null":
                return None
            if tag == _TAG + "bool":
                return text.lower() == "true"
            if tag == _TAG + "int":
                return _to_int(text)
            if tag == _TAG + "float":
                return _to_float(text)
            if tag == STR:
                return text
        except ValueError:
            self._problem(node, f"{text!r} cannot be read as {tag.replace(_TAG, '!!')}")
            return text
        self._problem(node, f"unsupported tag {tag!r}")
        return text


_EXPANDED = "aliases expand to too many values"
_NESTED = f"lists and mappings nest deeper than {MAX_NESTING} levels"


def _mark_secret(mapping: PosDict, key: str, template: str) -> None:
    if mapping.secrets is None:
        mapping.secrets = {}
    mapping.secrets[key] = template


def _mark_unresolved(owner: PosDict | PosList | None, key: str | int | None) -> None:
    if owner is not None and key is not None:
        if owner.unresolved is None:
            owner.unresolved = set()
        owner.unresolved.add(key)


def _to_int(text: str) -> int:
    cleaned = text.replace("_", "")
    if cleaned[:2] in ("0o", "0x", "0b"):
        return int(cleaned, 0)
    return int(cleaned, 10)


def _to_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text.replace("_", ""))
