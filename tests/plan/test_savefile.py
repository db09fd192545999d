"""Saved plans: round trip without secrets, stale detection, the live side restored."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.errors import (
    BytestackSyncError,
    StalePlanError,
)
from bytestack_sync.model import (
    DesiredState,
    JobSpec,
    Location,
    WebhookSpec,
)
from bytestack_sync.plan.changes import MaskedValue
from bytestack_sync.plan.plan import Plan
from bytestack_sync.plan.savefile import (
    FORMAT,
    FORMAT_VERSION,
    reattach_live,
    refuse_if_stale,
)
from bytestack_sync.render import render
from tests.plan.savedplans import (
    CANARY,
    ENV,
    KEY,
    ROTATED,
    SECRET_HOOK,
    _secret_job,
    planned,
    read,
    stale_resources,
    write,
)


def test_saved_plan_holds_no_secret(saved: Path) -> None:
    raw = saved.read_bytes()
    for secret in (CANARY, ROTATED, SECRET_HOOK, b"canary", b"rotated-old", b"registered-e5c0"):
        assert (secret if isinstance(secret, bytes) else secret.encode()) not in raw
    document = json.loads(raw)
    assert document["format"] == FORMAT and document["format_version"] == FORMAT_VERSION
    assert document["tool_version"] and document["created_at"].endswith("Z")
    assert document["max_destroy_percent"] == 60
    assert b"${secret:HOOK}" in raw and b"${secret:REGISTERED}" in raw


def test_round_trip_rebuilds_the_plan(
    saved: Path, scenario: tuple[Plan, list[LiveJob], list[LiveWebhook]]
) -> None:
    plan = scenario[0]
    loaded = read(saved, ENV)
    assert [c.data() for c in loaded.changes] == [c.data() for c in plan.changes]
    assert [type(c) for c in loaded.changes] == [type(c) for c in plan.changes]
    assert [c.desired for c in loaded.changes] == [c.desired for c in plan.changes]
    assert [c.live_id for c in loaded.changes] == [c.live_id for c in plan.changes]
    assert [c.key for c in loaded.changes] == [c.key for c in plan.changes]
    for field in ("live_fingerprints", "live_addresses", "declared", "manifest_digest",
                  "targets", "managed_count", "warnings", "max_destroy_percent"):  # fmt: skip
        assert getattr(loaded, field) == getattr(plan, field), field
    # A former secret is saved only as a fingerprint; the live read brings it back.
    assert loaded.sensitive_values == plan.sensitive_values - {ROTATED}
    assert reattach_live(loaded, *scenario[1:]).sensitive_values == plan.sensitive_values
    specs = [c.desired for c in loaded.changes if c.desired is not None]
    assert {s.templates for s in specs if s.sensitive} == {
        (("webhook_url", "${secret:HOOK}"),),
        (("url", "${secret:REGISTERED}"),),
    }
    located = [s.location for s in specs if isinstance(s, JobSpec) and s.sensitive]
    assert located == [Location("jobs.yaml", 3, 5)] * 2


def test_rotated_secret_comes_back_masked_with_its_fingerprint(saved: Path) -> None:
    loaded = read(saved, ENV)
    (rotate,) = [c for c in loaded.changes if c.key == "rotate"]
    diff = next(d for d in rotate.diffs if d.field == "webhook_url")
    assert isinstance(diff.old, MaskedValue)
    assert diff.data()["old"] == f"(sensitive, hmac:{_fingerprint(ROTATED)})"
    assert diff.new == CANARY


@pytest.mark.parametrize("changed", [False, True])
def test_reattach_live_restores_masked_old_values(
    saved: Path, scenario: tuple[Plan, list[LiveJob], list[LiveWebhook]], changed: bool
) -> None:
    _, jobs, hooks = scenario
    if changed:  # a resource that changed since the plan is not trusted to stand in
        jobs = [j.model_copy(update={"status": "paused"}) if j.id == "job_r" else j for j in jobs]
    plan = reattach_live(read(saved, ENV), jobs, hooks)
    (rotate,) = [c for c in plan.changes if c.key == "rotate"]
    diff = next(d for d in rotate.diffs if d.field == "webhook_url")
    assert (diff.old == ROTATED) is not changed
    assert diff.data()["old"] == f"(sensitive, hmac:{_fingerprint(ROTATED)})"
    assert (rotate.live is next(j for j in jobs if j.id == "job_r")) is not changed


MANIFEST = """\
version: 1
defaults:
  webhook_url: ${secret:ALERTS_HOOK}
