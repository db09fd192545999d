"""The API's resources: jobs, webhooks, queries and storage, as typed methods.

Each method is one documented endpoint; lists follow every page. Parsing is
tolerant (unknown fields are ignored, a bare JSON array is a single page), and a
body that cannot be read as the contract's shape is an ``InvalidResponse``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from bytestack_sync import contract
from bytestack_sync.api.errors import InvalidResponse, NotFound, QueryFailed, QueryTimedOut
from bytestack_sync.api.limits import Limits
from bytestack_sync.api.models import LiveJob, LiveWebhook, Query, StorageFile
from bytestack_sync.api.session import Session
from bytestack_sync.contract import JOB, WEBHOOK, Resource
from bytestack_sync.printable import shown

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Created(Generic[M]):
    """What a create answered: the resource, and whether the API replayed the answer
    of an earlier create with the same Idempotency-Key instead of creating again."""

    resource: M
    replayed: bool = False


def _create(
    session: Session, path: str, model: type[M], body: dict[str, object], key: str | None
) -> Created[M]:
    headers = {contract.IDEMPOTENCY_KEY_HEADER: key} if key is not None else None
    response = session.request("POST", path, body=body, headers=headers)
    replayed = response.headers.get(contract.IDEMPOTENT_REPLAYED_HEADER, "").lower() == "true"
    return Created(_parse(model, response, _json(response)), replayed)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise _invalid(response, "the body is not JSON") from None
    except RecursionError:
        raise _invalid(response, "the body is JSON nested too deeply to read") from None


def _invalid(response: httpx.Response, reason: str) -> InvalidResponse:
    request = response.request
    return InvalidResponse(
        f"unexpected answer from {request.url.netloc.decode()} to "
        f"{request.method} {request.url.path}: {reason}",
        method=request.method,
        path=request.url.path,
        status=response.status_code,
    )


def _parse(model: type[M], response: httpx.Response, data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors())
        raise _invalid(response, f"not a valid {model.__name__} ({fields})") from None


def _page(response: httpx.Response, asked: int, limits: Limits) -> tuple[list[Any], str | None]:
    """A page's items and the cursor of the next one (None at the end)."""
    data = _json(response)
    if isinstance(data, list):
        items, cursor = data, None
    elif isinstance(data, dict) and isinstance(data.get("data"), list):
        items, cursor = data["data"], _cursor(response, data.get("next_cursor"), limits)
    else:
        raise _invalid(response, "expected a list or an object with a 'data' list")
    if len(items) > asked:
        raise _invalid(response, f"a page of {len(items):,} items, more than the {asked:,} asked")
    return items, cursor


def _cursor(response: httpx.Response, cursor: object, limits: Limits) -> str | None:
    """The next page's cursor; null (or none) ends the list. Anything else is an error,
    never the end: ending there would plan to create what the next pages hold."""
    if cursor is None or (isinstance(cursor, str) and 0 < len(cursor) <= limits.max_cursor):
        return cursor
    if isinstance(cursor, str):
        what = f"{len(cursor):,} characters long" if cursor else "empty"
    else:
        what = f"{_JSON_TYPES.get(type(cursor), 'a ' + type(cursor).__name__)}, not a string"
    raise _invalid(response, f"its next_cursor is {what}, so the list cannot be read to its end")


_JSON_TYPES = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    dict: "an object",
    list: "an array",
}


def list_all(session: Session, path: str, model: type[M]) -> list[M]:
    """Every item of a paginated list, one request per page of the largest size."""
    items: list[M] = []
    for response, page in _pages(session, path):
        items.extend(_parse(model, response, item) for item in page)
    return items


def _pages(session: Session, path: str) -> Iterator[tuple[httpx.Response, list[Any]]]:
    """Each page in turn, within ``session.limits``: a list that goes on past them is
    a broken or hostile server, not a workspace."""
    limits = session.limits
    seen: set[str] = set()
    params: dict[str, str | int] = {"limit": contract.PAGE_LIMIT_MAX}
    items = pages = 0
    while True:
        response = session.request("GET", path, params=params)
        page, cursor = _page(response, contract.PAGE_LIMIT_MAX, limits)
        items, pages = items + len(page), pages + 1
        if items > limits.max_items:
            raise _invalid(response, f"the list goes on past {limits.max_items:,} items")
        yield response, page
        if cursor is None:
            return
        if cursor in seen:
            raise _invalid(response, f"the cursor '{shown(cursor, 80)}' came back twice")
        if pages >= limits.max_pages:
            raise _invalid(response, f"the list goes on past {limits.max_pages:,} pages")
        seen.add(cursor)
        params = {"limit": contract.PAGE_LIMIT_MAX, "cursor": cursor}


