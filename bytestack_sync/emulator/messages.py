"""Requests and responses as the emulator sees them, and their JSON forms."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from bytestack_sync.contract import IDEMPOTENCY_KEY_HEADER
from bytestack_sync.emulator.errors import ApiFailure

MAX_BODY_BYTES = 1 << 20
# No body of the API nests deeper than 3 levels; a fixed bound, rather than Python's
# recursion limit, decides what is refused.
MAX_JSON_DEPTH = 32
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_IDEMPOTENCY_ENVIRON = "HTTP_" + IDEMPOTENCY_KEY_HEADER.upper().replace("-", "_")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    authorization: str | None = None
    body: bytes = b""
    idempotency_key: str | None = None

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        """The body as JSON; malformed JSON is the caller's error (400), and so are
        text that cannot be stored (a lone surrogate, as ``"\\ud800"`` decodes to) and
        nesting deeper than MAX_JSON_DEPTH."""
        if not self.body.strip():
            raise ApiFailure(400, "request body must be a JSON object")
        try:
            value = json.loads(self.body.decode("utf-8"))
        except RecursionError:
            raise _too_deep() from None
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiFailure(400, f"request body is not valid JSON: {error}") from None
        for where, text in _texts(value):
            if found := _SURROGATE.search(text):
                point = f"U+{ord(found.group()):04X}"
                raise ApiFailure(
                    400, f"request body: {where} holds a lone surrogate ({point}), not text"
                )
        return value


def _too_deep() -> ApiFailure:
    return ApiFailure(400, f"request body is nested deeper than {MAX_JSON_DEPTH} levels")


def _texts(value: Any) -> Iterator[tuple[str, str]]:
    """Every string of a JSON value (field names too) with where it is, without
    recursion; raises the 400 of a value nested deeper than MAX_JSON_DEPTH."""
    stack: list[tuple[str, Any, int]] = [("the body", value, 0)]
    while stack:
        where, item, depth = stack.pop()
        if isinstance(item, str):
            yield where, item
            continue
        if isinstance(item, (dict, list)) and depth >= MAX_JSON_DEPTH:
            raise _too_deep()
        prefix = "" if depth == 0 else where
        if isinstance(item, dict):
            for key, inner in item.items():
                yield f"a field name in {where}", key
                stack.append((f"{prefix}.{key}".lstrip("."), inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", inner, depth + 1) for i, inner in enumerate(item))


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


def body_too_large() -> ApiFailure:
    return ApiFailure(413, f"request body is larger than {MAX_BODY_BYTES} bytes")


def read_request(environ: Mapping[str, Any]) -> Request:
    """Build a Request from a WSGI environ; an oversized body is a 413."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise body_too_large()
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        path=_utf8_path(str(environ.get("PATH_INFO", "")) or "/"),
        query=parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True),
        authorization=environ.get("HTTP_AUTHORIZATION"),
        body=body,
        idempotency_key=environ.get(_IDEMPOTENCY_ENVIRON),
    )
