"""Bounds that hold whatever the server does: how long a request may take, how much
of an answer is read, how long a listing may go on.

A per-read timeout does not bound a request: a server that sends one byte every
few seconds never trips it, and a small gzip body can inflate to gigabytes. So
each exchange (connect, send, the status line and headers, the whole body) runs
in a worker thread that the caller stops waiting for at the request's deadline,
and the body is read as a stream, decompressed chunk by chunk, and dropped the
moment it passes its cap. A worker left behind at the deadline stops at its next
read (each read's timeout is clamped to the time that was left) and releases its
connection; it is a daemon, so it never holds up an exit.
"""

from __future__ import annotations

import queue
import threading
import time
import weakref
from dataclasses import dataclass

import httpx

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The client's own bounds (not the API's rules, which are in ``contract``)."""

    # Seconds for one request, every attempt, retry wait and byte of the answer included.
    deadline: float = 120.0
    # Bytes of one answer, as sent and as decompressed. A page of 1,000 jobs with
    # every field at its longest is about 7 MiB; a result file is its records.
    max_body: int = 32 * MIB
    # An error's documented body is a short {"code", "message"}: one larger than
    # this is not read, and the error is told by its status alone.
    max_error_body: int = 64 * 1024
    # A listing (every page of jobs, webhooks or result files): past these it is an
    # error, not a workspace. 1,000 pages hold 100,000 items at 100 a page.
    max_pages: int = 1000
    max_items: int = 100_000
    # A next_cursor goes back in the URL of the next page.
    max_cursor: int = 4096


DEFAULT = Limits()


class TooLate(Exception):
    """The exchange did not end before the request's deadline."""


class TooLarge(Exception):
    """The answer's body passed its cap of ``cap`` bytes."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"more than {cap} bytes")
        self.cap = cap


class _Exchange:
    """One request sent and its whole answer read, within the caps."""

    def __init__(
        self, http: httpx.Client, request: httpx.Request, deadline: float, limits: Limits
    ) -> None:
        self._http = http
        self._request = request
        self._deadline = deadline
        self._limits = limits
        self.response: httpx.Response | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def run(self) -> None:
        try:
            self.response = self._exchange()
        except BaseException as exc:  # handed to the caller, which raises it
            self.error = exc
        finally:
            self.done.set()

    def _exchange(self) -> httpx.Response:
        response = self._http.send(self._request, stream=True)
        try:
            if response.is_success:
                content = _read_capped(response, self._limits.max_body, self._deadline)
            else:
                try:
                    content = _read_capped(response, self._limits.max_error_body, self._deadline)
                except TooLarge:
                    content = b""
        finally:
            response.close()
        return _buffered(response, content)


WORKER_NAME = "bytestack-sync request"


class _Worker(threading.Thread):
    """Runs exchanges one after another until it is handed None."""

    def __init__(self) -> None:
        super().__init__(name=WORKER_NAME, daemon=True)
        self.exchanges: queue.SimpleQueue[_Exchange | None] = queue.SimpleQueue()

    def run(self) -> None:
        while (exchange := self.exchanges.get()) is not None:
            exchange.run()


class Exchanges:
    """The worker threads of one session. A worker whose exchange outlived its
    deadline is not reused: it ends after that exchange. Idle ones wait for the
    next; starting a thread for every request would cost more than a local request."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        # A session dropped without close() still lets its idle workers go.
        weakref.finalize(self, _stop, self._idle)

    def send(
        self,
        http: httpx.Client,
        request: httpx.Request,
        *,
        per_read: float,
        deadline: float,
        limits: Limits,
    ) -> httpx.Response:
        """The answer to ``request``, read whole; ``TooLate`` past ``deadline`` (a
        ``time.monotonic`` instant), ``TooLarge`` past ``limits.max_body``.

        Every read, write, connect or wait for a pooled connection is bounded by
        ``per_read`` and by the time left, so a worker left behind ends soon too.
        """
        left = max(0.001, min(per_read, deadline - time.monotonic()))
        request.extensions["timeout"] = {"connect": left, "read": left, "write": left, "pool": left}
        exchange = _Exchange(http, request, deadline, limits)
        worker = self._worker()
        worker.exchanges.put(exchange)
        finished = False
        try:
            finished = exchange.done.wait(max(0.0, deadline - time.monotonic()))
        finally:  # an interrupt too: the worker is not left waiting for more
            if finished:
                with self._lock:
                    self._idle.append(worker)
            else:
                worker.exchanges.put(None)
        if not finished:
            raise TooLate()
        if exchange.error is not None:
            raise exchange.error
        assert exchange.response is not None
        return exchange.response

    def _worker(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        worker = _Worker()
        worker.start()
        return worker

    def close(self) -> None:
        with self._lock:
            _stop(self._idle)


def _stop(workers: list[_Worker]) -> None:
    while workers:
        workers.pop().exchanges.put(None)


def _read_capped(response: httpx.Response, cap: int, deadline: float) -> bytes:
    """The decompressed body, read chunk by chunk; ``TooLarge`` as soon as the bytes
    received or decompressed pass ``cap``, ``TooLate`` once ``deadline`` passed."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge(cap)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap or response.num_bytes_downloaded > cap:
            raise TooLarge(cap)
        if time.monotonic() > deadline:
            raise TooLate()
        chunks.append(chunk)
    return b"".join(chunks)


# Headers that describe the body as it was sent, not the decoded bytes kept.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _buffered(response: httpx.Response, content: bytes) -> httpx.Response:
    """A response holding ``content`` (already decoded) in place of its stream."""
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in _WIRE_HEADERS
    ]
    return httpx.Response(
        response.status_code, headers=headers, content=content, request=response.request
    )
