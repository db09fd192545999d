"""Each change class owns its facts: symbol, wording, whether its reason shows, its order."""

from __future__ import annotations

import pytest

from bytestack_sync.plan.changes import (
    ACTIONS,
    Change,
    Create,
    Delete,
    Pause,
    Replace,
    ResourceType,
    Update,
    summary_counts,
)


@pytest.mark.parametrize(
    ("change", "symbol", "outcome", "done", "shows_reason"),
    [
        (Create, "+", "will be created", "created", False),
        (Update, "~", "will be updated in place", "updated", False),
        (Replace, "-/+", "must be replaced", "replaced", False),
        (Pause, "~", "will be paused", "paused", True),
        (Delete, "-", "will be deleted", "deleted", True),
    ],
)
def test_each_change_states_its_facts(
    change: type[Change], symbol: str, outcome: str, done: str, shows_reason: bool
) -> None:
    assert (change.symbol, change.outcome, change.done) == (symbol, outcome, done)
    assert change.shows_reason is shows_reason


def test_sorting_by_sort_key_is_the_apply_order() -> None:
    made: list[tuple[type[Change], ResourceType, str]] = [
        (Delete, "job", "a"), (Delete, "webhook", "https://z"), (Pause, "job", "p"),
        (Update, "job", "b"), (Replace, "job", "a"), (Replace, "webhook", "https://r"),
        (Create, "job", "z"), (Create, "job", "c"), (Create, "webhook", "https://w"),
    ]  # fmt: skip
    changes = [kind(resource=resource, key=key) for kind, resource, key in made]
    ordered = [(c.action, c.key) for c in sorted(changes, key=lambda c: c.sort_key)]
    assert ordered == [
        ("create", "https://w"),  # webhooks are registered before any job is touched
        ("create", "c"),  # job creates (and webhook replaces) lead the next phase
        ("replace", "https://r"),
        ("create", "z"),
        ("replace", "a"),
        ("update", "b"),
        ("pause", "p"),
        ("delete", "https://z"),
        ("delete", "a"),
    ]
    assert [c.sort_key[0] for c in sorted(changes, key=lambda c: c.sort_key)] == [
        0, 1, 1, 1, 1, 1, 2, 3, 3,
    ]  # fmt: skip


def test_every_change_has_a_place_for_every_resource() -> None:
    for action in ACTIONS:
        assert set(action.order) == {"job", "webhook"}, action.__name__


@pytest.mark.parametrize(
    ("counts", "named"),
    [
        pytest.param({}, ["create", "update", "replace", "delete"], id="terraform-four-always"),
        pytest.param({"pause": 2, "delete": 1}, ["create", "update", "replace", "delete", "pause"],
                     id="pause-last-when-there-is-one"),
    ],
)  # fmt: skip
def test_summary_counts(counts: dict[str, int], named: list[str]) -> None:
    listed = summary_counts(counts)
    assert [action.action for action, _ in listed] == named
    assert [n for _, n in listed] == [counts.get(name, 0) for name in named]
