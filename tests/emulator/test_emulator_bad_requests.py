"""Bodies, cursors and parameters no valid client sends are the caller's error (400), over
a real socket: never a 500, and nothing is stored."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.messages import MAX_BODY_BYTES, MAX_JSON_DEPTH
from bytestack_sync.emulator.server import EmulatorServer
from tests.emulator.conftest import raw_exchange, raw_request

JOB = {"name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}
QUERY = {"prompt": "p", "sources": ["x"]}
BAD_WINDOW = {"start": "2027-01-01T00:00:00Z", "end": "\ud800"}


@pytest.fixture
def client(emulator_server: EmulatorServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Bearer bad-requests"}
    with httpx.Client(base_url=emulator_server.url, headers=headers, timeout=10) as client:
        yield client


def _invalid(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"code": "invalid_request", "message": message}


def _nothing_stored(client: httpx.Client) -> None:
    for path in ("/jobs", "/webhooks", "/storage"):
        assert client.get(path).json()["data"] == [], path


def _post(client: httpx.Client, path: str, body: Any) -> httpx.Response:
    # json.dumps escapes a lone surrogate as "\ud800": valid JSON that decodes to one.
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "x/json"})


# --- lone surrogates ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body", "where", "point"),
    [
        ("/jobs", {**JOB, "name": "\ud800"}, "name", "D800"),
        ("/jobs", {**JOB, "name": "ok \udfff"}, "name", "DFFF"),
        ("/jobs", {**JOB, "name": "\udc00\ud800"}, "name", "DC00"),  # a pair reversed
        ("/jobs", {**JOB, "prompt": "Acme \ud83d"}, "prompt", "D83D"),
        ("/jobs", {**JOB, "sources": ["x", "\ud800"]}, "sources[1]", "D800"),
        ("/jobs", {**JOB, "webhook_url": "https://h.example.com/\ud800"}, "webhook_url", "D800"),
        ("/jobs", {**JOB, "\ud800": 1}, "a field name in the body", "D800"),
        ("/webhooks", {"url": "https://h.example.com/\ud800"}, "url", "D800"),
        ("/webhooks", {"url": "https://h.example.com", "events": ["\ud800"]}, "events[0]", "D800"),
        ("/queries", {**QUERY, "prompt": "\ud800"}, "prompt", "D800"),
        ("/queries", {**QUERY, "time_window": BAD_WINDOW}, "time_window.end", "D800"),
        ("/queries", "\ud800", "the body", "D800"),
    ],
)
def test_a_lone_surrogate_is_refused_where_it_is(
    client: httpx.Client, path: str, body: Any, where: str, point: str
) -> None:
    message = f"request body: {where} holds a lone surrogate (U+{point}), not text"
    _invalid(_post(client, path, body), message)
    _nothing_stored(client)


def test_a_lone_surrogate_in_an_update_is_refused(client: httpx.Client) -> None:
    job = client.post("/jobs", json=JOB).json()
    response = _post(client, f"/jobs/{job['id']}", {"name": "\ud800"})
    assert response.status_code == 405  # PATCH, not POST: check the method is right
    response = client.patch(f"/jobs/{job['id']}", content=json.dumps({"name": "\ud800"}))
    _invalid(response, "request body: name holds a lone surrogate (U+D800), not text")
    assert client.get(f"/jobs/{job['id']}").json()["name"] == "n"


def test_a_surrogate_pair_is_text(client: httpx.Client) -> None:
    response = _post(client, "/jobs", {**JOB, "name": "rocket \U0001f680"})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "rocket \U0001f680"


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/v1/jobs?cursor=%ED%A0%80", 400),  # UTF-8's form of U+D800: not UTF-8
        ("/v1/jobs?limit=%ED%A0%80", 400),
        ("/v1/jobs?limit=%F0%9F%9A%80", 400),
        ("/v1/storage?cursor=%ED%A0%80", 400),
        ("/v1/jobs/%ED%A0%80", 404),
        ("/v1/storage/%ED%A0%80", 404),
        ("/v1/jobs/\xed\xa0\x80", 400),  # raw bytes, not escaped: \xa0 splits the line
        ("/v1/jobs?cursor=\xed\xa0\x80", 400),
    ],
)
def test_a_surrogate_in_the_url_is_the_callers_error(
    emulator_server: EmulatorServer, target: str, status: int
) -> None:
    reply = raw_exchange(emulator_server.port, raw_request("GET", target))
    assert reply.status == status
    assert reply.json()["code"] == ("invalid_request" if status == 400 else "not_found")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01T00:00:00+14:00", "2027-01-01T00:00:00Z"),  # before year 1 in UTC
        ("2027-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00"),  # after 9999 in UTC
        ("2027-01-01T00:00:00Z", "2027-01-02T00:00:00"),  # no time zone
    ],
)
def test_a_time_window_beyond_the_calendar_is_refused(
    client: httpx.Client, start: str, end: str
) -> None:
    body = {**QUERY, "time_window": {"start": start, "end": end}}
    message = "time_window start and end must be ISO 8601 timestamps with a time zone"
    _invalid(client.post("/queries", json=body), message)


# --- nesting --------------------------------------------------------------------------------
def _nested(depth: int) -> str:
    """A job whose name is ``depth`` - 1 lists deep, so the body is ``depth`` levels."""
    inner = "[" * (depth - 1) + "]" * (depth - 1)
    return json.dumps(JOB).replace('"n"', inner, 1)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 100_000, MAX_BODY_BYTES // 2 - 100])
def test_a_body_nested_too_deeply_is_refused(client: httpx.Client, depth: int) -> None:
    message = f"request body is nested deeper than {MAX_JSON_DEPTH} levels"
    _invalid(client.post("/jobs", content=_nested(depth)), message)
    _invalid(client.post("/queries", content="[" * depth + "]" * depth), message)
    _nothing_stored(client)


def test_a_body_as_deep_as_allowed_is_read(client: httpx.Client) -> None:
    _invalid(client.post("/jobs", content=_nested(MAX_JSON_DEPTH)), "name must be a string")


# --- cursors --------------------------------------------------------------------------------
def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BIG = 2**63


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/jobs", _cursor(f"jobs:{BIG}")),
        ("/jobs", _cursor(f"jobs:{10**30}")),
        ("/webhooks", _cursor(f"webhooks:{BIG}")),
        ("/storage", _cursor(f"files:{BIG}:1")),
        ("/storage", _cursor(f"files:1:{BIG}")),
        ("/jobs", _cursor("jobs:-1")),
        ("/jobs", _cursor("jobs:+1")),
        ("/jobs", _cursor("jobs: 1")),
        ("/jobs", _cursor("jobs:1_0")),
        ("/jobs", _cursor("jobs:abc")),
        ("/jobs", _cursor("jobs:")),
        ("/jobs", _cursor("jobs")),
        ("/jobs", _cursor("jobs:\u0663")),  # an Arabic-Indic 3, which int() reads
        ("/jobs", _cursor("files:1:2")),
        ("/jobs", _cursor("jobs:1:2")),
        ("/jobs", "!!!"),
        ("/jobs", "a"),
        ("/jobs", "9" * 5000),
    ],
)
def test_a_cursor_this_api_never_returned_is_refused(
    client: httpx.Client, path: str, cursor: str
) -> None:
    _invalid(client.get(path, params={"cursor": cursor}), "cursor is not one this API returned")


@pytest.mark.parametrize(
    ("path", "cursor"),
    [("/jobs", _cursor(f"jobs:{BIG - 1}")), ("/storage", _cursor(f"files:{BIG - 1}:0"))],
)
def test_the_largest_cursor_position_is_an_empty_page(
    client: httpx.Client, path: str, cursor: str
) -> None:
    response = client.get(path, params={"cursor": cursor})
    assert response.json() == {"data": [], "next_cursor": None}


def test_returned_cursors_still_page(client: httpx.Client) -> None:
    for name in ("a", "b", "c"):
        assert client.post("/jobs", json={**JOB, "name": name}).status_code == 201
    names, cursor = [], None
    while True:
        page = client.get("/jobs", params={"limit": 1, **({"cursor": cursor} if cursor else {})})
        names += [job["name"] for job in page.json()["data"]]
        if (cursor := page.json()["next_cursor"]) is None:
            break
    assert names == ["a", "b", "c"]


# --- in process -----------------------------------------------------------------------------
def test_an_oversized_body_in_process_is_413(
    make_app: Callable[..., EmulatorApp], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(make_app())
    response = api.post("/webhooks", content=b" " * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    message = f"request body is larger than {MAX_BODY_BYTES} bytes"
    assert response.json() == {"code": "invalid_request", "message": message}
