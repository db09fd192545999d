"""``--target job:NAME`` / ``--target webhook:URL``: glob patterns that limit a plan."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
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
        return any(r == resource and fnmatch.fnmatchcase(key, p) for r, p in self.patterns)


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
