"""Handlers for queries and result storage.

A query moves from queued to running to completed (or failed) as time passes: its
state is computed from the time elapsed since it was submitted, so no background
thread is needed. Once it has finished, its result file is stored under its id.
"""

from __future__ import annotations

import json
from typing import Any

from bytestack_sync import contract
from bytestack_sync.emulator import results, validation
from bytestack_sync.emulator.context import Context
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.ids import iso, new_id
from bytestack_sync.emulator.messages import Response, json_response
from bytestack_sync.emulator.resources import page_body
from bytestack_sync.emulator.store import Row

_US = 1_000_000


def query_status(row: Row, now_us: int) -> str:
    if now_us >= row["completes_us"]:
        return str(row["outcome"])
    halfway = (row["created_us"] + row["completes_us"]) // 2
    return contract.QUERY_QUEUED if now_us < halfway else contract.QUERY_RUNNING


def render_query(row: Row, now_us: int) -> dict[str, Any]:
    status = query_status(row, now_us)
    query: dict[str, Any] = {
        "id": row["id"],
        "status": status,
        "created_at": iso(row["created_us"] / _US),
        "prompt": row["prompt"],
        "sources": row["sources"],
    }
    if row["time_window"] is not None:
        query["time_window"] = row["time_window"]
    if row["result_limit"] is not None:
        query["limit"] = row["result_limit"]
    if status in contract.QUERY_SETTLED:
        query["completed_at"] = iso(row["completes_us"] / _US)
    if status == contract.QUERY_COMPLETED:
        query["result"] = results.make_result(row["prompt"], row["sources"], row["result_limit"])
    elif status == contract.QUERY_FAILED:
        query["error"] = results.FAILURE_MESSAGE
    return query


def result_file(row: Row) -> tuple[str, bytes] | None:
    """The stored file of a finished query: keyed by its id, like the documented download."""
    if row["outcome"] != contract.QUERY_COMPLETED:
        return None
    body = {
        "query_id": row["id"],
        "prompt": row["prompt"],
        "sources": row["sources"],
        "completed_at": iso(row["completes_us"] / _US),
        "result": results.make_result(row["prompt"], row["sources"], row["result_limit"]),
    }
    return row["id"], json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8")


def _settle(ctx: Context) -> None:
    ctx.store.settle_queries(ctx.workspace, ctx.now_us, result_file)


def submit_query(ctx: Context) -> Response:
    spec = validation.new_query(ctx.request.json())
    created_us = ctx.now_us
    query = {
        "id": new_id(contract.QUERY_ID_PREFIX),
        "prompt": spec.prompt,
        "sources": spec.sources,
        "time_window": spec.time_window,
        "result_limit": spec.limit,
        "outcome": contract.QUERY_FAILED
        if results.fails(spec.prompt)
        else contract.QUERY_COMPLETED,
        "created_us": created_us,
        "completes_us": created_us + int(ctx.settings.query_delay * _US),
    }
    ctx.store.create_query(ctx.workspace, query)
    return json_response(
        201, {"id": query["id"], "status": contract.QUERY_QUEUED, "created_at": iso(ctx.now)}
    )


def get_query(ctx: Context) -> Response:
    _settle(ctx)
    row = ctx.store.get_query(ctx.workspace, ctx.params[0])
    if row is None:
        raise ApiFailure(404, f"query {ctx.params[0]!r} does not exist")
    return json_response(200, render_query(row, ctx.now_us))


def _render_file(row: Row) -> dict[str, Any]:
    return {
        "key": row["key"],
        "size_bytes": row["size_bytes"],
        "created_at": iso(row["created_us"] / _US),
    }


def list_storage(ctx: Context) -> Response:
    _settle(ctx)
    limit = validation.page_limit(ctx.request.param("limit"), ctx.settings.page_size)
    page = ctx.store.list_files(ctx.workspace, limit, ctx.request.param("cursor") or None)
    return json_response(200, page_body(page, _render_file))


def download(ctx: Context) -> Response:
    _settle(ctx)
    key = ctx.params[0]
    body = ctx.store.get_file(ctx.workspace, key)
    if body is None:
        raise ApiFailure(404, f"no result file with key {key!r}")
    return Response(200, body)
