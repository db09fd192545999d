"""Each resource method sends the documented request and reads the documented answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bytestack_sync import contract
from bytestack_sync.api import errors
from bytestack_sync.api.client import Client

JOB = {"id": "job_1", "name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}


CREATE_JOB = {"name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}


def _job(n: int) -> dict[str, Any]:
    return {**JOB, "id": f"job_{n}", "name": f"job {n}"}


def test_list_follows_every_cursor_with_the_largest_page(client: Client, script: Any) -> None:
    script.answers = [
        httpx.Response(200, json={"data": [_job(1), _job(2)], "next_cursor": "c2"}),
        httpx.Response(200, json={"data": [_job(3)], "next_cursor": "c3"}),
        httpx.Response(200, json={"data": [], "next_cursor": None}),
    ]
    assert [j.id for j in client.jobs.list()] == ["job_1", "job_2", "job_3"]
    params = [dict(r.url.params) for r in script.requests]
    limit = str(contract.PAGE_LIMIT_MAX)
    assert params == [
        {"limit": limit},
        {"limit": limit, "cursor": "c2"},
        {"limit": limit, "cursor": "c3"},
    ]
    assert client.request_count == 3


def test_a_bare_array_is_one_whole_page(client: Client, script: Any) -> None:
    script.answers = [httpx.Response(200, json=[_job(1), {**_job(2), "surprise": True}])]
    assert [j.id for j in client.jobs.list()] == ["job_1", "job_2"]


def test_a_cursor_that_repeats_is_an_invalid_response(client: Client, script: Any) -> None:
    script.handler = lambda _r: httpx.Response(200, json={"data": [], "next_cursor": "same"})
    with pytest.raises(errors.InvalidResponse, match="came back twice"):
        client.webhooks.list()


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(200, text="not json"), "the body is not JSON"),
        (
            httpx.Response(200, json={"items": []}),
            "expected a list or an object with a 'data' list",
        ),
        (
            httpx.Response(200, json=[{"id": "job_1"}]),
            "not a valid LiveJob (name, prompt, sources, schedule)",
        ),
    ],
)
def test_malformed_lists_are_invalid_responses(
    client: Client, script: Any, answer: httpx.Response, reason: str
) -> None:
    script.answers = [answer]
    with pytest.raises(errors.InvalidResponse) as caught:
        client.jobs.list()
    assert str(caught.value) == f"unexpected answer from api.test to GET /v1/jobs: {reason}"


def test_create_job_sends_the_documented_body(client: Client, script: Any) -> None:
    script.answers = [
        httpx.Response(201, json={**JOB, "webhook_url": "https://h.test/"}),
        httpx.Response(201, json=JOB),
    ]
    job = client.jobs.create(
        name="n",
        prompt="p",
        sources=("x", "reddit"),
        schedule="0 8 * * *",
        webhook_url="https://h.test/",
    )
    assert job.webhook_url == "https://h.test/"
    client.jobs.create(name="n", prompt="p", sources=["x"], schedule="0 8 * * *")
    assert script.requests[0].method == "POST"
    assert script.requests[0].url.path == "/v1/jobs"
    assert script.body(0) == {
        "name": "n",
        "prompt": "p",
        "sources": ["x", "reddit"],
        "schedule": "0 8 * * *",
        "webhook_url": "https://h.test/",
    }
    assert "webhook_url" not in script.body(1)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {**CREATE_JOB, "status": "paused"},
            "creating a job takes only name, prompt, sources, schedule, webhook_url (not status)",
        ),
        ({"name": "n", "prompt": "p", "sources": ["x"]}, "creating a job needs its schedule"),
    ],
    ids=["not-a-create-field", "missing"],
)
def test_create_refuses_what_the_table_does_not_allow(
    client: Client, script: Any, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        client.jobs.create(**fields)
    assert script.requests == []


def test_update_sends_only_the_fields_given(client: Client, script: Any) -> None:
    script.answers = [httpx.Response(200, json={**JOB, "status": "paused"})]
    job = client.jobs.update("job_1", {"status": "paused", "webhook_url": None})
    assert job.status == "paused"
    assert script.requests[0].method == "PATCH"
    assert script.requests[0].url.path == "/v1/jobs/job_1"
    assert script.body(0) == {"status": "paused", "webhook_url": None}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "x"}, "cannot update name in place (only status, schedule, webhook_url)"),
        ({"prompt": "x", "sources": []}, "cannot update prompt, sources in place"),
        ({}, "an update needs at least one field"),
    ],
)
def test_update_refuses_fields_the_api_cannot_change(
    client: Client, script: Any, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        client.jobs.update("job_1", fields)
    assert client.request_count == 0


@pytest.mark.parametrize("status", [204, 404])
def test_delete_of_a_gone_resource_is_done(client: Client, script: Any, status: int) -> None:
    body = {"code": "not_found", "message": "no such job"} if status == 404 else None
    script.answers = [httpx.Response(status, json=body), httpx.Response(status, json=body)]
    client.jobs.delete("job_1")
    client.webhooks.delete("wh_1")
    assert [(r.method, r.url.path) for r in script.requests] == [
        ("DELETE", "/v1/jobs/job_1"),
        ("DELETE", "/v1/webhooks/wh_1"),
    ]


def test_get_of_a_missing_job_is_not_found(client: Client, script: Any) -> None:
    script.answers = [httpx.Response(404, json={"code": "not_found", "message": "no job"})]
    with pytest.raises(errors.NotFound):
        client.jobs.get("job_404")


def test_ids_cannot_change_the_path(client: Client, script: Any) -> None:
    script.answers = [httpx.Response(200, json=JOB)]
    client.jobs.get("../webhooks?x=1")
    assert script.requests[0].url.raw_path == b"/v1/jobs/..%2Fwebhooks%3Fx%3D1"
    with pytest.raises(ValueError, match="must not be empty"):
        client.jobs.delete("")


def test_webhooks_create_and_default_events(client: Client, script: Any) -> None:
    hook = {"id": "wh_1", "url": "https://h.test/", "events": ["job.completed"]}
    script.answers = [httpx.Response(201, json=hook)]
    assert client.webhooks.create(url="https://h.test/").id == "wh_1"
    assert script.body(0) == {"url": "https://h.test/", "events": ["job.completed"]}


def test_storage_list_and_download_escape_the_slash(client: Client, script: Any) -> None:
    key = "job_1/2026-04-30T08:00:00Z.json"
    payload = {"job_id": "job_1", "result": {"summary": "s"}}
    script.answers = [
        httpx.Response(200, json={"data": [{"key": key, "size_bytes": 12}], "next_cursor": None}),
        httpx.Response(200, content=json.dumps(payload).encode()),
    ]
    files = client.storage.list()
    assert [(f.key, f.size_bytes) for f in files] == [(key, 12)]
    assert json.loads(client.storage.download(files[0].key)) == payload
    assert script.requests[1].url.raw_path == b"/v1/storage/job_1%2F2026-04-30T08%3A00%3A00Z.json"


def test_query_submit_body(client: Client, script: Any) -> None:
    script.answers = [httpx.Response(201, json={"id": "qry_1", "status": "queued"})]
    window = {"start": "2026-04-01T00:00:00Z", "end": "2026-04-02T00:00:00Z"}
    query = client.queries.submit(prompt="p", sources=["x"], time_window=window, limit=250)
    assert (query.id, query.status) == ("qry_1", "queued")
    assert script.body(0) == {"prompt": "p", "sources": ["x"], "time_window": window, "limit": 250}


class _FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def _query_client(script: Any, fake: _FakeTime) -> Client:
    return Client(
        "https://api.test/v1",
        "k" * 12,
        transport=httpx.MockTransport(script),
        sleep=fake.sleep,
        clock=fake.clock,
    )


def test_wait_polls_until_completed(script: Any) -> None:
    fake = _FakeTime()
    done = {
        "id": "qry_1",
        "status": "completed",
        "result": {"summary": "s", "total_results": 2, "records": [{"a": 1}, {"b": 2}]},
    }
    script.answers = [
        httpx.Response(200, json={"id": "qry_1", "status": s}) for s in ("queued", "running")
    ] + [httpx.Response(200, json=done)]
    with _query_client(script, fake) as client:
        query = client.queries.wait("qry_1", timeout=60, interval=2)
    assert query.result is not None and query.result.total_results == 2
    assert fake.sleeps == [2, 2]


def test_wait_raises_the_query_error(script: Any) -> None:
    fake = _FakeTime()
    script.answers = [
        httpx.Response(
            200, json={"id": "qry_1", "status": "failed", "error": "source x unavailable"}
        )
    ]
    with _query_client(script, fake) as client, pytest.raises(errors.QueryFailed) as caught:
        client.queries.wait("qry_1", timeout=60, interval=2)
    assert caught.value.error == "source x unavailable"
    assert str(caught.value) == "query qry_1 failed: source x unavailable"


def test_wait_stops_at_the_deadline(script: Any) -> None:
    fake = _FakeTime()
    script.handler = lambda _r: httpx.Response(200, json={"id": "qry_1", "status": "running"})
    with _query_client(script, fake) as client, pytest.raises(errors.QueryTimedOut) as caught:
        client.queries.wait("qry_1", timeout=5, interval=2)
    assert fake.sleeps == [2, 2, 1]
    assert str(caught.value) == "query qry_1 did not finish within 5 s (still running)"
    assert caught.value.path == "/v1/queries/qry_1"
