"""Builders for declared and live resources, and the saved-plan scenario, shared by the plan
tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan.plan import Plan
from tests.plan.savedplans import _scenario, planned, write

HOOK = "https://hooks.example.com/bytestack"


def _job_spec(name: str = "daily", **fields: Any) -> JobSpec:
    values: dict[str, Any] = {
        "prompt": "How many times was Acme mentioned?",
        "sources": frozenset({"x", "reddit"}),
        "schedule": "0 8 * * *",
    }
    values.update(fields)
    return JobSpec(name=name, **values)


def _live_job(name: str = "daily", id: str = "job_1", **fields: Any) -> LiveJob:
    values: dict[str, Any] = {
        "prompt": "How many times was Acme mentioned?",
        "sources": ("reddit", "x"),
        "schedule": "0 8 * * *",
        "created_at": "2024-01-01T00:00:00Z",
    }
    values.update(fields)
    return LiveJob(id=id, name=name, **values)


def _webhook_spec(url: str = HOOK, **fields: Any) -> WebhookSpec:
    return WebhookSpec(url=url, **fields)


def _live_webhook(url: str = HOOK, id: str = "wh_1", **fields: Any) -> LiveWebhook:
    return LiveWebhook(id=id, url=url, **fields)


@pytest.fixture
def job_spec() -> Callable[..., JobSpec]:
    return _job_spec


@pytest.fixture
def live_job() -> Callable[..., LiveJob]:
    return _live_job


@pytest.fixture
def webhook_spec() -> Callable[..., WebhookSpec]:
    return _webhook_spec


@pytest.fixture
def live_webhook() -> Callable[..., LiveWebhook]:
    return _live_webhook


@pytest.fixture
def scenario() -> tuple[Plan, list[LiveJob], list[LiveWebhook]]:
    desired, jobs, hooks = _scenario()
    return planned(desired, jobs, hooks), jobs, hooks


@pytest.fixture
def saved(tmp_path: Path, scenario: tuple[Plan, list[LiveJob], list[LiveWebhook]]) -> Path:
    path = tmp_path / "plan.json"
    write(scenario[0], path)
    return path
