"""Queries move from queued to running to completed as time passes; storage holds results."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from bytestack_sync import contract
from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.auth import KeyRing
from bytestack_sync.emulator.results import FAILING_PROMPT_MARKER, make_result

ID = re.compile(rf"^qry_[{contract.ID_ALPHABET}]{{{contract.ID_BODY_LENGTH}}}$")
QUERY = {"prompt": "How many times was Acme mentioned on X this week?", "sources": ["x", "reddit"]}


def _submit(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/queries", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_submit_answers_queued(api: httpx.Client) -> None:
    query = _submit(api, {**QUERY, "limit": 250})
    assert ID.match(query["id"])
    assert query == {"id": query["id"], "status": "queued", "created_at": "2027-01-15T08:00:00Z"}


def test_status_moves_on_with_time(api: httpx.Client, clock: Any) -> None:
    query_id = _submit(api, QUERY)["id"]  # the test app's delay is 10 s
    statuses = []
    for _ in range(3):
        statuses.append(api.get(f"/queries/{query_id}").json()["status"])
        clock.advance(5)
    assert statuses == ["queued", "running", "completed"]


def test_completed_query_has_a_deterministic_result(api: httpx.Client, clock: Any) -> None:
    query_id = _submit(api, {**QUERY, "limit": 3})["id"]
    running = api.get(f"/queries/{query_id}").json()
    assert "result" not in running and "completed_at" not in running
    clock.advance(10)
    done = api.get(f"/queries/{query_id}").json()
    assert done["completed_at"] == "2027-01-15T08:00:10Z"
    assert done["result"] == make_result(QUERY["prompt"], QUERY["sources"], 3)
    assert set(done["result"]) == {"summary", "total_results", "records"}
    assert len(done["result"]["records"]) == min(3, done["result"]["total_results"])
    again = _submit(api, {**QUERY, "limit": 3})["id"]
    clock.advance(10)
    assert api.get(f"/queries/{again}").json()["result"] == done["result"]


def test_a_failing_prompt_ends_failed_with_an_error(api: httpx.Client, clock: Any) -> None:
    query_id = _submit(api, {**QUERY, "prompt": f"Acme {FAILING_PROMPT_MARKER}"})["id"]
    clock.advance(10)
    failed = api.get(f"/queries/{query_id}").json()
    assert failed["status"] == "failed"
    assert failed["error"]
    assert "result" not in failed
    assert api.get(f"/storage/{query_id}").status_code == 404


def test_unknown_query_is_404(api: httpx.Client) -> None:
    assert api.get("/queries/qry_0000000000000000000000000").status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"prompt": ""}, "prompt must be 1-4000 characters"),
        ({"sources": ["friendster"]}, "unknown source 'friendster'"),
        ({"limit": 0}, "limit must be an integer from 1 to 1000"),
        ({"limit": 1001}, "limit must be an integer from 1 to 1000"),
        ({"limit": True}, "limit must be an integer from 1 to 1000"),
        ({"limit": "5"}, "limit must be an integer from 1 to 1000"),
        ({"time_window": "last week"}, "time_window must be an object"),
        ({"time_window": {"start": "yesterday", "end": "today"}}, "ISO 8601"),
        (
            {"time_window": {"start": "2026-05-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}},
            "start must be before its end",
        ),
        ({"window": {}}, "unknown field 'window'"),
    ],
)
def test_submit_rejects(api: httpx.Client, change: dict[str, Any], message: str) -> None:
    response = api.post("/queries", json={**QUERY, **change})
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_time_window_and_limit_are_echoed(api: httpx.Client) -> None:
    window = {"start": "2026-04-01T00:00:00Z", "end": "2026-04-08T00:00:00Z"}
    query_id = _submit(api, {**QUERY, "time_window": window, "limit": 5})["id"]
    shown = api.get(f"/queries/{query_id}").json()
    assert shown["time_window"] == window and shown["limit"] == 5


def test_completed_query_result_is_stored_under_its_id(api: httpx.Client, clock: Any) -> None:
    query_id = _submit(api, QUERY)["id"]
    assert api.get("/storage").json() == {"data": [], "next_cursor": None}
    assert api.get(f"/storage/{query_id}").status_code == 404
    clock.advance(10)
    listing = api.get("/storage").json()["data"]
    download = api.get(f"/storage/{query_id}")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/json"
    assert listing == [
        {"key": query_id, "size_bytes": len(download.content), "created_at": "2027-01-15T08:00:10Z"}
    ]
    stored = download.json()
    assert stored["query_id"] == query_id
    assert stored["result"] == make_result(QUERY["prompt"], QUERY["sources"], None)


def test_storage_lists_newest_first_across_pages(api: httpx.Client, clock: Any) -> None:
    ids = []
    for n in range(5):
        ids.append(_submit(api, {**QUERY, "prompt": f"question {n}"})["id"])
        clock.advance(1)
    clock.advance(10)
    keys, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/storage", params=params).json()
        keys += [item["key"] for item in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert keys == ids[::-1]


@pytest.mark.parametrize("encode", [True, False])
def test_a_job_run_file_is_downloadable_by_its_key(
    clocked_app: EmulatorApp,
    client_for: Callable[..., httpx.Client],
    encode: bool,
    store_file: Any,
) -> None:
    api = client_for(clocked_app, key="run-file-key")
    workspace = KeyRing().authenticate("Bearer run-file-key").workspace
    key = "job_01hx9jk2p4n5m6r7s8t9u0v1w/2026-04-30T08:00:00Z.json"
    body = json.dumps({"job_id": "job_01hx9jk2p4n5m6r7s8t9u0v1w", "result": {}}).encode()
    store_file(clocked_app, workspace, key, body, 1)
    path = f"/storage/{quote(key, safe='') if encode else key}"
    download = api.get(path)
    assert download.status_code == 200
    assert download.content == body
    assert api.get("/storage").json()["data"][0]["key"] == key
