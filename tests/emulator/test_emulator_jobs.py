"""Jobs: every endpoint, field, status and error the contract documents."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from bytestack_sync import contract

ID = re.compile(rf"^job_[{contract.ID_ALPHABET}]{{{contract.ID_BODY_LENGTH}}}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _create(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/jobs", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_returns_the_active_job_with_its_next_run(
    api: httpx.Client, job_body: dict[str, Any]
) -> None:
    job = _create(api, job_body)
    assert ID.match(job["id"])
    assert {k: job[k] for k in job_body} == job_body
    assert job["status"] == "active"
    # The test clock stands at 2027-01-15T08:00:00Z; runs are strictly after it.
    assert job["next_run_at"] == "2027-01-16T08:00:00Z"
    assert job["created_at"] == job["updated_at"] == "2027-01-15T08:00:00Z"
    assert STAMP.match(job["next_run_at"])
    assert set(job) == {*job_body, "id", "status", "next_run_at", "created_at", "updated_at"}


def test_get_returns_the_job_and_404_for_an_unknown_id(
    api: httpx.Client, job_body: dict[str, Any]
) -> None:
    job = _create(api, job_body)
    assert api.get(f"/jobs/{job['id']}").json() == job
    missing = api.get("/jobs/job_0000000000000000000000000")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_names_are_not_unique(api: httpx.Client, job_body: dict[str, Any]) -> None:
    first, second = _create(api, job_body), _create(api, job_body)
    assert first["id"] != second["id"]
    assert [j["id"] for j in api.get("/jobs").json()["data"]] == [first["id"], second["id"]]


def test_webhook_url_is_optional_and_empty_means_none(
    api: httpx.Client, job_body: dict[str, Any]
) -> None:
    del job_body["webhook_url"]
    assert _create(api, job_body)["webhook_url"] is None
    assert _create(api, {**job_body, "webhook_url": ""})["webhook_url"] is None


def test_pause_clears_next_run_and_resume_restores_it(
    api: httpx.Client, job_body: dict[str, Any], clock: Any
) -> None:
    job = _create(api, job_body)
    clock.advance(60)
    paused = api.patch(f"/jobs/{job['id']}", json={"status": "paused"})
    assert paused.status_code == 200
    assert paused.json()["status"] == "paused"
    assert paused.json()["next_run_at"] is None
    assert paused.json()["updated_at"] == "2027-01-15T08:01:00Z"
    resumed = api.patch(f"/jobs/{job['id']}", json={"status": "active"}).json()
    assert resumed["next_run_at"] == "2027-01-16T08:00:00Z"
    assert api.get(f"/jobs/{job['id']}").json() == resumed


def test_patch_changes_schedule_and_clears_webhook(
    api: httpx.Client, job_body: dict[str, Any]
) -> None:
    job = _create(api, job_body)
    changed = api.patch(
        f"/jobs/{job['id']}", json={"schedule": "30 9 * * MON-FRI", "webhook_url": None}
    ).json()
    assert changed["schedule"] == "30 9 * * MON-FRI"
    assert changed["webhook_url"] is None
    assert changed["next_run_at"] == "2027-01-15T09:30:00Z"  # a Friday
    assert changed["name"] == job["name"] and changed["id"] == job["id"]


def test_next_run_moves_on_as_time_passes(
    api: httpx.Client, job_body: dict[str, Any], clock: Any
) -> None:
    job = _create(api, {**job_body, "schedule": "0 * * * *"})
    assert job["next_run_at"] == "2027-01-15T09:00:00Z"
    clock.advance(2 * 3600 + 1)
    assert api.get(f"/jobs/{job['id']}").json()["next_run_at"] == "2027-01-15T11:00:00Z"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "renamed"}, "unknown field 'name'"),
        ({"prompt": "other"}, "unknown field 'prompt'"),
        ({"sources": ["reddit"]}, "unknown field 'sources'"),
        ({}, "nothing to update"),
        ({"status": "stopped"}, "status must be one of active, paused"),
        ({"status": None}, "status must be a string"),
        ({"schedule": "0 8 * * * *"}, "schedule '0 8 * * * *' is invalid"),
        ({"webhook_url": "http://example.com/hook"}, "webhook_url must use https://"),
        ([], "request body must be a JSON object"),
    ],
)
def test_patch_rejects(
    api: httpx.Client, job_body: dict[str, Any], body: Any, message: str
) -> None:
    job = _create(api, job_body)
    response = api.patch(f"/jobs/{job['id']}", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert message in response.json()["message"]
    assert api.get(f"/jobs/{job['id']}").json() == job


def test_patch_of_an_unknown_job_is_404(api: httpx.Client) -> None:
    response = api.patch("/jobs/job_0000000000000000000000000", json={"status": "paused"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "name must be 1-200 characters (got 0)"),
        ({"name": "n" * 201}, "name must be 1-200 characters (got 201)"),
        ({"name": 7}, "name must be a string"),
        ({"prompt": "   "}, "prompt must be 1-4000 characters after stripping (got 0)"),
        ({"prompt": "p" * 4001}, "prompt must be 1-4000 characters"),
        ({"sources": []}, "sources must not be empty"),
        ({"sources": ["x", "myspace"]}, "unknown source 'myspace'"),
        ({"sources": "x"}, "sources must be a list of strings"),
        ({"schedule": "@reboot"}, "schedule '@reboot' is invalid"),
        ({"schedule": "0 0 30 2 *"}, "schedule '0 0 30 2 *' is invalid"),
        ({"webhook_url": "ftp://example.com"}, "webhook_url must use https://"),
        ({"webhook_url": "not a url"}, "webhook_url must be an absolute https:// URL"),
        ({"status": "paused"}, "unknown field 'status'"),
    ],
)
def test_create_rejects(
    api: httpx.Client, job_body: dict[str, Any], change: dict[str, Any], message: str
) -> None:
    response = api.post("/jobs", json={**job_body, **change})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_request", "message": response.json()["message"]}
    assert message in response.json()["message"]
    assert api.get("/jobs").json()["data"] == []


def test_create_reports_every_missing_field_at_once(api: httpx.Client) -> None:
    message = api.post("/jobs", json={}).json()["message"]
    for field in ("name", "prompt", "sources", "schedule"):
        assert f"{field} is required" in message


def test_plain_http_webhook_is_allowed_for_loopback(
    api: httpx.Client, job_body: dict[str, Any]
) -> None:
    job = _create(api, {**job_body, "webhook_url": "http://127.0.0.1:9000/hook"})
    assert job["webhook_url"] == "http://127.0.0.1:9000/hook"


def test_delete_is_204_then_404(api: httpx.Client, job_body: dict[str, Any]) -> None:
    job = _create(api, job_body)
    deleted = api.delete(f"/jobs/{job['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.delete(f"/jobs/{job['id']}").status_code == 404
    assert api.get(f"/jobs/{job['id']}").status_code == 404
