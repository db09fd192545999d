"""The emulator over a real socket, and the in-process transport."""

from __future__ import annotations

import contextlib
import errno
import http.client
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.auth import KeyRing
from bytestack_sync.emulator.local import LocalTransport
from bytestack_sync.emulator.messages import MAX_BODY_BYTES
from bytestack_sync.emulator.server import EmulatorServer, listen
from tests.emulator.conftest import Reply, parse_reply, raw_exchange, raw_request, read_to_end


def test_the_fixture_serves_over_a_socket(
    emulator_server: EmulatorServer, job_body: dict[str, Any]
) -> None:
    assert emulator_server.url == f"http://127.0.0.1:{emulator_server.port}/v1"
    headers = {"Authorization": "Bearer socket-key"}
    with httpx.Client(base_url=emulator_server.url, headers=headers) as client:
        created = client.post("/jobs", json=job_body)
        assert created.status_code == 201
        job_id = created.json()["id"]
        assert client.get(f"/jobs/{job_id}").json() == created.json()
        assert client.delete(f"/jobs/{job_id}").status_code == 204
        assert client.get("/nope").json()["code"] == "not_found"


def test_connections_are_kept_alive(emulator_server: EmulatorServer) -> None:
    ports = set()
    headers = {"Authorization": "Bearer socket-key"}
    with httpx.Client(base_url=emulator_server.url, headers=headers) as client:
        for _ in range(5):
            response = client.get("/jobs")
            assert response.http_version == "HTTP/1.1"
            assert response.status_code == 200
            stream = response.extensions["network_stream"]
            ports.add(stream.get_extra_info("client_addr"))
    assert len(ports) == 1
    assert None not in ports


def test_a_storage_key_with_an_encoded_slash_over_a_socket(
    emulator_app: EmulatorApp, emulator_server: EmulatorServer, store_file: Any
) -> None:
    workspace = KeyRing().authenticate("Bearer socket-key").workspace
    store_file(emulator_app, workspace, "job_x/2026-04-30T08:00:00Z.json", b'{"a":1}', 5)
    url = f"{emulator_server.url}/storage/job_x%2F2026-04-30T08%3A00%3A00Z.json"
    response = httpx.get(url, headers={"Authorization": "Bearer socket-key"})
    assert response.status_code == 200
    assert response.json() == {"a": 1}


def test_port_is_unavailable_before_start(emulator_app: EmulatorApp) -> None:
    server = EmulatorServer(emulator_app)
    with pytest.raises(RuntimeError):
        _ = server.port
    server.stop()  # stopping a server that never started is harmless


def test_local_transport_without_a_default_key_is_401(
    make_app: Callable[..., EmulatorApp],
) -> None:
    transport = LocalTransport(make_app())
    with httpx.Client(base_url="http://local/v1", transport=transport) as client:
        assert client.get("/jobs").status_code == 401


def test_a_chunked_request_body_is_read(emulator_server: EmulatorServer) -> None:
    body = b'{"url": "https://h.example.com"}'
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    request = raw_request("POST", "/v1/webhooks", "Transfer-Encoding: chunked", body=chunked)
    assert raw_exchange(emulator_server.port, request).status == 201


def _refusal(reply: Reply, status: int, message: str) -> None:
    """The answer has the API's error shape and closes the connection."""
    assert (reply.status, reply.json()) == (status, {"code": "invalid_request", "message": message})
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["connection"] == "close"


