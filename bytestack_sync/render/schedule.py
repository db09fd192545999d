"""What a schedule change means in time: the next runs and runs per day, before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from bytestack_sync import cron

NEXT_RUNS = 3


@dataclass(frozen=True)
class ScheduleSide:
    """One side of a schedule change; ``error`` says why it could not be read."""

    expression: str
    description: str = ""
    runs_per_day: int | None = None
    next_runs: tuple[datetime, ...] = ()
    error: str = ""
    every_day: bool = True  # False: runs_per_day counts the runs of a day it fires


@dataclass(frozen=True)
class ScheduleChange:
    """A schedule's meaning in time; ``before`` is None for a resource being created."""

    before: ScheduleSide | None
    after: ScheduleSide


def schedule_side(expression: str, now: datetime) -> ScheduleSide:
    try:
        schedule = cron.parse(expression)
    except cron.CronError as exc:
        # A live schedule may have been written by another tool in a form we reject;
        # the plan still shows the change, only without its timings.
        return ScheduleSide(expression=expression, error=str(exc))
    return ScheduleSide(
        expression=expression,
        description=schedule.describe(),
        runs_per_day=schedule.runs_per_day(),
        next_runs=tuple(schedule.next_runs(NEXT_RUNS, after=now)),
        every_day=schedule.every_day,
    )


def schedule_change(old: object, new: object, now: datetime) -> ScheduleChange | None:
    """Both sides of a schedule diff (only the new one for a create: ``old`` None), or
    None when a side is not a schedule text."""
    if not isinstance(new, str) or not (old is None or isinstance(old, str)):
        return None
    moment = now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)
    before = schedule_side(old, moment) if old is not None else None
    return ScheduleChange(before=before, after=schedule_side(new, moment))
