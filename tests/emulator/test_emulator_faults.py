"""Injected faults: rate limits with Retry-After, failures, drops and latency, reproducibly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bytestack_sync.emulator import faults
from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.faults import FaultSettings, TokenBucket
from bytestack_sync.emulator.local import DROPPED_MESSAGE
from bytestack_sync.emulator.server import EmulatorServer


def test_past_the_rate_limit_is_429_with_retry_after(
    make_app: Callable[..., EmulatorApp], client_for: Callable[..., httpx.Client]
) -> None:
    # One request per 1000 s: the second request certainly comes too soon.
    app = make_app(rate_limit=0.001)
    client = client_for(app, "limited-key")
    assert client.get("/jobs").status_code == 200
    limited = client.get("/jobs")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "1000"
    assert client_for(app, "another-key").get("/jobs").status_code == 200


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(2.0, clock=lambda: now[0])
    assert [bucket.take("k") for _ in range(3)] == [None, None, 1]
    now[0] += 0.5  # one token back
    assert bucket.take("k") is None
    assert bucket.take("k") == 1
    assert bucket.take("other") is None


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    bucket = TokenBucket(0.4, clock=lambda: 0.0)
    assert bucket.take("k") is None
    assert bucket.take("k") == 3  # 1 token at 0.4/s is 2.5 s, rounded up


def _statuses(app: EmulatorApp, client: httpx.Client, count: int) -> list[int]:
    return [client.get("/jobs").status_code for _ in range(count)]


def test_fail_rate_is_reproducible_with_a_seed(
    make_app: Callable[..., EmulatorApp], client_for: Callable[..., httpx.Client]
) -> None:
    runs = []
    for _ in range(2):
        app = make_app(fail_rate=0.5, seed=7)
        runs.append(_statuses(app, client_for(app), 40))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 500}
    other = make_app(fail_rate=0.5, seed=8)
    assert _statuses(other, client_for(other), 40) != runs[0]


def test_a_failed_request_does_nothing(
    make_app: Callable[..., EmulatorApp],
    client_for: Callable[..., httpx.Client],
    tmp_path: Path,
    job_body: dict[str, Any],
) -> None:
    state = str(tmp_path / "state.sqlite3")
    failing = client_for(make_app(state, fail_rate=1.0))
    response = failing.post("/jobs", json=job_body)
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert client_for(make_app(state)).get("/jobs").json()["data"] == []


def test_a_dropped_write_is_committed_then_unanswered(
    make_app: Callable[..., EmulatorApp],
    client_for: Callable[..., httpx.Client],
    job_body: dict[str, Any],
) -> None:
    client = client_for(make_app(drop_rate=1.0))
    with pytest.raises(httpx.RemoteProtocolError, match=DROPPED_MESSAGE):
        client.post("/jobs", json=job_body)
    listed = client.get("/jobs").json()["data"]  # reads are never dropped
    assert [job["name"] for job in listed] == [job_body["name"]]
    assert client.post("/jobs", json={}).status_code == 400  # nothing committed: answered


def test_drops_are_reproducible_with_a_seed(
    make_app: Callable[..., EmulatorApp],
    client_for: Callable[..., httpx.Client],
) -> None:
    def pattern(seed: int) -> list[bool]:
        client = client_for(make_app(drop_rate=0.5, seed=seed))
        dropped = []
        for n in range(30):
            try:
                client.post("/webhooks", json={"url": f"https://h.example.com/{n}"})
                dropped.append(False)
            except httpx.RemoteProtocolError:
                dropped.append(True)
        assert len(client.get("/webhooks").json()["data"]) == 30
        return dropped

    assert pattern(3) == pattern(3)
    assert True in pattern(3) and False in pattern(3)


def test_a_dropped_write_over_a_socket_closes_with_no_response(
    make_app: Callable[..., EmulatorApp], job_body: dict[str, Any]
) -> None:
    with EmulatorServer(make_app(drop_rate=1.0)) as server:
        client = httpx.Client(base_url=server.url, headers={"Authorization": "Bearer k-drop"})
        with client, pytest.raises(httpx.RemoteProtocolError):
            client.post("/jobs", json=job_body)
        with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer k-drop"}) as c:
            assert len(c.get("/jobs").json()["data"]) == 1


def test_latency_sleeps_on_every_request(
    make_app: Callable[..., EmulatorApp],
    client_for: Callable[..., httpx.Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(faults.time, "sleep", slept.append)
    client = client_for(make_app(latency_ms=40))
    client.get("/jobs")
    client.get("/nowhere")
    assert slept == [0.04, 0.04]


@pytest.mark.parametrize(
    "settings",
    [{"fail_rate": 1.5}, {"drop_rate": -0.1}, {"rate_limit": -1}, {"latency_ms": -5}],
)
def test_impossible_fault_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        FaultSettings(**settings)
