"""Likely renames: a job deleted and another created that ask the same thing.

The API has no rename, so a renamed job is planned as a create and a delete; the
plan says which pairs look like one, since the job's id and the place of its
results change with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob
from bytestack_sync.model import JobSpec
from bytestack_sync.plan import compare
from bytestack_sync.plan.changes import Change, Create, Delete

# What a job asks and when: a delete and a create that agree on these are one job
# under a new name, far more often than two jobs that happen to be alike.
_RENAME_EVIDENCE = (*contract.JOB.replace_fields, "schedule")


def _job_content(values: compare.Values) -> tuple[object, ...]:
    return tuple(
        compare.schedule_key(values[name]) if name == "schedule" else str(values[name])
        for name in _RENAME_EVIDENCE
    )


def flag_renames(changes: list[Change], declared: Collection[str]) -> list[Change]:
    """Notes on each job delete and create that look like one rename, with what it costs.

    The API has no rename: the plan creates a new job and deletes the old one, and the
    reader should know that the job's id, and where its results are stored, change.
    A delete of a live duplicate of a ``declared`` name is no rename.
    """
    deletes: dict[tuple[object, ...], list[int]] = {}
    for i, change in enumerate(changes):
        pruned = isinstance(change, Delete) and change.key not in declared
        if pruned and isinstance(change.live, LiveJob):
            deletes.setdefault(_job_content(compare.JOBS.values(change.live)), []).append(i)
    if not deletes:
        return changes
    flagged = list(changes)
    for i, change in enumerate(changes):
        if not isinstance(change, Create) or not isinstance(change.desired, JobSpec):
            continue
        found = deletes.get(_job_content(compare.JOBS.values(change.desired)))
        if not found:
            continue
        j = found.pop(0)
        old = changes[j]
        old_id = old.live_id
        flagged[i] = _noted(change, f"likely a rename of {old.address} ({old_id}): same prompt, "
            "sources and schedule; the new job gets a new job id, and its results are stored "
            f"under the new id (those of {old_id} stay under {old_id})")  # fmt: skip
        flagged[j] = _noted(old, f"likely renamed to {change.address}: "
            f"same prompt, sources and schedule; {old_id} is deleted, and the new job gets a "
            "new job id")  # fmt: skip
    return flagged


def _noted(change: Change, note: str) -> Change:
    return dataclasses.replace(change, notes=(*change.notes, note))
