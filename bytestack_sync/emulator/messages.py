"""Requests and responses as the emulator sees them, and their JSON forms."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from bytestack_sync.emulator.errors import ApiFailure

MAX_BODY_BYTES = 1 << 20
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    authorization: str | None = None
    body: bytes = b""

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        """The body as JSON; malformed JSON is the caller's error (400)."""
        if not self.body.strip():
            raise ApiFailure(400, "request body must be a JSON object")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiFailure(400, f"request body is not valid JSON: {error}") from None


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = "application/json"

    def header_list(self) -> list[tuple[str, str]]:
        headers = list(self.headers)
        if self.content_type and self.body:
            headers.append(("Content-Type", self.content_type))
        headers.append(("Content-Length", str(len(self.body))))
        return headers


def json_response(
    status: int, payload: object, headers: Sequence[tuple[str, str]] = ()
) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(status, body, tuple(headers))


def empty_response(status: int = 204) -> Response:
    return Response(status, b"", (), None)


def error_response(failure: ApiFailure) -> Response:
    payload = {"code": failure.code, "message": failure.message}
    return json_response(failure.status, payload, failure.headers)


def _utf8_path(path: str) -> str:
    # PEP 3333 servers hand PATH_INFO over as latin-1; httpx's in-process transport
    # decodes it as UTF-8 already. Re-decoding is a no-op for ASCII and for the latter.
    try:
        return path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return path


def read_request(environ: Mapping[str, Any]) -> Request:
    """Build a Request from a WSGI environ; an oversized body is a 400."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise ApiFailure(400, f"request body is larger than {MAX_BODY_BYTES} bytes")
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        path=_utf8_path(str(environ.get("PATH_INFO", "")) or "/"),
        query=parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True),
        authorization=environ.get("HTTP_AUTHORIZATION"),
        body=body,
    )
