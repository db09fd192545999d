"""One cron field: its rules, its parser, and its shortest written form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_DIGITS = re.compile(r"[0-9]+")
_LETTERS = re.compile(r"[A-Z]+")
# Quartz, Jenkins and other dialects; each looks like cron but means something else.
_NON_STANDARD_WORDS = frozenset({"L", "W", "LW", "H", "R"})
_NON_STANDARD_SIGNS = ("?", "#")
# Longer numbers cannot be in range; refusing them early keeps int() cheap.
_MAX_DIGITS = 4
_SHOW_LIMIT = 24


class CronError(ValueError):
    """An invalid schedule; the message names the offending part."""


@dataclass(frozen=True)
class FieldSpec:
    """The rules of one of the five fields."""

    name: str
    low: int
    high: int  # highest value accepted as written (7 for day-of-week, meaning Sunday)
    last: int  # where `*` and an open-ended `N/step` stop
    names: Mapping[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """How many distinct values the field has; also the largest step."""
        return self.last - self.low + 1

    @property
    def everything(self) -> frozenset[int]:
        return frozenset(range(self.low, self.last + 1))


MINUTE = FieldSpec("minute", 0, 59, 59)
HOUR = FieldSpec("hour", 0, 23, 23)
DAY_OF_MONTH = FieldSpec("day-of-month", 1, 31, 31)
MONTH = FieldSpec("month", 1, 12, 12, {n: i + 1 for i, n in enumerate(_MONTH_NAMES)})
DAY_OF_WEEK = FieldSpec("day-of-week", 0, 7, 6, {n: i for i, n in enumerate(_DAY_NAMES)})
FIELDS = (MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK)


@dataclass(frozen=True)
class Field:
    """The values a field selects, and whether its text starts with `*`.

    The star matters only for the day fields: it decides whether day-of-month
    and day-of-week combine with AND (either starred) or OR (neither).
    """

    values: frozenset[int]
    star: bool


def show(text: str) -> str:
    """Quote user text in a message, cut short so garbage cannot flood it."""
    if len(text) > _SHOW_LIMIT:
        text = text[: _SHOW_LIMIT - 1] + "…"
    return f"'{text}'"


def parse_field(text: str, spec: FieldSpec) -> Field:
    """Parse one field, raising CronError with a reason that names it."""
    _reject_non_standard(text, spec)
    items = text.split(",")
    if len(items) > 1 and any(item.startswith("*") for item in items):
        raise CronError(f"{spec.name} {show(text)}: '*' cannot be combined with other values")
    values: set[int] = set()
    for item in items:
        if not item:
            raise CronError(f"{spec.name} {show(text)} has an empty list item")
        values.update(_parse_item(item, spec))
    if spec is DAY_OF_WEEK and 7 in values:
        values.discard(7)
        values.add(0)
    return Field(frozenset(values), star=text.startswith("*"))


def _reject_non_standard(text: str, spec: FieldSpec) -> None:
    for sign in _NON_STANDARD_SIGNS:
        if sign in text:
            raise CronError(
                f"{spec.name} {show(text)}: '{sign}' is non-standard cron, not supported"
            )
    for word in _LETTERS.findall(text.upper()):
        if word in _NON_STANDARD_WORDS:
            raise CronError(
                f"{spec.name} {show(text)}: '{word}' is non-standard cron, not supported"
            )


def _parse_item(item: str, spec: FieldSpec) -> range:
    base, slash, step_text = item.partition("/")
    step = _parse_step(step_text, item, spec) if slash else 1
    if base == "*":
        return range(spec.low, spec.last + 1, step)
    if "-" in base:
        start_text, _, end_text = base.partition("-")
        start = _parse_value(start_text, item, spec)
        end = _parse_value(end_text, item, spec)
        if start > end:
            raise CronError(f"{spec.name} range {show(base)} is reversed")
        return range(start, end + 1, step)
    start = _parse_value(base, item, spec)
    # `5/15` is short for `5-59/15`.
    end = max(start, spec.last) if slash else start
    return range(start, end + 1, step)


def _parse_step(text: str, item: str, spec: FieldSpec) -> int:
    if not _DIGITS.fullmatch(text):
        raise CronError(f"{spec.name} step {show(text)} in {show(item)} is not a number")
    step = int(text) if len(text) <= _MAX_DIGITS else spec.size + 1
    if step == 0:
        raise CronError(f"{spec.name} step 0 in {show(item)} must be at least 1")
    if step > spec.size:
        raise CronError(f"{spec.name} step {show(text)} is out of range 1-{spec.size}")
    return step


def _parse_value(text: str, item: str, spec: FieldSpec) -> int:
    if _DIGITS.fullmatch(text):
        value = int(text) if len(text) <= _MAX_DIGITS else spec.high + 1
        if not spec.low <= value <= spec.high:
            shown = str(value) if len(text) <= _MAX_DIGITS else show(text)
            raise CronError(f"{spec.name} {shown} is out of range {spec.low}-{spec.high}")
        return value
    name = spec.names.get(text.upper())
    if name is not None:
        return name
    if not text:
        raise CronError(f"{spec.name} {show(item)} is missing a value")
    if text == "*":
        raise CronError(f"{spec.name} {show(item)}: '*' cannot be part of a range")
    kind = "a number or a name" if spec.names else "a number"
    raise CronError(f"{spec.name} {show(text)} is not {kind}")


def format_field(values: Iterable[int], spec: FieldSpec, *, star: bool | None = None) -> str:
    """The shortest text for `values`.

    ``star=True`` demands a `*` form and ``star=False`` forbids one (the day
    fields' AND/OR rule depends on it); ``None`` takes whichever is shortest.
    Raises ValueError when no form fits, which callers treat as "try another".
    """
    chosen = sorted(set(values))
    if not chosen:
        raise ValueError("a field selects at least one value")
    candidates: list[str] = []
    if star is not False:
        candidates.extend(_star_forms(chosen, spec))
    if star is not True:
        candidates.append(_list_form(chosen))
        candidates.extend(_stepped_range_form(chosen))
    if not candidates:
        raise ValueError(f"no {'starred' if star else 'plain'} form selects {chosen}")
    # On a tie a plain list reads better than a step: `0,30` over `*/30`.
    return min(candidates, key=lambda text: (len(text), text.count("/"), text))


def _star_forms(chosen: list[int], spec: FieldSpec) -> list[str]:
    for step in range(1, spec.size + 1):
        if list(range(spec.low, spec.last + 1, step)) == chosen:
            return ["*" if step == 1 else f"*/{step}"]
    return []


def _list_form(chosen: list[int]) -> str:
    parts: list[str] = []
    run_start = previous = chosen[0]
    for value in [*chosen[1:], None]:
        if value is not None and value == previous + 1:
            previous = value
            continue
        if previous - run_start >= 2:
            parts.append(f"{run_start}-{previous}")
        else:
            parts.extend(str(v) for v in range(run_start, previous + 1))
        if value is not None:
            run_start = previous = value
    return ",".join(parts)


def _stepped_range_form(chosen: list[int]) -> list[str]:
    if len(chosen) < 3:
        return []
    step = chosen[1] - chosen[0]
    if step < 2 or list(range(chosen[0], chosen[-1] + 1, step)) != chosen:
        return []
    return [f"{chosen[0]}-{chosen[-1]}/{step}"]
