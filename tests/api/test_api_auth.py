"""The API key: required, validated, sent only as a header, and never shown."""

from __future__ import annotations

import logging
import pickle
from typing import Any

import httpx
import pytest

from bytestack_sync.api import errors
from bytestack_sync.api.auth import ApiKey, BearerAuth
from bytestack_sync.api.client import Client

CANARY = "bs_live_CANARY_9f8e7d6c5b4a"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "is not set"),
        ("", "is not set"),
        ("   ", "is not set"),
        ("bs_live_é_key", "contains characters an HTTP header cannot carry"),
        ("bs_live\nkey", "contains characters an HTTP header cannot carry"),
        ("bs live key", "contains whitespace"),
    ],
)
def test_an_unusable_key_fails_before_any_request(key: str | None, reason: str) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json=[]))
    with pytest.raises(errors.ApiKeyError) as caught:
        Client("https://api.test/v1", key, transport=transport)
    message = str(caught.value)
    assert message.startswith(f"the API key {reason}: set BITKIT_API_KEY")
    assert sent == []
    if key and key.strip():
        assert key.strip() not in message
        assert key.strip() not in repr(caught.value)


def test_surrounding_whitespace_is_dropped() -> None:
    assert ApiKey("  abc123\n").reveal() == "abc123"


def test_the_key_wrapper_hides_itself() -> None:
    key = ApiKey(CANARY)
    auth = BearerAuth(key)
    for text in (repr(key), str(key), f"{key}", repr(auth), repr([key, auth])):
        assert CANARY not in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)
    assert key.scrub(f"x {CANARY} y") == "x [redacted] y"


def _echoing(request: httpx.Request) -> httpx.Response:
    # A server that quotes the credentials back in its error messages.
    said = request.headers.get("Authorization", "")
    return httpx.Response(
        500,
        json={"code": "internal_error", "message": f"bad header {said}"},
        headers={"X-Echo": said},
    )


def _failures(client: Client) -> list[errors.ApiError]:
    caught: list[errors.ApiError] = []
    calls: list[Any] = [
        client.jobs.list,
        lambda: client.jobs.create(name="n", prompt="p", sources=["x"], schedule="* * * * *"),
        lambda: client.jobs.update("job_1", {"status": "paused"}),
        lambda: client.webhooks.create(url="https://h.test/"),
        lambda: client.storage.download("a/b.json"),
    ]
    for call in calls:
        with pytest.raises(errors.ApiError) as info:
            call()
        caught.append(info.value)
    return caught


def test_canary_key_never_reaches_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bytestack_sync.http")
    client = Client(
        "https://api.test/v1",
        CANARY,
        transport=httpx.MockTransport(_echoing),
        max_attempts=2,
        sleep=lambda _s: None,
        debug=True,
    )
    with client:
        failures = _failures(client)
    assert failures and caplog.records
    texts = [str(e) for e in failures] + [repr(e) for e in failures]
    texts += [str(e.api_message) for e in failures] + [repr(client)]
    texts += [caplog.text] + [r.getMessage() for r in caplog.records]
    assert all(CANARY not in text for text in texts)
    assert "Authorization" in caplog.text or "authorization" in caplog.text
    assert "[redacted]" in caplog.text


def test_debug_logs_each_exchange(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bytestack_sync.http")
    answers = [httpx.ConnectError("refused"), httpx.Response(200, json=[])]

    def handler(_request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    with Client(
        "https://api.test/v1",
        CANARY,
        transport=httpx.MockTransport(handler),
        sleep=lambda _s: None,
        debug=True,
    ) as client:
        client.jobs.list()
    messages = [r.getMessage() for r in caplog.records if r.name == "bytestack_sync.http"]
    assert len(messages) == 2
    assert messages[0].startswith("GET https://api.test/v1/jobs?limit=1000 -> ConnectError in ")
    assert messages[1].startswith("GET https://api.test/v1/jobs?limit=1000 -> 200 in ")
    assert "'authorization': '[redacted]'" in messages[1]
    assert all(r.levelno == logging.DEBUG for r in caplog.records)


def test_without_debug_nothing_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bytestack_sync.http")
    transport = httpx.MockTransport(lambda _r: httpx.Response(200, json=[]))
    with Client("https://api.test/v1", CANARY, transport=transport) as client:
        client.jobs.list()
    assert caplog.records == []


def test_the_userinfo_of_the_base_url_is_never_sent_nor_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """httpx sends ``user:password@`` as Basic auth only without other auth: the Bearer
    key goes instead, and the userinfo is in no request URL, log line, error or repr."""
    caplog.set_level(logging.DEBUG, logger="bytestack_sync.http")
    sent: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise httpx.ConnectError("refused")

    client = Client(
        "https://ci-user:CANARYPASS@api.test/v1",
        CANARY,
        transport=httpx.MockTransport(refuse),
        max_attempts=2,
        sleep=lambda _s: None,
        debug=True,
    )
    with client, pytest.raises(errors.TransportFailure) as caught:
        client.jobs.list()
    assert sent and all(r.headers["Authorization"] == f"Bearer {CANARY}" for r in sent)
    assert all(r.url.userinfo == b"" for r in sent)
    assert repr(client) == "Client('https://***@api.test/v1')"
    assert client.base_url == "https://api.test/v1/"
    for text in (caplog.text, str(caught.value), repr(client)):
        assert "CANARYPASS" not in text and "ci-user" not in text
    assert "GET https://api.test/v1/jobs?limit=1000 -> ConnectError" in caplog.text
