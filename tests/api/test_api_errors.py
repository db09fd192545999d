"""Every documented status becomes its own error class, with a message a user understands."""

from __future__ import annotations

import httpx
import pytest

from bytestack_sync.api import errors
from bytestack_sync.api.client import Client

BASE = "https://api.test/v1"


def _client_answering(response: httpx.Response) -> Client:
    return Client(
        BASE,
        "bs_errors_key_1234",
        transport=httpx.MockTransport(lambda _request: response),
        max_attempts=1,
    )


@pytest.mark.parametrize(
    ("status", "code", "cls", "method", "expected"),
    [
        (400, "invalid_request", errors.BadRequest, "POST",
         "the API refused to create jobs (POST /v1/jobs): name is too long (400)"),
        (401, "unauthorized", errors.Unauthorized, "GET",
         "the API key in BITKIT_API_KEY was rejected: it is missing or invalid (401)"),
        (402, "payment_required", errors.PaymentRequired, "GET",
         "the ByteStack account has a billing problem; "
         "check Settings → Billing in the dashboard (402)"),
        (403, "forbidden", errors.Forbidden, "POST", "the API key may not create jobs (403)"),
        (404, "not_found", errors.NotFound, "GET",
         "not found: GET /v1/jobs: name is too long (404)"),
        (429, "rate_limited", errors.RateLimited, "GET",
         "rate limit still exceeded after retrying GET /v1/jobs (429)"),
        (500, "internal_error", errors.ServerError, "GET",
         "the ByteStack API failed on GET /v1/jobs: name is too long (500)"),
        (503, "internal_error", errors.ServerError, "GET",
         "the ByteStack API failed on GET /v1/jobs: name is too long (503)"),
        (418, "teapot", errors.UnexpectedStatus, "GET",
         "unexpected answer to GET /v1/jobs: name is too long (418)"),
    ],
)  # fmt: skip
def test_each_status_has_its_class_and_message(
    status: int, code: str, cls: type[errors.ApiError], method: str, expected: str
) -> None:
    response = httpx.Response(status, json={"code": code, "message": "name is too long"})
    with _client_answering(response) as client, pytest.raises(cls) as caught:
        if method == "POST":
            client.jobs.create(name="n", prompt="p", sources=["x"], schedule="0 8 * * *")
        else:
            client.jobs.list()
    error = caught.value
    assert isinstance(error, errors.ApiError)
    assert str(error) == expected
    assert (error.method, error.path, error.status) == (method, "/v1/jobs", status)
    assert (error.code, error.api_message) == (code, "name is too long")


@pytest.mark.parametrize(
    ("method", "path", "action"),
    [
        ("DELETE", "/v1/jobs/job_1", "delete jobs"),
        ("PATCH", "/v1/jobs/job_1", "update jobs"),
        ("GET", "/v1/jobs", "list jobs"),
        ("GET", "/v1/jobs/job_1", "read jobs"),
        ("POST", "/v1/webhooks", "create webhooks"),
        ("POST", "/v1/queries", "submit queries"),
        ("GET", "/v1/storage/a%2Fb.json", "download result files"),
        ("GET", "/v1/storage", "list result files"),
    ],
)
def test_forbidden_names_the_action(method: str, path: str, action: str) -> None:
    assert errors.describe_action(method, path) == action
    error = errors.error_for_status(method, path, 403, code="forbidden", api_message=None)
    assert str(error) == f"the API key may not {action} (403)"


def test_error_body_that_is_not_json_still_gives_the_status_error() -> None:
    response = httpx.Response(502, text="<html>bad gateway</html>")
    with _client_answering(response) as client, pytest.raises(errors.ServerError) as caught:
        client.jobs.list()
    assert caught.value.code is None
    assert caught.value.api_message is None
    assert str(caught.value) == "the ByteStack API failed on GET /v1/jobs (502)"


def test_repr_names_the_request_not_the_message() -> None:
    error = errors.error_for_status("GET", "/v1/jobs", 401, code="unauthorized", api_message="x")
    assert repr(error) == (
        "Unauthorized(method='GET', path='/v1/jobs', status=401, code='unauthorized')"
    )


def test_every_error_is_an_api_error() -> None:
    classes = [
        errors.ApiKeyError, errors.BadRequest, errors.Unauthorized, errors.PaymentRequired,
        errors.Forbidden, errors.NotFound, errors.RateLimited, errors.ServerError,
        errors.UnexpectedStatus, errors.InvalidResponse, errors.TransportFailure,
        errors.OutcomeUnknown, errors.QueryFailed, errors.QueryTimedOut,
    ]  # fmt: skip
    assert all(issubclass(cls, errors.ApiError) for cls in classes)
    for name in [cls.__name__ for cls in classes]:
        assert name in (errors.__doc__ or "")


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("name is too long", "name is too long"),
        ("bad\rApply complete: 0 failed.", "bad\\rApply complete: 0 failed."),
        ("bad\nnext\tline", "bad\\nnext\\tline"),
        ("\x1b[2J\x1b[Hcleared", "\\x1b[2J\\x1b[Hcleared"),
        ("mid\x07dle\x00\x7f", "mid\\x07dle\\x00\\x7f"),
        ("c1 \x9b2J csi \x85 nel", "c1 \\x9b2J csi \\x85 nel"),
        ("line\u2028sep \u202eevil", "line\\u2028sep \\u202eevil"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("::set-output name=x::y", ": :set-output name=x::y"),
        ("  ::error::forged", "  : :error::forged"),
        ("a::b stays", "a::b stays"),
        (":one colon", ":one colon"),
        ("é ü 日本 ✓", "é ü 日本 ✓"),
    ],
)  # fmt: skip
def test_a_server_text_is_shown_escaped_on_one_line(said: str, shown: str) -> None:
    assert errors.shown(said) == shown


def test_a_long_server_text_is_cut_and_counted() -> None:
    assert errors.shown("ab" * 300) == "ab" * 250 + "… (100 more characters)"
    assert errors.shown("x" * 50_000_000).endswith("… (49,999,500 more characters)")
    assert errors.shown("x" * 500) == "x" * 500


def test_every_status_message_shows_the_server_text_escaped() -> None:
    said = "\x1b[31m::error::x\r"
    for status in (400, 404, 418, 500):
        response = httpx.Response(status, json={"code": "c", "message": said})
        with _client_answering(response) as client, pytest.raises(errors.ApiError) as caught:
            client.jobs.list()
        assert "\\x1b[31m::error::x\\r" in str(caught.value)
        assert caught.value.api_message == said  # kept as sent, for a caller to inspect
