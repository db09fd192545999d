"""Next runs as the emulator computes them agree with the cron package at every instant."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bytestack_sync import cron
from bytestack_sync.emulator.schedules import next_run, schedule_problem

INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.just(timezone.utc),
)


@settings(max_examples=60, deadline=None)
@given(
    expression=st.sampled_from(["0 8 * * *", "*/15 * * * *", "30 9 * * MON-FRI", "@monthly"]),
    after=INSTANTS,
)
def test_next_run_matches_cron_within_any_minute(expression: str, after: datetime) -> None:
    assert next_run(expression, after) == cron.parse(expression).next_runs(1, after)[0]


def test_next_run_is_strictly_after_an_exact_run_instant() -> None:
    at_run = datetime(2027, 1, 15, 8, 0, tzinfo=timezone.utc)
    assert next_run("0 8 * * *", at_run) == at_run + timedelta(days=1)
    assert next_run("0 8 * * *", at_run - timedelta(seconds=1)) == at_run


@pytest.mark.parametrize(
    ("expression", "valid"), [("0 8 * * *", True), ("@reboot", False), ("0 0 30 2 *", False)]
)
def test_schedule_problem(expression: str, valid: bool) -> None:
    assert (schedule_problem(expression) is None) == valid
