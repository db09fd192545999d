"""Short English descriptions of schedules, for plans and warnings."""

from __future__ import annotations

from collections.abc import Callable, Sequence

_WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Lists longer than this read better as the cron text itself.
_MAX_LISTED = 4


def describe_schedule(minutes: Sequence[int], hours: Sequence[int], canonical: str) -> str:
    """Describe a schedule from its sorted minutes and hours and its canonical text."""
    minute_text, hour_text, dom_text, month_text, dow_text = canonical.split()
    text = _time_phrase(minutes, hours, minute_text, hour_text)
    text += _day_phrase(dom_text, dow_text)
    if month_text != "*":
        text += " in " + _join(_ranges(_values(month_text, 1, 12), _MONTHS, first=1))
    return text


def _time_phrase(
    minutes: Sequence[int], hours: Sequence[int], minute_text: str, hour_text: str
) -> str:
    every_minute, every_hour = minute_text == "*", hour_text == "*"
    if every_hour:
        if every_minute:
            return "every minute"
        if _is_even_step(minutes, 60):
            return f"every {minutes[1]} minutes"
        if len(minutes) == 1:
            return f"at minute {minutes[0]} of every hour"
        return f"at minutes {minute_text} of every hour"
    if len(minutes) * len(hours) <= _MAX_LISTED:
        times = [f"{hour:02d}:{minute:02d}" for hour in hours for minute in minutes]
        return f"at {_join(times)} UTC"
    hours_phrase = f"hour {hour_text}" if len(hours) == 1 else f"hours {hour_text}"
    if every_minute:
        return f"every minute during {hours_phrase} UTC"
    if _is_even_step(minutes, 60):
        return f"every {minutes[1]} minutes during {hours_phrase} UTC"
    if len(minutes) == 1 and _is_even_step(hours, 24):
        return f"at minute {minutes[0]} of every {hours[1]} hours from 00:00 UTC"
    minutes_phrase = f"minute {minute_text}" if len(minutes) == 1 else f"minutes {minute_text}"
    return f"at {minutes_phrase} of {hours_phrase} UTC"


def _is_even_step(values: Sequence[int], cycle: int) -> bool:
    """Whether values are 0, k, 2k, … with k dividing the cycle (so the rhythm never breaks)."""
    if len(values) < 2 or values[0] != 0:
        return False
    step = values[1]
    return cycle % step == 0 and list(values) == list(range(0, cycle, step))


def _day_phrase(dom_text: str, dow_text: str) -> str:
    if dow_text == "*":
        return "" if dom_text == "*" else f" on {_dom_phrase(dom_text)}"
    weekdays = _weekday_phrase(dow_text)
    if dom_text == "*":
        return f", {weekdays}" if " to " in weekdays else f" on {weekdays}"
    if dom_text.startswith("*") or dow_text.startswith("*"):
        either = _weekday_phrase(dow_text, last_sep=" or ")
        return f" on {_dom_phrase(dom_text)} if it falls on {either}"
    return f" on {_dom_phrase(dom_text)} and on every {weekdays}"


def _dom_phrase(dom_text: str) -> str:
    if dom_text.startswith("*/"):
        step = int(dom_text[2:])
        days = [str(day) for day in range(1, 32, step)]
        shown = ", ".join(days[:3]) + (", …" if len(days) > 3 else "")
        return f"every {_ordinal(step)} day of the month ({shown})"
    if "/" in dom_text:
        return f"days {dom_text} of the month"
    parts = _ranges(_values(dom_text, 1, 31), None, first=1)
    if len(parts) > _MAX_LISTED:
        return f"days {dom_text} of the month"
    noun = "day" if parts == [dom_text] and "-" not in dom_text else "days"
    return f"{noun} {_join(parts)} of the month"


def _weekday_phrase(dow_text: str, last_sep: str = " and ") -> str:
    # The working week reads Monday first, so Sunday sorts last.
    ordered = sorted(_values(dow_text, 0, 6), key=_monday_first)
    return _join(_ranges(ordered, _WEEKDAYS, first=0, position=_monday_first), last_sep)


def _ordinal(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _monday_first(weekday: int) -> int:
    return (weekday + 6) % 7


def _values(text: str, low: int, high: int) -> list[int]:
    """The values a canonical field text selects (`*`, lists, ranges, steps)."""
    values: set[int] = set()
    for item in text.split(","):
        base, _, step = item.partition("/")
        start, _, end = base.partition("-")
        first, last = (low, high) if start == "*" else (int(start), int(end or start))
        values.update(range(first, last + 1, int(step or 1)))
    return sorted(values)


def _ranges(
    values: Sequence[int],
    names: Sequence[str] | None,
    *,
    first: int,
    position: Callable[[int], int] = int,
) -> list[str]:
    """Group consecutive values ("Monday to Friday"); runs of two stay separate."""

    def label(value: int) -> str:
        return names[value - first] if names is not None else str(value)

    parts: list[str] = []
    run: list[int] = []
    for value in [*values, None]:
        if value is not None and run and position(value) == position(run[-1]) + 1:
            run.append(value)
            continue
        if len(run) >= 3:
            parts.append(f"{label(run[0])} to {label(run[-1])}")
        else:
            parts.extend(label(v) for v in run)
        run = [value] if value is not None else []
    return parts


def _join(parts: Sequence[str], last_sep: str = " and ") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + last_sep + parts[-1]
