"""A hostile ByteStack API: a small HTTP/1.1 server on 127.0.0.1, one mode per misbehaviour.

Out of any mode it serves a workspace of its own well enough for ``plan``,
``apply`` and ``export`` (list, create, read, update and delete jobs; list,
create and delete webhooks). A mode replaces the answer of one endpoint (by
default the listing of jobs) with one misbehaviour. Every misbehaviour ends by
itself in bounded time, so a client that lacks the limit under test finishes,
and its test fails, rather than hangs.

    with HostileApi("drip") as api:
        ... --api-url api.url ...
        api.writes()   # the POST, PATCH and DELETE requests it was sent
"""

from __future__ import annotations

import functools
import itertools
import json
import socket
import threading
import zlib
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bytestack_sync import contract

# drip, drip-headers: one byte every DRIP_INTERVAL seconds, DRIP_BYTES of them in all.
DRIP_INTERVAL = 0.05
DRIP_BYTES = 200
# endless-cursors: this many pages, each with a new cursor, before one ends the list.
ENDLESS_PAGES = 3000
# gzip-bomb: a body of about 100 KiB that inflates to this many bytes.
BOMB_BYTES = 100 * 1024 * 1024
# huge-page: this many jobs on the one page, where the client asks for PAGE_LIMIT_MAX.
HUGE_PAGE = 2 * contract.PAGE_LIMIT_MAX
# huge-message: an error message of this many characters.
HUGE_MESSAGE = 50 * 1000 * 1000
# deep-json: nested arrays this deep.
DEPTH = 100_000

# What the messages of the "message" mode say: each tries to break out of its line.
HOSTILE_MESSAGES = {
    "carriage-return": "bad name\rApply complete: 0 failed.",
    "newline": "bad name\nApply complete: 0 failed.",
    "ansi": "\x1b[2J\x1b[H\x1b[32mApply complete: 0 failed.\x1b[0m",
    "c1-csi": "bad \x9b2J name \x85next line",
    "set-output": "::set-output name=approved::true",
    "workflow-error": "::error file=jobs.yaml,line=1::forged annotation",
    "newline-then-command": "bad name\n::add-mask::x\n::error::forged",
    "long": "x" * 10_000,
}

_EMPTY_PAGE = b'{"data": [], "next_cursor": null}'


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def job_record(index: int, name: str | None = None) -> dict[str, Any]:
    """A job as the API returns it; ids are unique per ``index``."""
    return {
        "id": f"job_{index:025d}",
        "name": name or f"hostile-{index}",
        "prompt": "How many times was it mentioned today?",
        "sources": ["x"],
        "schedule": "0 8 * * *",
        "webhook_url": None,
        "status": "active",
        "next_run_at": None,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }


