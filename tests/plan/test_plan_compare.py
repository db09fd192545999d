"""Canonical forms: ``==`` on them settles a pair, and agrees with the field-by-field test."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan import compare

HOOK = "https://hooks.example.com/a"
text = st.text(alphabet="ab \t\n", max_size=4)
source_lists = st.lists(st.sampled_from(contract.KNOWN_SOURCES[:3]), min_size=1, max_size=4)


@st.composite
def job_pairs(draw: st.DrawFn) -> tuple[JobSpec, LiveJob]:
    spec = JobSpec(
        name="j",
        prompt=draw(text),
        sources=frozenset(draw(source_lists)),
        schedule=draw(st.sampled_from(["0 8 * * *", "0 8 * * 1-5", "0 8 * * MON-FRI"])),
        status=draw(st.sampled_from(contract.JOB_STATUSES)),
        webhook_url=draw(st.sampled_from([None, "", HOOK])),
    )
    live = LiveJob(
        id="job_1",
        name="j",
        prompt=draw(text),
        sources=tuple(draw(source_lists)),
        schedule=draw(st.sampled_from(["0 8 * * *", "0 8 * * 1-5", "0 8 * * MON-FRI"])),
        status=draw(st.sampled_from(contract.JOB_STATUSES)),
        webhook_url=draw(st.sampled_from([None, "", HOOK])),
    )
    return spec, live


@settings(max_examples=150, deadline=None)
@given(job_pairs())
def test_form_shortcut_agrees_with_forms_and_values(pair: tuple[JobSpec, LiveJob]) -> None:
    spec, live = pair
    same = compare.JOBS.same_form(spec, live)
    assert same == (compare.JOBS.form_of(spec) == compare.JOBS.form_of(live))
    want, have = compare.desired_job_values(spec), compare.live_job_values(live)
    assert same == (want == have)
    # Equal forms are always the same record; the semantic test may find more.
    if same:
        assert compare.same_record(have, want, compare.JOBS.fields)
    assert compare.same_record(have, want, compare.JOBS.fields) == (
        not compare.field_diffs(have, want, compare.JOBS.fields, ())
    )


@pytest.mark.parametrize(
    ("declared", "live", "same"),
    [
        pytest.param(["x", "reddit"], ("reddit", "x", "x"), True, id="set-semantics"),
        pytest.param(["x"], ("x", "reddit"), False, id="more-sources"),
    ],
)
def test_webhook_and_source_sets(declared: list[str], live: tuple[str, ...], same: bool) -> None:
    spec = WebhookSpec(HOOK, events=frozenset(declared))
    hook = LiveWebhook(id="wh_1", url=HOOK, events=live)
    assert compare.same_webhook_form(spec, hook) is same
    assert compare.WEBHOOKS.values(hook) == {"events": sorted(set(live))}


def test_values_are_the_canonical_fields() -> None:
    live = LiveJob(id="job_1", name="j", prompt="  Hi?\n", sources=("x", "reddit", "x"),
                   schedule="@daily", webhook_url="")  # fmt: skip
    expected: dict[str, Any] = {
        "prompt": "Hi?", "sources": ["reddit", "x"], "schedule": "@daily",
        "status": "active", "webhook_url": None,
    }  # fmt: skip
    assert compare.live_job_values(live) == expected
    assert set(compare.JOB_FORM) == set(compare.JOBS.fields)


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        pytest.param("0 8 * * 1-5", "0 8 * * MON-FRI", True, id="spelling"),
        pytest.param("0 8 * * 1-5", "0 9 * * 1-5", False, id="other-hour"),
        pytest.param("not cron", " not cron ", True, id="unparseable-by-text"),
        pytest.param("not cron", "0 8 * * *", False, id="unparseable-vs-valid"),
    ],
)
def test_schedules_compare_by_what_they_fire(old: str, new: str, same: bool) -> None:
    assert compare.same_field("schedule", {"schedule": old}, {"schedule": new}) is same
