"""``bytestack_sync.durations``: one reading of a duration for every option."""

from __future__ import annotations

import pytest

from bytestack_sync.durations import seconds_in


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("5m", 300), ("1h30m", 5400), ("1.5h", 5400), ("1d", 86400), ("2w", 1209600),
     ("PT1H30M", 5400), ("P1D", 86400), ("P1W", 604800), ("pt0.5s", 0.5), (" 10m ", 600)],
)  # fmt: skip
def test_what_it_reads(text: str, seconds: float) -> None:
    assert seconds_in(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "1x", "-1h", "P", "PT", "P1DT", "1 h", "h", "noon"])
def test_what_it_does_not(text: str) -> None:
    assert seconds_in(text) is None


def test_a_caller_limits_the_units_and_iso() -> None:
    assert seconds_in("1h30m", units="hms", iso=False) == 5400
    assert seconds_in("1d", units="hms", iso=False) is None
    assert seconds_in("PT1H", units="hms", iso=False) is None
