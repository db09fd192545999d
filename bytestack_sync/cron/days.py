"""Which calendar days a schedule fires on, and the shortest fields that say so.

A day is a (month, day-of-month, weekday) triple, weekday 0 = Sunday. Every
valid triple (Feb 29 included) occurs in some year, so two schedules fire on
the same days exactly when they select the same set of triples.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bytestack_sync.cron.fields import (
    DAY_OF_MONTH,
    DAY_OF_WEEK,
    MONTH,
    Field,
    FieldSpec,
    format_field,
)

Day = tuple[int, int, int]
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
WEEKDAYS = frozenset(range(7))

# Candidate fields are compared as bit masks, one bit per (month, day, weekday),
# because building thousands of tuples per candidate made parsing slow.
_ROW = 7  # bits per day-of-month: one per weekday
_MONTH_BITS = 31 * _ROW
_ALL_WEEKDAYS = (1 << _ROW) - 1
_DOM_BITS = {day: _ALL_WEEKDAYS << ((day - 1) * _ROW) for day in range(1, 32)}
_DOW_BITS = {w: sum(1 << (i * _ROW + w) for i in range(31)) for w in WEEKDAYS}
_VALID_BITS = {m + 1: (1 << (n * _ROW)) - 1 for m, n in enumerate(DAYS_IN_MONTH)}


def days_of(month: int) -> range:
    """Every day-of-month that month can have (29 for February)."""
    return range(1, DAYS_IN_MONTH[month - 1] + 1)


def fired_mask(dom: Field, months: Iterable[int], dow: Field) -> int:
    """The days the three day fields fire on, per Vixie cron's rule, as a bit mask."""
    dom_bits = _union(_DOM_BITS[day] for day in dom.values)
    dow_bits = _union(_DOW_BITS[weekday] for weekday in dow.values)
    either = not dom.star and not dow.star
    pairs = dom_bits | dow_bits if either else dom_bits & dow_bits
    return _union((pairs & _VALID_BITS[month]) << ((month - 1) * _MONTH_BITS) for month in months)


def month_rows(mask: int) -> dict[int, int]:
    """Per month that fires at all, the bits of its days: bit (day - 1) * 7 + weekday."""
    rows = {m: (mask >> ((m - 1) * _MONTH_BITS)) & _VALID_BITS[m] for m in range(1, 13)}
    return {month: row for month, row in rows.items() if row}


def row_fires(row: int, day: int, weekday: int) -> bool:
    return bool((row >> ((day - 1) * _ROW + weekday)) & 1)


def days_in_mask(mask: int) -> frozenset[Day]:
    bits = bin(mask)[:1:-1]  # least significant bit first
    return frozenset(
        (index // _MONTH_BITS + 1, index % _MONTH_BITS // _ROW + 1, index % _ROW)
        for index, bit in enumerate(bits)
        if bit == "1"
    )


def _union(masks: Iterable[int]) -> int:
    result = 0
    for mask in masks:
        result |= mask
    return result


@dataclass(frozen=True)
class _Option:
    text: str
    field: Field


def canonical_day_fields(fired: int) -> tuple[str, str, str]:
    """The shortest (day-of-month, month, day-of-week) texts whose fired mask is `fired`."""
    rows = month_rows(fired)
    month_options = [_option(range(1, 13), MONTH, None), _option(rows, MONTH, None)]
    best: tuple[str, str, str] | None = None
    for dom, dow in _day_options(rows):
        for month in month_options:
            if fired_mask(dom.field, month.field.values, dow.field) != fired:
                continue
            texts = (dom.text, month.text, dow.text)
            if best is None or _rank(texts) < _rank(best):
                best = texts
    if best is None:  # unreachable for a mask that some expression fires on
        raise ValueError("no cron fields fire on these days")
    return best


def _rank(texts: tuple[str, str, str]) -> tuple[int, int, str]:
    joined = " ".join(texts)
    # On a tie a plain list reads better than a step: `0,6` over `*/6`.
    return len(joined), joined.count("/"), joined


def _day_options(rows: dict[int, int]) -> Iterator[tuple[_Option, _Option]]:
    """Candidate day fields for the days fired, given per month (`rows`)."""
    doms = {d for d in range(1, 32) if any(row & _DOM_BITS[d] for row in rows.values())}
    weekdays = {w for w in WEEKDAYS if any(row & _DOW_BITS[w] for row in rows.values())}
    possible = {day for month in rows for day in days_of(month)}
    dom_starred = _starred_options(doms, possible, DAY_OF_MONTH)
    dow_starred = _starred_options(weekdays, WEEKDAYS, DAY_OF_WEEK)
    dom_plain, dow_plain = _option(doms, DAY_OF_MONTH, False), _option(weekdays, DAY_OF_WEEK, False)
    # AND: at least one field starred.
    for dom in dom_starred:
        yield dom, dow_plain
        yield from ((dom, dow) for dow in dow_starred)
    for dow in dow_starred:
        yield dom_plain, dow
    # OR: such a day-of-month fires on every weekday, such a weekday on every day.
    either_doms = {
        d
        for d in possible
        if all(row & _DOM_BITS[d] == _DOM_BITS[d] & _VALID_BITS[m] for m, row in rows.items())
    }
    either_weekdays = {
        w
        for w in WEEKDAYS
        if all(row & _DOW_BITS[w] == _DOW_BITS[w] & _VALID_BITS[m] for m, row in rows.items())
    }
    if either_doms and either_weekdays:
        yield (
            _option(either_doms, DAY_OF_MONTH, False),
            _option(either_weekdays, DAY_OF_WEEK, False),
        )


def _starred_options(chosen: set[int], possible: Iterable[int], spec: FieldSpec) -> list[_Option]:
    """`*` or `*/step` forms selecting `chosen` among the values that can occur."""
    occurring = set(possible)
    options: list[_Option] = []
    for step in range(1, spec.size + 1):
        values = frozenset(range(spec.low, spec.last + 1, step))
        if values & occurring == chosen:
            text = "*" if step == 1 else f"*/{step}"
            options.append(_Option(text, Field(values, star=True)))
    return options


def _option(values: Iterable[int], spec: FieldSpec, star: bool | None) -> _Option:
    chosen = frozenset(values)
    return _Option(format_field(chosen, spec, star=star), Field(chosen, star=False))
