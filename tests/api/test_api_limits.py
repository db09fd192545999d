"""The client's bounds: a deadline per request, caps on answers, bounds on a listing.

Over a real socket against the hostile server where the wire matters (a drip, a
dribbled status line), through a scripted transport where only the answer does.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
import pytest

from bytestack_sync.api import errors
from bytestack_sync.api.client import Client
from bytestack_sync.api.limits import WORKER_NAME, Limits
from tests.conftest import Hostile

KEY = "bs_limits_key_0123456789"
JOB = {"id": "job_1", "name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}
CREATE: dict[str, Any] = {"name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}
QUICK = Limits(deadline=0.5)


def _scripted(handler: Any, limits: Limits | None = None, **options: Any) -> Client:
    options.setdefault("sleep", lambda _seconds: None)
    transport = httpx.MockTransport(handler)
    return Client("https://api.test/v1", KEY, transport=transport, limits=limits, **options)


E = TypeVar("E", bound=errors.ApiError)


def _raised(
    cls: type[E],
    handler: Any,
    limits: Limits | None = None,
    call: str = "jobs.list",
    **options: Any,
) -> E:
    """The error ``cls`` that ``client.<call>()`` raises against ``handler``'s answers."""
    resource, method = call.split(".")
    with _scripted(handler, limits, **options) as client, pytest.raises(cls) as caught:
        getattr(getattr(client, resource), method)()
    return caught.value


def _pages(cursors: Iterator[object], seen: list[httpx.Request]) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": [JOB], "next_cursor": next(cursors)})

    return answer


@pytest.mark.parametrize("mode", ["drip", "drip-headers"])
def test_a_dripping_server_is_cut_off_at_the_deadline(hostile: Hostile, mode: str) -> None:
    """Each byte comes well within the per-read timeout; only the deadline ends it,
    even while the status line itself is still arriving."""
    api = hostile(mode)
    host = api.url.removeprefix("http://").removesuffix("/v1")
    with (
        Client(api.url, KEY, limits=QUICK) as client,
        pytest.raises(errors.DeadlineExceeded) as caught,
    ):
        client.jobs.list()
    assert str(caught.value) == (
        f"GET /v1/jobs failed: no complete answer from {host} within 0.5 s, "
        "the deadline of a request"
    )
    assert len(api.requests) == 1  # no time was left to try again


def test_a_create_cut_off_at_the_deadline_has_an_unknown_outcome(hostile: Hostile) -> None:
    api = hostile("drip", on=("POST", "/v1/jobs"))
    with Client(api.url, KEY, limits=QUICK) as client, pytest.raises(errors.OutcomeUnknown):
        client.jobs.create(**CREATE)
    assert api.writes() == [("POST", "/v1/jobs")]  # sent once, never blindly again


def test_retries_stop_at_the_deadline() -> None:
    """The deadline covers every attempt and wait: a server that fails slowly gets
    fewer attempts than max_attempts allows."""
    sent: list[httpx.Request] = []
    stop = threading.Event()

    def slow_failure(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        stop.wait(0.2)
        return httpx.Response(500, json={"code": "internal_error", "message": "m"})

    quick = Limits(deadline=0.5)
    _raised(errors.ApiError, slow_failure, quick, max_attempts=50, backoff=0)
    assert 1 < len(sent) < 50


def test_an_answer_past_the_cap_is_not_read_further() -> None:
    chunks_sent: list[int] = []

    def body() -> Iterator[bytes]:
        for number in range(1000):
            chunks_sent.append(number)
            yield b" " * 1024

    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body())

    error = _raised(errors.ResponseTooLarge, answer, Limits(max_body=10_000))
    assert str(error) == (
        "GET /v1/jobs failed: the answer from api.test is larger than 9.77 KiB, the most read"
    )
    assert len(chunks_sent) < 20


def test_a_declared_length_past_the_cap_is_refused_before_reading() -> None:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(64 * 1024 * 1024)}, content=b"")

    _raised(errors.ResponseTooLarge, answer)


def test_a_gzip_body_is_capped_as_it_inflates() -> None:
    bomb = gzip.compress(b'{"data": []}' + b" " * (8 * 1024 * 1024))

    def answer(_request: httpx.Request) -> httpx.Response:
        # An iterator, so that the body is decoded as the client reads it, not here.
        return httpx.Response(200, content=iter([bomb]), headers={"Content-Encoding": "gzip"})

    error = _raised(errors.ResponseTooLarge, answer, Limits(max_body=1024 * 1024))
    assert "larger than 1 MiB" in str(error)


