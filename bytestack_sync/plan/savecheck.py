"""What a saved plan shows must be what it executes: its diffs against its records.

A saved change carries its diffs (what every output shows) and its records (the
desired spec apply sends, the live record it was planned against). Both are in
the signed file, but anyone with the key can re-sign an edit; so a change whose
diffs do not follow from its records is refused rather than shown one way and
executed another.
"""

from __future__ import annotations

from typing import Any

from bytestack_sync.plan.changes import Change, MaskedValue
from bytestack_sync.plan.compare import COMPARERS, Values, same_field
from bytestack_sync.secrets import sensitive_display


def _same(name: str, a: Values, b: Values) -> bool:
    """``same_field``, where a value held only as a fingerprint (a ``MaskedValue``,
    which canonical forms may turn back into a plain string) matches its display."""
    left, right = a.get(name), b.get(name)
    if isinstance(left, MaskedValue) or isinstance(right, MaskedValue):
        return bool({left, _display(left)} & {right, _display(right)})
    return same_field(name, a, b)


def _display(value: Any) -> Any:
    return sensitive_display(value) if isinstance(value, str) else value


def inconsistency(change: Change) -> str | None:
    """Why the change's diffs do not follow from its records, or None when they do."""
    comparer = COMPARERS[change.resource]
    want = comparer.values(change.desired) if change.desired is not None else None
    have = comparer.values(change.live) if change.live is not None else None
    shown = {d.field for d in change.diffs}
    for diff in change.diffs:
        name = diff.field
        if want is not None and name in want and not _same(name, want, {name: diff.new}):
            return f"{name}: the shown value is not the one it would set"
        if have is not None and name in have and not _same(name, have, {name: diff.old}):
            return f"{name}: the shown old value is not the one planned against"
    if want is not None and have is not None and change.action in ("update", "replace"):
        for name in comparer.fields:
            if name not in shown and not _same(name, want, have):
                return f"{name}: it would change, but the plan does not show it"
    return None
