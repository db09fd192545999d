"""Cron schedules as the API evaluates them: validated and stepped by ``bytestack_sync.cron``."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from bytestack_sync import cron


@lru_cache(maxsize=4096)
def _parse(expression: str) -> cron.Schedule:
    # A workspace holds few distinct schedules; parsing each once keeps lists fast.
    return cron.parse(expression)


def schedule_problem(expression: str) -> str | None:
    """Why the API would reject this schedule, or None."""
    try:
        _parse(expression)
    except cron.CronError as error:
        return str(error)
    return None


def next_run(expression: str, after: datetime) -> datetime | None:
    """The first run strictly after ``after``, or None for a schedule that never fires."""
    # Runs fall on whole minutes, so the next run after any instant within a minute is
    # the next run after that minute's start: one computation serves a whole minute.
    return _next_run_after_minute(expression, after.replace(second=0, microsecond=0))


@lru_cache(maxsize=4096)
def _next_run_after_minute(expression: str, minute: datetime) -> datetime | None:
    try:
        runs = _parse(expression).next_runs(1, minute)
    except cron.CronError:
        return None
    return runs[0] if runs else None
