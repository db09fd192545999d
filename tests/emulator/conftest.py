"""Fixtures for the emulator's tests: in-process clients, a clock the test moves, and
raw exchanges over a socket for requests no HTTP client would send."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.local import LocalTransport
from bytestack_sync.emulator.store import put_file

KEY = "test-key-0001"
START = 1_800_000_000.0  # 2027-01-15T08:00:00Z


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def local_client(app: EmulatorApp, key: str | None = KEY) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(
        base_url="http://emulator.local/v1", transport=LocalTransport(app), headers=headers
    )


StoreFile = Callable[[EmulatorApp, str, str, bytes, int], None]


@pytest.fixture
def store_file() -> StoreFile:
    """Stores a result file the way a settled query does, for storage tests of any key."""

    def put(app: EmulatorApp, workspace: str, key: str, body: bytes, created_us: int) -> None:
        with app.store._db.transaction() as conn:
            put_file(conn, workspace, key, body, created_us)

    return put


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app() -> Iterator[Callable[..., EmulatorApp]]:
    """Build emulators with options; each is closed after the test."""
    apps: list[EmulatorApp] = []

    def build(*args: object, **options: object) -> EmulatorApp:
        app = create_app(*args, **options)  # type: ignore[arg-type]
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()


@pytest.fixture
def clocked_app(make_app: Callable[..., EmulatorApp], clock: FakeClock) -> EmulatorApp:
    return make_app(clock=clock, query_delay=10.0)


@pytest.fixture
def api(clocked_app: EmulatorApp) -> Iterator[httpx.Client]:
    """A client of a fresh in-process emulator whose time only moves when the test says."""
    with local_client(clocked_app) as client:
        yield client


@pytest.fixture
def client_for() -> Iterator[Callable[..., httpx.Client]]:
    """``client_for(app, key=...)``: an in-process client, closed after the test."""
    clients: list[httpx.Client] = []

    def build(app: EmulatorApp, key: str | None = KEY) -> httpx.Client:
        client = local_client(app, key)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def job_body() -> dict[str, object]:
    """The job from the Go SDK's example, as a create request body."""
    return {
        "name": "Daily Acme mentions",
        "prompt": "How many times was Acme mentioned on X today?",
        "sources": ["x"],
        "schedule": "0 8 * * *",
        "webhook_url": "https://yourapp.example.com/webhooks/bytestack",
    }


RAW_TIMEOUT = 10.0  # seconds any one socket operation of a raw exchange may take


@dataclass(frozen=True)
class Reply:
    """An HTTP answer as read off the socket."""

    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def parse_reply(raw: bytes) -> Reply:
    """The first answer in ``raw``; AssertionError when there is none (a dropped connection)."""
    head, separator, rest = raw.partition(b"\r\n\r\n")
    assert separator, f"no HTTP answer, got {raw[:200]!r}"
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = rest[: int(headers.get("content-length", len(rest)))]
    return Reply(int(status_line.split()[1]), headers, body)


def raw_exchange(port: int, request: bytes) -> Reply:
    """Send ``request`` as is, read until the server closes, and parse its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=RAW_TIMEOUT) as conn:
        conn.sendall(request)
        return parse_reply(read_to_end(conn))


def read_to_end(conn: socket.socket) -> bytes:
    received = b""
    while chunk := conn.recv(65536):
        received += chunk
    return received


def raw_request(method: str, target: str, *headers: str, body: bytes = b"") -> bytes:
    """A request with a key and ``Connection: close``; ``headers`` as ``"Name: value"``."""
    lines = [f"{method} {target} HTTP/1.1", "Host: emulator", "Authorization: Bearer raw-key"]
    lines += [*headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body
