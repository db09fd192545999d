"""Orders a reader and the API agree on: names as people sort them, duplicates by age."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """A key that sorts ``job 2`` before ``job 10``: runs of digits compare as numbers.

    Each part is (kind, number, text) so that digits and letters never compare with
    each other (digits first, as in ASCII); the whole text, last, breaks ties (``07``
    and ``7``) and, of the lowest kind, puts a name before the longer names it begins.
    """
    parts = [
        (0, int(part), part) if part.isdecimal() else (1, 0, part.casefold())
        for part in _DIGITS.split(text)
        if part
    ]
    return (*parts, (-1, 0, text))


class _Created(Protocol):
    @property
    def created_at(self) -> str | None: ...


C = TypeVar("C", bound=_Created)


def oldest_first(resources: Iterable[C]) -> list[C]:
    """``resources`` by creation time, oldest first; unknown times count as newest.

    Times are given to the second, so two resources created in one second tie: the
    sort is stable and keeps them in the API's own list order (oldest first), which
    is the API's knowledge of which came first. An id says nothing about age.
    """
    return sorted(resources, key=lambda x: (x.created_at is None, x.created_at or ""))
