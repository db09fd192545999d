"""The API key, held so that it cannot leak, and the Bearer auth that sends it.

The key lives in an ``ApiKey`` whose ``str`` and ``repr`` hide it; the header is
built only when a request is sent, so no request object, log line or exception
created by this package holds it before then.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from bytestack_sync import contract
from bytestack_sync.api.errors import ApiKeyError

REDACTED = "[redacted]"


class ApiKey:
    """An API key that never shows itself.

    Wrap the raw string first and drop it (``del``), then call ``require``: so a
    traceback through the caller never holds the raw key in a local variable.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = (value or "").strip()

    def reveal(self) -> str:
        return self._value

    def require(self) -> ApiKey:
        """This key, or ``ApiKeyError`` naming the variable (never the value)."""
        reason = _unusable_reason(self._value)
        if reason is not None:
            raise ApiKeyError(
                f"the API key {reason}: set {contract.API_KEY_ENV} to a ByteStack API key "
                "(or use --api-url local for the local emulator)"
            )
        return self

    def scrub(self, text: str) -> str:
        """The text with every occurrence of the key replaced."""
        return text.replace(self._value, REDACTED) if self._value else text

    def __repr__(self) -> str:
        return "ApiKey([redacted])"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the key to wherever the pickle goes.
        raise TypeError("an API key cannot be pickled")


def _unusable_reason(value: str) -> str | None:
    if not value:
        return "is not set"
    if not value.isascii() or not value.isprintable():
        return "contains characters an HTTP header cannot carry"
    if any(c.isspace() for c in value):
        return "contains whitespace"
    return None


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer <key>`` to each request as it is sent."""

    def __init__(self, key: ApiKey) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + self._key.reveal()
        yield request

    def __repr__(self) -> str:
        return "BearerAuth([redacted])"
