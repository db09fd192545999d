"""Retries, backoff and the POST rule, driven through a scripted transport."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from bytestack_sync.api import errors
from bytestack_sync.api.auth import ApiKey
from bytestack_sync.api.client import Client
from bytestack_sync.api.retry import RECENT_SUCCESS, RetryPolicy
from bytestack_sync.api.session import Session

JOB = {"id": "job_1", "name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}
CREATE: dict[str, Any] = {"name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}


def _err(status: int, code: str = "internal_error", **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": "m"}, headers=headers)


def _page(*items: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"data": list(items), "next_cursor": None})


def test_authorization_header_is_sent(client: Client, script: Any) -> None:
    script.answers = [_page(JOB)]
    assert [j.id for j in client.jobs.list()] == ["job_1"]
    assert script.requests[0].headers["Authorization"] == "Bearer bs_test_key_0123456789"
    assert client.request_count == 1


@pytest.mark.parametrize(
    "failure",
    [
        _err(500),
        _err(503),
        httpx.Response(502, text="bad gateway"),
        _err(429, "rate_limited"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ReadError("reset"),
    ],
    ids=repr,
)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_idempotent_requests_retry_transient_failures(
    client: Client, script: Any, sleeps: Any, method: str, failure: Any
) -> None:
    script.answers = [
        failure,
        failure,
        _page(JOB) if method == "GET" else httpx.Response(200, json=JOB),
    ]
    if method == "DELETE":
        script.answers[-1] = httpx.Response(204)
        client.jobs.delete("job_1")
    elif method == "PATCH":
        assert client.jobs.update("job_1", {"status": "paused"}).id == "job_1"
    else:
        assert len(client.jobs.list()) == 1
    assert [r.method for r in script.requests] == [method] * 3
    assert client.request_count == 3
    assert len(sleeps.delays) == 2


@pytest.mark.parametrize(
    ("failure", "cls"),
    [
        (_err(500), errors.ServerError),
        (_err(429, "rate_limited"), errors.RateLimited),
        (httpx.ConnectError("refused"), errors.TransportFailure),
        (httpx.ReadTimeout("slow"), errors.TransportFailure),
    ],
    ids=repr,
)
def test_attempts_are_bounded(
    client: Client, script: Any, sleeps: Any, failure: Any, cls: type[Exception]
) -> None:
    script.answers = [failure] * 4
    with pytest.raises(cls):
        client.jobs.get("job_1")
    assert client.request_count == 4  # max_attempts in the fixture
    assert len(sleeps.delays) == 3


@pytest.mark.parametrize(
    "final",
    [
        _err(400, "invalid_request"),
        _err(401, "unauthorized"),
        _err(402, "payment_required"),
        _err(403, "forbidden"),
        _err(404, "not_found"),
    ],
    ids=lambda r: str(r.status_code),
)
def test_client_errors_are_never_retried(client: Client, script: Any, final: Any) -> None:
    script.answers = [final]
    with pytest.raises(errors.ApiError) as caught:
        client.jobs.get("job_1")
    assert caught.value.status == final.status_code
    assert client.request_count == 1


def test_retry_after_is_honoured_and_capped(script: Any, sleeps: Any) -> None:
    script.answers = [
        _err(429, "rate_limited", **{"Retry-After": "3"}),
        _err(429, "rate_limited", **{"Retry-After": "3600"}),
        _page(),
    ]
    with Client(
        "https://api.test/v1",
        "k" * 12,
        transport=httpx.MockTransport(script),
        sleep=sleeps,
        max_retry_after=20.0,
    ) as client:
        assert client.jobs.list() == []
    assert sleeps.delays == [3.0, 20.0]


def test_backoff_is_exponential_with_full_jitter(script: Any, sleeps: Any) -> None:
    script.answers = [_err(500)] * 6
    rng = random.Random(7)
    with (
        Client(
            "https://api.test/v1",
            "k" * 12,
            transport=httpx.MockTransport(script),
            sleep=sleeps,
            max_attempts=6,
            backoff=1.0,
            rng=rng,
        ) as client,
        pytest.raises(errors.ServerError),
    ):
        client.jobs.list()
    ceilings = [1.0, 2.0, 4.0, 8.0, 16.0]
    assert len(sleeps.delays) == len(ceilings)
    assert all(0 <= d <= c for d, c in zip(sleeps.delays, ceilings, strict=True))
    # Full jitter spreads the waits: they are not simply the ceilings.
    assert sleeps.delays != ceilings


@pytest.mark.parametrize(
    "first",
    [
        _err(429, "rate_limited", **{"Retry-After": "1"}),
        _err(500),
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.PoolTimeout("pool"),
    ],
    ids=repr,
)
def test_post_is_retried_when_the_server_certainly_did_nothing(
    client: Client, script: Any, first: Any
) -> None:
    script.answers = [first, httpx.Response(201, json=JOB)]
    assert client.jobs.create(**CREATE).id == "job_1"
    assert client.request_count == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ReadError("reset"),
        httpx.WriteError("broken pipe"),
        httpx.Response(502, text="bad gateway"),
        httpx.Response(504),
    ],
    ids=repr,
)
def test_post_with_unknown_outcome_is_never_resent(
    client: Client, script: Any, failure: Any
) -> None:
    script.answers = [failure, httpx.Response(201, json=JOB)]
    with pytest.raises(errors.OutcomeUnknown) as caught:
        client.jobs.create(**CREATE)
    assert client.request_count == 1
    assert (caught.value.method, caught.value.path) == ("POST", "/v1/jobs")
    assert "may or may not have taken effect" in str(caught.value)


def test_post_exhausting_documented_server_errors_is_a_server_error(
    client: Client, script: Any
) -> None:
    script.answers = [_err(500)] * 4
    with pytest.raises(errors.ServerError):
        client.webhooks.create(url="https://hooks.test/a", events=["job.completed"])
    assert client.request_count == 4


def test_post_after_a_429_then_a_drop_is_unknown(client: Client, script: Any) -> None:
    script.answers = [_err(429, "rate_limited"), httpx.RemoteProtocolError("dropped")]
    with pytest.raises(errors.OutcomeUnknown):
        client.queries.submit(prompt="p", sources=["x"])
    assert client.request_count == 2


def test_transport_errors_not_worth_retrying_fail_at_once(client: Client, script: Any) -> None:
    script.answers = [httpx.UnsupportedProtocol("ftp?")]
    with pytest.raises(errors.TransportFailure) as caught:
        client.jobs.list()
    assert client.request_count == 1
    assert "UnsupportedProtocol" in str(caught.value)


def test_no_httpx_error_is_chained_onto_ours(client: Client, script: Any) -> None:
    script.answers = [httpx.ConnectError("refused")] * 4
    with pytest.raises(errors.TransportFailure) as caught:
        client.jobs.list()
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert str(caught.value) == (
        "could not reach the ByteStack API at api.test for GET /v1/jobs (ConnectError: refused)"
    )


@pytest.mark.parametrize("max_attempts", [0, -1])
def test_max_attempts_must_be_positive(max_attempts: int) -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        Client("https://api.test/v1", "k" * 12, max_attempts=max_attempts)


def _warm_up(client: Client, script: Any, rounds: int) -> None:
    """``rounds`` GETs each failing once then answering: half the attempts fail."""
    for _ in range(rounds):
        script.answers = [_err(500), httpx.Response(200, json=JOB)]
        client.jobs.get("job_1")


def test_an_api_that_fails_often_but_answers_gets_more_attempts(
    client: Client, script: Any
) -> None:
    _warm_up(client, script, 8)  # 16 outcomes, half of them failures
    # Six failures in a row would exhaust the fixture's 4 attempts; half the recent
    # attempts failing earns enough for 1 in 10,000 requests to fail them all.
    script.answers = [_err(500)] * 6 + [httpx.Response(200, json=JOB)]
    before = client.request_count
    assert client.jobs.get("job_1").id == "job_1"
    assert client.request_count - before == 7


def test_an_api_that_stopped_answering_fails_at_the_floor_again(
    client: Client, script: Any
) -> None:
    _warm_up(client, script, 8)
    # Then nothing but failures: once the window holds no success, 4 attempts again.
    for _ in range(8):
        script.answers = [_err(503)] * 16
        with pytest.raises(errors.ServerError):
            client.jobs.get("job_1")
    script.answers = [_err(503)] * 16
    before = client.request_count
    with pytest.raises(errors.ServerError):
        client.jobs.get("job_1")
    assert client.request_count - before == 4


def test_rate_limits_do_not_count_as_failures(script: Any) -> None:
    policy = RetryPolicy(max_attempts=4, sleep=lambda _: None)
    session = Session(
        "https://api.test/v1", ApiKey("bs_test_key_0123456789"), policy=policy,
        transport=httpx.MockTransport(script),
    )  # fmt: skip
    for _ in range(16):
        script.answers = [_err(429, "rate_limited", **{"Retry-After": "0"}), _page(JOB)]
        session.request("GET", "/jobs")
    # 16 successes and no failure: (0 + 1) / (16 + 2) needs no more than the floor.
    assert policy.attempts == 4
    for _ in range(2):
        script.answers = [_err(500), _page(JOB)]
        session.request("GET", "/jobs")
    assert policy.attempts == 5  # (2 + 1) / (20 + 2): 0.136**4 is not yet under 1e-4
    session.close()


@pytest.mark.parametrize(
    ("failures", "seen", "attempts"),
    [
        (0, 0, 5), (64, 64, 5),  # no success known: the floor
        (0, 64, 5), (1, 64, 5),  # rare failures: the floor is enough
        (32, 64, 14), (8, 16, 14), (1, 2, 14),  # half (with Laplace's prior): 0.5**14 < 1e-4
        (16, 64, 7),  # a quarter: (16 + 1) / (64 + 2) ** 7 < 1e-4
        (63, 64, 16),  # nearly dead, yet answering: the cap
    ],
)  # fmt: skip
def test_the_adaptive_bound(failures: int, seen: int, attempts: int) -> None:
    policy, fixed = RetryPolicy(max_attempts=5), RetryPolicy(max_attempts=5, adaptive=False)
    for n in range(seen):
        policy.record(succeeded=n >= failures)
        fixed.record(succeeded=n >= failures)
    assert policy.attempts == attempts
    assert fixed.attempts == 5


def test_successes_that_grew_old_earn_no_more_attempts() -> None:
    # The API answered half the time, then stopped answering: once its last success
    # is older than RECENT_SUCCESS, a request gets the floor again, however full of
    # successes the window still is.
    now = [0.0]
    policy = RetryPolicy(max_attempts=5, clock=lambda: now[0])
    for n in range(64):
        policy.record(succeeded=n % 2 == 0)
    assert policy.attempts == 14
    now[0] += RECENT_SUCCESS - 1
    assert policy.attempts == 14
    now[0] += 2
    assert policy.attempts == 5
    policy.record(succeeded=True)
    assert policy.attempts == 14


def test_a_request_in_flight_when_the_api_dies_stops_at_the_floor(script: Any) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    policy = RetryPolicy(
        max_attempts=4, sleep=sleep, clock=lambda: now[0], backoff=4.0, rng=random.Random(7)
    )
    session = Session(
        "https://api.test/v1", ApiKey("bs_test_key_0123456789"), policy=policy,
        transport=httpx.MockTransport(script),
    )  # fmt: skip
    for _ in range(8):
        script.answers = [_err(500), _page(JOB)]
        session.request("GET", "/jobs")
    script.answers = [_err(503)] * 16
    with pytest.raises(errors.ServerError):
        session.request("GET", "/jobs")
    # Waits of up to 4, 8, 16, 30 s: once 15 s have passed without a success, the
    # floor of 4 holds (14 attempts before the API stopped answering was the budget).
    attempts = 16 - len(script.answers)
    assert 4 <= attempts <= 6, attempts
    session.close()
