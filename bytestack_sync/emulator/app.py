"""The emulator as a WSGI application: ``create_app(...)`` builds one.

A request passes, in order: injected latency, authentication (401, and 402 for
an unpaid key), the key's rate
limit (429), injected failure (500), routing (404, 405), the read-only check (403),
the page cursor's form (400), the handler, and for successful writes the injected
drop (committed, then no response).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

from bytestack_sync.emulator import runs, validation
from bytestack_sync.emulator.auth import KeyRing, Principal
from bytestack_sync.emulator.clock import ClockMode, EmulatorClock
from bytestack_sync.emulator.context import DEFAULT_QUERY_DELAY, Context, Settings
from bytestack_sync.emulator.control import CONTROL_PREFIX, HEALTH_PATH
from bytestack_sync.emulator.db import Database
from bytestack_sync.emulator.errors import ApiFailure, ConnectionDropped
from bytestack_sync.emulator.faults import FaultDice, FaultSettings, TokenBucket
from bytestack_sync.emulator.messages import Request, Response, error_response, read_request
from bytestack_sync.emulator.routing import resolve
from bytestack_sync.emulator.store import Store

log = logging.getLogger(__name__)
# A library's logger: silent until someone listens (``--debug``, or ``emulator serve``,
# which shows its errors on stderr), never through logging's last-resort handler.
log.addHandler(logging.NullHandler())

StartResponse = Callable[..., Any]


class EmulatorApp:
    """A WSGI callable serving the ByteStack API from a SQLite store."""

    def __init__(
        self,
        store: Store,
        *,
        keys: KeyRing,
        faults: FaultSettings,
        settings: Settings,
        clock: EmulatorClock,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._keys = keys
        self._dice = FaultDice(faults)
        self._bucket = TokenBucket(faults.rate_limit)
        self._ticked_minute: int | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            request = read_request(environ)
        except ApiFailure as failure:
            response = error_response(failure)
        else:
            response = self.handle(request)  # ConnectionDropped propagates to the server
        status = f"{response.status} {HTTPStatus(response.status).phrase}"
        start_response(status, response.header_list())
        return [response.body]

    def handle(self, request: Request) -> Response:
        """Answer one request; raises ConnectionDropped when a write is to be dropped.

        The control API (``/_emulator/``) is never subject to injected faults, and
        its health check needs no key."""
        control_api = request.path.startswith(CONTROL_PREFIX + "/")
        if not control_api:
            self._dice.delay()
        drop = False
        try:
            if request.path == HEALTH_PATH:
                principal = Principal(workspace="", read_only=True, bucket="")
            else:
                principal = self._admit(request, faults=not control_api)
            handler, params = resolve(request.method, request.path)
            if request.is_write and principal.read_only:
                raise ApiFailure(403, f"this key is read-only: {request.method} is not allowed")
            validation.check_cursor(request.param("cursor"))
            drop = request.is_write and not control_api and self._dice.drop()
            ctx = Context(
                self.store, self.settings, principal.workspace, request, params,
                self.clock(), self.clock,
            )  # fmt: skip
            response = handler(ctx)
        except ApiFailure as failure:
            response = error_response(failure)
        except Exception:
            # One line for a server's operator; the traceback for --debug.
            log.error("unexpected error answering %s %s", request.method, request.path)
            log.debug("the traceback", exc_info=True)
            response = error_response(ApiFailure(500, "internal error"))
        if drop and response.status < 400:
            raise ConnectionDropped()
        return response

    def _admit(self, request: Request, *, faults: bool = True) -> Principal:
        principal = self._keys.authenticate(request.authorization)
        if principal.unpaid:
            raise ApiFailure(402, "this workspace has a billing problem: check Settings → Billing")
        if not faults:
            return principal
        wait = self._bucket.take(principal.bucket)
        if wait is not None:
            raise ApiFailure(
                429, f"rate limit exceeded: retry in {wait} s", headers=[("Retry-After", str(wait))]
            )
        if self._dice.fail():
            raise ApiFailure(500, "injected failure: nothing was done")
        return principal

    def tick(self) -> list[runs.Run]:
        """Fire every run that fell due by the clock's time (``runs.catch_up``).

        The served emulator calls this as time passes, and a local state file when it
        is opened. Runs fall on whole minutes, so within a minute that was already
        looked at there is nothing to do, and nothing is read. What fell due since the
        minute before is fired whole; a longer gap (a state file not used for a while)
        is caught up boundedly, and what is skipped is logged."""
        minute = self.clock.now_us() // 60_000_000
        last = self._ticked_minute
        if minute == last:
            return []
        steady = last is not None and minute - last <= 2
        fired, skipped = runs.catch_up(
            self.store.db, self.clock, limit=None if steady else runs.MAX_RUNS_PER_ADVANCE
        )
        if skipped:
            log.warning(
                "more than %d job runs fell due since this state was last used: the oldest "
                "%d ran, the rest were skipped", runs.MAX_RUNS_PER_ADVANCE, len(fired),
            )  # fmt: skip
        self._ticked_minute = minute
        return fired

    def close(self) -> None:
        self.store.close()


def create_app(
    state: str | None = None,
    *,
    keys: Sequence[str] = (),
    rate_limit: float = 0,
    latency_ms: float = 0,
    fail_rate: float = 0,
    drop_rate: float = 0,
    seed: int | None = None,
    page_size: int | None = None,
    query_delay: float = DEFAULT_QUERY_DELAY,
    commit_delay: float = 0.0,
    idempotency_keys: bool = True,
    clock: Callable[[], float] = time.time,
    clock_mode: ClockMode | None = None,
    start: float | None = None,
) -> EmulatorApp:
    """An emulator over the SQLite file ``state`` (kept across restarts), or in memory.

    Raises ValueError for an invalid key spec or fault setting (the message never
    holds a key), and ``errors.StateFileError`` for a state file this version
    cannot use, such as one written by a newer one.
    """
    faults = FaultSettings(rate_limit, latency_ms, fail_rate, drop_rate, seed)
    settings = Settings(
        page_size=page_size,
        query_delay=query_delay,
        commit_delay=commit_delay,
        idempotency_keys=idempotency_keys,
    )
    ring = KeyRing(keys)
    db = Database(state)
    try:
        emulator_clock = EmulatorClock(db, clock_mode, start=start, wall=clock)
    except BaseException:
        db.close()
        raise
    return EmulatorApp(Store(db), keys=ring, faults=faults, settings=settings, clock=emulator_clock)
