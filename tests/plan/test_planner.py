"""The planner's rules, one table per rule."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from typing import Any

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.errors import ProtectedResourceError, UsageError
from bytestack_sync.model import DesiredState, IgnoreRules, JobSpec, PruneMode, WebhookSpec
from bytestack_sync.plan.changes import Create, Delete, Pause, Replace, Update
from bytestack_sync.plan.planner import make_plan

HOOK = "https://hooks.example.com/bytestack"
OTHER_HOOK = "https://hooks.example.com/other"

JobBuilder = Callable[..., JobSpec]
LiveBuilder = Callable[..., LiveJob]


def actions(plan: Any) -> list[tuple[str, str, str]]:
    return [(c.action, c.resource, c.key) for c in plan.changes]


@pytest.mark.parametrize(
    ("declared", "live", "action", "fields"),
    [
        pytest.param({"schedule": "0 9 * * *"}, {}, "update", ["schedule"], id="schedule"),
        pytest.param({"status": "paused"}, {}, "update", ["status"], id="status"),
        pytest.param({"webhook_url": HOOK}, {}, "update", ["webhook_url"], id="webhook-set"),
        pytest.param({}, {"webhook_url": HOOK}, "update", ["webhook_url"], id="webhook-clear"),
        pytest.param(
            {"status": "paused", "schedule": "0 9 * * *", "webhook_url": HOOK},
            {},
            "update",
            ["status", "schedule", "webhook_url"],
            id="all-updatable-in-one",
        ),
        pytest.param({"prompt": "Other?"}, {}, "replace", ["prompt"], id="prompt"),
        pytest.param({"sources": frozenset({"x"})}, {}, "replace", ["sources"], id="sources"),
        pytest.param(
            {"prompt": "Other?", "schedule": "0 9 * * *"},
            {},
            "replace",
            ["prompt", "schedule"],
            id="replace-carries-updates",
        ),
    ],
)
def test_declared_live_job_changes(
    job_spec: JobBuilder,
    live_job: LiveBuilder,
    declared: dict[str, Any],
    live: dict[str, Any],
    action: str,
    fields: list[str],
) -> None:
    plan = make_plan(DesiredState(jobs=(job_spec(**declared),)), [live_job(**live)], [])
    (change,) = plan.changes
    assert (change.action, change.key, change.live_id) == (action, "daily", "job_1")
    assert [d.field for d in change.diffs] == fields


@pytest.mark.parametrize(
    ("field", "forces"),
    [("prompt", True), ("sources", True), ("schedule", False)],
)
def test_replace_says_which_field_forces_it(
    job_spec: JobBuilder, live_job: LiveBuilder, field: str, forces: bool
) -> None:
    changed = {"prompt": "Other?", "sources": frozenset({"tiktok"}), "schedule": "0 9 * * *"}
    declared = job_spec(**{"prompt": "Other?", field: changed[field]})
    (change,) = make_plan(DesiredState(jobs=(declared,)), [live_job()], []).changes
    assert isinstance(change, Replace)
    forced_by = tuple(d.field for d in change.diffs if d.forces_replacement)
    assert forced_by == tuple(sorted({"prompt", field} - ({field} if not forces else set())))
    assert any("new job id" in note for note in change.notes)


def test_create_shows_the_declared_fields(job_spec: JobBuilder) -> None:
    spec = job_spec(status="paused")
    (change,) = make_plan(DesiredState(jobs=(spec,)), [], []).changes
    assert isinstance(change, Create)
    assert change.desired == spec
    assert {d.field: d.new for d in change.diffs} == {
        "prompt": spec.prompt,
        "sources": ["reddit", "x"],
        "schedule": "0 8 * * *",
        "status": "paused",
    }
    assert all(d.old is None for d in change.diffs)
    assert change.notes  # the API creates jobs active; the executor must pause it


@pytest.mark.parametrize(
    ("declared", "live", "action"),
    [
        pytest.param(["job.completed"], None, "create", id="create"),
        pytest.param(None, ["job.completed"], "delete", id="delete"),
        pytest.param(["job.completed", "job.failed"], ["job.completed"], "replace", id="events"),
        pytest.param(
            ["job.failed", "job.completed"],
            ["job.completed", "job.failed"],
            None,
            id="events-as-set",
        ),
    ],
)
def test_webhook_changes(
    declared: list[str] | None, live: list[str] | None, action: str | None
) -> None:
    specs = (WebhookSpec(HOOK, frozenset(declared)),) if declared else ()
    lives = [LiveWebhook(id="wh_1", url=HOOK, events=tuple(live))] if live else []
    plan = make_plan(DesiredState(webhooks=specs), [], lives)
    assert [c.action for c in plan.changes] == ([action] if action else [])
    if action == "replace":
        (diff,) = plan.changes[0].diffs
        assert (diff.field, diff.forces_replacement) == ("events", True)


@pytest.mark.parametrize(
    ("declared", "live"),
    [
        pytest.param({}, {"prompt": "  How many times was Acme mentioned?\n\n"}, id="prompt-ws"),
        pytest.param({"prompt": "How many times was Acme mentioned?\n"}, {}, id="prompt-block"),
        pytest.param({}, {"sources": ("x", "reddit")}, id="sources-order"),
        pytest.param({}, {"sources": ("x", "reddit", "x")}, id="sources-repeated"),
        pytest.param({}, {"webhook_url": ""}, id="webhook-empty-is-none"),
        pytest.param({"webhook_url": ""}, {}, id="declared-empty-is-none"),
        pytest.param({"schedule": "0 0 * * *"}, {"schedule": "@daily"}, id="alias-daily"),
        pytest.param({"schedule": "@midnight"}, {"schedule": "0 0 * * *"}, id="alias-midnight"),
        pytest.param({"schedule": "0 8 * * 1-5"}, {"schedule": "0 8 * * MON-FRI"}, id="names"),
        pytest.param({"schedule": "*/15 * * * *"}, {"schedule": "0,15,30,45 * * * *"}, id="step"),
        pytest.param({"schedule": "0 0 * * SUN"}, {"schedule": "0 0 * * 7"}, id="sunday-7"),
        pytest.param({}, {"schedule": "0  8 * *  *"}, id="schedule-spacing"),
    ],
)
def test_semantically_equal_jobs_plan_nothing(
    job_spec: JobBuilder, live_job: LiveBuilder, declared: dict[str, Any], live: dict[str, Any]
) -> None:
    plan = make_plan(DesiredState(jobs=(job_spec(**declared),)), [live_job(**live)], [])
    assert plan.empty, actions(plan)
    assert plan.managed_count == 1 and list(plan.live_fingerprints) == ["job_1"]


@pytest.mark.parametrize(
    ("declared", "live"),
    [
        pytest.param("0 0 1-31 * 1", "0 0 * * 1", id="dom-dow-or"),
        pytest.param("0 8 * * 1-5", "0 8 * * 1-6", id="different-days"),
        pytest.param("@hourly", "@daily", id="aliases"),
    ],
)
def test_schedules_that_fire_differently_are_updated(
    job_spec: JobBuilder, live_job: LiveBuilder, declared: str, live: str
) -> None:
    plan = make_plan(
        DesiredState(jobs=(job_spec(schedule=declared),)), [live_job(schedule=live)], []
    )
    (change,) = plan.changes
    assert isinstance(change, Update)
    assert (change.diffs[0].old, change.diffs[0].new) == (live, declared)


@pytest.mark.parametrize(
    ("lives", "kept", "deleted", "why"),
    [
        pytest.param(
            [("job_a", "2024-01-01", "Other?"), ("job_b", "2024-02-01", None)],
            "job_b", ["job_a"], "matches the manifest", id="keep-matching",
        ),
        pytest.param(
            [("job_b", "2024-02-01", "Other?"), ("job_a", "2024-01-01", "Third?")],
            "job_a", ["job_b"], "oldest", id="keep-oldest",
        ),
        pytest.param(
            [("job_b", "2024-01-01", "Other?"), ("job_a", "2024-01-01", "Third?")],
            "job_b", ["job_a"], "oldest", id="tie-by-list-order",
        ),
        pytest.param(
            [("job_a", None, "Other?"), ("job_b", "2024-03-01", "Third?")],
            "job_b", ["job_a"], "oldest", id="unknown-created-at-is-newest",
        ),
        pytest.param(
            [("job_a", "2024-01-01", None), ("job_b", "2024-02-01", None),
             ("job_c", "2024-03-01", None)],
            "job_a", ["job_b", "job_c"], "matches the manifest", id="three-all-matching",
        ),
    ],
)  # fmt: skip
def test_live_duplicates_keep_one(
    job_spec: JobBuilder,
    live_job: LiveBuilder,
    lives: list[tuple[str, str | None, str | None]],
    kept: str,
    deleted: list[str],
    why: str,
) -> None:
    live = [live_job(id=i, created_at=c, **({"prompt": p} if p else {})) for i, c, p in lives]
    plan = make_plan(DesiredState(jobs=(job_spec(),)), live, [])
    deletes = [c for c in plan.changes if isinstance(c, Delete)]
    assert sorted(c.live_id or "" for c in deletes) == deleted
    assert all(kept in c.reason and why in c.reason for c in deletes)
    others = [c for c in plan.changes if not isinstance(c, Delete)]
    assert all(c.live_id == kept for c in others)
    assert len(plan.warnings) == 1 and why in plan.warnings[0]
    assert plan.managed_count == len(lives)


@pytest.mark.parametrize(
    ("prune", "status", "expected", "managed"),
    [
        (PruneMode.DELETE, "active", "delete", 1),
        (PruneMode.DELETE, "paused", "delete", 1),
        (PruneMode.PAUSE, "active", "pause", 1),
        (PruneMode.PAUSE, "paused", None, 1),
        (PruneMode.OFF, "active", None, 0),
    ],
)
def test_prune_modes_for_undeclared_jobs(
    live_job: LiveBuilder, prune: PruneMode, status: str, expected: str | None, managed: int
) -> None:
    desired = DesiredState(prune=prune)
    plan = make_plan(desired, [live_job(name="stray", status=status)], [])
    assert [c.action for c in plan.changes] == ([expected] if expected else [])
    assert plan.managed_count == managed
    if expected == "pause":
        (change,) = plan.changes
        assert isinstance(change, Pause)
        assert [(d.field, d.old, d.new) for d in change.diffs] == [("status", "active", "paused")]
    if expected:
        assert f"prune: {prune.value}" in plan.changes[0].reason


def test_prune_pause_leaves_undeclared_webhooks_with_a_warning() -> None:
    plan = make_plan(DesiredState(prune=PruneMode.PAUSE), [], [LiveWebhook(id="wh_1", url=HOOK)])
    assert plan.empty
    assert plan.managed_count == 0
    assert "cannot be paused" in plan.warnings[0]


@pytest.mark.parametrize(
    ("patterns", "declared", "expected"),
    [
        pytest.param(("adhoc-*",), False, [], id="ignored-undeclared"),
        pytest.param(("other-*",), False, [("delete", "job", "adhoc-1")], id="not-matching"),
        pytest.param(("adhoc-*",), True, [("update", "job", "adhoc-1")], id="declared-managed"),
    ],
)
def test_ignore_applies_only_to_undeclared(
    job_spec: JobBuilder,
    live_job: LiveBuilder,
    patterns: tuple[str, ...],
    declared: bool,
    expected: list[tuple[str, str, str]],
) -> None:
    jobs = (job_spec(name="adhoc-1", schedule="@hourly"),) if declared else ()
    desired = DesiredState(jobs=jobs, ignore=IgnoreRules(jobs=patterns))
    plan = make_plan(desired, [live_job(name="adhoc-1")], [])
    assert actions(plan) == expected
    assert plan.managed_count == (0 if not expected else 1)


def test_ignore_webhook_patterns() -> None:
    desired = DesiredState(ignore=IgnoreRules(webhooks=("https://hooks.example.com/*",)))
    lives = [LiveWebhook(id="wh_1", url=HOOK), LiveWebhook(id="wh_2", url="https://x.example/h")]
    assert actions(make_plan(desired, [], lives)) == [("delete", "webhook", "https://x.example/h")]


@pytest.mark.parametrize(
    ("declared", "lives", "what"),
    [
        pytest.param({"prompt": "Other?"}, [{}], "replace", id="replace"),
        pytest.param(
            {},
            [{"id": "job_a"}, {"id": "job_b"}],
            "delete its live duplicate job_b",
            id="duplicate",
        ),
    ],
)
def test_protect_refuses_delete_or_replace(
    job_spec: JobBuilder,
    live_job: LiveBuilder,
    declared: dict[str, Any],
    lives: list[dict[str, Any]],
    what: str,
) -> None:
    desired = DesiredState(jobs=(job_spec(protect=True, **declared),))
    with pytest.raises(ProtectedResourceError) as caught:
        make_plan(desired, [live_job(**x) for x in lives], [])
    message = str(caught.value)
    assert "job:daily is protected" in message and what in message
    assert caught.value.exit_code == 4


def test_protect_allows_updates_and_unprotected_replaces(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    desired = DesiredState(
        jobs=(job_spec(protect=True, schedule="@daily"), job_spec(name="free", prompt="Other?"))
    )
    plan = make_plan(desired, [live_job(), live_job(name="free", id="job_2")], [])
    assert [(c.action, c.key) for c in plan.changes] == [("update", "daily"), ("replace", "free")]


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        pytest.param((), ["webhook:" + HOOK, "job:alpha", "job:beta", "job:stray"], id="none"),
        pytest.param(("job:alpha",), ["job:alpha"], id="exact"),
        pytest.param(("job:*a",), ["job:alpha", "job:beta"], id="glob"),
        pytest.param(("job:alpha", "job:stray"), ["job:alpha", "job:stray"], id="repeatable"),
        pytest.param(("webhook:https://hooks.*",), ["webhook:" + HOOK], id="webhook"),
        pytest.param(("job:nothing",), [], id="no-match"),
    ],
)
def test_targets_limit_the_plan(
    job_spec: JobBuilder, live_job: LiveBuilder, targets: tuple[str, ...], expected: list[str]
) -> None:
    desired = DesiredState(
        jobs=(job_spec(name="alpha"), job_spec(name="beta", schedule="@daily")),
        webhooks=(WebhookSpec(HOOK),),
    )
    live = [live_job(name="beta", id="job_b"), live_job(name="stray", id="job_s")]
    plan = make_plan(desired, live, [], targets=targets)
    assert [c.address for c in plan.changes] == expected
    assert plan.targets == targets
    assert plan.managed_count == 2  # the workspace under management, whatever the target
    touched = {c.live_id for c in plan.changes if c.live_id}
    assert set(plan.live_fingerprints) == touched


@pytest.mark.parametrize("target", ["jobs:alpha", "alpha", "job:", "url:https://x", ":x"])
def test_malformed_targets_are_usage_errors(target: str) -> None:
    with pytest.raises(UsageError, match="job:NAME or webhook:URL"):
        make_plan(DesiredState(), [], [], targets=[target])


def test_changes_come_in_apply_order(job_spec: JobBuilder, live_job: LiveBuilder) -> None:
    desired = DesiredState(
        jobs=(job_spec(name="b-new"), job_spec(name="a-upd", schedule="@daily")),
        webhooks=(WebhookSpec(OTHER_HOOK),),
        prune=PruneMode.DELETE,
    )
    live = [live_job(name="a-upd", id="job_1"), live_job(name="z-old", id="job_2")]
    plan = make_plan(desired, live, [LiveWebhook(id="wh_1", url=HOOK)])
    assert [(c.action, c.key) for c in plan.changes] == [
        ("create", OTHER_HOOK),
        ("create", "b-new"),
        ("update", "a-upd"),
        ("delete", HOOK),
        ("delete", "z-old"),
    ]
    assert plan.summary() == "Plan: 2 to create, 1 to update, 0 to replace, 2 to delete."


CANARY = "https://hooks.example.com/s3cr3t-canary-token"


def test_sensitive_field_values_are_masked(job_spec: JobBuilder, live_job: LiveBuilder) -> None:
    spec = job_spec(
        webhook_url=CANARY,
        sensitive=frozenset({"webhook_url"}),
        templates=(("webhook_url", "${secret:HOOK}"),),
    )
    desired = DesiredState(jobs=(spec,), sensitive_values=frozenset({CANARY}))
    plan = make_plan(desired, [live_job(webhook_url="https://old.example.com/rotated")], [])
    (change,) = plan.changes
    (diff,) = change.diffs
    assert diff.sensitive
    rendered = json.dumps(change.data())
    assert CANARY not in rendered and "rotated" not in rendered
    assert "(sensitive, hmac:" in rendered
    assert CANARY not in repr(plan)


def test_live_value_equal_to_a_secret_is_sensitive(job_spec: JobBuilder) -> None:
    # Declared as a job's secret webhook, registered as a webhook nobody declares.
    spec = job_spec(webhook_url=CANARY, sensitive=frozenset({"webhook_url"}))
    desired = DesiredState(jobs=(spec,), sensitive_values=frozenset({CANARY}))
    live_jobs = [
        LiveJob(id="job_1", name="daily", prompt=spec.prompt, sources=("x", "reddit"),
                schedule=spec.schedule, webhook_url=CANARY),
        LiveJob(id="job_2", name="stray", prompt="P", sources=("x",), schedule="@daily",
                webhook_url=CANARY),
    ]  # fmt: skip
    plan = make_plan(desired, live_jobs, [LiveWebhook(id="wh_1", url=CANARY)])
    hook, stray = plan.changes
    assert (hook.action, hook.key_sensitive) == ("delete", True)
    assert hook.address.startswith("webhook:(sensitive, hmac:")
    assert [d.sensitive for d in stray.diffs if d.field == "webhook_url"] == [True]
    text = json.dumps([c.data() for c in plan.changes]) + "".join(plan.warnings)
    assert CANARY not in text
    assert CANARY not in "".join(plan.live_addresses.values()) + "".join(plan.declared)


def test_sensitive_webhook_key(webhook_spec: Callable[..., WebhookSpec]) -> None:
    spec = webhook_spec(CANARY, sensitive=frozenset({"url"}), templates=(("url", "${secret:H}"),))
    plan = make_plan(DesiredState(webhooks=(spec,), sensitive_values=frozenset({CANARY})), [], [])
    (change,) = plan.changes
    assert change.key_sensitive and CANARY not in json.dumps(change.data())
    assert plan.declared == (change.address,) and CANARY not in change.address


def test_plan_bookkeeping(job_spec: JobBuilder, live_job: LiveBuilder) -> None:
    desired = DesiredState(
        jobs=(job_spec(), job_spec(name="new")),
        webhooks=(WebhookSpec(HOOK),),
        ignore=IgnoreRules(jobs=("adhoc-*",)),
    )
    live = [live_job(), live_job(name="adhoc-1", id="job_2"), live_job(name="gone", id="job_3")]
    plan = make_plan(desired, live, [])
    assert plan.managed_count == 2
    assert set(plan.live_fingerprints) == {"job_1", "job_3"}
    assert plan.live_addresses == {"job_1": "job:daily", "job_3": "job:gone"}
    assert plan.declared == ("job:new", "webhook:" + HOOK)
    assert len(plan.manifest_digest) == 64
    again = make_plan(desired, list(reversed(live)), [])
    assert again.manifest_digest == plan.manifest_digest
    changed = make_plan(DesiredState(jobs=(job_spec(),)), live, [])
    assert changed.manifest_digest != plan.manifest_digest


def test_manifest_digest_holds_no_secret_but_follows_it(job_spec: JobBuilder) -> None:
    def digest(secret: str) -> str:
        spec = job_spec(webhook_url=secret, sensitive=frozenset({"webhook_url"}),
                        templates=(("webhook_url", "${secret:HOOK}"),))  # fmt: skip
        desired = DesiredState(jobs=(spec,), sensitive_values=frozenset({secret}))
        return make_plan(desired, [], []).manifest_digest

    assert digest(CANARY) == digest(CANARY)
    assert digest(CANARY) != digest(CANARY + "2")


@pytest.mark.parametrize(("status", "notes"), [("active", 1), ("paused", 2)])
def test_replace_of_a_paused_job_says_it_is_paused_after(
    job_spec: JobBuilder, live_job: LiveBuilder, status: str, notes: int
) -> None:
    desired = DesiredState(jobs=(job_spec(prompt="Other?", status=status),))
    (change,) = make_plan(desired, [live_job(status=status)], []).changes
    assert len(change.notes) == notes
    assert ("paused right after" in change.notes[-1]) is (status == "paused")


def test_first_semantic_match_is_kept_over_a_later_exact_one(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    # Oldest first: the older job fires the same, though spelled otherwise.
    older = live_job(id="job_a", schedule="0 8 * * 0-6", created_at="2024-01-01T00:00:00Z")
    newer = live_job(id="job_b", created_at="2024-02-01T00:00:00Z")
    plan = make_plan(DesiredState(jobs=(job_spec(),)), [newer, older], [])
    (delete,) = plan.changes
    assert isinstance(delete, Delete) and delete.live_id == "job_b"
    assert "keeping job_a (it matches the manifest)" in delete.reason


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_state_is_restored(
    job_spec: JobBuilder, live_job: LiveBuilder, enabled: bool
) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        make_plan(DesiredState(jobs=(job_spec(),)), [live_job()], [])
        assert gc.isenabled() is enabled
        protected = job_spec(protect=True, prompt="Other?")
        with pytest.raises(ProtectedResourceError):
            make_plan(DesiredState(jobs=(protected,)), [live_job()], [])
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_deletes_of_exact_copies_are_not_counted_by_the_destroy_guard(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    # Four declared jobs, each with a live exact copy (as two racing applies leave
    # them), and one copy that differs: the guard counts only the one that differs.
    names = [f"job {i}" for i in range(4)]
    specs = tuple(job_spec(name=n) for n in names)
    lives = [live_job(id=f"job_{i}a", name=n, created_at="2024-01-01T00:00:00Z")
             for i, n in enumerate(names)]  # fmt: skip
    lives += [live_job(id=f"job_{i}b", name=n, created_at="2024-02-01T00:00:00Z")
              for i, n in enumerate(names)]  # fmt: skip
    lives.append(live_job(id="job_0c", name="job 0", prompt="Other?",
                          created_at="2024-03-01T00:00:00Z"))  # fmt: skip
    plan = make_plan(DesiredState(jobs=specs), lives, [])
    deletes = {c.live_id: c for c in plan.changes if isinstance(c, Delete)}
    assert sorted(deletes) == ["job_0b", "job_0c", "job_1b", "job_2b", "job_3b"]
    assert {i: c.copy_of for i, c in deletes.items()} == {
        "job_0b": "job_0a", "job_0c": None, "job_1b": "job_1a", "job_2b": "job_2a",
        "job_3b": "job_3a",
    }  # fmt: skip
    assert "not counted by the destroy guard" in deletes["job_1b"].reason
    assert "not counted" not in deletes["job_0c"].reason
    guard = plan.destroy_guard(10)
    assert (guard.deletes, guard.copies, guard.managed) == (1, 4, 5)
    assert guard.refuses  # 1 of 5 is 20%
    assert "4 delete(s) of exact duplicates" in guard.explain()
    assert not plan.destroy_guard(25).refuses
    warning = next(w for w in plan.warnings if "job 0" in w)
    assert "1 of them exact copies" in warning
    assert plan.guard.data()["exact_copies"] == 4


def test_no_copy_is_exact_when_none_matches_the_manifest(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    # The kept one is the oldest and differs: deleting the newer, identical one may
    # lose what the manifest does not declare, so the guard counts it.
    lives = [live_job(id="job_a", prompt="Other?", created_at="2024-01-01T00:00:00Z"),
             live_job(id="job_b", prompt="Other?", created_at="2024-02-01T00:00:00Z")]  # fmt: skip
    plan = make_plan(DesiredState(jobs=(job_spec(),)), lives, [])
    (delete,) = [c for c in plan.changes if isinstance(c, Delete)]
    assert delete.copy_of is None and plan.guard.copies == 0
