"""What ``apply`` reports when a step after a create fails or the result cannot be read."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.api.client import Client
from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.server import EmulatorServer
from bytestack_sync.errors import EXIT_APPLY_FAILED, EXIT_OK

KEY = "bs_e2e_reporting_key"


class Refusing:
    """The emulator, answering 403 to the methods in ``refuse`` (changeable between runs);
    ``after_post`` refuses them only once a POST has been served."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.refuse: set[str] = set()
        self.after_post = False
        self._posted = False
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        with self._lock:
            self._posted = self._posted or method == "POST"
            refused = method in self.refuse and (self._posted or not self.after_post)
        if not refused:
            return self.app(environ, start_response)
        body = json.dumps({"code": "forbidden", "message": f"{method} is not allowed"}).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        start_response("403 Forbidden", headers)
        return [body]


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Refusing, str, Client]]:
    monkeypatch.setenv("BITKIT_API_KEY", KEY)
    app = create_app()
    wrapper = Refusing(app)
    try:
        with (
            EmulatorServer(wrapper, host="127.0.0.1", port=0) as server,  # type: ignore[arg-type]
            Client(server.url, KEY) as client,
        ):
            yield wrapper, server.url, client
    finally:
        app.close()


def test_a_paused_job_whose_pause_is_refused_is_reported_made_and_paused_next_time(
    refusing: tuple[Refusing, str, Client], cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    wrapper, url, client = refusing
    path: Path = write(manifest([job("pz", status="paused")]))
    wrapper.refuse = {"PATCH"}
    first = cli("apply", path, "--api-url", url, "--auto-approve")
    (made,) = client.jobs.list()
    assert first.code == EXIT_APPLY_FAILED, first.out + first.err
    assert made.status == "active"
    assert f'+ job "pz": failed: created {made.id}, but pausing it failed: ' in first.out
    assert "may not update jobs (403)" in first.out
    assert "re-plan still finds 1 change(s):\n  ~ job:pz\n" in first.out
    assert "Apply complete: 0 created" in first.out and "1 failed" in first.out

    wrapper.refuse = set()
    again = cli("apply", path, "--api-url", url, "--auto-approve")
    assert again.code == EXIT_OK, again.out + again.err
    assert "1 updated" in again.out
    assert [(j.id, j.status) for j in client.jobs.list()] == [(made.id, "paused")]


def test_a_result_that_cannot_be_read_back_is_a_warning_on_stderr(
    refusing: tuple[Refusing, str, Client], cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    wrapper, url, client = refusing
    path: Path = write(manifest([job("a")]))
    wrapper.refuse, wrapper.after_post = {"GET"}, True
    # No lock: its lease is the first POST, and the lock lists after it.
    result = cli("apply", path, "--api-url", url, "--auto-approve", "--no-lock")
    assert result.code == EXIT_OK, result.out + result.err
    assert "Apply complete: 1 created" in result.out
    assert "warning" not in result.out
    assert "warning: could not confirm the result: " in result.err
    wrapper.refuse = set()
    assert [j.name for j in client.jobs.list()] == ["a"]
