"""Handlers for jobs and webhooks."""

from __future__ import annotations

from typing import Any

from bytestack_sync import contract
from bytestack_sync.emulator import validation
from bytestack_sync.emulator.context import Context
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.ids import iso, new_id, to_datetime
from bytestack_sync.emulator.messages import Response, empty_response, json_response
from bytestack_sync.emulator.schedules import next_run
from bytestack_sync.emulator.store import Page, Row

JOB_FIELDS = (
    "id", "name", "prompt", "sources", "schedule", "webhook_url",
    "status", "next_run_at", "created_at", "updated_at",
)  # fmt: skip
WEBHOOK_FIELDS = ("id", "url", "events", "created_at")


def _next_run_at(schedule: str, status: str, now: float) -> str | None:
    if status != "active":
        return None  # a paused job has no next run
    upcoming = next_run(schedule, to_datetime(now))
    return iso(upcoming) if upcoming is not None else None


def render_job(row: Row, now: float, stamp: str | None = None) -> dict[str, Any]:
    """The API's form of a job; ``stamp`` is ``iso(now)``, passed in when rendering many."""
    job = {name: row[name] for name in JOB_FIELDS}
    stored = row["next_run_at"]
    if row["status"] != "active":
        job["next_run_at"] = None
    elif stored is None or stored <= (stamp or iso(now)):
        # The stored instant has passed: show the next one from now.
        job["next_run_at"] = _next_run_at(row["schedule"], row["status"], now)
    return job


def render_webhook(row: Row) -> dict[str, Any]:
    return {name: row[name] for name in WEBHOOK_FIELDS}


def page_body(page: Page, render: Any) -> dict[str, Any]:
    return {"data": [render(row) for row in page.rows], "next_cursor": page.next_cursor}


def _page_args(ctx: Context) -> tuple[int, str | None]:
    limit = validation.page_limit(ctx.request.param("limit"), ctx.settings.page_size)
    cursor = ctx.request.param("cursor")
    return limit, cursor or None


def _not_found(kind: str, resource_id: str) -> ApiFailure:
    return ApiFailure(404, f"{kind} {resource_id!r} does not exist")


# --- jobs ---------------------------------------------------------------------------------
def list_jobs(ctx: Context) -> Response:
    page = ctx.store.list_jobs(ctx.workspace, *_page_args(ctx))
    stamp = iso(ctx.now)
    return json_response(200, page_body(page, lambda row: render_job(row, ctx.now, stamp)))


def get_job(ctx: Context) -> Response:
    row = ctx.store.get_job(ctx.workspace, ctx.params[0])
    if row is None:
        raise _not_found("job", ctx.params[0])
    return json_response(200, render_job(row, ctx.now))


def create_job(ctx: Context) -> Response:
    spec = validation.new_job(ctx.request.json())
    stamp = iso(ctx.now)
    job = {
        "id": new_id(contract.JOB_ID_PREFIX),
        "name": spec.name,
        "prompt": spec.prompt,
        "sources": spec.sources,
        "schedule": spec.schedule,
        "webhook_url": spec.webhook_url,
        "status": contract.DEFAULT_JOB_STATUS,
        "next_run_at": _next_run_at(spec.schedule, contract.DEFAULT_JOB_STATUS, ctx.now),
        "created_at": stamp,
        "updated_at": stamp,
    }
    row = ctx.store.create_job(ctx.workspace, job)
    return json_response(201, render_job(row, ctx.now))


def update_job(ctx: Context) -> Response:
    job_id = ctx.params[0]
    changes: dict[str, Any] = validation.job_changes(ctx.request.json())
    current = ctx.store.get_job(ctx.workspace, job_id)
    if current is None:
        raise _not_found("job", job_id)
    merged = {**current, **changes}
    changes["next_run_at"] = _next_run_at(merged["schedule"], merged["status"], ctx.now)
    changes["updated_at"] = iso(ctx.now)
    row = ctx.store.update_job(ctx.workspace, job_id, changes)
    if row is None:  # deleted by a concurrent request in between
        raise _not_found("job", job_id)
    return json_response(200, render_job(row, ctx.now))


def delete_job(ctx: Context) -> Response:
    if not ctx.store.delete_job(ctx.workspace, ctx.params[0]):
        raise _not_found("job", ctx.params[0])
    return empty_response(204)


# --- webhooks -------------------------------------------------------------------------------
def list_webhooks(ctx: Context) -> Response:
    page = ctx.store.list_webhooks(ctx.workspace, *_page_args(ctx))
    return json_response(200, page_body(page, render_webhook))


def create_webhook(ctx: Context) -> Response:
    url, events = validation.new_webhook(ctx.request.json())
    webhook = {
        "id": new_id(contract.WEBHOOK_ID_PREFIX),
        "url": url,
        "events": events,
        "created_at": iso(ctx.now),
    }
    return json_response(201, render_webhook(ctx.store.create_webhook(ctx.workspace, webhook)))


def delete_webhook(ctx: Context) -> Response:
    if not ctx.store.delete_webhook(ctx.workspace, ctx.params[0]):
        raise _not_found("webhook", ctx.params[0])
    return empty_response(204)