@functools.lru_cache(maxsize=1)
def _bomb() -> bytes:
    """A valid empty page, then BOMB_BYTES of JSON whitespace, gzipped (~100 KiB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    parts = [packer.compress(_EMPTY_PAGE)]
    block = b" " * (1024 * 1024)
    parts.extend(packer.compress(block) for _ in range(BOMB_BYTES // len(block)))
    parts.append(packer.flush())
    return b"".join(parts)


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    api: HostileApi

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up mid-answer is what these tests expect: no traceback.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30.0
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without NODELAY, Nagle's algorithm
        # and the client's delayed ACK add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        api = self.server.api
        api.record(method, url.path)
        misbehaviour = api.misbehaviour_for(method, url.path)
        if misbehaviour is not None:
            misbehaviour(self, query)
        else:
            status, answer = api.workspace(method, url.path, body)
            self.send_json(status, answer)

    # --- writing answers ------------------------------------------------------------
    def send_bytes(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, answer: object) -> None:
        if answer is None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_bytes(status, json.dumps(answer).encode())

    def send_error_message(self, message: str) -> None:
        self.send_json(400, {"code": "invalid_request", "message": message})

    # --- misbehaviours --------------------------------------------------------------
    def drip(self, _query: dict[str, str]) -> None:
        body = _EMPTY_PAGE.ljust(DRIP_BYTES)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        for index in range(len(body)):
            if self.server.api.stopping.wait(DRIP_INTERVAL):
                self.close_connection = True
                return
            self.wfile.write(body[index : index + 1])
            self.wfile.flush()

    def drip_headers(self, _query: dict[str, str]) -> None:
        """The status line and headers, one byte at a time: no body read has begun."""
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Drip: ".ljust(DRIP_BYTES, b"x")
        for index in range(len(head)):
            if self.server.api.stopping.wait(DRIP_INTERVAL):
                break
            self.wfile.write(head[index : index + 1])
            self.wfile.flush()
        self.close_connection = True

    def endless_cursors(self, query: dict[str, str]) -> None:
        page = int(query.get("cursor", "page-0").removeprefix("page-")) + 1
        cursor = f"page-{page}" if page < ENDLESS_PAGES else None
        self.send_json(200, {"data": [], "next_cursor": cursor})

    def gzip_bomb(self, _query: dict[str, str]) -> None:
        self.send_bytes(200, _bomb(), Content_Encoding="gzip")

    def huge_page(self, _query: dict[str, str]) -> None:
        jobs = [job_record(i) for i in range(HUGE_PAGE)]
        self.send_json(200, {"data": jobs, "next_cursor": None})

    def odd_cursor(self, query: dict[str, str]) -> None:
        """Page one holds ``page-one`` and a cursor that is not a string; any cursor
        asks for page two, which holds ``page-two``."""
        if "cursor" in query:
            self.send_json(200, {"data": [job_record(2, "page-two")], "next_cursor": None})
            return
        cursor = self.server.api.options["cursor"]
        self.send_json(200, {"data": [job_record(1, "page-one")], "next_cursor": cursor})

    def message(self, _query: dict[str, str]) -> None:
        self.send_error_message(self.server.api.options["message"])

    def echo_key(self, _query: dict[str, str]) -> None:
        """An error that repeats the bearer key it was sent, as ``spell(key)`` writes it."""
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        self.send_error_message(self.server.api.options["spell"](key))

    def huge_message(self, _query: dict[str, str]) -> None:
        head, tail = b'{"code": "invalid_request", "message": "', b'"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(head) + HUGE_MESSAGE + len(tail)))
        self.end_headers()
        self.wfile.write(head)
        block = b"A" * 1_000_000
        for _ in range(HUGE_MESSAGE // len(block)):
            if self.server.api.stopping.is_set():
                return
            self.wfile.write(block)
        self.wfile.write(tail)

    def deep_json(self, _query: dict[str, str]) -> None:
        self.send_bytes(200, b"[" * DEPTH + b"]" * DEPTH)

    def deep_error(self, _query: dict[str, str]) -> None:
        nested = b"[" * DEPTH + b"]" * DEPTH
        self.send_bytes(400, b'{"code": "invalid_request", "message": ' + nested + b"}")


Misbehaviour = Callable[[_Handler, dict[str, str]], None]

MODES: dict[str, Misbehaviour] = {
    "drip": _Handler.drip,
    "drip-headers": _Handler.drip_headers,
    "endless-cursors": _Handler.endless_cursors,
    "gzip-bomb": _Handler.gzip_bomb,
    "huge-page": _Handler.huge_page,
    "odd-cursor": _Handler.odd_cursor,
    "message": _Handler.message,
    "echo-key": _Handler.echo_key,
    "huge-message": _Handler.huge_message,
    "deep-json": _Handler.deep_json,
    "deep-error": _Handler.deep_error,
}


class HostileApi:
    """The server and its workspace; ``mode`` misbehaves on ``on`` (method, path)."""

    def __init__(
        self,
        mode: str | None = None,
        *,
        on: tuple[str, str] = ("GET", "/v1/jobs"),
        **options: Any,
    ) -> None:
        self.misbehaviour = MODES[mode] if mode is not None else None
        self.on = on
        self.options = options
        self.stopping = threading.Event()
        self.requests: list[tuple[str, str]] = []
        self.jobs: dict[str, dict[str, Any]] = {}
        self.webhooks: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> HostileApi:
        self._thread.start()
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))

    def writes(self) -> list[tuple[str, str]]:
        with self._lock:
            return [r for r in self.requests if r[0] != "GET"]

    def misbehaviour_for(self, method: str, path: str) -> Misbehaviour | None:
        return self.misbehaviour if (method, path) == self.on else None

    def add_job(self, name: str) -> dict[str, Any]:
        with self._lock:
            job = job_record(next(self._ids), name)
            self.jobs[job["id"]] = job
            return job

    # --- the well-behaved workspace --------------------------------------------------
    def workspace(self, method: str, path: str, body: Any) -> tuple[int, object]:
        parts = path.strip("/").split("/")
        if parts[:1] != ["v1"] or len(parts) not in (2, 3):
            return 404, {"code": "not_found", "message": "no such path"}
        kind, one = parts[1], parts[2] if len(parts) == 3 else None
        store = {"jobs": self.jobs, "webhooks": self.webhooks}.get(kind)
        if store is None:
            return 404, {"code": "not_found", "message": "no such path"}
        with self._lock:
            return self._answer(kind, store, method, one, body)

    def _answer(
        self, kind: str, store: dict[str, dict[str, Any]], method: str, one: str | None, body: Any
    ) -> tuple[int, object]:
        if one is None and method == "GET":
            return 200, {"data": list(store.values()), "next_cursor": None}
        if one is None and method == "POST":
            record = self._created(kind, body)
            store[record["id"]] = record
            return 201, record
        if one not in store:
            return 404, {"code": "not_found", "message": f"{one} does not exist"}
        if method == "GET":
            return 200, store[one]
        if method == "PATCH":
            store[one].update(body, updated_at=_now())
            return 200, store[one]
        if method == "DELETE":
            del store[one]
            return 204, None
        return 405, {"code": "invalid_request", "message": "method not allowed"}

    def _created(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        number = next(self._ids)
        if kind == "jobs":
            return {**job_record(number), **body, "created_at": _now(), "updated_at": _now()}
        events = body.get("events", ["job.completed"])
        return {"id": f"wh_{number:025d}", **body, "events": events, "created_at": _now()}
