"""Natural name order, duplicates by age, and the destroy guard's arithmetic."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bytestack_sync.plan.guard import DestroyGuard
from bytestack_sync.plan.order import natural_key, oldest_first


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["job 10", "job 2", "job 1"], ["job 1", "job 2", "job 10"]),
        (["b", "A", "a"], ["A", "a", "b"]),
        (["job", "job 2", "job 1a"], ["job", "job 1a", "job 2"]),
        (["7", "07", "x"], ["07", "7", "x"]),
        (["v1.10", "v1.9"], ["v1.9", "v1.10"]),
    ],
)
def test_natural_key(names: list[str], expected: list[str]) -> None:
    assert sorted(names, key=natural_key) == expected


@dataclass
class _Live:
    id: str
    created_at: str | None


def test_oldest_first_keeps_the_list_order_of_a_tie_and_puts_unknown_times_last() -> None:
    lives = [_Live("z", "2024-01-01T00:00:00Z"), _Live("u", None),
             _Live("a", "2024-01-01T00:00:00Z"), _Live("m", "2023-12-31T00:00:00Z")]  # fmt: skip
    assert [x.id for x in oldest_first(lives)] == ["m", "z", "a", "u"]


@pytest.mark.parametrize(
    ("deletes", "replaces", "managed", "limit", "refuses"),
    [
        (6, 0, 8, 25.0, True),
        (2, 0, 8, 25.0, False),  # exactly 25%: allowed
        (1, 2, 8, 25.0, True),
        (3, 0, 3, 25.0, False),  # fewer than 4 managed: no guard
        (0, 0, 0, 25.0, False),
        (5, 0, 10, 50.0, False),
    ],
)
def test_destroy_guard(
    deletes: int, replaces: int, managed: int, limit: float, refuses: bool
) -> None:
    assert DestroyGuard(deletes, replaces, managed, limit).refuses is refuses


def test_digits_that_are_not_decimal_sort_as_text_not_as_numbers() -> None:
    # '²' is a digit to str.isdigit but no number to int(): a live job named so must
    # not crash every plan of the workspace.
    names = ["Top 10²", "job 10", "1²", "job 2"]
    assert sorted(names, key=natural_key) == ["1²", "job 2", "job 10", "Top 10²"]
