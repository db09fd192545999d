"""``apply --parallelism N`` really sends N requests at once, over N connections.

The served emulator holds every create until all N are in flight together, so a
connection pool smaller than N (it was once fixed at 16) cannot pass: the held
requests would wait for ones that can never be sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.server import EmulatorServer

HOLD_SECONDS = 20.0


class AllAtOnce:
    """The emulator, holding each job create until ``parties`` of them are in flight.

    Records the server thread that carried each create: the socket server runs one
    thread per connection, so distinct threads seen together are distinct connections.
    """

    def __init__(self, app: EmulatorApp, parties: int) -> None:
        self.app = app
        self.barrier = threading.Barrier(parties, timeout=HOLD_SECONDS)
        self.connections: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if (environ["REQUEST_METHOD"], environ["PATH_INFO"]) == ("POST", "/v1/jobs"):
            with self._lock:
                self.connections.add(threading.get_ident())
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"fewer requests arrived together than the test needs"]
        return self.app(environ, start_response)


@pytest.mark.parametrize("parallelism", [32])
def test_apply_opens_a_connection_per_worker(
    parallelism: int,
    cli: Any,
    write: Any,
    job: Any,
    manifest: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BITKIT_API_KEY", "bs_parallel_workspace_key")
    app = create_app()
    held = AllAtOnce(app, parties=parallelism)
    path: Path = write(manifest([job(f"job-{i:02}") for i in range(parallelism)]))
    try:
        with EmulatorServer(held, host="127.0.0.1", port=0) as server:  # type: ignore[arg-type]
            # No lock: the lease's create would wait at the barrier alone.
            result = cli(
                "apply", path, "--api-url", server.url, "--auto-approve", "--no-lock",
                "--parallelism", str(parallelism),
            )  # fmt: skip
    finally:
        app.close()
    assert result.code == 0, result.out + result.err
    assert not held.barrier.broken
    assert len(held.connections) == parallelism