def _create_body(resource: Resource, given: Mapping[str, object]) -> dict[str, object]:
    """A create's JSON body: the resource's create fields, in the table's order.

    A set goes as a list. An optional field given as None is left out; one not given
    is sent with its API default if it has one, else it is missing (a TypeError, as
    a missing argument would be).
    """
    unknown = sorted(set(given) - set(resource.create_fields))
    if unknown:
        allowed = ", ".join(resource.create_fields)
        shown = ", ".join(unknown)
        raise TypeError(f"creating a {resource.kind} takes only {allowed} (not {shown})")
    body: dict[str, object] = {}
    for field in resource.fields:
        if not field.on_create:
            continue
        value = given.get(field.name, field.api_default)
        if value is None and field.optional:
            continue
        if value is None and field.name not in given:
            raise TypeError(f"creating a {resource.kind} needs its {field.name}")
        body[field.name] = list(cast(Iterable[object], value)) if field.is_set else value
    return body


def _segment(value: str) -> str:
    """One path segment: everything escaped, so an id or key can never change the path."""
    if not value:
        raise ValueError("an id or key must not be empty")
    return quote(value, safe="")


class Jobs:
    def __init__(self, session: Session) -> None:
        self._session = session

    def list(self) -> list[LiveJob]:
        return list_all(self._session, "/jobs", LiveJob)

    def get(self, job_id: str) -> LiveJob:
        response = self._session.request("GET", f"/jobs/{_segment(job_id)}")
        return _parse(LiveJob, response, _json(response))

    def create(self, **fields: object) -> LiveJob:
        """POST a job; the arguments are ``contract.JOB.create_fields`` (a set field as
        any sequence), an optional one may be None or left out."""
        return self.create_once(None, **fields).resource

    def create_once(self, idempotency_key: str | None, **fields: object) -> Created[LiveJob]:
        """``create``, sending ``idempotency_key`` (every attempt sends the same)."""
        return _create(self._session, "/jobs", LiveJob, _create_body(JOB, fields), idempotency_key)

    def update(self, job_id: str, fields: Mapping[str, object]) -> LiveJob:
        """PATCH a job; only ``contract.JOB.updatable`` fields can change in place."""
        others = sorted(set(fields) - set(JOB.updatable))
        if others:
            allowed = ", ".join(JOB.updatable)
            raise ValueError(f"cannot update {', '.join(others)} in place (only {allowed})")
        if not fields:
            raise ValueError("an update needs at least one field")
        response = self._session.request("PATCH", f"/jobs/{_segment(job_id)}", body=dict(fields))
        return _parse(LiveJob, response, _json(response))

    def delete(self, job_id: str) -> None:
        _delete(self._session, f"/jobs/{_segment(job_id)}")


def _delete(session: Session, path: str) -> None:
    try:
        session.request("DELETE", path)
    except NotFound:
        # Already gone is what a delete wants; a retried DELETE sees this too.
        return


class Webhooks:
    def __init__(self, session: Session) -> None:
        self._session = session

    def list(self) -> list[LiveWebhook]:
        return list_all(self._session, "/webhooks", LiveWebhook)

    def create(self, **fields: object) -> LiveWebhook:
        """POST a webhook; the arguments are ``contract.WEBHOOK.create_fields``, and
        events left out are the API's default ones."""
        return self.create_once(None, **fields).resource

    def create_once(self, idempotency_key: str | None, **fields: object) -> Created[LiveWebhook]:
        body = _create_body(WEBHOOK, fields)
        return _create(self._session, "/webhooks", LiveWebhook, body, idempotency_key)

    def delete(self, webhook_id: str) -> None:
        _delete(self._session, f"/webhooks/{_segment(webhook_id)}")


class Queries:
    def __init__(
        self,
        session: Session,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._sleep = sleep
        self._clock = clock

    def submit(
        self,
        *,
        prompt: str,
        sources: Sequence[str],
        time_window: Mapping[str, str] | None = None,
        limit: int | None = None,
    ) -> Query:
        """Submit a query; ``time_window`` is ``{"start": ISO, "end": ISO}``."""
        body: dict[str, object] = {"prompt": prompt, "sources": list(sources)}
        if time_window is not None:
            body["time_window"] = dict(time_window)
        if limit is not None:
            body["limit"] = limit
        response = self._session.request("POST", "/queries", body=body)
        return _parse(Query, response, _json(response))

    def get(self, query_id: str) -> Query:
        response = self._session.request("GET", f"/queries/{_segment(query_id)}")
        return _parse(Query, response, _json(response))

    def wait(self, query_id: str, *, timeout: float = 300.0, interval: float = 2.0) -> Query:
        """Poll until the query completes; raise ``QueryFailed`` or ``QueryTimedOut``."""
        deadline = self._clock() + timeout
        path = self._session.url_path(f"/queries/{_segment(query_id)}")
        while True:
            query = self.get(query_id)
            if query.status == contract.QUERY_COMPLETED:
                return query
            if query.status == contract.QUERY_FAILED:
                raise QueryFailed(query_id, query.error, path=path)
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise QueryTimedOut(query_id, query.status, timeout, path=path)
            self._sleep(min(interval, remaining))


class Storage:
    def __init__(self, session: Session) -> None:
        self._session = session

    def list(self) -> list[StorageFile]:
        return list_all(self._session, "/storage", StorageFile)

    def download(self, key: str) -> bytes:
        """A result file's raw bytes; a key's ``/`` is escaped as the API asks."""
        return self._session.request("GET", f"/storage/{_segment(key)}").content
