"""Builders for declared and live resources, shared by the plan tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import JobSpec, WebhookSpec

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