TOO_LARGE = f"request body is larger than {MAX_BODY_BYTES} bytes"
NOT_A_LENGTH = "Content-Length must be one number of bytes"


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        (["Content-Length: lots"], 400, NOT_A_LENGTH),
        (["Content-Length: -5"], 400, NOT_A_LENGTH),
        (["Content-Length: 2", "Content-Length: 3"], 400, NOT_A_LENGTH),
        ([f"Content-Length: {10**14}"], 413, TOO_LARGE),  # declared, never sent
        ([f"Content-Length: {MAX_BODY_BYTES + 1}"], 413, TOO_LARGE),
        ([f"Content-Length: {MAX_BODY_BYTES + 1}", "Expect: 100-continue"], 413, TOO_LARGE),
        (["Content-Length: 1" + "0" * 30], 400, NOT_A_LENGTH),
    ],
    ids=["words", "negative", "two-lengths", "huge", "one-over", "expect-100", "30-digits"],
)
def test_a_body_refused_by_its_length_is_answered_before_it_is_read(
    emulator_server: EmulatorServer, headers: list[str], status: int, message: str
) -> None:
    # Only the headers are sent: an answer proves the server did not wait for the body.
    request = raw_request("POST", "/v1/webhooks", *headers)
    reply = raw_exchange(emulator_server.port, request)
    _refusal(reply, status, message)
    assert reply.headers.get("content-length") == str(len(reply.body))


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap(
    emulator_server: EmulatorServer,
) -> None:
    # 1 MiB and 64 KiB are sent, the end never is, and the connection stays open: a
    # server that reads the whole body before refusing it never answers.
    chunk = b"x" * 65536
    body = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 17
    request = raw_request("POST", "/v1/webhooks", "Transfer-Encoding: chunked", body=body)
    with socket.create_connection(("127.0.0.1", emulator_server.port), timeout=10) as conn:
        conn.sendall(request)
        _refusal(parse_reply(read_to_end(conn)), 413, TOO_LARGE)
    with httpx.Client(base_url=emulator_server.url) as client:
        assert client.get("/webhooks", headers={"Authorization": "Bearer raw-key"}).json() == {
            "data": [],
            "next_cursor": None,
        }


def test_a_client_still_sending_a_refused_body_gets_the_answer(
    emulator_server: EmulatorServer,
) -> None:
    # http.client sends the whole body before it reads: the server must read on (and
    # discard) after refusing, or closing resets the connection and the answer is lost.
    body = (b"x" * 65536 for _ in range(8 * 16))  # 8 MiB
    conn = http.client.HTTPConnection("127.0.0.1", emulator_server.port, timeout=10)
    try:
        headers = {"Authorization": "Bearer raw-key", "Content-Type": "application/json"}
        conn.request("POST", "/v1/webhooks", body=body, headers=headers, encode_chunked=True)
        response = conn.getresponse()
        reply = Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()
    assert (reply.status, reply.json()["message"]) == (413, TOO_LARGE)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"zz\r\n{}\r\n0\r\n\r\n", "chunked body: a chunk size is not a hexadecimal number"),
        (b"-1\r\n{}\r\n0\r\n\r\n", "chunked body: a chunk size is not a hexadecimal number"),
        (b"\r\n", "chunked body: a chunk size is not a hexadecimal number"),
        (b"1" * 70000 + b"\r\n", "chunked body: a line is longer than 65536 bytes"),
        (b"1\r\n{}\r\n0\r\n\r\n", "chunked body: a chunk is longer than its size"),
        (b"%x\r\n" % (MAX_BODY_BYTES + 1), TOO_LARGE),
        (b"1" * 16 + b"\r\n", TOO_LARGE),
    ],
    ids=["not-hex", "negative", "empty", "long-line", "overlong-chunk", "one-over", "huge"],
)
def test_a_malformed_chunked_body_is_answered(
    emulator_server: EmulatorServer, body: bytes, message: str
) -> None:
    request = raw_request("POST", "/v1/webhooks", "Transfer-Encoding: chunked", body=body)
    reply = raw_exchange(emulator_server.port, request)
    _refusal(reply, 413 if message == TOO_LARGE else 400, message)


@contextlib.contextmanager
def _not_accepting(app: EmulatorApp, **options: float) -> Iterator[tuple[int, Callable[[], None]]]:
    """A server listening on a port, accepting no connection until ``accept()`` is called."""
    server = listen(app, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    try:
        yield server.server_address[1], thread.start
    finally:
        if thread.is_alive():
            server.shutdown()
            thread.join(timeout=10)
        server.server_close()


@pytest.mark.parametrize(
    ("headers", "body"),
    [(["Content-Length: 40"], b'{"url": '), (["Transfer-Encoding: chunked"], b'8\r\n{"url": ')],
    ids=["length", "chunked"],
)
def test_a_body_that_stops_coming_is_answered_408(
    emulator_app: EmulatorApp, headers: list[str], body: bytes
) -> None:
    request = raw_request("POST", "/v1/webhooks", *headers, body=body)
    with (
        _not_accepting(emulator_app, idle_timeout=0.5) as (port, accept),
        socket.create_connection(("127.0.0.1", port), timeout=10) as conn,
    ):
        # Sent before the server accepts, so only the body's end can be late; then
        # nothing more, with the connection left open.
        conn.sendall(request)
        accept()
        reply = parse_reply(read_to_end(conn))
    _refusal(reply, 408, "the request body paused for 0.5 s")


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        # The chunks so far hold a whole JSON object; the last chunk never comes.
        (["Transfer-Encoding: chunked"], b'20\r\n{"url": "https://h.example.com"}\r\n'),
        (["Content-Length: 40"], b'{"url": "https://h.example.com"}'),
    ],
    ids=["chunked", "length"],
)
def test_a_body_cut_short_is_refused_not_taken_as_complete(
    emulator_server: EmulatorServer, headers: list[str], body: bytes
) -> None:
    request = raw_request("POST", "/v1/webhooks", *headers, body=body)
    with socket.create_connection(("127.0.0.1", emulator_server.port), timeout=10) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)  # the client is done sending, and still reads
        reply = parse_reply(read_to_end(conn))
    _refusal(reply, 400, "the request body ended before its declared end")
    with httpx.Client(base_url=emulator_server.url) as client:
        listed = client.get("/webhooks", headers={"Authorization": "Bearer raw-key"})
        assert listed.json()["data"] == []


