"""The emulator over a real socket, and the in-process transport."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.auth import KeyRing
from bytestack_sync.emulator.local import LocalTransport
from bytestack_sync.emulator.server import EmulatorServer


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


def _raw_exchange(server: EmulatorServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(request)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
        return received


def test_a_chunked_request_body_is_read(emulator_server: EmulatorServer) -> None:
    body = b'{"url": "https://h.example.com"}'
    request = (
        b"POST /v1/webhooks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer raw-key\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + f"{len(body):x}\r\n".encode()
        + body
        + b"\r\n0\r\n\r\n"
    )
    assert _raw_exchange(emulator_server, request).startswith(b"HTTP/1.1 201 ")


def test_an_unreadable_content_length_is_answered_and_closed(
    emulator_server: EmulatorServer,
) -> None:
    request = (
        b"POST /v1/webhooks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer raw-key\r\n"
        b"Content-Length: lots\r\n\r\n{}"
    )
    reply = _raw_exchange(emulator_server, request)
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b'"invalid_request"' in reply
