"""Handlers for jobs and webhooks."""

from __future__ import annotations

from typing import Any

from bytestack_sync import contract
from bytestack_sync.contract import JOB, WEBHOOK, Resource
from bytestack_sync.emulator import idempotency, validation
from bytestack_sync.emulator.context import Context
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.ids import iso, new_id, to_datetime
from bytestack_sync.emulator.messages import Response, empty_response, json_response
from bytestack_sync.emulator.schedules import next_run
from bytestack_sync.emulator.store import Page, Row


def api_form(resource: Resource) -> tuple[str, ...]:
    """The fields of the API's JSON form in the order the API shows them: the id, what
    a create sends, then what the API fills in itself."""
    fields = [f for f in resource.fields if f.name in resource.api_fields]
    return tuple(f.name for f in sorted(fields, key=lambda f: (f.name != "id", not f.on_create)))


JOB_FORM, WEBHOOK_FORM = api_form(JOB), api_form(WEBHOOK)


def _next_run_at(schedule: str, status: str, now: float) -> str | None:
    if status != contract.JOB_ACTIVE:
        return None  # a paused job has no next run
    upcoming = next_run(schedule, to_datetime(now))
    return iso(upcoming) if upcoming is not None else None


def render_job(row: Row, now: float, stamp: str | None = None) -> dict[str, Any]:
    """The API's form of a job; ``stamp`` is ``iso(now)``, passed in when rendering many."""
    job = {name: row[name] for name in JOB_FORM}
    stored = row["next_run_at"]
    if row["status"] != contract.JOB_ACTIVE:
        job["next_run_at"] = None
    elif stored is None or stored <= (stamp or iso(now)):
        # The stored instant has passed: show the next one from now.
        job["next_run_at"] = _next_run_at(row["schedule"], row["status"], now)
    return job


def render_webhook(row: Row) -> dict[str, Any]:
    return {name: row[name] for name in WEBHOOK_FORM}


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
    job = validation.new_fields(JOB, ctx.request.json())
    stamp = iso(ctx.now)
    job["id"] = new_id(JOB.id_prefix)
    job["next_run_at"] = _next_run_at(job["schedule"], job["status"], ctx.now)
    job["created_at"] = job["updated_at"] = stamp
    return idempotency.create(
        ctx,
        lambda remember: ctx.store.create_job(
            ctx.workspace, job, remember, runs_from_us=ctx.now_us
        ),
        lambda row: render_job(row, ctx.now),
    )


def update_job(ctx: Context) -> Response:
    job_id = ctx.params[0]
    changes = validation.changed_fields(JOB, ctx.request.json())
    current = ctx.store.get_job(ctx.workspace, job_id)
    if current is None:
        raise _not_found("job", job_id)
    merged = {**current, **changes}
    changes["next_run_at"] = _next_run_at(merged["schedule"], merged["status"], ctx.now)
    changes["updated_at"] = iso(ctx.now)
    resumed = current["status"] == contract.JOB_PAUSED and merged["status"] == contract.JOB_ACTIVE
    row = ctx.store.update_job(
        ctx.workspace, job_id, changes, resumed_us=ctx.now_us if resumed else None
    )
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
    webhook = validation.new_fields(WEBHOOK, ctx.request.json())
    webhook["id"] = new_id(WEBHOOK.id_prefix)
    webhook["created_at"] = iso(ctx.now)
    return idempotency.create(
        ctx,
        lambda remember: ctx.store.create_webhook(ctx.workspace, webhook, remember),
        render_webhook,
    )


def delete_webhook(ctx: Context) -> Response:
    if not ctx.store.delete_webhook(ctx.workspace, ctx.params[0]):
        raise _not_found("webhook", ctx.params[0])
    return empty_response(204)
