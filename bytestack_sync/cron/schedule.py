"""Schedule: a parsed cron expression that compares by the instants it fires at."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cached_property, lru_cache

from bytestack_sync.cron.days import (
    Day,
    canonical_day_fields,
    days_in_mask,
    fired_mask,
    month_rows,
    row_fires,
)
from bytestack_sync.cron.describe import describe_schedule
from bytestack_sync.cron.fields import (
    FIELDS,
    HOUR,
    MINUTE,
    CronError,
    format_field,
    parse_field,
    show,
)

ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_FIELD_NAMES = " ".join(spec.name for spec in FIELDS)
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, eq=False)
class Schedule:
    """A valid schedule. ``==`` and ``hash`` follow the instants it fires at.

    ``expression`` is the text as written; ``canonical`` is a 5-field text that
    is equal for equal schedules. ``minutes`` and ``hours`` are sorted, and
    ``days`` holds every (month, day-of-month, weekday) it fires on, weekday 0
    being Sunday.
    """

    expression: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    # The days as a bit mask: a few hundred bytes where the set of triples takes
    # hundreds of kilobytes, and schedules are cached.
    day_mask: int = field(repr=False)

    @cached_property
    def canonical(self) -> str:
        # Computed on first use: finding the shortest day fields is most of the cost
        # of a parse, and comparing schedules (what a plan does) never needs it.
        day_fields = canonical_day_fields(self.day_mask)
        return " ".join(
            (format_field(self.minutes, MINUTE), format_field(self.hours, HOUR), *day_fields)
        )

    @property
    def days(self) -> frozenset[Day]:
        return days_in_mask(self.day_mask)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Schedule({self.expression!r})"

    def _key(self) -> tuple[tuple[int, ...], tuple[int, ...], int]:
        return self.minutes, self.hours, self.day_mask

    def runs_per_day(self) -> int:
        """How many times it fires on a day it fires at all."""
        return len(self.minutes) * len(self.hours)

    @property
    def every_day(self) -> bool:
        """Whether it fires on every day of the year."""
        return self.canonical.split()[2:] == ["*", "*", "*"]

    @property
    def days_ored(self) -> bool:
        """Whether both day fields are restricted, so that it fires on a day that
        matches either (Vixie cron's OR), which few readers of ``0 9 13 * FRI`` expect."""
        _, _, dom, _, dow = _expand_alias(self.expression.strip()).split()
        return not dom.startswith("*") and not dow.startswith("*")

    def describe(self) -> str:
        """A short English description, such as "at 08:00 UTC, Monday to Friday"."""
        return describe_schedule(self.minutes, self.hours, self.canonical)

    def next_runs(self, count: int, after: datetime) -> list[datetime]:
        """The next `count` instants (UTC, aware) strictly after the aware `after`.

        Fewer are returned only when the calendar ends (year 9999) first.
        """
        if count < 0:
            raise ValueError(f"count must not be negative, got {count}")
        if after.tzinfo is None or after.utcoffset() is None:
            raise ValueError("after must be a timezone-aware datetime")
        try:
            start = after.astimezone(timezone.utc).replace(second=0, microsecond=0)
            start += timedelta(minutes=1)
        except OverflowError:
            return []
        runs: list[datetime] = []
        if count == 0:
            return runs
        for day in self._firing_days(start.date()):
            for hour in self.hours:
                for minute in self.minutes:
                    run = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
                    if run >= start:
                        runs.append(run)
                        if len(runs) == count:
                            return runs
        return runs

    def _firing_days(self, first: date) -> Iterator[date]:
        rows = month_rows(self.day_mask)
        day = first
        while True:
            row = rows.get(day.month)
            if row is None:
                # Whole months are skipped so a rare schedule costs little to search.
                if day.month == 12 and day.year == date.max.year:
                    return
                day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
                continue
            if row_fires(row, day.day, day.isoweekday() % 7):
                yield day
            if day == date.max:
                return
            day += _ONE_DAY


def parse(expression: str) -> Schedule:
    """Parse a 5-field cron expression or alias; raise CronError naming the bad part."""
    if not isinstance(expression, str):
        raise CronError(f"a schedule must be a string, not {type(expression).__name__}")
    return _parse(expression)


def equivalent(a: str, b: str) -> bool:
    """Whether two expressions fire at the same instants (CronError if either is invalid)."""
    return parse(a) == parse(b)


@lru_cache(maxsize=2048)
def _parse(expression: str) -> Schedule:
    parts = _expand_alias(expression.strip()).split()
    if len(parts) in (6, 7):
        raise CronError(f"{len(parts)} fields: seconds or years are not supported; use 5 fields")
    if not parts:
        raise CronError("schedule is empty")
    if len(parts) != 5:
        noun = "field" if len(parts) == 1 else "fields"
        raise CronError(f"{len(parts)} {noun}: expected 5 ({_FIELD_NAMES})")
    minute, hour, dom, month, dow = (
        parse_field(text, spec) for text, spec in zip(parts, FIELDS, strict=True)
    )
    fired = fired_mask(dom, month.values, dow)
    if not fired:
        raise CronError(
            f"never fires: day-of-month {show(parts[2])} does not occur in month {show(parts[3])}"
        )
    return Schedule(
        expression=expression,
        minutes=tuple(sorted(minute.values)),
        hours=tuple(sorted(hour.values)),
        day_mask=fired,
    )


def _expand_alias(text: str) -> str:
    if not text.startswith("@"):
        return text
    name, *rest = text.split()
    if name.lower() == "@reboot":
        raise CronError("@reboot is not supported: a schedule must fire at set times")
    fields = ALIASES.get(name.lower())
    if fields is None:
        raise CronError(f"unknown alias {show(name)}; use one of {', '.join(ALIASES)}")
    if rest:
        raise CronError(f"alias {show(name)} cannot be followed by other fields")
    return fields
