"""The live resources as the API returns them. Tolerant: unknown fields are ignored."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Live(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LiveJob(_Live):
    id: str
    name: str
    prompt: str
    sources: tuple[str, ...]
    schedule: str
    webhook_url: str | None = None
    status: str = "active"
    next_run_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class LiveWebhook(_Live):
    id: str
    url: str
    events: tuple[str, ...] = ("job.completed",)
    created_at: str | None = None


class QueryResult(_Live):
    summary: str = ""
    total_results: int = 0
    records: tuple[dict[str, Any], ...] = ()


class Query(_Live):
    id: str
    status: str
    created_at: str | None = None
    completed_at: str | None = None
    prompt: str | None = None
    sources: tuple[str, ...] = ()
    result: QueryResult | None = None
    error: str | None = None


class StorageFile(_Live):
    key: str
    size_bytes: int = Field(default=0)
    created_at: str | None = None
