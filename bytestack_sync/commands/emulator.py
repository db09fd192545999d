"""``bytestack-sync emulator serve``: the local ByteStack API over HTTP until stopped."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from bytestack_sync.emulator.app import create_app
from bytestack_sync.emulator.auth import parse_key_spec, split_key_spec
from bytestack_sync.emulator.context import DEFAULT_QUERY_DELAY
from bytestack_sync.emulator.server import EmulatorServer
from bytestack_sync.errors import BytestackSyncError, UsageError
from bytestack_sync.secrets import Redactor

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _errors_shown(stream: TextIO) -> Iterator[None]:
    """The served emulator's own errors on ``stream``, one line each, while it serves."""
    import logging

    logger = logging.getLogger("bytestack_sync.emulator")
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(logging.Formatter("emulator: %(message)s"))
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into a clean stop instead of an interruption."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _checked_keys(keys: Sequence[str], redactor: Redactor) -> None:
    for position, spec in enumerate(keys, start=1):
        # The keys this server accepts are secrets like any other.
        redactor.add(split_key_spec(spec)[0], spec)
        try:
            parse_key_spec(spec, position)
        except ValueError as error:
            raise UsageError(f"--key: {error}") from None


def serve(
    *,
    host: str,
    port: int,
    state: str | None,
    keys: Sequence[str],
    rate_limit: float,
    latency_ms: float,
    fail_rate: float,
    drop_rate: float,
    seed: int | None,
    page_size: int | None,
    out: TextIO,
    redactor: Redactor,
    query_delay: float | None = None,
    commit_delay: float = 0.0,
    idempotency_keys: bool = True,
) -> int:
    """Serve until SIGINT or SIGTERM, then stop cleanly and return 0."""
    _checked_keys(keys, redactor)
    try:
        app = create_app(
            state, keys=keys, rate_limit=rate_limit, latency_ms=latency_ms,
            fail_rate=fail_rate, drop_rate=drop_rate, seed=seed, page_size=page_size,
            query_delay=DEFAULT_QUERY_DELAY if query_delay is None else query_delay,
            commit_delay=commit_delay, idempotency_keys=idempotency_keys,
        )  # fmt: skip
    except ValueError as error:
        raise UsageError(str(error)) from None
    server = EmulatorServer(app, host=host, port=port)
    stop = threading.Event()
    try:
        with _stop_on_signals(stop), _errors_shown(sys.stderr):
            try:
                server.start()
            except OSError as error:
                raise BytestackSyncError(
                    f"cannot listen on {host}:{port}: {error.strerror or error}"
                ) from None
            out.write(f"bytestack emulator listening on {server.url}\n")
            out.flush()
            while not stop.wait(0.5):
                pass
    finally:
        server.stop()
        app.close()
    return 0