@pytest.mark.parametrize("coding", ["gzip", "gzip, chunked", "identity"])
def test_a_transfer_coding_other_than_chunked_is_refused(
    emulator_server: EmulatorServer, coding: str
) -> None:
    request = raw_request("POST", "/v1/webhooks", f"Transfer-Encoding: {coding}", body=b"{}")
    reply = raw_exchange(emulator_server.port, request)
    _refusal(reply, 400, f"Transfer-Encoding {coding!r} is not supported: send chunked")


@pytest.mark.parametrize(
    ("request_bytes", "status", "message"),
    [
        (
            raw_request("GET", "/v1/jobs?x=" + "a" * 70_000),
            414,
            "the request line is longer than 65536 bytes",
        ),
        (
            raw_request("GET", "/v1/jobs", "X-Long: " + "a" * 70_000),
            431,
            "Line too long: got more than 65536 bytes when reading header line",
        ),
        (
            raw_request("GET", "/v1/jobs", *(f"X-{i}: 1" for i in range(101))),
            431,
            "Too many headers: got more than 100 headers",
        ),
        (b"GET /v1/jobs HTTP/9.9\r\n\r\n", 505, "Invalid HTTP version (9.9)"),
        (b"NONSENSE\r\n\r\n", 400, "Bad request syntax ('NONSENSE')"),
    ],
    ids=["long-url", "long-header", "many-headers", "version", "syntax"],
)
def test_a_request_the_http_layer_refuses_gets_the_api_error_shape(
    emulator_server: EmulatorServer, request_bytes: bytes, status: int, message: str
) -> None:
    reply = raw_exchange(emulator_server.port, request_bytes)
    code = "internal_error" if status >= 500 else "invalid_request"
    assert (reply.status, reply.json()) == (status, {"code": code, "message": message})
    assert reply.headers["connection"] == "close"
    # The server lives on: the next connection is served.
    assert raw_exchange(emulator_server.port, raw_request("GET", "/v1/jobs")).status == 200


def test_connections_wait_in_the_listen_queue_while_none_is_accepted(
    emulator_app: EmulatorApp,
) -> None:
    """50 clients connect at once to a server that accepts none yet (the worst case of a
    burst: an accept loop that is not scheduled); every handshake must complete in the
    kernel's listen queue, and every client is then served. With a backlog of 5 only 6
    complete, however long the test waits, so this does not depend on timing."""
    clients = [socket.socket() for _ in range(50)]
    with _not_accepting(emulator_app) as (port, accept):
        try:
            for client in clients:
                client.setblocking(False)
                assert client.connect_ex(("127.0.0.1", port)) in (0, errno.EINPROGRESS)
            pending = set(clients)
            deadline = time.monotonic() + 10
            while pending and time.monotonic() < deadline:
                _, connected, _ = select.select([], list(pending), [], 0.1)
                for client in connected:
                    assert client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
                    pending.discard(client)
            assert len(pending) == 0, f"{len(pending)} of 50 connections were not queued"
            accept()
            for client in clients:
                client.setblocking(True)
                client.settimeout(10)
                client.sendall(raw_request("GET", "/v1/jobs"))
            statuses = [parse_reply(read_to_end(client)).status for client in clients]
            assert statuses == [200] * 50
        finally:
            for client in clients:
                client.close()
