"""Schedules: what is valid, what is equal, when they fire, how they read."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bytestack_sync import cron
from bytestack_sync.cron import CronError, Schedule, equivalent, parse

UTC = timezone.utc
START = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


VALID = [
    "0 8 * * *",
    "*/15 * * * *",
    "1-10/2 * * * *",
    "5/15 * * * *",
    "0 0 1 JAN *",
    "0 0 * jan-Mar mon-FRI",
    "0 0 * * 7",
    "0 0 * * 5-7",
    "0 0 * * SUN/2",
    "0 0 1,15 * *",
    "00 08 01 01 00",
    "  0   8 * * *  ",
    "0\t8 * *\t1",
    "59 23 31 12 6",
    "0 0 29 2 *",
    "0 0 30 2 1",
    "0 0 31 * *",
    "*/60 */24 */31 */12 */7",
    "@hourly",
    "@daily",
    "@midnight",
    "@weekly",
    "@monthly",
    "@yearly",
    "@annually",
    "@DAILY",
]


@pytest.mark.parametrize("expression", VALID)
def test_valid_expressions_parse(expression: str) -> None:
    schedule = parse(expression)
    assert schedule.expression == expression
    assert parse(schedule.canonical) == schedule


INVALID = [
    ("* * * * * *", "6 fields: seconds or years are not supported; use 5 fields"),
    ("0 0 8 * * * 2030", "7 fields: seconds or years are not supported; use 5 fields"),
    ("0 8 * *", "4 fields: expected 5 (minute hour day-of-month month day-of-week)"),
    ("garbage", "1 field: expected 5 (minute hour day-of-month month day-of-week)"),
    ("", "schedule is empty"),
    ("   ", "schedule is empty"),
    ("@reboot", "@reboot is not supported: a schedule must fire at set times"),
    ("@REBOOT", "@reboot is not supported: a schedule must fire at set times"),
    (
        "@every_5m",
        "unknown alias '@every_5m'; use one of "
        "@hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually",
    ),
    ("@daily 5", "alias '@daily' cannot be followed by other fields"),
    ("0 0 L * *", "day-of-month 'L': 'L' is non-standard cron, not supported"),
    ("0 0 15W * *", "day-of-month '15W': 'W' is non-standard cron, not supported"),
    ("0 0 LW * *", "day-of-month 'LW': 'LW' is non-standard cron, not supported"),
    ("0 0 * * 5L", "day-of-week '5L': 'L' is non-standard cron, not supported"),
    ("0 0 * * 1#2", "day-of-week '1#2': '#' is non-standard cron, not supported"),
    ("0 0 ? * 1", "day-of-month '?': '?' is non-standard cron, not supported"),
    ("H * * * *", "minute 'H': 'H' is non-standard cron, not supported"),
    ("H(0-29) * * * *", "minute 'H(0-29)': 'H' is non-standard cron, not supported"),
    ("R 8 * * *", "minute 'R': 'R' is non-standard cron, not supported"),
    ("60 * * * *", "minute 60 is out of range 0-59"),
    ("0 24 * * *", "hour 24 is out of range 0-23"),
    ("0 0 0 * *", "day-of-month 0 is out of range 1-31"),
    ("0 0 32 * *", "day-of-month 32 is out of range 1-31"),
    ("0 0 * 13 *", "month 13 is out of range 1-12"),
    ("0 0 * 0 *", "month 0 is out of range 1-12"),
    ("0 0 * * 8", "day-of-week 8 is out of range 0-7"),
    ("0 0-24 * * *", "hour 24 is out of range 0-23"),
    ("99999999999 * * * *", "minute '99999999999' is out of range 0-59"),
    ("5-1 * * * *", "minute range '5-1' is reversed"),
    ("0 0 * * FRI-MON", "day-of-week range 'FRI-MON' is reversed"),
    ("0 0 * DEC-JAN *", "month range 'DEC-JAN' is reversed"),
    ("*/0 * * * *", "minute step 0 in '*/0' must be at least 1"),
    ("0 1-5/0 * * *", "hour step 0 in '1-5/0' must be at least 1"),
    ("*/61 * * * *", "minute step '61' is out of range 1-60"),
    ("0 0 * * */8", "day-of-week step '8' is out of range 1-7"),
    ("*/x * * * *", "minute step 'x' in '*/x' is not a number"),
    ("*/ * * * *", "minute step '' in '*/' is not a number"),
    ("1,,2 * * * *", "minute '1,,2' has an empty list item"),
    ("1, * * * *", "minute '1,' has an empty list item"),
    (",1 * * * *", "minute ',1' has an empty list item"),
    ("1- * * * *", "minute '1-' is missing a value"),
    ("-5 * * * *", "minute '-5' is missing a value"),
    ("*-5 * * * *", "minute '*-5': '*' cannot be part of a range"),
    ("*,5 * * * *", "minute '*,5': '*' cannot be combined with other values"),
    ("1-5-7 * * * *", "minute '5-7' is not a number"),
    ("0 0 * * MONDAY", "day-of-week 'MONDAY' is not a number or a name"),
    ("0 0 * * JAN", "day-of-week 'JAN' is not a number or a name"),
    ("0 0 MON * *", "day-of-month 'MON' is not a number"),
    ("x 0 * * *", "minute 'x' is not a number"),
    ("0 ½ * * *", "hour '½' is not a number"),
    ("0 ٣ * * *", "hour '٣' is not a number"),
    ("0 0 30 2 *", "never fires: day-of-month '30' does not occur in month '2'"),
    ("0 0 31 4,6 *", "never fires: day-of-month '31' does not occur in month '4,6'"),
    ("0 0 30-31 FEB *", "never fires: day-of-month '30-31' does not occur in month 'FEB'"),
]


@pytest.mark.parametrize(("expression", "reason"), INVALID)
def test_invalid_expressions_name_the_reason(expression: str, reason: str) -> None:
    with pytest.raises(CronError) as caught:
        parse(expression)
    assert str(caught.value) == reason


def test_cron_error_is_a_value_error() -> None:
    assert issubclass(CronError, ValueError)


@pytest.mark.parametrize("value", [None, 5, b"0 8 * * *", ["0", "8"]])
def test_non_text_is_a_cron_error(value: object) -> None:
    with pytest.raises(CronError, match="must be a string"):
        parse(value)  # type: ignore[arg-type]


def test_long_garbage_is_cut_short_in_the_message() -> None:
    with pytest.raises(CronError) as caught:
        parse("x" * 10_000 + " * * * *")
    assert len(str(caught.value)) < 80


EQUAL = [
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
    ("@weekly", "0 0 * * 0"),
    ("@monthly", "0 0 1 * *"),
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "@yearly"),
    ("0 8 * * 1-5", "0 8 * * MON-FRI"),
    ("0 8 * * mon-fri", "0 8 * * 1,2,3,4,5"),
    ("*/15 * * * *", "0,15,30,45 * * * *"),
    ("*/15 * * * *", "0-59/15 * * * *"),
    ("5/15 * * * *", "5,20,35,50 * * * *"),
    ("1-10/2 * * * *", "1,3,5,7,9 * * * *"),
    ("0 0 * * 7", "0 0 * * 0"),
    ("0 0 * * SUN", "0 0 * * 7"),
    ("0 0 * * 5-7", "0 0 * * 0,5,6"),
    ("0 0 * * 1/2", "0 0 * * MON,WED,FRI"),
    ("0 0 1-31 * 1", "0 0 * * *"),
    ("0 0 1 * 0-6", "0 0 * * *"),
    ("0 0 * * 0-6", "0 0 * * *"),
    ("0 0 */1 * *", "0 0 * * *"),
    ("0 0 */1 * 1", "0 0 * * 1"),
    ("0 0 1 JAN *", "0 0 1 1 *"),
    ("0 0 1 jan-dec *", "0 0 1 * *"),
    ("0 0 1 */3 *", "0 0 1 1,4,7,10 *"),
    ("0 0 31 * *", "0 0 31 1,3,5,7,8,10,12 *"),
    ("0 0 30,31 2,4 *", "0 0 30 4 *"),
    ("0 0 29-31 2 *", "0 0 29 2 *"),
    ("0 0 * * */7", "0 0 * * 0"),
    ("0 0 */2 * */7", "0 0 */2 * 0"),
    ("0 0 1 * */2", "0 0 */31 * 0,2,4,6"),
    ("00 08 * * *", "0 8 * * *"),
    ("*/60 * * * *", "0 * * * *"),
]


@pytest.mark.parametrize(("a", "b"), EQUAL)
def test_equal_schedules(a: str, b: str) -> None:
    first, second = parse(a), parse(b)
    assert first == second
    assert hash(first) == hash(second)
    assert first.canonical == second.canonical
    assert equivalent(a, b)
    assert len({first, second}) == 1


UNEQUAL = [
    ("0 0 1-31 * 1", "0 0 * * 1"),
    ("0 0 1 * 1", "0 0 1 * *"),
    ("0 0 1 * 1", "0 0 * * 1"),
    ("0 0 */2 * 1", "0 0 1-31/2 * 1"),
    ("0 0 */2 * 1", "0 0 * * 1"),
    ("0 8 * * *", "0 9 * * *"),
    ("0 8 * * *", "1 8 * * *"),
    ("*/15 * * * *", "*/20 * * * *"),
    ("0 0 * * 6,0", "0 0 * * 6"),
    ("0 0 1 * *", "0 0 1 1 *"),
    ("0 0 29 2 *", "0 0 28 2 *"),
    ("0 0 * * 1/2", "0 0 * * 1-7/2"),
    ("0 0 1 * */2", "0 0 1 * 0,2,4,6"),
    ("@weekly", "@daily"),
]


@pytest.mark.parametrize(("a", "b"), UNEQUAL)
def test_unequal_schedules(a: str, b: str) -> None:
    first, second = parse(a), parse(b)
    assert first != second
    assert first.canonical != second.canonical
    assert not equivalent(a, b)


def test_equivalent_rejects_invalid() -> None:
    with pytest.raises(CronError, match="hour 25"):
        equivalent("0 8 * * *", "0 25 * * *")


def test_schedule_is_not_equal_to_text() -> None:
    assert parse("0 8 * * *") != "0 8 * * *"


def test_schedule_is_frozen() -> None:
    schedule = parse("0 8 * * *")
    with pytest.raises(AttributeError):
        schedule.expression = "0 9 * * *"  # type: ignore[misc]


def test_expression_is_kept_and_repr_shows_it() -> None:
    schedule = parse("0 8 * * MON-FRI")
    assert schedule.expression == "0 8 * * MON-FRI"
    assert repr(schedule) == "Schedule('0 8 * * MON-FRI')"
    assert isinstance(schedule, Schedule)


CANONICAL = [
    ("@daily", "0 0 * * *"),
    ("0,15,30,45 * * * *", "*/15 * * * *"),
    ("*/30 * * * *", "0,30 * * * *"),
    ("0 8 * * MON-FRI", "0 8 * * 1-5"),
    ("0 8 * * 1,2,3", "0 8 * * 1-3"),
    ("0 8 * * 6,7", "0 8 * * 0,6"),
    ("0 0 1-31 * 1", "0 0 * * *"),
    ("0 0 30,31 2,4 *", "0 0 30 4 *"),
    ("0 0 31 1,3,5,7,8,10,12 *", "0 0 31 * *"),
    ("0 0 */2 * 1", "0 0 */2 * 1"),
    ("0 0 1 * 1", "0 0 1 * 1"),
    ("1,3,5,7,9 * * * *", "1-9/2 * * * *"),
    ("0 9-17 * JAN,FEB,MAR *", "0 9-17 * 1-3 *"),
]


@pytest.mark.parametrize(("expression", "canonical"), CANONICAL)
def test_canonical_text(expression: str, canonical: str) -> None:
    assert parse(expression).canonical == canonical


NEXT_RUNS = [
    ("0 8 * * *", START, ["2024-01-01T08:00", "2024-01-02T08:00", "2024-01-03T08:00"]),
    ("0 8 * * *", at("2024-01-01T08:00"), ["2024-01-02T08:00", "2024-01-03T08:00"]),
    ("0 8 * * *", at("2024-01-01T07:59:59.999"), ["2024-01-01T08:00"]),
    ("*/15 * * * *", at("2024-01-01T23:50"), ["2024-01-02T00:00", "2024-01-02T00:15"]),
    ("0 0 29 2 *", START, ["2024-02-29T00:00", "2028-02-29T00:00"]),
    ("0 0 29 2 */7", START, ["2032-02-29T00:00", "2060-02-29T00:00"]),
    ("0 0 1 * 1", START, ["2024-01-08T00:00", "2024-01-15T00:00", "2024-01-22T00:00"]),
    ("0 0 */10 * 1", START, ["2024-03-11T00:00", "2024-04-01T00:00"]),
    ("30 23 31 12 *", at("2024-12-31T23:30"), ["2025-12-31T23:30"]),
    ("0 12 * * 5-7", START, ["2024-01-05T12:00", "2024-01-06T12:00", "2024-01-07T12:00"]),
]


@pytest.mark.parametrize(("expression", "after", "expected"), NEXT_RUNS)
def test_next_runs(expression: str, after: datetime, expected: list[str]) -> None:
    runs = parse(expression).next_runs(len(expected), after)
    assert runs == [at(text) for text in expected]
    assert all(run.tzinfo is UTC for run in runs)


def test_next_runs_converts_other_zones_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    after = datetime(2024, 1, 1, 8, 30, tzinfo=paris)  # 07:30 UTC
    assert parse("0 8 * * *").next_runs(1, after) == [at("2024-01-01T08:00")]


def test_next_runs_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse("0 8 * * *").next_runs(1, datetime(2024, 1, 1))


def test_next_runs_count() -> None:
    schedule = parse("* * * * *")
    assert schedule.next_runs(0, START) == []
    assert len(schedule.next_runs(2000, START)) == 2000
    with pytest.raises(ValueError, match="negative"):
        schedule.next_runs(-1, START)


def test_next_runs_stop_at_the_end_of_the_calendar() -> None:
    end = datetime(9999, 12, 31, 23, 58, tzinfo=UTC)
    assert parse("* * * * *").next_runs(5, end) == [at("9999-12-31T23:59")]
    assert parse("0 0 1 1 *").next_runs(5, end) == []
    assert parse("* * * * *").next_runs(5, datetime.max.replace(tzinfo=UTC)) == []


RUNS_PER_DAY = [
    ("0 8 * * *", 1),
    ("*/15 * * * *", 96),
    ("*/10 * * * *", 144),
    ("* * * * *", 1440),
    ("0 9-17 * * 1-5", 9),
    ("0,30 8,12 1 * *", 4),
    ("@hourly", 24),
]


@pytest.mark.parametrize(("expression", "count"), RUNS_PER_DAY)
def test_runs_per_day(expression: str, count: int) -> None:
    assert parse(expression).runs_per_day() == count


DESCRIPTIONS = [
    ("*/15 * * * *", "every 15 minutes"),
    ("* * * * *", "every minute"),
    ("5 * * * *", "at minute 5 of every hour"),
    ("0,20,40 * * * *", "every 20 minutes"),
    ("0,20 * * * *", "at minutes 0,20 of every hour"),
    ("5,20 * * * *", "at minutes 5,20 of every hour"),
    ("0 8 * * 1-5", "at 08:00 UTC, Monday to Friday"),
    ("0 8 * * MON-FRI", "at 08:00 UTC, Monday to Friday"),
    ("0 0 1 * *", "at 00:00 UTC on day 1 of the month"),
    ("@daily", "at 00:00 UTC"),
    ("@weekly", "at 00:00 UTC on Sunday"),
    ("@yearly", "at 00:00 UTC on day 1 of the month in January"),
    ("30 8,12 * * 6,0", "at 08:30 and 12:30 UTC on Saturday and Sunday"),
    ("0 12 * * 5-7", "at 12:00 UTC, Friday to Sunday"),
    ("0 0 1,15 * *", "at 00:00 UTC on days 1 and 15 of the month"),
    ("0 0 1-10 * *", "at 00:00 UTC on days 1 to 10 of the month"),
    ("0 0 1 * 1", "at 00:00 UTC on day 1 of the month and on every Monday"),
    (
        "0 0 */2 * 1",
        "at 00:00 UTC on every 2nd day of the month (1, 3, 5, …) if it falls on Monday",
    ),
    (
        "0 0 1 * */2",
        "at 00:00 UTC on day 1 of the month if it falls on Tuesday, Thursday, Saturday or Sunday",
    ),
    ("0 0 */11 * *", "at 00:00 UTC on every 11th day of the month (1, 12, 23)"),
    ("0 0 */21 * *", "at 00:00 UTC on days 1 and 22 of the month"),
    ("0 0 */21 * 0", "at 00:00 UTC on every 21st day of the month (1, 22) if it falls on Sunday"),
    ("0 0 1,2,3,5,8,13,21 * *", "at 00:00 UTC on days 1-3,5,8,13,21 of the month"),
    ("15 10 * * 1,3,5", "at 10:15 UTC on Monday, Wednesday and Friday"),
    ("*/5 9-17 * * 1-5", "every 5 minutes during hours 9-17 UTC, Monday to Friday"),
    ("0 */2 * * *", "at minute 0 of every 2 hours from 00:00 UTC"),
    ("0 9-17 * * 1-5", "at minute 0 of hours 9-17 UTC, Monday to Friday"),
    ("*/10 9 * * *", "every 10 minutes during hour 9 UTC"),
    ("* 9-10 * * *", "every minute during hours 9,10 UTC"),
    ("0 6 * 3-5 *", "at 06:00 UTC in March to May"),
    ("0 6 * 1,7 *", "at 06:00 UTC in January and July"),
]


@pytest.mark.parametrize(("expression", "text"), DESCRIPTIONS)
def test_describe(expression: str, text: str) -> None:
    assert parse(expression).describe() == text


def test_module_exports() -> None:
    assert cron.parse is parse
    assert set(cron.__all__) >= {"CronError", "Schedule", "parse", "equivalent"}


@pytest.mark.parametrize(
    ("expression", "ored"),
    [("0 9 13 * FRI", True), ("0 0 1-31 * 1", True), ("0 9 13 * *", False),
     ("0 9 * * FRI", False), ("0 0 */2 * 1", False), ("0 0 1 * */2", False), ("@weekly", False)],
)  # fmt: skip
def test_days_ored(expression: str, ored: bool) -> None:
    assert parse(expression).days_ored is ored


@pytest.mark.parametrize(
    ("expression", "every_day"),
    [("0 8 * * *", True), ("*/15 * * * *", True), ("0 8 * * 0-6", True),
     ("@weekly", False), ("0 8 * * 1-5", False), ("0 8 1 * *", False), ("0 8 * 2 *", False)],
)  # fmt: skip
def test_every_day(expression: str, every_day: bool) -> None:
    assert cron.parse(expression).every_day is every_day
