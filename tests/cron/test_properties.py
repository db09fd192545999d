"""Property tests: schedules against an independent, naive reading of cron.

Expressions are generated as structures whose selected values are computed
here, straight from the rules, without the parser. The naive evaluator then
decides when such a structure fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from croniter import croniter
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bytestack_sync.cron import CronError, parse

UTC = timezone.utc
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# 2001-2028 holds every (month, day, weekday) triple, Feb 29 on each weekday included.
CYCLE_START, CYCLE_END = date(2001, 1, 1), date(2028, 12, 31)
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True)
class Spec:
    low: int
    high: int  # highest value that may be written
    last: int  # where `*` and `a/k` stop
    names: tuple[str, ...] = ()


SPECS = (
    Spec(0, 59, 59),
    Spec(0, 23, 23),
    Spec(1, 31, 31),
    Spec(1, 12, 12, MONTH_NAMES),
    Spec(0, 7, 6, DAY_NAMES),
)


@dataclass(frozen=True)
class Field:
    text: str
    values: frozenset[int]
    star: bool
    # croniter reads `a/k` and one-value ranges such as `5-5` its own way.
    croniter_reads_alike: bool = True


@dataclass(frozen=True)
class Expr:
    fields: tuple[Field, ...]

    @property
    def text(self) -> str:
        return " ".join(f.text for f in self.fields)


def fold(values: set[int] | range, spec: Spec) -> frozenset[int]:
    """Day-of-week 7 is Sunday."""
    if spec.names is DAY_NAMES:
        return frozenset(0 if v == 7 else v for v in values)
    return frozenset(values)


@st.composite
def written_value(draw: st.DrawFn, spec: Spec, value: int) -> str:
    if spec.names and value - spec.low < len(spec.names) and draw(st.booleans()):
        name = spec.names[value - spec.low]
        return draw(st.sampled_from([name, name.lower(), name.title()]))
    return f"0{value}" if value < 10 and draw(st.booleans()) else str(value)


@st.composite
def item(draw: st.DrawFn, spec: Spec, alike: bool) -> tuple[str, set[int], bool]:
    """One list item: its text, the values it selects, and whether croniter agrees.

    With `alike`, only forms croniter reads the same way are drawn.
    """
    size = spec.last - spec.low + 1
    kinds = ["value", "range", "stepped"] if alike else ["value", "range", "stepped", "open"]
    kind = draw(st.sampled_from(kinds))
    a = draw(st.integers(spec.low, spec.high - 1 if alike and kind != "value" else spec.high))
    start = draw(written_value(spec, a))
    if kind == "value":
        return start, {a}, True
    step = draw(st.integers(1, size))
    if kind == "open":
        return f"{start}/{step}", set(range(a, max(a, spec.last) + 1, step)), False
    b = draw(st.integers(a + 1 if alike else a, spec.high))
    text = f"{start}-{draw(written_value(spec, b))}"
    if kind == "stepped":
        return f"{text}/{step}", set(range(a, b + 1, step)), a != b
    return text, set(range(a, b + 1)), a != b


@st.composite
def field(draw: st.DrawFn, spec: Spec, alike: bool = False) -> Field:
    if alike and draw(st.integers(0, 3)) == 0:
        return Field("*", fold(range(spec.low, spec.last + 1), spec), star=True)
    if not alike and draw(st.integers(0, 3)) == 0:
        step = draw(st.integers(1, spec.last - spec.low + 1))
        text = draw(st.sampled_from(["*", f"*/{step}"])) if step == 1 else f"*/{step}"
        return Field(text, fold(range(spec.low, spec.last + 1, step), spec), star=True)
    items = draw(st.lists(item(spec, alike), min_size=1, max_size=4))
    values: set[int] = set().union(*(v for _, v, _ in items))
    alike = all(a for _, _, a in items)
    return Field(",".join(t for t, _, _ in items), fold(values, spec), False, alike)


expressions = st.builds(lambda *fields: Expr(tuple(fields)), *(field(spec) for spec in SPECS))
croniter_expressions = st.builds(
    lambda *fields: Expr(tuple(fields)), *(field(spec, alike=True) for spec in SPECS)
)


def triple(day: date) -> tuple[int, int, int]:
    return day.month, day.day, day.isoweekday() % 7


CYCLE = [triple(CYCLE_START + timedelta(days=n)) for n in range((CYCLE_END - CYCLE_START).days + 1)]


def fires_on(expr: Expr, month: int, day: int, weekday: int) -> bool:
    _, _, dom, months, dow = expr.fields
    if month not in months.values:
        return False
    in_dom, in_dow = day in dom.values, weekday in dow.values
    return (in_dom or in_dow) if not dom.star and not dow.star else (in_dom and in_dow)


def day_fires(expr: Expr, day: date) -> bool:
    return fires_on(expr, *triple(day))


def naive_runs(expr: Expr, after: datetime, until: datetime, limit: int) -> list[datetime]:
    """The first `limit` runs in (after, until), day by day: slow and plain on purpose."""
    minute, hour = expr.fields[0].values, expr.fields[1].values
    runs: list[datetime] = []
    day = after.date()
    while day <= until.date() and len(runs) < limit:
        if day_fires(expr, day):
            for h in sorted(hour):
                for m in sorted(minute):
                    run = datetime(day.year, day.month, day.day, h, m, tzinfo=UTC)
                    if after < run < until:
                        runs.append(run)
        day += timedelta(days=1)
    return runs[:limit]


def cycle_days(expr: Expr) -> frozenset[tuple[int, int, int]]:
    """The (month, day, weekday) triples it fires on, checked on every date of 2001-2028."""
    _, _, dom, months, dow = expr.fields
    either = not dom.star and not dow.star
    days, weekdays, month_values = dom.values, dow.values, months.values
    return frozenset(
        (m, d, w)
        for m, d, w in CYCLE
        if m in month_values
        and ((d in days or w in weekdays) if either else (d in days and w in weekdays))
    )


def brute_equal(a: Expr, b: Expr) -> bool:
    return (
        a.fields[0].values == b.fields[0].values
        and a.fields[1].values == b.fields[1].values
        and cycle_days(a) == cycle_days(b)
    )


def fires_at_all(expr: Expr) -> bool:
    # Every valid (month, day) occurs on every weekday, so only these two fields can starve.
    dom, month = expr.fields[2].values, expr.fields[3].values
    days_in = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return any(d <= days_in[m - 1] for m in month for d in dom) or not (
        expr.fields[2].star or expr.fields[4].star
    )


@PROPERTY
@given(expressions)
def test_parse_selects_what_the_rules_say(expr: Expr) -> None:
    if not fires_at_all(expr):
        with pytest.raises(CronError, match="never fires"):
            parse(expr.text)
        return
    schedule = parse(expr.text)
    assert schedule.minutes == tuple(sorted(expr.fields[0].values))
    assert schedule.hours == tuple(sorted(expr.fields[1].values))
    assert schedule.runs_per_day() == len(expr.fields[0].values) * len(expr.fields[1].values)
    assert schedule.days == cycle_days(expr)
    assert schedule.describe()


@PROPERTY
@given(expressions)
def test_canonical_text_is_the_same_schedule(expr: Expr) -> None:
    assume(fires_at_all(expr))
    schedule = parse(expr.text)
    again = parse(schedule.canonical)
    assert again == schedule
    assert again.canonical == schedule.canonical
    assert len(schedule.canonical.split()) == 5
    assert len(schedule.canonical) <= len(" ".join(sorted_list_text(f) for f in expr.fields))


def sorted_list_text(f: Field) -> str:
    """A plain list of the values, a bound the shortest form never exceeds."""
    return "*" if f.star and f.text == "*" else f.text if f.star else ",".join(map(str, f.values))


@st.composite
def rewrite(draw: st.DrawFn, f: Field, spec: Spec, *, day_field: bool) -> Field:
    """Another text selecting the same values, keeping the star where it matters."""
    if f.star and (day_field or draw(st.booleans())):
        if f.values == fold(range(spec.low, spec.last + 1), spec):
            return Field(draw(st.sampled_from(["*", "*/1"])), f.values, star=True)
        return f
    order = draw(st.permutations(sorted(f.values)))
    parts = []
    for value in order:
        if spec.names is DAY_NAMES and value == 0 and draw(st.booleans()):
            parts.append("7")
        else:
            parts.append(draw(written_value(spec, value)))
    return Field(",".join(parts), f.values, star=False)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Expr, Expr]:
    a = draw(expressions)
    mode = draw(st.sampled_from(["rewrite", "mutate", "independent"]))
    if mode == "independent":
        return a, draw(expressions)
    fields = [
        draw(rewrite(f, spec, day_field=i in (2, 4)))
        for i, (f, spec) in enumerate(zip(a.fields, SPECS, strict=True))
    ]
    if mode == "mutate":
        i = draw(st.integers(0, 4))
        fields[i] = draw(field(SPECS[i]))
    return a, Expr(tuple(fields))


@PROPERTY
@given(pairs())
def test_equality_agrees_with_brute_force(pair: tuple[Expr, Expr]) -> None:
    a, b = pair
    assume(fires_at_all(a) and fires_at_all(b))
    first, second = parse(a.text), parse(b.text)
    equal = brute_equal(a, b)
    assert (first == second) is equal
    assert (first.canonical == second.canonical) is equal
    assert (hash(first) == hash(second)) or not equal
    if equal:
        start = datetime(2023, 12, 31, 23, 59, tzinfo=UTC)
        assert first.next_runs(300, start) == second.next_runs(300, start)


def test_rewrites_exercise_both_branches() -> None:
    """The pair strategy must produce equal pairs as well as unequal ones."""
    outcomes: set[bool] = set()

    @settings(max_examples=60, deadline=None, database=None)
    @given(pairs())
    def record(pair: tuple[Expr, Expr]) -> None:
        a, b = pair
        if fires_at_all(a) and fires_at_all(b):
            outcomes.add(parse(a.text) == parse(b.text))

    record()
    assert outcomes == {True, False}


moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)


@PROPERTY
@given(expressions, moments)
def test_next_runs_agree_with_a_naive_day_walk(expr: Expr, after: datetime) -> None:
    assume(fires_at_all(expr))
    until = after + timedelta(days=3 * 366)
    expected = naive_runs(expr, after, until, limit=300)
    runs = parse(expr.text).next_runs(max(len(expected), 1), after)
    if expected:
        assert runs == expected
    else:
        assert not runs or runs[0] >= until


@PROPERTY
@given(expressions, moments)
def test_next_runs_agree_minute_by_minute(expr: Expr, after: datetime) -> None:
    assume(fires_at_all(expr))
    minute, hour = expr.fields[0].values, expr.fields[1].values
    first = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    expected = []
    for offset in range(24 * 60):
        moment = first + timedelta(minutes=offset)
        if moment.minute in minute and moment.hour in hour and day_fires(expr, moment.date()):
            expected.append(moment)
    runs = parse(expr.text).next_runs(len(expected) + 1, after)
    assert runs[: len(expected)] == expected
    assert runs[len(expected)] >= first + timedelta(days=1)


@PROPERTY
@given(croniter_expressions, moments)
def test_next_runs_agree_with_croniter(expr: Expr, after: datetime) -> None:
    # Only `*` stars here: croniter reads `*/n` in a day field as restricted (OR).
    assert all(f.croniter_reads_alike for f in expr.fields)
    assume(fires_at_all(expr))
    ours = parse(expr.text).next_runs(20, after)
    theirs_iter = croniter(expr.text, after)
    theirs = [theirs_iter.get_next(datetime) for _ in ours]
    assert ours == theirs


cron_like = st.text(alphabet="0123456789*/-,LWHR#?@ abcjanmonJANMONsunSUN\t\n7", max_size=40)


@PROPERTY
@given(st.one_of(st.text(max_size=60), cron_like))
def test_parse_raises_only_cron_error(text: str) -> None:
    try:
        schedule = parse(text)
    except CronError as error:
        assert str(error)
    else:
        assert parse(schedule.canonical) == schedule


@PROPERTY
@given(expressions, st.integers(0, 4), st.sampled_from(["60", "-", ",", "/0", "L", "?", "x"]))
def test_damaged_fields_are_refused(expr: Expr, index: int, damage: str) -> None:
    fields = [f.text for f in expr.fields]
    fields[index] += damage
    with pytest.raises(CronError):
        parse(" ".join(fields))