jobs:
  - name: Daily
    prompt: How many?
    sources: [x]
    schedule: "@daily"
webhooks:
  - url: ${secret:ALERTS_HOOK}
"""


def test_secrets_from_a_manifest_round_trip(tmp_path: Path) -> None:
    from bytestack_sync.manifest import load_manifests

    (tmp_path / "m.yaml").write_text(MANIFEST)
    environ = {"ALERTS_HOOK": CANARY}
    desired = load_manifests([str(tmp_path / "m.yaml")], environ=environ).desired
    live = [LiveJob(id="job_1", name="Daily", prompt="Old?", sources=("x",), schedule="@daily",
                    webhook_url=ROTATED)]  # fmt: skip
    plan = planned(desired, live, [LiveWebhook(id="wh_1", url=CANARY)])
    write(plan, tmp_path / "plan.json")
    raw = (tmp_path / "plan.json").read_text()
    assert CANARY not in raw and ROTATED not in raw
    loaded = read(tmp_path / "plan.json", environ)
    assert [c.data() for c in loaded.changes] == [c.data() for c in plan.changes]
    assert loaded.sensitive_values == {CANARY}
    with pytest.raises(StalePlanError, match="ALERTS_HOOK"):
        read(tmp_path / "plan.json", {"ALERTS_HOOK": ROTATED})


def _fingerprint(value: str) -> str:
    from bytestack_sync.secrets import fingerprint

    return fingerprint(value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BytestackSyncError, match="no such plan file"):
        read(tmp_path / "absent.json", {})


def test_write_is_atomic_and_replaces(
    tmp_path: Path, scenario: tuple[Plan, list[LiveJob], list[LiveWebhook]]
) -> None:
    path = tmp_path / "plan.json"
    path.write_text("old")
    write(scenario[0], path)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]
    assert json.loads(path.read_text())["format"] == FORMAT
    with pytest.raises(FileNotFoundError):
        write(scenario[0], tmp_path / "missing-dir" / "plan.json")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


Mutate = Callable[[list[LiveJob], list[LiveWebhook]], tuple[list[LiveJob], list[LiveWebhook]]]


def _set(jobs: list[LiveJob], name: str, **fields: object) -> list[LiveJob]:
    return [j.model_copy(update=fields) if j.name == name else j for j in jobs]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(lambda j, h: (j, h), [], id="unchanged"),
        pytest.param(lambda j, h: (_set(j, "stray", next_run_at="2024-06-01T00:00:00Z",
                                        updated_at="2024-06-01T00:00:00Z"), h),
                     [], id="run-bookkeeping-is-not-a-change"),
        pytest.param(lambda j, h: (_set(j, "rotate", schedule="@hourly"), h), ["job:rotate"],
                     id="touched-changed"),
        pytest.param(lambda j, h: ([x for x in j if x.name != "stray"], h), ["job:stray"],
                     id="vanished"),
        pytest.param(lambda j, h: ([*j, LiveJob(id="job_n", name="brand-new", prompt="Hello",
                                                sources=("x",), schedule="@daily")], h),
                     ["job:brand-new"], id="declared-appeared"),
        pytest.param(lambda j, h: (j, [x.model_copy(update={"events": ("job.failed",)})
                                       if x.id == "wh_1" else x for x in h]),
                     ["webhook:(sensitive, hmac:" + _fingerprint(SECRET_HOOK) + ")"],
                     id="sensitive-webhook-changed"),
    ],
)  # fmt: skip
def test_stale_resources(
    saved: Path,
    scenario: tuple[Plan, list[LiveJob], list[LiveWebhook]],
    mutate: Mutate,
    expected: list[str],
) -> None:
    _, jobs, hooks = scenario
    loaded = read(saved, ENV)
    now_jobs, now_hooks = mutate(jobs, hooks)
    assert stale_resources(loaded, now_jobs, now_hooks) == expected
    if expected:
        with pytest.raises(StalePlanError) as caught:
            refuse_if_stale(loaded, now_jobs, now_hooks, signing_key=KEY)
        assert all(address in str(caught.value) for address in expected)
        assert CANARY not in str(caught.value) and SECRET_HOOK not in str(caught.value)
    else:
        refuse_if_stale(loaded, now_jobs, now_hooks, signing_key=KEY)


def test_the_refusal_names_the_changed_fields_sorted(
    saved: Path, scenario: tuple[Plan, list[LiveJob], list[LiveWebhook]]
) -> None:
    _, jobs, hooks = scenario
    jobs = _set(jobs, "rotate", schedule="@hourly", prompt="Other?", webhook_url=CANARY + "x")
    with pytest.raises(StalePlanError) as caught:
        refuse_if_stale(read(saved, ENV), jobs, hooks, signing_key=KEY)
    assert "  job:rotate: job_r changed: prompt, schedule, webhook_url\n" in str(caught.value)
    assert CANARY not in str(caught.value)


def test_an_undeclared_resource_that_appeared_makes_the_plan_stale(
    saved: Path, scenario: tuple[Plan, list[LiveJob], list[LiveWebhook]]
) -> None:
    _, jobs, hooks = scenario
    stranger = LiveWebhook(id="wh_new", url="https://hooks.example.com/stranger-91b2")
    with pytest.raises(StalePlanError) as caught:
        refuse_if_stale(read(saved, ENV), jobs, [*hooks, stranger], signing_key=KEY)
    assert "  webhook wh_new: appeared (not declared)\n" in str(caught.value)
    assert "stranger" not in str(caught.value)


def test_declared_sensitive_webhook_appearing_is_stale(tmp_path: Path) -> None:
    spec = WebhookSpec(SECRET_HOOK, sensitive=frozenset({"url"}),
                       templates=(("url", "${secret:REGISTERED}"),))  # fmt: skip
    plan = planned(
        DesiredState(webhooks=(spec,), sensitive_values=frozenset({SECRET_HOOK})), [], []
    )
    write(plan, tmp_path / "p.json")
    loaded = read(tmp_path / "p.json", ENV)
    (stale,) = stale_resources(loaded, [], [LiveWebhook(id="wh_9", url=SECRET_HOOK)])
    assert stale.startswith("webhook:(sensitive, hmac:")


def test_webhook_under_a_rotated_secret_is_saved_masked_and_restored(tmp_path: Path) -> None:
    # The job says which value its secret webhook field held: ROTATED, still registered.
    desired = DesiredState(
        jobs=(_secret_job("rotate", CANARY, "${secret:HOOK}", schedule="0 0 * * *"),),
        sensitive_values=frozenset({CANARY}),
    )
    jobs = [LiveJob(id="job_r", name="rotate", prompt="How many?", sources=("x",),
                    schedule="0 0 * * *", webhook_url=ROTATED)]  # fmt: skip
    hooks = [LiveWebhook(id="wh_r", url=ROTATED)]
    path = tmp_path / "rotated.json"
    write(planned(desired, jobs, hooks), path)
    assert b"rotated-old" not in path.read_bytes()

    loaded = read(path, ENV)
    delete = next(c for c in loaded.changes if c.action == "delete")
    shown = f"webhook:(sensitive, hmac:{_fingerprint(ROTATED)})"
    assert isinstance(delete.key, MaskedValue) and delete.address == shown
    refuse_if_stale(loaded, jobs, hooks, signing_key=KEY)
    plan = reattach_live(loaded, jobs, hooks)
    delete = next(c for c in plan.changes if c.action == "delete")
    assert (delete.key, delete.key_sensitive, delete.live) == (ROTATED, True, hooks[0])
    assert delete.address == shown and ROTATED in plan.sensitive_values
    out = io.StringIO()
    render(plan, "text", out)
    assert "rotated-old" not in out.getvalue() and shown.partition(":")[2] in out.getvalue()
