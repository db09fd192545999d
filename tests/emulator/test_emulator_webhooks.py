"""Webhooks, and the list pagination jobs and webhooks share."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bytestack_sync import contract
from bytestack_sync.emulator.app import EmulatorApp

ID = re.compile(rf"^wh_[{contract.ID_ALPHABET}]{{{contract.ID_BODY_LENGTH}}}$")
HOOK = "https://hooks.example.com/bytestack"


def test_register_defaults_events_and_lists(api: httpx.Client) -> None:
    response = api.post("/webhooks", json={"url": HOOK})
    assert response.status_code == 201
    webhook = response.json()
    assert ID.match(webhook["id"])
    assert webhook == {
        "id": webhook["id"],
        "url": HOOK,
        "events": ["job.completed"],
        "created_at": "2027-01-15T08:00:00Z",
    }
    assert api.get("/webhooks").json() == {"data": [webhook], "next_cursor": None}


def test_register_with_events_and_null_events_default(api: httpx.Client) -> None:
    both = api.post("/webhooks", json={"url": HOOK, "events": ["job.completed", "job.failed"]})
    assert both.json()["events"] == ["job.completed", "job.failed"]
    default = api.post("/webhooks", json={"url": HOOK, "events": None})
    assert default.json()["events"] == ["job.completed"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "url is required"),
        ({"url": "http://hooks.example.com"}, "url must use https://"),
        ({"url": HOOK, "events": []}, "events must not be empty"),
        ({"url": HOOK, "events": ["job.started"]}, "unknown event type 'job.started'"),
        ({"url": HOOK, "events": "job.completed"}, "events must be a list of strings"),
        ({"url": HOOK, "secret": "s"}, "unknown field 'secret'"),
        ("hook", "request body must be a JSON object"),
    ],
)
def test_register_rejects(api: httpx.Client, body: Any, message: str) -> None:
    response = api.post("/webhooks", json=body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert api.get("/webhooks").json()["data"] == []


def test_delete_is_204_then_404(api: httpx.Client) -> None:
    webhook = api.post("/webhooks", json={"url": HOOK}).json()
    assert api.delete(f"/webhooks/{webhook['id']}").status_code == 204
    gone = api.delete(f"/webhooks/{webhook['id']}")
    assert gone.status_code == 404
    assert gone.json()["code"] == "not_found"
    assert api.get("/webhooks").json()["data"] == []


def test_webhooks_have_no_update_or_single_get(api: httpx.Client) -> None:
    webhook = api.post("/webhooks", json={"url": HOOK}).json()
    for method in ("GET", "PATCH", "PUT"):
        response = api.request(method, f"/webhooks/{webhook['id']}", json={})
        assert response.status_code == 405
        assert response.headers["Allow"] == "DELETE"


def _all_pages(api: httpx.Client, path: str, limit: int) -> tuple[list[str], int]:
    ids: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = api.get(path, params=params).json()
        pages += 1
        assert len(page["data"]) <= limit
        ids += [item["id"] for item in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids, pages


@pytest.mark.parametrize("path", ["/jobs", "/webhooks"])
def test_pages_cover_everything_once_in_creation_order(
    api: httpx.Client, job_body: dict[str, Any], path: str
) -> None:
    body = job_body if path == "/jobs" else {"url": HOOK}
    created = [api.post(path, json=body).json()["id"] for _ in range(7)]
    assert _all_pages(api, path, 3) == (created, 3)
    assert _all_pages(api, path, 7) == (created, 1)
    assert len(api.get(path).json()["data"]) == 7  # default limit 100


def test_deleting_during_paging_skips_nothing_left(
    api: httpx.Client, job_body: dict[str, Any]
) -> None:
    created = [api.post("/jobs", json=job_body).json()["id"] for _ in range(5)]
    first = api.get("/jobs", params={"limit": 2}).json()
    api.delete(f"/jobs/{created[2]}")
    rest = api.get("/jobs", params={"limit": 10, "cursor": first["next_cursor"]}).json()
    assert [j["id"] for j in rest["data"]] == created[3:]


def test_page_size_caps_every_page(
    make_app: Callable[..., EmulatorApp],
    client_for: Callable[..., httpx.Client],
    job_body: dict[str, Any],
) -> None:
    client = client_for(make_app(page_size=2))
    for _ in range(5):
        client.post("/jobs", json=job_body)
    ids, pages = _all_pages(client, "/jobs", 1000)
    assert (len(ids), pages) == (5, 3)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "ten"},
        {"limit": "-5"},
        {"limit": ""},
        {"cursor": "garbage!"},
        {"cursor": "d2ViaG9va3M6MQ"},  # a webhooks cursor, used on jobs
    ],
)
def test_bad_page_parameters_are_400(api: httpx.Client, params: dict[str, str]) -> None:
    response = api.get("/jobs", params=params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
