"""One ``httpx.Client`` shared by every resource: send, retry, count, log, translate.

This is the boundary where httpx's exceptions and error statuses become the
package's own errors (``bytestack_sync.api.errors``). It is safe to call from
many threads at once: httpx's client is, and the only state added here (the
request counter) is guarded by a lock.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx

from bytestack_sync.api import limits as bounds
from bytestack_sync.api import retry
from bytestack_sync.api.auth import REDACTED, ApiKey, BearerAuth
from bytestack_sync.api.errors import (
    ApiError,
    DeadlineExceeded,
    InvalidResponse,
    OutcomeUnknown,
    RateLimited,
    ResponseTooLarge,
    TransportFailure,
    error_for_status,
)
from bytestack_sync.api.limits import Limits
from bytestack_sync.api.retry import RetryPolicy
from bytestack_sync.constants import DEFAULT_PARALLELISM
from bytestack_sync.printable import shown

HTTP_LOGGER = logging.getLogger("bytestack_sync.http")
RETRY_LOGGER = logging.getLogger("bytestack_sync.retry")

_SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

Params = Mapping[str, str | int]


class Session:
    """Sends requests to the API with retries; every resource goes through ``request``."""

    def __init__(
        self,
        base_url: str,
        key: ApiKey,
        *,
        policy: RetryPolicy,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        debug: bool = False,
        user_agent: str = "bytestack-sync",
        max_connections: int = DEFAULT_PARALLELISM,
        limits: Limits | None = None,
    ) -> None:
        self._key = key
        self._policy = policy
        self._timeout = timeout
        # Looked up here, not as a default argument, so a test can lower it for a run.
        self.limits = limits or bounds.DEFAULT
        self._exchanges = bounds.Exchanges()
        self._debug = debug
        self._lock = threading.Lock()
        self._count = 0
        self._http = httpx.Client(
            base_url=_without_userinfo(base_url),
            auth=BearerAuth(key),
            transport=transport,
            timeout=timeout,
            limits=pool_limits(max_connections),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=False,
        )

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._count

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    def url_path(self, path: str) -> str:
        """The full URL path of a path relative to the base URL, as errors show it."""
        return self._http.base_url.path.rstrip("/") + path

    def close(self) -> None:
        self._exchanges.close()
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send until a success, a final error, the attempts run out or the deadline
        (``limits.deadline``, every attempt and wait included) is near; return the 2xx.
        Every attempt sends the same ``headers`` (an Idempotency-Key among them)."""
        request = self._http.build_request(
            method, path, params=params, json=body, headers=dict(headers or {})
        )
        idempotent = retry.is_idempotent(method)
        deadline = time.monotonic() + self.limits.deadline
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(request, idempotent, deadline)
            if isinstance(outcome, httpx.Response):
                self._policy.record(succeeded=True)
                return outcome
            error, retryable = outcome
            if (retryable and not isinstance(error, RateLimited)) or isinstance(
                error, OutcomeUnknown
            ):
                self._policy.record(succeeded=False)
            # Raised outside any ``except``: httpx's frames (which hold the header
            # bytes) are not chained onto the error; its message names the cause.
            # The bound as it stands now, this request's own failures included.
            attempts = self._policy.attempts
            if not retryable or attempt >= attempts:
                raise error
            delay = self._policy.delay_after(error, attempt)
            if time.monotonic() + delay >= deadline:
                raise error  # no time is left for another attempt
            self._log_retry(request, error, delay, attempt, attempts)
            self._policy.wait(delay)

    def _attempt(
        self, request: httpx.Request, idempotent: bool, deadline: float
    ) -> httpx.Response | tuple[ApiError, bool]:
        """One send: the 2xx response, or the error and whether it may be retried."""
        try:
            response = self._send(request, deadline)
        except httpx.TransportError as exc:
            retryable = retry.transport_retryable(exc, idempotent=idempotent)
            return self._wire_error(request, exc, idempotent), retryable
        except (bounds.TooLate, bounds.TooLarge, httpx.DecodingError) as exc:
            return self._unreadable(request, exc, idempotent), False
        if response.is_success:
            return response
        error, documented = self._status_error(request, response)
        if retry.status_retryable(error, idempotent=idempotent, documented_body=documented):
            return error, True
        if not idempotent and response.status_code >= 500:
            # A bare 5xx (a gateway's, say) does not prove the API did nothing.
            return self._unknown(request, f"the API answered {response.status_code}"), False
        return error, False

    def _send(self, request: httpx.Request, deadline: float) -> httpx.Response:
        with self._lock:
            self._count += 1
        started = time.monotonic()
        if started >= deadline:
            raise bounds.TooLate()
        try:
            response = self._exchanges.send(
                self._http, request, per_read=self._timeout, deadline=deadline, limits=self.limits
            )
        except Exception as exc:
            self._log(request, f"{type(exc).__name__}", started, None)
            raise
        self._log(request, str(response.status_code), started, response)
        return response

    def _status_error(
        self, request: httpx.Request, response: httpx.Response
    ) -> tuple[ApiError, bool]:
        """The error for a non-2xx answer, and whether its body was a documented error."""
        code, message = _error_body(response)
        if message is not None:
            message = self._key.scrub(message)
        if code is not None:
            code = self._key.scrub(code)
        error = error_for_status(
            request.method,
            request.url.path,
            response.status_code,
            code=code,
            api_message=message,
            retry_after=retry.parse_retry_after(response.headers.get("Retry-After")),
        )
        return error, code is not None

    def _wire_error(
        self, request: httpx.Request, exc: httpx.TransportError, idempotent: bool
    ) -> ApiError:
        reason = shown(self._key.scrub(f"{type(exc).__name__}: {exc}".rstrip(": ")))
        if idempotent or isinstance(exc, retry.NOTHING_SENT + retry.NOT_TRANSIENT):
            return TransportFailure(
                f"could not reach the ByteStack API at {request.url.netloc.decode()} for "
                f"{request.method} {request.url.path} ({reason})",
                method=request.method,
                path=request.url.path,
            )
        return self._unknown(request, reason)

    def _unreadable(self, request: httpx.Request, exc: Exception, idempotent: bool) -> ApiError:
        """An answer cut off by the client's limits, or that cannot be decompressed.

        After a POST, the server may have acted on it: its outcome is unknown.
        """
        host = request.url.netloc.decode()
        error_class: type[ApiError]
        if isinstance(exc, bounds.TooLate):
            reason = (
                f"no complete answer from {host} within {self.limits.deadline:g} s, "
                "the deadline of a request"
            )
            error_class = DeadlineExceeded
        elif isinstance(exc, bounds.TooLarge):
            reason = f"the answer from {host} is larger than {_size(exc.cap)}, the most read"
            error_class = ResponseTooLarge
        else:
            reason = f"the answer from {host} cannot be decompressed"
            error_class = InvalidResponse
        if not idempotent:
            return self._unknown(request, reason)
        return error_class(
            f"{request.method} {request.url.path} failed: {reason}",
            method=request.method,
            path=request.url.path,
        )

    def _unknown(self, request: httpx.Request, reason: str) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"{request.method} {request.url.path} was sent but its outcome is unknown "
            f"({reason}); it may or may not have taken effect",
            method=request.method,
            path=request.url.path,
        )

    def _log_retry(
        self, request: httpx.Request, error: ApiError, delay: float, attempt: int, attempts: int
    ) -> None:
        """One line per retry (``-v`` shows them): what failed and how long it waits."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            how = f"waiting {delay:.1f} s as Retry-After asks"
        else:
            how = f"backing off {delay:.1f} s"
        RETRY_LOGGER.info(
            "%s %s: %s; %s (attempt %d of %d next)",
            request.method,
            request.url.path,
            error,
            how,
            attempt + 1,
            attempts,
        )

    def _log(
        self, request: httpx.Request, outcome: str, started: float, response: httpx.Response | None
    ) -> None:
        if not self._debug:
            return
        elapsed_ms = (time.monotonic() - started) * 1000
        # Bodies are never logged: they may hold webhook URLs with tokens in them.
        HTTP_LOGGER.debug(
            "%s %s -> %s in %.1f ms; request headers %s; response headers %s",
            request.method,
            request.url,
            outcome,
            elapsed_ms,
            self._headers(request.headers),
            self._headers(response.headers) if response is not None else {},
        )

    def _headers(self, headers: httpx.Headers) -> dict[str, str]:
        return {
            name: REDACTED if name.lower() in _SENSITIVE_HEADERS else self._key.scrub(value)
            for name, value in headers.items()
        }


def _without_userinfo(base_url: str) -> httpx.URL:
    """The base URL without ``user:password@``.

    httpx sends a URL's userinfo as Basic auth only when no other auth is set; the
    Bearer auth always is, so it never reached the API. Dropping it changes nothing on
    the wire, and no request URL, debug line or error built from one can show it.
    """
    return httpx.URL(base_url.rstrip("/")).copy_with(userinfo=b"")


def pool_limits(max_connections: int) -> httpx.Limits:
    """A pool of ``max_connections``, all kept alive: one per concurrent request, so
    ``--parallelism N`` gets N connections and never re-connects between requests."""
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def _error_body(response: httpx.Response) -> tuple[str | None, str | None]:
    """``code`` and ``message`` from an error body, tolerant of anything else."""
    try:
        data: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    code = data.get("code")
    message = data.get("message")
    return (
        code if isinstance(code, str) else None,
        message if isinstance(message, str) else None,
    )


def _size(count: int) -> str:
    """A byte count as a reader takes it in: ``32 MiB``, ``64 KiB``."""
    for unit, scale in (("MiB", bounds.MIB), ("KiB", 1024)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"
