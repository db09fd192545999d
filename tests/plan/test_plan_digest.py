"""Digests a saved plan holds: of live resources as read, and of the desired state."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import (
    DesiredState,
    IgnoreRules,
    JobSpec,
    Location,
    PruneMode,
    SafetySettings,
    WebhookSpec,
)
from bytestack_sync.plan import digest
from bytestack_sync.plan.digest import LiveFingerprints, SecretCodec, live_digest, manifest_digest
from bytestack_sync.plan.plan import Plan
from bytestack_sync.plan.planner import make_plan

HOOK = "https://hooks.example.com/a"
JOB = LiveJob(
    id="job_1",
    name="daily",
    prompt="Café ✓?",
    sources=("x", "reddit"),
    schedule="0 8 * * *",
    webhook_url=HOOK,
    created_at="2024-01-01T00:00:00Z",
)
WEBHOOK = LiveWebhook(id="wh_1", url=HOOK, events=("job.failed", "job.completed"))
SPEC = JobSpec(name="daily", prompt="Hi?", sources=frozenset({"x", "reddit"}), schedule="0 8 * * *")
STATE = DesiredState(jobs=(SPEC,), webhooks=(WebhookSpec(HOOK),))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_digested_text_is_pinned() -> None:
    # Saved plans store these: a change here needs a new savefile.FORMAT_VERSION.
    assert live_digest(JOB) == _sha(
        '["job_1","daily","Café ✓?",["reddit","x"],"0 8 * * *","' + HOOK + '","active"]'
    )
    assert live_digest(WEBHOOK) == _sha(f'["wh_1","{HOOK}",["job.completed","job.failed"]]')
    assert manifest_digest(STATE, SecretCodec()) == _sha(
        '{"job_fields":["name","prompt","sources","schedule","status","webhook_url","protect"],'
        '"jobs":[["daily","Hi?",["reddit","x"],"0 8 * * *","active",null,false]],'
        '"webhook_fields":["url","events"],"webhooks":[["' + HOOK + '",["job.completed"]]],'
        '"prune":"delete","ignore":{"jobs":[],"webhooks":[]},'
        '"safety":{"max_destroy_percent":25.0,"max_runs_per_day":96}}'
    )


@pytest.mark.parametrize(
    ("update", "changed"),
    [
        pytest.param({"id": "job_2"}, True, id="id"),
        pytest.param({"name": "other"}, True, id="name"),
        pytest.param({"prompt": "Café ✓? "}, True, id="prompt-as-written"),
        pytest.param({"sources": ("x",)}, True, id="sources"),
        pytest.param({"schedule": "0 9 * * *"}, True, id="schedule"),
        pytest.param({"webhook_url": None}, True, id="webhook-unset"),
        pytest.param({"webhook_url": ""}, True, id="webhook-empty-is-not-null"),
        pytest.param({"status": "paused"}, True, id="status"),
        pytest.param({"sources": ("reddit", "x")}, False, id="sources-order"),
        pytest.param({"next_run_at": "2024-06-01T00:00:00Z", "updated_at": "2024-06-01",
                      "created_at": None}, False, id="api-bookkeeping"),
    ],
)  # fmt: skip
def test_live_job_digest_follows_what_someone_can_change(
    update: dict[str, Any], changed: bool
) -> None:
    assert (live_digest(JOB.model_copy(update=update)) != live_digest(JOB)) is changed


@pytest.mark.parametrize(
    ("update", "changed"),
    [
        pytest.param({"url": HOOK + "x"}, True, id="url"),
        pytest.param({"events": ("job.failed",)}, True, id="events"),
        pytest.param({"events": ("job.completed", "job.failed")}, False, id="events-order"),
        pytest.param({"created_at": "2024-06-01"}, False, id="created-at"),
    ],
)
def test_live_webhook_digest(update: dict[str, Any], changed: bool) -> None:
    assert (live_digest(WEBHOOK.model_copy(update=update)) != live_digest(WEBHOOK)) is changed


def test_fingerprints_are_computed_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counted(live: LiveJob | LiveWebhook) -> str:
        calls.append(live.id)
        return live_digest(live)

    monkeypatch.setattr(digest, "live_digest", counted)
    stray = JOB.model_copy(update={"id": "job_0", "name": "stray"})
    plan = make_plan(STATE, [JOB, stray], [WEBHOOK])
    assert sorted(plan.live_fingerprints) == ["job_0", "job_1", "wh_1"]
    assert len(plan.live_fingerprints) == 3 and "wh_1" in plan.live_fingerprints
    assert calls == []
    assert plan.live_fingerprints["job_1"] == live_digest(JOB)
    assert sorted(calls) == ["job_0", "job_1", "wh_1"]  # all at once, then kept
    assert dict(plan.live_fingerprints) == {x.id: live_digest(x) for x in (JOB, stray, WEBHOOK)}
    assert len(calls) == 3


def test_fingerprints_compare_and_show_as_a_dict() -> None:
    lazy = LiveFingerprints([JOB, WEBHOOK])
    expected = {"job_1": live_digest(JOB), "wh_1": live_digest(WEBHOOK)}
    assert lazy == expected and expected == lazy
    assert list(lazy.items()) == list(expected.items())
    assert list(lazy.values()) == list(expected.values()) and list(lazy) == list(expected)
    assert lazy != {"job_1": live_digest(JOB)}
    assert repr(lazy) == repr(expected) and HOOK not in repr(lazy)
    assert LiveFingerprints() == {} and "job_1" not in LiveFingerprints()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: replace(s, jobs=(replace(SPEC, name="x"),)), id="name"),
        pytest.param(lambda s: replace(s, jobs=(replace(SPEC, prompt="Yo?"),)), id="prompt"),
        pytest.param(lambda s: replace(s, jobs=(replace(SPEC, sources=frozenset({"x"})),)),
                     id="sources"),
        pytest.param(lambda s: replace(s, jobs=(replace(SPEC, schedule="@daily"),)),
                     id="schedule"),
        pytest.param(lambda s: replace(s, jobs=(replace(SPEC, status="paused"),)), id="status"),
        pytest.param(lambda s: replace(s, jobs=(replace(SPEC, webhook_url=HOOK),)), id="hook"),
        pytest.param(lambda s: replace(s, jobs=(replace(SPEC, protect=True),)), id="protect"),
        pytest.param(lambda s: replace(s, webhooks=(WebhookSpec(HOOK, frozenset({"job.failed"})),)),
                     id="events"),
        pytest.param(lambda s: replace(s, prune=PruneMode.PAUSE), id="prune"),
        pytest.param(lambda s: replace(s, ignore=IgnoreRules(jobs=("a*",))), id="ignore"),
        pytest.param(lambda s: replace(s, safety=SafetySettings(max_destroy_percent=50)),
                     id="safety"),
    ],
)  # fmt: skip
def test_manifest_digest_follows_the_desired_state(change: Any) -> None:
    assert manifest_digest(change(STATE), SecretCodec()) != manifest_digest(STATE, SecretCodec())


def test_manifest_digest_ignores_order_and_location() -> None:
    other = replace(SPEC, name="b-job", location=Location("b.yaml", 3, 1))
    first = DesiredState(jobs=(SPEC, other), webhooks=(WebhookSpec(HOOK), WebhookSpec(HOOK + "2")))
    moved = DesiredState(
        jobs=(replace(other, location=Location("c.yaml", 9, 1)), SPEC),
        webhooks=(WebhookSpec(HOOK + "2"), WebhookSpec(HOOK)),
    )
    assert manifest_digest(first, SecretCodec()) == manifest_digest(moved, SecretCodec())


def test_a_plan_digests_its_manifest_only_when_read_and_once() -> None:
    calls: list[int] = []

    def digester() -> str:
        calls.append(1)
        return "d" * 64

    plan = Plan(digest_manifest=digester)
    assert calls == []  # showing or applying a plan never pays for the digest
    assert plan.manifest_digest == "d" * 64
    assert plan.manifest_digest == "d" * 64
    assert calls == [1]
