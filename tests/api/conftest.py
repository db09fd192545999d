"""Fixtures for the API client's tests: a scripted transport and a recording sleep."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from bytestack_sync.api.client import Client

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
