"""The emulator over a real socket: a threaded HTTP/1.1 server with keep-alive.

``http.server`` is used instead of ``wsgiref`` because wsgiref closes the
connection after every response; clients that reuse connections (httpx does) then
measure connection set-up rather than the API.
"""

from __future__ import annotations

import io
import re
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import unquote

from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.errors import ApiFailure, ConnectionDropped
from bytestack_sync.emulator.messages import (
    MAX_BODY_BYTES,
    Response,
    body_too_large,
    error_response,
)
from bytestack_sync.emulator.routing import API_PREFIX

IDLE_TIMEOUT = 30.0  # seconds a kept-alive connection may sit idle, or a body pause
# Connections the kernel holds while the accept loop is busy (it caps this at
# net.core.somaxconn); socketserver's default of 5 resets a burst of clients.
LISTEN_BACKLOG = 1024
MAX_LINE_BYTES = 65536  # a request line, a chunk-size line or a trailer
# Before closing, the server reads and discards what the client still sends (the rest
# of a refused body) until it stops for LINGER_IDLE seconds, for LINGER_TOTAL at most:
# closing a socket with unread data resets it, and the client would lose the answer.
LINGER_IDLE = 5.0
LINGER_TOTAL = 30.0
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_DIGITS = re.compile(r"[0-9]{1,19}")


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    block_on_close = False  # an idle keep-alive client must not hold up shutdown
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    app: EmulatorApp
    idle_timeout: float

    def shutdown_request(self, request: Any) -> None:
        """Close after a lingering read, so a refused client still gets its answer."""
        try:
            request.shutdown(socket.SHUT_WR)
            _drain(request)
        except OSError:
            pass  # the client is gone already
        self.close_request(request)


class _Server6(_Server):
    address_family = socket.AF_INET6


def _drain(conn: socket.socket) -> None:
    """Read until the client closes, pauses for LINGER_IDLE (TimeoutError) or LINGER_TOTAL
    has passed."""
    conn.settimeout(LINGER_IDLE)
    deadline = time.monotonic() + LINGER_TOTAL
    while conn.recv(65536) and time.monotonic() < deadline:
        pass


def _cut_short() -> ApiFailure:
    # The client may only have closed its sending side: it can still read the answer.
    return ApiFailure(400, "the request body ended before its declared end")


def listen(
    app: EmulatorApp, host: str = "127.0.0.1", port: int = 0, idle_timeout: float = IDLE_TIMEOUT
) -> HTTPServer:
    """A server bound and listening on ``host``/``port`` for ``app``; connections wait
    in the listen queue until its ``serve_forever`` runs. Raises OSError when the
    address cannot be bound."""
    server_class = _Server6 if ":" in host else _Server
    server = server_class((host, port), _Handler)
    server.app = app
    server.idle_timeout = idle_timeout
    return server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)
        # Headers and body go out in separate writes; without NODELAY, Nagle's algorithm
        # and the client's delayed ACK add ~40 ms to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(MAX_LINE_BYTES + 1)
            if len(self.raw_requestline) > MAX_LINE_BYTES:
                self.requestline, self.request_version, self.command = "", "", ""
                message = f"the request line is longer than {MAX_LINE_BYTES} bytes"
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG, message)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._serve()
            self.wfile.flush()
        except (TimeoutError, ConnectionError):
            # An idle connection's timeout or a client that left: nobody to answer.
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every refusal of the HTTP layer (a bad request line, headers too large, a body
        refused unread) in the API's error shape; the connection then closes."""
        text = message or HTTPStatus(code).phrase
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            # What a refused request line leaves; an answer without headers has no shape.
            self.request_version = self.protocol_version
        self._write(error_response(ApiFailure(code, f"{text}: {explain}" if explain else text)))

    def handle_expect_100(self) -> bool:
        # A body that would be refused is refused before the client sends it.
        try:
            self._content_length()
        except ApiFailure as failure:
            self.send_error(failure.status, failure.message)
            return False
        return super().handle_expect_100()

    def _content_length(self) -> int:
        """The declared length of the body: 400 if unreadable, 413 over the cap."""
        values = set(self.headers.get_all("Content-Length") or ())
        if not values:
            return 0
        value = values.pop().strip()
        if values or not _DIGITS.fullmatch(value):
            raise ApiFailure(400, "Content-Length must be one number of bytes")
        if int(value) > MAX_BODY_BYTES:
            raise body_too_large()
        return int(value)

    def _read_body(self) -> bytes:
        coding = self.headers.get("Transfer-Encoding")
        if coding is None:
            return self._exactly(self._content_length())
        if coding.strip().lower() != "chunked":
            raise ApiFailure(400, f"Transfer-Encoding {coding!r} is not supported: send chunked")
        return self._read_chunks()

    def _read_chunks(self) -> bytes:
        """A chunked body, refused (413) as soon as it passes the cap, not once it is read."""
        chunks: list[bytes] = []
        total = 0
        while size := self._chunk_size():
            total += size
            if total > MAX_BODY_BYTES:
                raise body_too_large()
            chunks.append(self._exactly(size))
            if self._line() not in (b"\r\n", b"\n"):
                raise ApiFailure(400, "chunked body: a chunk is longer than its size")
        while self._line().strip():
            pass  # trailers, each at most a line long
        return b"".join(chunks)

    def _chunk_size(self) -> int:
        text = self._line().split(b";")[0].strip()
        if not _CHUNK_SIZE.fullmatch(text):
            raise ApiFailure(400, "chunked body: a chunk size is not a hexadecimal number")
        return int(text, 16)

    def _line(self) -> bytes:
        line = self.rfile.readline(MAX_LINE_BYTES + 1)
        if not line:
            raise _cut_short()
        if len(line) > MAX_LINE_BYTES:
            raise ApiFailure(400, f"chunked body: a line is longer than {MAX_LINE_BYTES} bytes")
        return line

    def _exactly(self, size: int) -> bytes:
        data = self.rfile.read(size) if size else b""
        if len(data) < size:
            raise _cut_short()
        return data

    def _environ(self, body: bytes) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "PATH_INFO": unquote(path, "latin-1"),
            "QUERY_STRING": query,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "SERVER_NAME": self.server.server_address[0],
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                # A header sent twice is one value, joined by commas (RFC 9110 5.3),
                # never the last one alone: a handler can tell it was repeated.
                environ[key] = f"{environ[key]}, {value}" if key in environ else value
        return environ

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ApiFailure as failure:
            self.send_error(failure.status, failure.message)  # the rest is left unread
            return
        except TimeoutError:
            pause = f"the request body paused for {self.server.idle_timeout:g} s"
            self.send_error(HTTPStatus.REQUEST_TIMEOUT, pause)
            return
        captured: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            captured[:] = [status, headers]

        try:
            payload = b"".join(self.server.app(self._environ(body), start_response))
        except ConnectionDropped:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers = captured
        code, _, reason = status.partition(" ")
        self._send(int(code), reason, headers, payload)

    def _write(self, response: Response) -> None:
        reason = HTTPStatus(response.status).phrase
        self._send(response.status, reason, response.header_list(), response.body)

    def _send(self, code: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(code, reason)
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        # Silent: request lines are noise in test output; no header is ever logged.
        return


class EmulatorServer:
    """Serve an EmulatorApp from a background thread; a context manager."""

    def __init__(self, app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{API_PREFIX}"

    def start(self) -> None:
        """Bind and start serving; raises OSError when the address cannot be bound."""
        server = listen(self.app, self.host, self._requested_port)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name="bytestack-emulator",
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
