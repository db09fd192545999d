"""The destroy guard: deletes + replaces over the limit of managed resources refuse."""

from __future__ import annotations

import pytest

from bytestack_sync.apply import check_destroy_guard
from bytestack_sync.errors import EXIT_REFUSED, SafetyGuardError
from bytestack_sync.plan.changes import Change, Create, Delete, Pause, Replace
from bytestack_sync.plan.plan import Plan


def plan(managed: int, deletes: int = 0, replaces: int = 0, pauses: int = 0) -> Plan:
    changes: list[Change] = [Create(resource="job", key="new")]
    changes += [Delete(resource="job", key=f"d{i}") for i in range(deletes)]
    changes += [Replace(resource="job", key=f"r{i}") for i in range(replaces)]
    changes += [Pause(resource="job", key=f"p{i}") for i in range(pauses)]
    return Plan(changes=tuple(changes), managed_count=managed)


@pytest.mark.parametrize(
    ("managed", "deletes", "replaces", "pauses", "limit", "refused"),
    [
        (4, 1, 0, 0, 25, False),  # exactly 25%: at the limit is allowed
        (4, 2, 0, 0, 25, True),
        (4, 1, 1, 0, 25, True),  # replaces count: each destroys a job
        (3, 3, 0, 0, 25, False),  # under 4 managed there is no guard
        (10, 0, 0, 10, 25, False),  # pauses destroy nothing
        (10, 5, 0, 0, 50, False),
        (10, 6, 0, 0, 50, True),
        (100, 1, 0, 0, 0, True),
    ],
)
def test_the_guard(
    managed: int, deletes: int, replaces: int, pauses: int, limit: float, refused: bool
) -> None:
    subject = plan(managed, deletes, replaces, pauses)
    if refused:
        with pytest.raises(SafetyGuardError):
            check_destroy_guard(subject, limit, force=False)
    else:
        check_destroy_guard(subject, limit, force=False)
    check_destroy_guard(subject, limit, force=True)  # --force always passes


def test_the_refusal_says_what_and_how_to_proceed() -> None:
    with pytest.raises(SafetyGuardError) as caught:
        check_destroy_guard(plan(8, deletes=5, replaces=1), 25, force=False)
    assert caught.value.exit_code == EXIT_REFUSED
    assert str(caught.value) == (
        "refusing to apply: 5 delete(s) and 1 replace(s) would destroy 6 of 8 managed "
        "resources (75%), more than max_destroy_percent (25%). Check the plan, then re-run "
        "with --force to apply it anyway, or raise safety.max_destroy_percent in the manifest."
    )
