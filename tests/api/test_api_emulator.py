"""The client against the emulator, in-process and over a real socket on 127.0.0.1."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bytestack_sync.api import errors
from bytestack_sync.api.client import Client

JOB: dict[str, Any] = {
    "name": "Daily Acme mentions",
    "prompt": "How many times was Acme mentioned on X today?",
    "sources": ["x", "reddit"],
    "schedule": "0 8 * * *",
}
KEY_A, KEY_B, KEY_RO = "bs_key_workspace_a", "bs_key_workspace_b", "bs_key_read_only_a"
KEYS = (f"{KEY_A}:ws-a", f"{KEY_B}:ws-b", f"{KEY_RO}:ws-a:ro")


def test_job_lifecycle(emulated: Any) -> None:
    client = emulated().client()
    job = client.jobs.create(**JOB, webhook_url="https://hooks.example.com/acme")
    assert job.id.startswith("job_") and job.status == "active"
    assert set(job.sources) == {"x", "reddit"}
    assert client.jobs.get(job.id) == job
    assert client.jobs.list() == [job]
    paused = client.jobs.update(job.id, {"status": "paused", "webhook_url": None})
    assert (paused.status, paused.webhook_url) == ("paused", None)
    moved = client.jobs.update(job.id, {"schedule": "30 9 * * 1-5", "status": "active"})
    assert (moved.schedule, moved.status) == ("30 9 * * 1-5", "active")
    client.jobs.delete(job.id)
    client.jobs.delete(job.id)  # already gone: done
    assert client.jobs.list() == []
    with pytest.raises(errors.NotFound) as caught:
        client.jobs.get(job.id)
    assert caught.value.code == "not_found"


def test_webhook_lifecycle(emulated: Any) -> None:
    client = emulated().client()
    hook = client.webhooks.create(url="https://hooks.example.com/a", events=["job.failed"])
    assert hook.id.startswith("wh_") and hook.events == ("job.failed",)
    default = client.webhooks.create(url="https://hooks.example.com/b")
    assert default.events == ("job.completed",)
    assert {h.id for h in client.webhooks.list()} == {hook.id, default.id}
    client.webhooks.delete(hook.id)
    client.webhooks.delete(hook.id)
    assert [h.id for h in client.webhooks.list()] == [default.id]


def test_query_result_lands_in_storage(emulated: Any) -> None:
    client = emulated().client()
    query = client.queries.submit(prompt="Acme on X?", sources=["x"], limit=5)
    assert (query.id[:4], query.status) == ("qry_", "queued")
    done = client.queries.wait(query.id, timeout=5, interval=0.01)
    assert done.status == "completed" and done.result is not None
    assert len(done.result.records) <= 5
    files = client.storage.list()
    assert [f.key for f in files] == [query.id]
    payload = json.loads(client.storage.download(files[0].key))
    assert payload["query_id"] == query.id
    assert payload["result"]["summary"] == done.result.summary
    assert len(payload["result"]["records"]) == len(done.result.records)


def test_failed_query_raises_its_error(emulated: Any) -> None:
    client = emulated().client()
    query = client.queries.submit(prompt="Acme #fail", sources=["x"])
    with pytest.raises(errors.QueryFailed) as caught:
        client.queries.wait(query.id, timeout=5, interval=0.01)
    assert caught.value.error and "#fail" in caught.value.error
    assert str(caught.value) == f"query {query.id} failed: {caught.value.error}"


def test_query_wait_times_out(emulated: Any) -> None:
    client = emulated(query_delay=3600).client()
    query = client.queries.submit(prompt="slow", sources=["x"])
    with pytest.raises(errors.QueryTimedOut):
        client.queries.wait(query.id, timeout=0.05, interval=0.01)


def test_missing_download_is_not_found(emulated: Any) -> None:
    client = emulated().client()
    with pytest.raises(errors.NotFound):
        client.storage.download("job_x/2026-04-30T08:00:00Z.json")


@pytest.mark.parametrize("count", [0, 1, 2, 5, 6])
def test_lists_follow_pages_one_request_each(emulated: Any, count: int) -> None:
    client = emulated(page_size=2).client()
    created = {client.jobs.create(**{**JOB, "name": f"job {n}"}).id for n in range(count)}
    for n in range(count):
        client.webhooks.create(url=f"https://hooks.example.com/{n}")
    before = client.request_count
    assert {j.id for j in client.jobs.list()} == created
    # The emulator caps the client's limit=1000 at 2 and ends a full last page itself.
    assert client.request_count - before == max(1, -(-count // 2))
    assert len(client.webhooks.list()) == count


def test_bad_request_shows_the_api_message(emulated: Any) -> None:
    client = emulated().client()
    with pytest.raises(errors.BadRequest) as caught:
        client.jobs.create(**{**JOB, "sources": ["x", "myspace"]})
    assert caught.value.code == "invalid_request"
    assert caught.value.api_message and "myspace" in caught.value.api_message
    assert caught.value.api_message in str(caught.value)
    assert client.request_count == 1


def test_unknown_key_is_unauthorized(emulated: Any) -> None:
    client = emulated(keys=KEYS).client("bs_key_nobody_knows")
    with pytest.raises(errors.Unauthorized) as caught:
        client.jobs.list()
    assert str(caught.value) == (
        "the API key in BITKIT_API_KEY was rejected: it is missing or invalid (401)"
    )
    assert client.request_count == 1


def test_read_only_key_may_read_but_not_write(emulated: Any) -> None:
    emulator = emulated(keys=KEYS)
    writer, reader = emulator.client(KEY_A), emulator.client(KEY_RO)
    job = writer.jobs.create(**JOB)
    assert reader.jobs.list() == [job]
    attempts = [
        (lambda: reader.jobs.create(**JOB), "create jobs"),
        (lambda: reader.jobs.update(job.id, {"status": "paused"}), "update jobs"),
        (lambda: reader.jobs.delete(job.id), "delete jobs"),
        (lambda: reader.webhooks.create(url="https://hooks.example.com/"), "create webhooks"),
    ]
    for attempt, action in attempts:
        with pytest.raises(errors.Forbidden) as caught:
            attempt()
        assert str(caught.value) == f"the API key may not {action} (403)"
    assert writer.jobs.list() == [job]


def test_workspaces_are_isolated(emulated: Any) -> None:
    emulator = emulated(keys=KEYS)
    a, b = emulator.client(KEY_A), emulator.client(KEY_B)
    job = a.jobs.create(**JOB)
    a.webhooks.create(url="https://hooks.example.com/a")
    assert b.jobs.list() == [] and b.webhooks.list() == []
    with pytest.raises(errors.NotFound):
        b.jobs.get(job.id)
    with pytest.raises(errors.NotFound):
        b.jobs.update(job.id, {"status": "paused"})
    b.jobs.delete(job.id)  # not b's to delete: gone as far as b can tell
    assert a.jobs.get(job.id) == job


def test_server_errors_are_retried_until_the_attempts_run_out(emulated: Any) -> None:
    client = emulated(fail_rate=1.0, seed=3).client(max_attempts=3)
    with pytest.raises(errors.ServerError) as caught:
        client.jobs.list()
    assert (caught.value.status, caught.value.code) == (500, "internal_error")
    with pytest.raises(errors.ServerError):
        client.jobs.create(**JOB)  # a documented 500: the emulator did nothing, so retried
    assert client.request_count == 6


def test_some_failures_are_absorbed_by_retries(emulated: Any) -> None:
    emulator = emulated(fail_rate=0.3, seed=11)
    client = emulator.client(max_attempts=8)
    created = [client.jobs.create(**{**JOB, "name": f"job {n}"}) for n in range(8)]
    assert {j.id for j in client.jobs.list()} == {j.id for j in created}
    assert client.request_count > 9  # some answers were 500 and were retried


def test_rate_limit_waits_retry_after_then_succeeds(emulated: Any) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)  # the emulator's bucket refills in real time

    client = emulated(rate_limit=1).client(sleep=sleep)
    client.jobs.list()
    client.jobs.create(**JOB)
    assert waits == [1.0]
    assert client.request_count == 3


def test_rate_limit_without_retries_left(emulated: Any) -> None:
    client = emulated(rate_limit=1).client(max_attempts=1)
    client.jobs.list()
    with pytest.raises(errors.RateLimited) as caught:
        client.jobs.list()
    assert caught.value.retry_after == 1.0


def test_dropped_create_is_outcome_unknown_and_was_committed(emulated: Any) -> None:
    emulator = emulated(drop_rate=1.0, seed=5)
    client = emulator.client()
    with pytest.raises(errors.OutcomeUnknown) as caught:
        client.jobs.create(**JOB)
    assert (caught.value.method, caught.value.path) == ("POST", "/v1/jobs")
    assert client.request_count == 1  # never re-sent
    # The caller reconciles by reading: the write did happen, exactly once.
    assert [j.name for j in client.jobs.list()] == [JOB["name"]]


def test_dropped_idempotent_writes_are_retried(emulated: Any, tmp_path: Any) -> None:
    state = str(tmp_path / "state.sqlite3")
    steady = emulated(state=state).client()
    gone, kept = (steady.jobs.create(**{**JOB, "name": n}) for n in ("gone", "kept"))
    client = emulated(state=state, drop_rate=1.0, seed=5).client(max_attempts=3)
    client.jobs.delete(gone.id)  # dropped, re-sent, then 404: done
    assert client.request_count == 2
    with pytest.raises(errors.TransportFailure) as caught:
        client.jobs.update(kept.id, {"status": "paused"})  # every answer dropped
    assert client.request_count == 5
    assert "RemoteProtocolError" in str(caught.value)
    assert [(j.name, j.status) for j in steady.jobs.list()] == [("kept", "paused")]


def test_one_client_serves_a_thread_pool(emulated: Any) -> None:
    client = emulated().client()
    with ThreadPoolExecutor(max_workers=16) as pool:
        jobs = list(pool.map(lambda n: client.jobs.create(**{**JOB, "name": f"j{n}"}), range(32)))
    assert len({j.id for j in jobs}) == 32
    assert client.request_count == 32
    assert len(client.jobs.list()) == 32


def test_transport_failure_when_nothing_listens() -> None:
    with Client(
        "http://127.0.0.1:9/v1", "bs_key_x", max_attempts=2, sleep=lambda _s: None, timeout=2
    ) as client:
        with pytest.raises(errors.TransportFailure) as caught:
            client.jobs.list()
        with pytest.raises(errors.TransportFailure):
            client.jobs.create(**JOB)  # refused before sending: safe to retry, then fails
    assert client.request_count == 4
    assert "could not reach the ByteStack API at 127.0.0.1:9 for GET /v1/jobs" in str(caught.value)
