"""The API client's errors, each with a message a user understands.

Our exception hierarchy:

* ApiError                  method, path, status, code, api_message
  + ApiKeyError             no usable key: raised before any request is sent
  + BadRequest              400: the API's message says which field
  + Unauthorized            401: the key is missing or invalid
  + PaymentRequired         402: a billing problem on the account
  + Forbidden               403: the key may not do this action
  + NotFound                404
  + RateLimited             429, after every retry waited ``Retry-After``
  + ServerError             5xx, after every retry
  + UnexpectedStatus        any other status the contract does not document
  + InvalidResponse         a 2xx whose body is not what the contract says (a
                            listing past the client's bounds, ``limits``, too)
    + ResponseTooLarge      an answer larger than the client reads
  + TransportFailure        the request failed on the wire, and may be safely re-run
    + DeadlineExceeded      no complete answer within the request's deadline
  + OutcomeUnknown          a POST was sent but no answer came back whole: it may
                            have taken effect, so it is never re-sent blindly
  + QueryFailed             a query finished with status ``failed``
  + QueryTimedOut           a query did not finish before the caller's deadline

httpx's own exceptions never leave the client: they are translated where the
request is sent. No message here can hold the API key: the key is not an
attribute of the request the errors are built from, and the server's message is
scrubbed of it before it is stored.

Whatever the server sent that a message quotes (its error message, a query's
error, a bad cursor) goes through ``printable.shown`` first: a
hostile or broken server cannot move the cursor, clear a terminal, forge a line
of our output or a GitHub workflow command, or flood a log.
"""

from __future__ import annotations

from bytestack_sync import contract
from bytestack_sync.printable import shown

# A path's first segment, as the noun a user reads in a 403 message.
_NOUNS = {
    "jobs": "jobs",
    "webhooks": "webhooks",
    "queries": "queries",
    "storage": "result files",
}


def describe_action(method: str, path: str) -> str:
    """What a request does, in words: ``DELETE /v1/jobs/job_1`` -> ``delete jobs``."""
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] == "v1":
        segments = segments[1:]
    noun = _NOUNS.get(segments[0], segments[0]) if segments else "the API"
    one = len(segments) > 1
    verbs = {
        "GET": "read" if one else "list",
        "POST": "create",
        "PATCH": "update",
        "PUT": "update",
        "DELETE": "delete",
    }
    verb = verbs.get(method.upper(), method.lower())
    if noun == "queries" and method.upper() == "POST":
        verb = "submit"
    if noun == "result files" and method.upper() == "GET" and one:
        verb = "download"
    return f"{verb} {noun}"


class ApiError(Exception):
    """A request to the ByteStack API did not succeed."""

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        code: str | None = None,
        api_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.api_message = api_message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(method={self.method!r}, path={self.path!r}, "
            f"status={self.status!r}, code={self.code!r})"
        )


class ApiKeyError(ApiError):
    pass


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    pass


class PaymentRequired(ApiError):
    pass


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    """409: e.g. a create whose Idempotency-Key another request is still being processed with."""


class RateLimited(ApiError):
    retry_after: float | None = None  # seconds the last answer asked to wait


class ServerError(ApiError):
    pass


class UnexpectedStatus(ApiError):
    pass


class InvalidResponse(ApiError):
    pass


class ResponseTooLarge(InvalidResponse):
    pass


class TransportFailure(ApiError):
    pass


class DeadlineExceeded(TransportFailure):
    pass


class OutcomeUnknown(ApiError):
    pass


class QueryFailed(ApiError):
    def __init__(self, query_id: str, error: str | None, *, path: str = "") -> None:
        reason = shown(error) if error else "no reason given"
        super().__init__(f"query {query_id} failed: {reason}", method="GET", path=path)
        self.query_id = query_id
        self.error = error


class QueryTimedOut(ApiError):
    def __init__(self, query_id: str, status: str, timeout: float, *, path: str = "") -> None:
        super().__init__(
            f"query {query_id} did not finish within {timeout:g} s (still {status})",
            method="GET",
            path=path,
        )
        self.query_id = query_id
        self.query_status = status


V1_HINT = f"e.g. {contract.DEFAULT_API_URL}"


def _status_message(method: str, path: str, status: int, api_message: str | None) -> str:
    said = f": {shown(api_message)}" if api_message else ""
    action = describe_action(method, path)
    if status == 400:
        return f"the API refused to {action} ({method} {path}){said} (400)"
    if status == 401:
        return f"the API key in {contract.API_KEY_ENV} was rejected: it is missing or invalid (401)"
    if status == 402:
        return (
            "the ByteStack account has a billing problem; "
            "check Settings → Billing in the dashboard (402)"
        )
    if status == 403:
        return f"the API key may not {action} (403)"
    if status == 404:
        # Every path of the API is under /v1: a base URL without it finds nothing.
        hint = "" if "/v1/" in path else f"; does the API URL end in /v1? ({V1_HINT})"
        return f"not found: {method} {path}{said} (404){hint}"
    if status == 429:
        return f"rate limit still exceeded after retrying {method} {path} (429)"
    if status >= 500:
        return f"the ByteStack API failed on {method} {path}{said} ({status})"
    return f"unexpected answer to {method} {path}{said} ({status})"


def _status_class(status: int) -> type[ApiError]:
    by_status: dict[int, type[ApiError]] = {
        400: BadRequest,
        401: Unauthorized,
        402: PaymentRequired,
        403: Forbidden,
        404: NotFound,
        409: Conflict,
        429: RateLimited,
    }
    if status >= 500:
        return ServerError
    return by_status.get(status, UnexpectedStatus)


def error_for_status(
    method: str,
    path: str,
    status: int,
    *,
    code: str | None,
    api_message: str | None,
    retry_after: float | None = None,
) -> ApiError:
    """The error for an HTTP error status, its message written for a user."""
    error = _status_class(status)(
        _status_message(method, path, status, api_message),
        method=method,
        path=path,
        status=status,
        code=code,
        api_message=api_message,
    )
    if isinstance(error, RateLimited):
        error.retry_after = retry_after
    return error
