"""What every renderer shows of a change: masked values, field lines, reasons and notes.

The three formats lay out the same facts, so the facts are gathered here once.
Masking happens here too, so no renderer can show a sensitive value by forgetting
to mask it: renderers take every key, value, reason, note and warning from
``ChangeView`` and ``PlanView``, already masked, and from the change itself only
its action, resource kind and live id.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob
from bytestack_sync.contract import Role
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan.changes import (
    Change,
    Create,
    Delete,
    FieldDiff,
    MaskedValue,
    Pause,
    Replace,
    Update,
)
from bytestack_sync.plan.kinds import table_of
from bytestack_sync.plan.plan import Plan
from bytestack_sync.printable import shown
from bytestack_sync.render.schedule import ScheduleChange, schedule_change
from bytestack_sync.secrets import Redactor, sensitive_display

NO_CHANGES = "No changes. The workspace matches the manifests."
# "Matches" would be untrue while prune: off, ignore or --target leave resources alone.
NO_CHANGES_LEFT_ALONE = "No changes to make; some live resources are left alone."
NEW_JOB_ID = "new job id"


class SensitiveValue(str):
    """A value already replaced by its sensitive display; shown without quotes."""


class Masker:
    """Replaces sensitive values: whole fields marked sensitive, and any known secret."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = frozenset(s for s in secrets if s)
        self._redact = Redactor(self._secrets)

    def value(self, value: Any, sensitive: bool = False) -> Any:
        """The value as output may show it; lists and sets are masked element by element."""
        if isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
            return [self.value(item, sensitive) for item in items]
        if isinstance(value, MaskedValue):
            # Already the display of a value known only by fingerprint.
            return SensitiveValue(str(value))
        if isinstance(value, str) and (sensitive or value in self._secrets):
            return SensitiveValue(sensitive_display(value))
        if isinstance(value, str):
            return self.text(value)
        return value

    def text(self, text: str) -> str:
        """Free text (reasons, notes, warnings) with any known secret replaced."""
        if text in self._secrets:
            return SensitiveValue(sensitive_display(text))
        return self._redact(text)

    def scrub(self, data: Any) -> Any:
        """A JSON-like structure with every string passed through ``text``."""
        if isinstance(data, dict):
            return {key: self.scrub(item) for key, item in data.items()}
        if isinstance(data, list):
            return [self.scrub(item) for item in data]
        if isinstance(data, str):
            return self.text(data)
        return data


def format_value(value: Any) -> str:
    """One value on one line: strings quoted, lists as lists, sensitive displays bare."""
    if isinstance(value, SensitiveValue):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class FieldLine:
    """One field of a change, masked. ``old``/``new`` are absent on creates/removals."""

    field: str
    old: Any = None
    new: Any = None
    has_old: bool = True
    has_new: bool = True
    forces_replacement: bool = False
    # For a multi-line text on both sides: a unified diff of its lines (hunks only).
    text_diff: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeView:
    """A change as every format presents it."""

    change: Change
    key: str
    title: str
    fields: tuple[FieldLine, ...]
    reason: str
    notes: tuple[str, ...]
    schedule: ScheduleChange | None

    @property
    def action(self) -> str:
        return self.change.action

    @property
    def symbol(self) -> str:
        return self.change.symbol


def spec_fields(spec: JobSpec | WebhookSpec) -> list[tuple[str, Any]]:
    """The fields of a declared resource in the order a reader expects them (the
    table's), sets sorted; not the tool's own (``protect``), nor an optional field
    that is not set."""
    fields: list[tuple[str, Any]] = []
    for f in table_of(spec).fields:
        if not f.declared or f.role is Role.LOCAL:
            continue
        value = getattr(spec, f.name)
        if value is None and f.optional:
            continue
        fields.append((f.name, sorted(value) if f.is_set else value))
    return fields


def desired_fields(spec: JobSpec | WebhookSpec, masker: Masker) -> dict[str, Any]:
    """The declared fields, masked: ``spec.sensitive`` fields and any known secret."""
    return {name: masker.value(value, name in spec.sensitive) for name, value in spec_fields(spec)}


# Lines of context around each change in a multi-line diff.
TEXT_DIFF_CONTEXT = 2


def text_diff(old: Any, new: Any) -> tuple[str, ...]:
    """A unified diff of two masked texts when either spans lines, else nothing.

    A long prompt changed in one line reads as two walls of text side by side; its
    changed lines are what a reviewer needs. A sensitive value has no lines to show.
    """
    if type(old) is not str or type(new) is not str or "\n" not in old + new:
        return ()
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), lineterm="", n=TEXT_DIFF_CONTEXT
    )
    return tuple(lines)[2:]  # the ---/+++ file header names no file here


