"""``--target job:NAME`` / ``--target webhook:URL``: names or glob patterns that limit a plan.

A name may itself hold glob characters (``Report [daily]``), so a target matches
a key it equals literally as well as every key its glob matches.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bytestack_sync.errors import UsageError
from bytestack_sync.plan.changes import ResourceType

PREFIXES: tuple[ResourceType, ...] = ("job", "webhook")


@dataclass(frozen=True)
class Targets:
    """Parsed targets; with none, every resource is in scope."""

    patterns: tuple[tuple[ResourceType, str], ...] = ()

    @property
    def everything(self) -> bool:
        return not self.patterns

    def includes(self, resource: ResourceType, key: str) -> bool:
        if not self.patterns:
            return True
        return any(r == resource and matches(key, p) for r, p in self.patterns)

    def unmatched(
        self, keys: Mapping[ResourceType, Iterable[str]]
    ) -> list[tuple[ResourceType, str]]:
        """The patterns that match none of ``keys`` (every key, by resource type), once each."""
        known = {resource: frozenset(found) for resource, found in keys.items()}
        missing: dict[tuple[ResourceType, str], None] = {}
        for resource, pattern in self.patterns:
            candidates = known.get(resource, frozenset())
            if pattern in candidates or any(matches(k, pattern) for k in candidates):
                continue
            missing[(resource, pattern)] = None
        return list(missing)

    def unmatched_warnings(
        self, keys: Mapping[ResourceType, Iterable[str]], display: Callable[[str], str]
    ) -> list[str]:
        """A warning per target that names nothing: most likely a typo, and otherwise the
        plan would silently be empty. ``display`` masks a pattern that is a secret."""
        return [
            f"--target {resource}:{display(pattern)} matches nothing "
            f"(no declared or live {resource})"
            for resource, pattern in self.unmatched(keys)
        ]


def matches(key: str, pattern: str) -> bool:
    """Whether ``pattern`` names ``key``: equal to it, or a glob that matches it."""
    return key == pattern or fnmatch.fnmatchcase(key, pattern)


def parse_targets(targets: Sequence[str]) -> Targets:
    """Parse every target at once, reporting every malformed one."""
    patterns: list[tuple[ResourceType, str]] = []
    bad: list[str] = []
    for target in targets:
        prefix, sep, pattern = target.partition(":")
        resource = next((r for r in PREFIXES if r == prefix), None)
        if not sep or resource is None or not pattern:
            bad.append(target)
            continue
        patterns.append((resource, pattern))
    if bad:
        listed = ", ".join(repr(b) for b in bad)
        raise UsageError(
            f"invalid --target {listed}: expected job:NAME or webhook:URL (globs allowed)"
        )
    return Targets(tuple(patterns))
