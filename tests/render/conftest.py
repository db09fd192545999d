"""Plans built by hand from the change types, as the planner would make them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan.changes import Change, Create, Delete, FieldDiff, Pause, Replace, Update
from bytestack_sync.plan.plan import Plan

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
CANARY = "canary-Zq7x-s3cr3t-value"
CANARY_URL = f"https://hooks.example.com/{CANARY}"
HOOK = "https://hooks.example.com/bytestack"


def live_job(job_id: str, name: str, **fields: object) -> LiveJob:
    values: dict[str, object] = {
        "id": job_id,
        "name": name,
        "prompt": "How many times was Acme mentioned?",
        "sources": ("x",),
        "schedule": "0 8 * * *",
        **fields,
    }
    return LiveJob.model_validate(values)


def create_job() -> Create:
    spec = JobSpec(
        name="Daily Acme mentions",
        prompt="How many times was Acme mentioned on X today?",
        sources=frozenset({"x", "reddit"}),
        schedule="0 8 * * *",
        webhook_url=CANARY_URL,
        sensitive=frozenset({"webhook_url"}),
    )
    return Create("job", spec.name, desired=spec)


def create_webhook() -> Create:
    spec = WebhookSpec(url=HOOK, events=frozenset({"job.completed"}))
    diffs = (
        FieldDiff("url", None, HOOK),
        FieldDiff("events", None, ["job.completed"]),
    )
    return Create("webhook", HOOK, desired=spec, diffs=diffs)


def update_job() -> Update:
    spec = JobSpec(
        name="Weekly digest",
        prompt="Summarise the week",
        sources=frozenset({"x"}),
        schedule="0 9 * * 1-5",
    )
    live = live_job("job_weekly", "Weekly digest", prompt="Summarise the week")
    diff = FieldDiff("schedule", "0 8 * * *", "0 9 * * 1-5")
    return Update("job", spec.name, desired=spec, live=live, diffs=(diff,))


def replace_job() -> Replace:
    spec = JobSpec(
        name="Acme sentiment",
        prompt="How do people feel?",
        sources=frozenset({"x", "linkedin"}),
        schedule="0 8 * * *",
    )
    live = live_job("job_sentiment", "Acme sentiment", prompt="What do people think?")
    diffs = (
        FieldDiff("prompt", live.prompt, spec.prompt, forces_replacement=True),
        FieldDiff("sources", ["x"], ["linkedin", "x"], forces_replacement=True),
    )
    return Replace("job", spec.name, desired=spec, live=live, diffs=diffs)


def pause_job() -> Pause:
    live = live_job("job_legacy", "Legacy report")
    return Pause(
        "job",
        live.name,
        live=live,
        diffs=(FieldDiff("status", "active", "paused"),),
        reason="not declared in any manifest (prune: pause)",
    )


def delete_job() -> Delete:
    live = live_job("job_old", "Old export", schedule="@daily")
    return Delete(
        "job",
        live.name,
        live=live,
        diffs=(FieldDiff("schedule", "@daily", None),),
        reason="not declared in any manifest (prune: delete)",
    )


def delete_webhook() -> Delete:
    live = LiveWebhook(id="wh_old", url=CANARY_URL)
    return Delete(
        "webhook",
        CANARY_URL,
        live=live,
        key_sensitive=True,
        reason="not declared in any manifest (prune: delete)",
    )


def every_action_plan() -> Plan:
    """One change of every action, out of apply order, with a secret in several places."""
    return Plan(
        changes=(
            delete_job(),
            delete_webhook(),
            pause_job(),
            replace_job(),
            update_job(),
            create_job(),
            create_webhook(),
        ),
        warnings=("job:Noisy fires 288 times a day (more than max_runs_per_day 96)",),
        managed_count=5,
        sensitive_values=frozenset({CANARY_URL}),
    )


@pytest.fixture
def plan() -> Plan:
    return every_action_plan()


@pytest.fixture
def changes() -> dict[str, Change]:
    """Each sample change by name, for plans of one or two changes."""
    return {
        "create_job": create_job(),
        "create_webhook": create_webhook(),
        "update_job": update_job(),
        "replace_job": replace_job(),
        "pause_job": pause_job(),
        "delete_job": delete_job(),
        "delete_webhook": delete_webhook(),
    }


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def canary() -> str:
    """A secret that must never appear in any output."""
    return CANARY
