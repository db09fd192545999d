"""``bytestack-sync emulator serve``: the local ByteStack API over HTTP until stopped."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from bytestack_sync.contract import DEFAULT_LOCAL_STATE
from bytestack_sync.durations import seconds_in
from bytestack_sync.emulator import runs
from bytestack_sync.emulator.app import create_app
from bytestack_sync.emulator.auth import parse_key_spec, split_key_spec
from bytestack_sync.emulator.clock import ClockMode, ClockModeMismatch
from bytestack_sync.emulator.context import DEFAULT_QUERY_DELAY
from bytestack_sync.emulator.control import MAX_ADVANCE_SECONDS
from bytestack_sync.emulator.ids import iso, parse_iso
from bytestack_sync.emulator.server import EmulatorServer
from bytestack_sync.errors import BytestackSyncError, UsageError
from bytestack_sync.secrets import Redactor

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _errors_shown(stream: TextIO) -> Iterator[None]:
    """The served emulator's own errors and warnings (runs skipped by a bounded catch-up)
    on ``stream``, one line each, while it serves."""
    import logging

    logger = logging.getLogger("bytestack_sync.emulator")
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.WARNING)
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
    clock: ClockMode | None = None,
    start: str | None = None,
) -> int:
    """Serve until SIGINT or SIGTERM, then stop cleanly and return 0. Job runs fire as
    the clock passes their instants (a manual clock: when advanced)."""
    _checked_keys(keys, redactor)
    begin = _start(start, clock)
    try:
        app = create_app(
            state, keys=keys, rate_limit=rate_limit, latency_ms=latency_ms,
            fail_rate=fail_rate, drop_rate=drop_rate, seed=seed, page_size=page_size,
            query_delay=DEFAULT_QUERY_DELAY if query_delay is None else query_delay,
            commit_delay=commit_delay, idempotency_keys=idempotency_keys,
            clock_mode=clock, start=begin,
        )  # fmt: skip
    except ClockModeMismatch as error:
        raise UsageError(f"--clock {clock}: {error}") from None
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
            app.tick()  # what fell due while no server ran on this state file
            while not stop.wait(0.5):
                app.tick()
    finally:
        server.stop()
        app.close()
    return 0


def _start(start: str | None, clock: ClockMode | None) -> float | None:
    if start is None:
        return None
    if clock != "manual":
        raise UsageError("--start sets where a manual clock starts: give it with --clock manual")
    moment = parse_iso(start)
    if moment is None:
        raise UsageError(
            f"--start: {start!r} is not an ISO 8601 instant with a time zone "
            "(e.g. 2026-12-03T00:00:00Z)"
        )
    return moment.timestamp()


def parse_advance(text: str) -> float:
    """Seconds in ``text``: ``90m``, ``1h``, ``1d``, ``1h30m``, or ISO 8601 (``PT1H30M``,
    ``P1D``). ``UsageError`` for anything else, and for no time at all."""
    seconds = seconds_in(text)
    if not seconds or not 0 < seconds <= MAX_ADVANCE_SECONDS:
        raise UsageError(
            f"{text!r} is not a duration to advance by, of at most a hundred years "
            "(e.g. 90m, 1h, 1d, 1h30m, PT1H30M, P1D)"
        )
    return seconds


def advance(*, state: str | None, duration: str, out: TextIO) -> int:
    """``emulator advance DURATION``: move a local state file's time forward and fire,
    in time order, every run that falls due (at most ``runs.MAX_RUNS_PER_ADVANCE``)."""
    seconds = parse_advance(duration)
    state = state or DEFAULT_LOCAL_STATE
    if not os.path.isfile(state):
        raise UsageError(
            f"no local emulator state at {state} (run a command with --api-url local first)"
        )
    app = create_app(state)
    try:
        # What fell due already is counted and fired with the rest, in one go.
        target, fired = runs.advance(app.store.db, app.clock, seconds=seconds)
    except runs.TooManyRuns:
        raise UsageError(
            f"more than {runs.MAX_RUNS_PER_ADVANCE} runs fall due by then (those that fell "
            "due since the state was last used included): advance in smaller steps"
        ) from None
    except runs.TooLate:
        raise UsageError("the emulator's time cannot pass 9999-01-01T00:00:00Z") from None
    finally:
        app.close()
    failed = sum(1 for run in fired if run.status != "completed")
    out.write(
        f"The emulator's time is now {iso(target / 1_000_000)}: {len(fired)} run(s) fired"
        f"{f', {failed} failed' if failed else ''}.\n"
    )
    return 0
