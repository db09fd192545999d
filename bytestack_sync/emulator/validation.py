"""Request bodies checked as the API checks them, with every reason at once.

The rules themselves live in ``bytestack_sync.contract`` (shared with the manifest
validator); this module only applies them to JSON bodies and says which field failed.
Job and webhook bodies are read by the contract's field table: which fields a create
or a PATCH may send, each one's type, whether it may be null, its API default, then
the value check named for it here.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bytestack_sync import contract
from bytestack_sync.contract import Compare, Field, Resource, Role, Type
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.ids import parse_iso
from bytestack_sync.emulator.schedules import schedule_problem

QUERY_FIELDS = ("prompt", "sources", "time_window", "limit")
# A cursor's positions are SQLite integers: decimal, from 0 to 2**63 - 1.
_POSITION = re.compile(r"[0-9]{1,19}")
_MAX_POSITION = (1 << 63) - 1


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


# A value rule: every reason a value of the right type is refused.
Check = Callable[[Any], list[str]]


def one(check: Callable[[str], str | None]) -> Check:
    """A rule that finds at most one reason, as a Check."""

    def reasons(value: str) -> list[str]:
        problem = check(value)
        return [problem] if problem else []

    return reasons


# The JSON type each scalar field type is sent as, and how a reason names it.
_SCALARS: Mapping[Type, tuple[type, str]] = {
    Type.TEXT: (str, "a string"),
    Type.TIMESTAMP: (str, "a string"),
    Type.FLAG: (bool, "true or false"),
}


def scalar_field(
    body: dict[str, Any], name: str, reasons: Reasons, check: Check, of: Type = Type.TEXT
) -> Any:
    if name not in body:
        reasons.append(f"{name} is required")
        return None
    value = body[name]
    kind, noun = _SCALARS[of]
    if not isinstance(value, kind):
        reasons.append(f"{name} must be {noun}")
        return None
    problems = check(value)
    reasons.extend(problems)
    return None if problems else value


def string_list(
    body: dict[str, Any], name: str, reasons: Reasons, check: Check
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


def schedule_check(expression: str) -> str | None:
    problem = schedule_problem(expression)
    return f"schedule {expression!r} is invalid: {problem}" if problem else None


def status_check(status: str) -> str | None:
    if status in contract.JOB_STATUSES:
        return None
    return f"status must be one of {', '.join(contract.JOB_STATUSES)} (got {status!r})"


# --- jobs and webhooks, by their fields in the contract's table ---------------------------
# What the API accepts in each field a request may send, beyond its type (which the
# table gives). Every such field needs one: ``checked`` refuses a table without it.
VALUE_CHECKS: Mapping[str, Mapping[str, Check]] = {
    contract.JOB.kind: {
        "name": one(contract.check_name),
        "prompt": one(contract.check_prompt),
        "sources": contract.check_sources,
        "schedule": one(schedule_check),
        "status": one(status_check),
        "webhook_url": one(url_problem("webhook_url")),
    },
    contract.WEBHOOK.kind: {
        "url": one(url_problem("url")),
        "events": contract.check_events,
    },
}


def accepted(resource: Resource) -> tuple[str, ...]:
    """The fields a request may send: in a create's body or a PATCH's."""
    return tuple(dict.fromkeys((*resource.create_fields, *resource.updatable)))


def checked(resource: Resource, checks: Mapping[str, Mapping[str, Check]]) -> Mapping[str, Check]:
    """The value checks of ``resource``; LookupError when an accepted field has none, so
    a field added to the table fails here, at import, instead of reaching the store."""
    own = checks.get(resource.kind, {})
    missing = [name for name in accepted(resource) if name not in own]
    if missing:
        raise LookupError(f"{resource.kind} fields without a value check: {', '.join(missing)}")
    return own


_CHECKS = {r.kind: checked(r, VALUE_CHECKS) for r in (contract.JOB, contract.WEBHOOK)}


def _value(f: Field, check: Check, body: dict[str, Any], reasons: Reasons) -> Any:
    """One field of a body read by its type and checked; None (with a reason) if invalid."""
    value = body.get(f.name)
    if f.optional and (value is None or (value == "" and f.compare is Compare.OPTIONAL)):
        return None  # where the table says so, "" means none, as null does
    if f.type is Type.TEXT_SET:
        return string_list(body, f.name, reasons, check)
    return scalar_field(body, f.name, reasons, check, f.type)


def new_fields(resource: Resource, payload: Any) -> dict[str, Any]:
    """A create's checked fields: those its body may hold (one with an API default takes
    it when absent or null) and the API's defaults of the others. The server's own
    fields (id, timestamps) are the handler's."""
    reasons = Reasons()
    body = body_object(payload, resource.create_fields, reasons)
    checks = _CHECKS[resource.kind]
    fields: dict[str, Any] = {}
    for f in resource.fields:
        if f.on_create and (body.get(f.name) is not None or f.api_default is None):
            fields[f.name] = _value(f, checks[f.name], body, reasons)
        elif f.api_default is not None and f.role is not Role.LOCAL:
            default = f.api_default
            fields[f.name] = list(default) if f.type is Type.TEXT_SET else default
    reasons.raise_any()
    return fields


def changed_fields(resource: Resource, payload: Any) -> dict[str, Any]:
    """The checked fields a PATCH changes; only the table's updatable ones may appear."""
    reasons = Reasons()
    body = body_object(payload, resource.updatable, reasons)
    if not body:
        fields = ", ".join(resource.updatable)
        raise ApiFailure(400, f"nothing to update: send at least one of {fields}")
    checks = _CHECKS[resource.kind]
    changes = {
        name: _value(resource.field(name), checks[name], body, reasons)
        for name in resource.updatable
        if name in body
    }
    reasons.raise_any()
    return changes


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
    prompt = scalar_field(body, "prompt", reasons, one(contract.check_prompt))
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


def check_cursor(raw: str | None) -> None:
    """Refuse (400) a ``cursor`` this API cannot have returned: one that is not base64url
    of ``kind:position...`` with every position a SQLite integer. Checked for every
    request, before the store compares the kind, so a position out of SQLite's range
    (``2**63``, ``-1``, ``1_0``) is the caller's error, never the store's."""
    if not raw:
        return
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
    except (ValueError, binascii.Error):
        text = ""
    _, *positions = text.split(":")
    fits = all(_POSITION.fullmatch(p) and int(p) <= _MAX_POSITION for p in positions)
    if not positions or not fits:
        raise ApiFailure(400, "cursor is not one this API returned")
