"""The JSON plan: one stable document for automation, described by schemas/plan.schema.json."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TextIO

from bytestack_sync.plan.changes import Delete, Pause
from bytestack_sync.plan.plan import IGNORED, PRUNE_OFF, UNPAUSABLE, UNTARGETED, Plan, Target
from bytestack_sync.render.fields import ChangeView, Masker, desired_fields, view_plan
from bytestack_sync.render.schedule import ScheduleChange, ScheduleSide

FORMAT_VERSION = 1


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _side(side: ScheduleSide) -> dict[str, Any]:
    return {
        "expression": side.expression,
        "description": side.description or None,
        "runs_per_day": side.runs_per_day,
        "next_runs": [_time(t) for t in side.next_runs],
        "error": side.error or None,
    }


def _schedule(schedule: ScheduleChange | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    before = _side(schedule.before) if schedule.before is not None else None
    return {"before": before, "after": _side(schedule.after)}


def masked_data(view: ChangeView, masker: Masker) -> dict[str, Any]:
    """``Change.data()`` as the plan's masked view shows it, plus the declared fields
    and the schedule's timings.

    ``Change.data()`` masks what the change itself knows to be sensitive. A plan also
    knows secret values that may turn up anywhere (the old value of a rotated secret,
    a secret inside a list), and only its ``Masker`` finds them: so every string of
    the form is scrubbed, and each diff's values are masked again from the originals,
    since ``FieldDiff.shown`` masks only strings.
    """
    change = view.change
    data: dict[str, Any] = masker.scrub(change.data())
    data["diffs"] = [
        {
            **diff.data(),
            "old": masker.value(diff.old, diff.sensitive),
            "new": masker.value(diff.new, diff.sensitive),
        }
        for diff in change.diffs
    ]
    data["notes"] = list(view.notes)
    desired = None if isinstance(change, (Pause, Delete)) else change.desired
    data["desired"] = desired_fields(desired, masker) if desired is not None else None
    data["schedule"] = _schedule(view.schedule)
    return data


def _target(target: Target | None, masker: Masker) -> dict[str, str] | None:
    if target is None:
        return None
    return {"api_url": masker.text(target.api_url), "workspace": masker.text(target.workspace)}


def _left_alone(plan: Plan, masker: Masker) -> dict[str, Any]:
    counts = plan.left_alone_counts()
    return {
        "undeclared": counts.get(PRUNE_OFF, 0) + counts.get(UNPAUSABLE, 0),
        "ignored": counts.get(IGNORED, 0),
        "untargeted": counts.get(UNTARGETED, 0),
        "resources": [
            {"address": masker.text(item.address), "why": item.why} for item in plan.left_alone
        ],
    }


class JsonRenderer:
    def render(self, plan: Plan, out: TextIO, now: datetime) -> None:
        view = view_plan(plan, now)
        counts = plan.counts()
        document = {
            "format_version": FORMAT_VERSION,
            "has_changes": bool(view.changes),
            "summary": {**counts, "total": sum(counts.values())},
            "summary_line": view.headline,
            "changes": [masked_data(c, view.masker) for c in view.changes],
            "warnings": list(view.warnings),
            "targets": [view.masker.text(t) for t in plan.targets],
            "managed_count": plan.managed_count,
            "target": _target(plan.target, view.masker),
            "destroy_guard": plan.guard.data(),
            "left_alone": _left_alone(plan, view.masker),
        }
        json.dump(document, out, indent=2, sort_keys=True, ensure_ascii=False)
        out.write("\n")
