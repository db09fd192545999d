"""Request bodies checked as the API checks them, with every reason at once.

The rules themselves live in ``bytestack_sync.contract`` (shared with the manifest
validator); this module only applies them to JSON bodies and says which field failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bytestack_sync import contract
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.ids import parse_iso
from bytestack_sync.emulator.schedules import schedule_problem

QUERY_FIELDS = ("prompt", "sources", "time_window", "limit")
WEBHOOK_FIELDS = ("url", "events")


class Reasons(list[str]):
    def raise_any(self) -> None:
        if self:
            raise ApiFailure(400, "; ".join(self))


def body_object(body: Any, allowed: Sequence[str], reasons: Reasons) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiFailure(400, "request body must be a JSON object")
    reasons.extend(
        f"unknown field {name!r} (allowed: {', '.join(allowed)})"
        for name in body
        if name not in allowed
    )
    return body


def string_field(
    body: dict[str, Any], name: str, reasons: Reasons, check: Callable[[str], str | None]
) -> str | None:
    if name not in body:
        reasons.append(f"{name} is required")
        return None
    value = body[name]
    if not isinstance(value, str):
        reasons.append(f"{name} must be a string")
        return None
    problem = check(value)
    if problem:
        reasons.append(problem)
        return None
    return value


def string_list(
    body: dict[str, Any], name: str, reasons: Reasons, check: Callable[[list[str]], list[str]]
) -> list[str] | None:
    value = body.get(name)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        reasons.append(
            f"{name} must be a list of strings" if name in body else f"{name} is required"
        )
        return None
    problems = check(value)
    reasons.extend(problems)
    return None if problems else list(value)


def url_problem(name: str) -> Callable[[str], str | None]:
    def check(url: str) -> str | None:
        problem = contract.check_url(url)
        return f"{name} {problem}" if problem else None

    return check


def optional_url(body: dict[str, Any], name: str, reasons: Reasons) -> str | None:
    """A URL or null; an empty string means none, as null does."""
    value = body.get(name)
    if value is None or value == "":
        return None
    return string_field(body, name, reasons, url_problem(name))


def schedule_check(expression: str) -> str | None:
    problem = schedule_problem(expression)
    return f"schedule {expression!r} is invalid: {problem}" if problem else None


def status_check(status: str) -> str | None:
    if status in contract.JOB_STATUSES:
        return None
    return f"status must be one of {', '.join(contract.JOB_STATUSES)} (got {status!r})"


# --- jobs ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewJob:
    name: str
    prompt: str
    sources: list[str]
    schedule: str
    webhook_url: str | None


def new_job(payload: Any) -> NewJob:
    reasons = Reasons()
    body = body_object(payload, contract.JOB_CREATE_FIELDS, reasons)
    name = string_field(body, "name", reasons, contract.check_name)
    prompt = string_field(body, "prompt", reasons, contract.check_prompt)
    sources = string_list(body, "sources", reasons, contract.check_sources)
    schedule = string_field(body, "schedule", reasons, schedule_check)
    webhook_url = optional_url(body, "webhook_url", reasons)
    reasons.raise_any()
    assert name is not None and prompt is not None and sources is not None
    assert schedule is not None
    return NewJob(name, prompt, sources, schedule, webhook_url)


def job_changes(payload: Any) -> dict[str, str | None]:
    """The fields a PATCH changes; only status, schedule and webhook_url may appear."""
    reasons = Reasons()
    body = body_object(payload, contract.UPDATABLE_JOB_FIELDS, reasons)
    if not body:
        fields = ", ".join(contract.UPDATABLE_JOB_FIELDS)
        raise ApiFailure(400, f"nothing to update: send at least one of {fields}")
    changes: dict[str, str | None] = {}
    if "status" in body:
        changes["status"] = string_field(body, "status", reasons, status_check)
    if "schedule" in body:
        changes["schedule"] = string_field(body, "schedule", reasons, schedule_check)
    if "webhook_url" in body:
        changes["webhook_url"] = optional_url(body, "webhook_url", reasons)
    reasons.raise_any()
    return changes


# --- webhooks -------------------------------------------------------------------------------
def new_webhook(payload: Any) -> tuple[str, list[str]]:
    reasons = Reasons()
    body = body_object(payload, WEBHOOK_FIELDS, reasons)
    url = string_field(body, "url", reasons, url_problem("url"))
    events: list[str] | None = list(contract.DEFAULT_EVENTS)
    if body.get("events") is not None:
        events = string_list(body, "events", reasons, contract.check_events)
    reasons.raise_any()
    assert url is not None and events is not None
    return url, events


# --- queries --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewQuery:
    prompt: str
    sources: list[str]
    time_window: dict[str, str] | None
    limit: int | None


def _time_window(value: Any, reasons: Reasons) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"start", "end"}:
        reasons.append("time_window must be an object with 'start' and 'end'")
        return None
    start, end = (value.get(edge) for edge in ("start", "end"))
    moments = [parse_iso(v) if isinstance(v, str) else None for v in (start, end)]
    if moments[0] is None or moments[1] is None:
        reasons.append("time_window start and end must be ISO 8601 timestamps with a time zone")
        return None
    if moments[0] >= moments[1]:
        reasons.append("time_window start must be before its end")
        return None
    return {"start": str(start), "end": str(end)}


def _limit(value: Any, reasons: Reasons) -> int | None:
    if value is None:
        return None
    low, high = contract.QUERY_LIMIT_MIN, contract.QUERY_LIMIT_MAX
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        reasons.append(f"limit must be an integer from {low} to {high}")
        return None
    return value


def new_query(payload: Any) -> NewQuery:
    reasons = Reasons()
    body = body_object(payload, QUERY_FIELDS, reasons)
    prompt = string_field(body, "prompt", reasons, contract.check_prompt)
    sources = string_list(body, "sources", reasons, contract.check_sources)
    window = _time_window(body.get("time_window"), reasons)
    limit = _limit(body.get("limit"), reasons)
    reasons.raise_any()
    assert prompt is not None and sources is not None
    return NewQuery(prompt, sources, window, limit)


def page_limit(raw: str | None, cap: int | None) -> int:
    """The ``limit`` query parameter, checked, then capped by the emulator's page size."""
    low, high = contract.PAGE_LIMIT_MIN, contract.PAGE_LIMIT_MAX
    if raw is None:
        limit = contract.PAGE_LIMIT_DEFAULT
    else:
        try:
            limit = int(raw)
        except ValueError:
            limit = 0
        if not low <= limit <= high or not raw.strip().isdigit():
            raise ApiFailure(400, f"limit must be an integer from {low} to {high}")
    return min(limit, cap) if cap else limit
