"""Fixtures for the API client's tests: a scripted transport, a recording sleep, emulators."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bytestack_sync.api.client import Client
from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.local import LocalTransport
from bytestack_sync.emulator.server import EmulatorServer

BASE_URL = "https://api.test/v1"
KEY = "bs_test_key_0123456789"

Answer = httpx.Response | Exception


@dataclass
class Script:
    """A transport that answers each request with the next scripted answer."""

    answers: list[Answer] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    handler: Callable[[httpx.Request], httpx.Response] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if self.handler is not None:
            return self.handler(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def body(self, index: int) -> object:
        return json.loads(self.requests[index].content)


@dataclass
class Sleeps:
    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(script: Script, sleeps: Sleeps) -> Iterator[Client]:
    with Client(
        BASE_URL, KEY, transport=httpx.MockTransport(script), sleep=sleeps, max_attempts=4
    ) as c:
        yield c


@dataclass
class Emulated:
    """One emulator, reached in-process or over a socket; makes clients for any key."""

    mode: str
    app: EmulatorApp
    url: str
    clients: list[Client] = field(default_factory=list)

    def client(self, key: str = "bs_key_workspace_a", **options: Any) -> Client:
        options.setdefault("sleep", lambda _seconds: None)
        if self.mode == "in-process":
            options.setdefault("transport", LocalTransport(self.app))
        made = Client(self.url, key, **options)
        self.clients.append(made)
        return made


EmulatorFactory = Callable[..., Emulated]


@pytest.fixture(params=["in-process", "socket"])
def emulated(request: pytest.FixtureRequest) -> Iterator[EmulatorFactory]:
    """Builds an emulator (``create_app`` options) reached the way the param says."""
    made: list[Emulated] = []
    with ExitStack() as stack:

        def build(**app_options: Any) -> Emulated:
            app_options.setdefault("query_delay", 0)
            app = create_app(**app_options)
            stack.callback(app.close)
            url = "http://emulator.test/v1"
            if request.param == "socket":
                url = stack.enter_context(EmulatorServer(app, host="127.0.0.1", port=0)).url
            emulated = Emulated(request.param, app, url)
            made.append(emulated)
            return emulated

        yield build
        for emulated in made:
            for client in emulated.clients:
                client.close()
