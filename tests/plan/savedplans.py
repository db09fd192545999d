"""A plan with every action, a rotated secret and a secret webhook key, and the helpers that save
and read it as the commands do (signed, for one target); the fixtures are in conftest."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.errors import (
    StalePlanError,
)
from bytestack_sync.model import (
    DesiredState,
    JobSpec,
    Location,
    PruneMode,
    SafetySettings,
    WebhookSpec,
)
from bytestack_sync.plan.plan import Plan, Target
from bytestack_sync.plan.planner import make_plan
from bytestack_sync.plan.savefile import (
    read_plan,
    refuse_if_stale,
    write_plan,
)

CANARY = "https://hooks.example.com/canary-7f3a9c"
ROTATED = "https://hooks.example.com/rotated-old-b41d"
SECRET_HOOK = "https://hooks.example.com/registered-e5c0"
ENV = {"HOOK": CANARY, "REGISTERED": SECRET_HOOK}
KEY = b"signing-key-of-the-tests"
TARGET = Target("https://api.example.com/v1", "key sha256:1a2b3c4d")


def planned(desired: DesiredState, jobs: list[LiveJob], hooks: list[LiveWebhook]) -> Plan:
    """``make_plan`` as the commands call it: with its target and the live resources read."""
    plan = make_plan(desired, jobs, hooks)
    return dataclasses.replace(plan, target=TARGET, live_read=(*jobs, *hooks))


def write(plan: Plan, path: Path) -> None:
    write_plan(plan, path, signing_key=KEY)


def read(path: Path, environ: dict[str, str]) -> Plan:
    return read_plan(path, environ=environ, signing_key=KEY, target=TARGET)


def stale_resources(
    plan: Plan, live_jobs: list[LiveJob], live_webhooks: list[LiveWebhook]
) -> list[str]:
    """The addresses ``refuse_if_stale`` names, one per line of its refusal (its first
    line says what happened, its last what to do); empty when the plan still holds."""
    try:
        refuse_if_stale(plan, live_jobs, live_webhooks, signing_key=KEY)
    except StalePlanError as exc:
        listed = str(exc).splitlines()[1:-1]
        return sorted({line.strip().split(": ", 1)[0] for line in listed})
    return []


def _secret_job(name: str, value: str, template: str, **fields: object) -> JobSpec:
    values: dict[str, object] = {
        "prompt": "How many?",
        "sources": frozenset({"x"}),
        "schedule": "@daily",
        "webhook_url": value,
        "sensitive": frozenset({"webhook_url"}),
        "templates": (("webhook_url", template),),
        "location": Location("jobs.yaml", 3, 5),
    }
    values.update(fields)
    return JobSpec(name=name, **values)  # type: ignore[arg-type]


def _scenario() -> tuple[DesiredState, list[LiveJob], list[LiveWebhook]]:
    """A plan with every action, a rotated secret and a secret webhook key."""
    desired = DesiredState(
        jobs=(
            _secret_job("rotate", CANARY, "${secret:HOOK}"),
            _secret_job("replace-me", CANARY, "${secret:HOOK}", prompt="New prompt"),
            JobSpec("brand-new", "Hello", frozenset({"reddit", "x"}), "0 8 * * 1-5", "paused"),
        ),
        webhooks=(
            WebhookSpec(
                SECRET_HOOK,
                frozenset({"job.completed", "job.failed"}),
                sensitive=frozenset({"url"}),
                templates=(("url", "${secret:REGISTERED}"),),
            ),
        ),
        prune=PruneMode.DELETE,
        safety=SafetySettings(max_destroy_percent=60),
        sensitive_values=frozenset({CANARY, SECRET_HOOK}),
    )
    jobs = [
        LiveJob(id="job_r", name="rotate", prompt="How many?", sources=("x",),
                schedule="0 0 * * *", webhook_url=ROTATED),
        LiveJob(id="job_p", name="replace-me", prompt="Old", sources=("x",), schedule="@daily",
                webhook_url=CANARY),
        LiveJob(id="job_s", name="stray", prompt="S", sources=("x",), schedule="@daily",
                webhook_url=CANARY, next_run_at="2024-05-01T00:00:00Z"),
    ]  # fmt: skip
    hooks = [
        LiveWebhook(id="wh_1", url=SECRET_HOOK, events=("job.completed",)),
        LiveWebhook(id="wh_2", url=CANARY),
    ]
    return desired, jobs, hooks