def _diff_line(
    diff: FieldDiff, masker: Masker, *, has_old: bool = True, has_new: bool = True
) -> FieldLine:
    old = masker.value(diff.old, diff.sensitive) if has_old else None
    new = masker.value(diff.new, diff.sensitive) if has_new else None
    return FieldLine(
        field=diff.field, old=old, new=new, has_old=has_old, has_new=has_new,
        forces_replacement=diff.forces_replacement,
        text_diff=text_diff(old, new) if has_old and has_new else (),
    )  # fmt: skip


def _field_lines(change: Change, masker: Masker) -> tuple[FieldLine, ...]:
    if isinstance(change, Delete):
        return tuple(_diff_line(d, masker, has_new=False) for d in change.diffs)
    if isinstance(change, Create):
        if change.diffs:
            return tuple(_diff_line(d, masker, has_old=False) for d in change.diffs)
        if change.desired is None:
            return ()
        return tuple(
            FieldLine(field=name, new=value, has_old=False)
            for name, value in desired_fields(change.desired, masker).items()
        )
    if isinstance(change, Pause) and not change.diffs and isinstance(change.live, LiveJob):
        # A pause is a PATCH of status; show it even when the planner listed no diff.
        old = masker.value(change.live.status)
        return (FieldLine(field="status", old=old, new=contract.JOB_PAUSED),)
    return tuple(_diff_line(d, masker) for d in change.diffs)


def _title(change: Change, key: str) -> str:
    if isinstance(key, SensitiveValue):
        return f"{change.resource} {key}"
    # JSON escapes the C0 controls; what it leaves (DEL, C1, bidirectional overrides)
    # is escaped as a server's text is.
    quoted = json.dumps(key, ensure_ascii=False)
    return f"{change.resource} {shown(quoted, len(quoted))}"


def _notes(change: Change, masker: Masker) -> tuple[str, ...]:
    notes = [masker.text(note) for note in change.notes]
    said = any(NEW_JOB_ID in note for note in notes)
    if isinstance(change, Replace) and change.resource == "job" and not said:
        old = f" (the old job {change.live_id} is deleted)" if change.live_id else ""
        notes.append(f"results will be stored under a {NEW_JOB_ID}{old}")
    return tuple(notes)


def _schedule(change: Change, now: datetime) -> ScheduleChange | None:
    # A new job's schedule deserves its meaning as much as a changed one: a create's
    # diff has no old side.
    if not isinstance(change, (Create, Update, Replace)):
        return None
    for diff in change.diffs:
        if diff.field == "schedule" and not diff.sensitive:
            return schedule_change(diff.old, diff.new, now)
    return None


def view_change(change: Change, masker: Masker, now: datetime) -> ChangeView:
    key = masker.value(change.key, change.key_sensitive)
    return ChangeView(
        change=change,
        key=key,
        title=_title(change, key),
        fields=_field_lines(change, masker),
        reason=masker.text(change.reason) if change.shows_reason else "",
        notes=_notes(change, masker),
        schedule=_schedule(change, now),
    )


@dataclass(frozen=True)
class PlanView:
    """The plan as every format presents it: changes in apply order, masked."""

    plan: Plan
    changes: tuple[ChangeView, ...]
    warnings: tuple[str, ...]
    masker: Masker
    # Why apply will refuse this plan as it stands; empty when it will not.
    refusal: str = ""
    headline: str = NO_CHANGES
    # What the plan left alone, counted; empty when nothing.
    left_alone: str = ""


def headline(plan: Plan) -> str:
    """The plan's summary line: what it changes, or that it changes nothing."""
    if plan.changes:
        return plan.summary()
    return NO_CHANGES_LEFT_ALONE if plan.left_alone else NO_CHANGES


def guard_refusal(plan: Plan) -> str:
    """The destroy guard's verdict in words, when apply will refuse the plan."""
    guard = plan.guard
    if not guard.refuses:
        return ""
    return f"apply refuses this plan unless --force is given: {guard.explain()}."


def view_plan(plan: Plan, now: datetime) -> PlanView:
    masker = Masker(plan.sensitive_values)
    ordered = sorted(plan.changes, key=lambda c: c.sort_key)
    return PlanView(
        plan=plan,
        changes=tuple(view_change(c, masker, now) for c in ordered),
        warnings=tuple(masker.text(w) for w in plan.warnings),
        masker=masker,
        refusal=guard_refusal(plan),
        headline=headline(plan),
        left_alone=plan.left_alone_line(),
    )
