"""Creates with an Idempotency-Key: replayed, refused when reused or busy, forgotten after a day."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest

from bytestack_sync import contract
from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.server import EmulatorServer
from tests.emulator.conftest import FakeClock

JOB = {"name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}
HOOK = {"url": "https://hooks.example.com/a"}
KEY = {contract.IDEMPOTENCY_KEY_HEADER: "bss_key_1"}


@pytest.mark.parametrize(("path", "body"), [("/jobs", JOB), ("/webhooks", HOOK)])
def test_a_create_sent_again_with_its_key_is_answered_as_the_first_and_makes_nothing(
    api: httpx.Client, path: str, body: dict[str, object]
) -> None:
    first = api.post(path, json=body, headers=KEY)
    again = api.post(path, json=dict(reversed(body.items())), headers=KEY)  # same meaning
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert contract.IDEMPOTENT_REPLAYED_HEADER not in first.headers
    assert again.headers[contract.IDEMPOTENT_REPLAYED_HEADER] == "true"
    assert len(api.get(path).json()["data"]) == 1
    # Without a key, or with another, a create is a create.
    assert api.post(path, json=body).status_code == 201
    other = {contract.IDEMPOTENCY_KEY_HEADER: "bss_key_2"}
    assert api.post(path, json=body, headers=other).status_code == 201
    assert len(api.get(path).json()["data"]) == 3


def test_a_key_sent_with_another_body_is_refused(api: httpx.Client) -> None:
    assert api.post("/jobs", json=JOB, headers=KEY).status_code == 201
    reused = api.post("/jobs", json={**JOB, "name": "other"}, headers=KEY)
    assert reused.status_code == 400
    assert reused.json()["message"] == "this Idempotency-Key was sent with another request"
    assert len(api.get("/jobs").json()["data"]) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", " padded ", "padded ", "two, keys"])
def test_a_malformed_key_is_refused(api: httpx.Client, key: str) -> None:
    answer = api.post(
        "/jobs", json=JOB, headers={contract.IDEMPOTENCY_KEY_HEADER: key.encode("utf-8")}
    )
    assert answer.status_code == 400
    assert "must be one key of 1 to 255 visible ASCII characters" in answer.json()["message"]
    assert api.get("/jobs").json()["data"] == []


def test_a_failed_create_releases_its_key(api: httpx.Client) -> None:
    assert api.post("/jobs", json={**JOB, "schedule": "never"}, headers=KEY).status_code == 400
    assert api.post("/jobs", json=JOB, headers=KEY).status_code == 201


def test_keys_are_forgotten_after_a_day(api: httpx.Client, clock: FakeClock) -> None:
    assert api.post("/jobs", json=JOB, headers=KEY).status_code == 201
    clock.advance(contract.IDEMPOTENCY_WINDOW - 1)
    assert api.post("/jobs", json=JOB, headers=KEY).headers.get("Idempotent-Replayed") == "true"
    clock.advance(2)
    fresh = api.post("/jobs", json=JOB, headers=KEY)
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert len(api.get("/jobs").json()["data"]) == 2


def test_an_emulator_told_to_ignore_keys_creates_again(
    make_app: Callable[..., EmulatorApp], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(make_app(idempotency_keys=False))
    for _ in range(2):
        answer = api.post("/jobs", json=JOB, headers=KEY)
        assert answer.status_code == 201 and "Idempotent-Replayed" not in answer.headers
    assert len(api.get("/jobs").json()["data"]) == 2


def test_a_slow_commit_is_seen_by_lists_only_once_stored_and_its_key_is_busy_till_then(
    make_app: Callable[..., EmulatorApp],
) -> None:
    app = make_app(commit_delay=1.0)
    headers = {"Authorization": "Bearer slow"}
    with (
        EmulatorServer(app, host="127.0.0.1", port=0) as server,
        httpx.Client(base_url=server.url, headers=headers, timeout=10) as api,
    ):
        answers: list[httpx.Response] = []
        first = threading.Thread(
            target=lambda: answers.append(api.post("/jobs", json=JOB, headers=KEY))
        )
        started = time.monotonic()
        first.start()
        time.sleep(0.3)
        assert api.get("/jobs").json()["data"] == []  # lists answer at once
        busy = api.post("/jobs", json=JOB, headers=KEY)
        assert busy.status_code == 409
        assert busy.json() == {
            "code": "conflict",
            "message": "a request with this Idempotency-Key is still being processed: "
            "try again later",
        }
        first.join(timeout=10)
        assert time.monotonic() - started >= 1.0
        assert [a.status_code for a in answers] == [201]
        assert len(api.get("/jobs").json()["data"]) == 1
        replay = api.post("/jobs", json=JOB, headers=KEY)
        assert replay.json() == answers[0].json()


def test_a_key_sent_twice_over_a_socket_is_refused_not_read_as_the_last(
    make_app: Callable[..., EmulatorApp],
) -> None:
    with (
        EmulatorServer(make_app(), host="127.0.0.1", port=0) as server,
        httpx.Client(base_url=server.url, headers={"Authorization": "Bearer twice"}) as api,
    ):
        name = contract.IDEMPOTENCY_KEY_HEADER
        twice = api.post("/jobs", json=JOB, headers=[(name, "bss_a"), (name, "bss_b")])
        assert twice.status_code == 400 and "no comma" in twice.json()["message"]
        for raw in ("caf\u00e9".encode(), "\u043a\u043b\u044e\u0447".encode()):  # UTF-8 bytes
            answer = api.post("/jobs", json=JOB, headers={name: raw})
            assert answer.status_code == 400 and "visible ASCII" in answer.json()["message"]
        assert api.post("/jobs", json=JOB, headers={name: "bss_a"}).status_code == 201
        assert len(api.get("/jobs").json()["data"]) == 1