def test_a_create_whose_answer_is_too_large_has_an_unknown_outcome() -> None:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, content=b" " * 5000)

    with (
        _scripted(answer, Limits(max_body=1000)) as client,
        pytest.raises(errors.OutcomeUnknown, match="larger than 1000 bytes"),
    ):
        client.jobs.create(**CREATE)


def test_a_body_that_cannot_be_decompressed_is_an_invalid_answer() -> None:
    def answer(_request: httpx.Request) -> httpx.Response:
        gzipped = {"Content-Encoding": "gzip"}
        return httpx.Response(200, content=iter([b"not gzip"]), headers=gzipped)

    error = _raised(errors.InvalidResponse, answer)
    assert str(error) == "GET /v1/jobs failed: the answer from api.test cannot be decompressed"


def test_an_error_body_past_its_cap_leaves_the_status_alone() -> None:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"code": "invalid_request", "message": "m" * 128 * 1024})

    error = _raised(errors.BadRequest, answer)
    assert error.api_message is None
    assert str(error) == "the API refused to list jobs (GET /v1/jobs) (400)"


@pytest.mark.parametrize(
    ("limits", "bound"),
    [(Limits(max_pages=3), "3 pages"), (Limits(max_items=2), "2 items")],
    ids=["pages", "items"],
)
def test_a_listing_stops_at_its_bound(limits: Limits, bound: str) -> None:
    sent: list[httpx.Request] = []
    cursors = (f"c{n}" for n in range(100))
    error = _raised(errors.InvalidResponse, _pages(cursors, sent), limits)
    assert str(error).endswith(f"GET /v1/jobs: the list goes on past {bound}")
    assert len(sent) == 3


def test_a_listing_within_its_bounds_is_read_whole() -> None:
    sent: list[httpx.Request] = []
    cursors = iter(["c" * 4096, "c2", None])
    with _scripted(_pages(cursors, sent), Limits(max_pages=3, max_items=3)) as client:
        assert len(client.jobs.list()) == 3


@pytest.mark.parametrize(
    ("cursor", "what"),
    [
        (2, "a number, not a string"),
        (2.5, "a number, not a string"),
        (True, "a boolean, not a string"),
        ({"after": "job_1"}, "an object, not a string"),
        (["c"], "an array, not a string"),
        ("", "empty"),
        ("c" * 4097, "4,097 characters long"),
    ],
)
def test_a_malformed_cursor_is_an_error_never_the_end(cursor: object, what: str) -> None:
    sent: list[httpx.Request] = []
    error = _raised(errors.InvalidResponse, _pages(iter([cursor]), sent), call="webhooks.list")
    assert str(error) == (
        f"unexpected answer from api.test to GET /v1/webhooks: its next_cursor is {what}, "
        "so the list cannot be read to its end"
    )


def test_a_page_larger_than_asked_is_refused() -> None:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [JOB] * 1001, "next_cursor": None})

    error = _raised(errors.InvalidResponse, answer)
    assert str(error).endswith("GET /v1/jobs: a page of 1,001 items, more than the 1,000 asked")


@pytest.mark.parametrize("call", ["jobs.list", "storage.list"])
def test_deeply_nested_json_is_an_invalid_answer(call: str) -> None:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000)

    error = _raised(errors.InvalidResponse, answer, call=call)
    assert str(error).endswith(": the body is JSON nested too deeply to read")


def test_a_deeply_nested_error_body_leaves_the_status_alone() -> None:
    nested = b'{"code": "invalid_request", "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=nested)

    assert _raised(errors.BadRequest, answer).code is None


def test_a_query_error_is_shown_escaped() -> None:
    failed = {"id": "qry_1", "status": "failed", "error": "\x1b[2Jboom\r::error::x"}
    with (
        _scripted(lambda _r: httpx.Response(200, json=failed)) as client,
        pytest.raises(errors.QueryFailed) as caught,
    ):
        client.queries.wait("qry_1", timeout=1)
    assert str(caught.value) == "query qry_1 failed: \\x1b[2Jboom\\r::error::x"


def test_an_abandoned_exchange_releases_its_thread(hostile: Hostile) -> None:
    """The thread left at the deadline stops at its next read; it never holds up
    an exit (it is a daemon) and the connection goes when the server closes it."""
    api = hostile("drip")
    before = set(threading.enumerate())
    with Client(api.url, KEY, limits=QUICK) as client, pytest.raises(errors.DeadlineExceeded):
        client.jobs.list()
    left = [t for t in set(threading.enumerate()) - before if t.name == WORKER_NAME]
    assert left  # the worker still reading the drip
    assert all(t.daemon for t in left)
    api.stopping.set()
    for thread in left:
        thread.join(timeout=10)
    assert not any(t.is_alive() for t in left)
