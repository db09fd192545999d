"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.server import EmulatorServer
from tests.api.hostile import HostileApi


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's or CI's ByteStack settings."""
    for name in list(os.environ):
        if name.startswith(("BITKIT_", "BYTESTACK_")) or name in ("GITHUB_ACTIONS", "NO_COLOR"):
            monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def emulator_app() -> Iterator[EmulatorApp]:
    """A fresh in-memory emulator: any bearer key is accepted and names its workspace."""
    app = create_app()
    yield app
    app.close()


@pytest.fixture
def emulator_server(emulator_app: EmulatorApp) -> Iterator[EmulatorServer]:
    """``emulator_app`` served over a real socket on 127.0.0.1 (``.url`` ends in /v1)."""
    with EmulatorServer(emulator_app, host="127.0.0.1", port=0) as server:
        yield server


Hostile = Callable[..., HostileApi]


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    """Starts a hostile API on 127.0.0.1: ``hostile("drip")``, ``hostile("message",
    on=("POST", "/v1/jobs"), message=...)``, ``hostile("echo-key", spell=lambda key: ...)``;
    ``hostile()`` only behaves."""
    with ExitStack() as stack:

        def start(mode: str | None = None, **options: Any) -> HostileApi:
            return stack.enter_context(HostileApi(mode, **options))

        yield start
