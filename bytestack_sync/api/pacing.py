"""Client-side pacing that learns the API's rate limit from its 429 answers.

The client already waits ``Retry-After`` and retries a 429, so nothing fails; but
every 429 parks a worker for a second or more, and a burst of workers that keep
running into the limit spend much of their time parked. The pacer spaces
requests instead: it starts unpaced, and once two 429s have bracketed a stretch
of time it knows the server's bucket was empty at both ends, so the requests
that succeeded in between are what the server allows in that time. It paces a
little below that (multiplicative decrease on every further 429) and creeps up
while no 429 comes (additive increase), the usual AIMD loop.

It is a transport wrapper, the client's one seam, so it sees every request the
client sends, retries and list pages included.
"""

from __future__ import annotations

import functools
import ssl
import threading
import time
from collections.abc import Callable

import httpx

from bytestack_sync.api.session import pool_limits
from bytestack_sync.constants import DEFAULT_PARALLELISM

RATE_LIMITED = 429
BACKOFF = 0.95  # pace this fraction of the measured rate
INCREASE = 0.02  # fraction added per INCREASE_EVERY seconds without a 429
INCREASE_EVERY = 1.0
# Two 429s closer than this belong to one burst: too short a span to measure.
MIN_SPAN = 0.5
MIN_RATE = 0.5


class Pacer:
    """Spaces request starts ``1/rate`` apart once a rate has been learned. Thread-safe."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.rate: float | None = None
        self._next_slot = 0.0
        self._last_limited: float | None = None
        self._served = 0
        self._last_increase = 0.0
        self.limited = 0  # 429 answers seen

    def wait_turn(self) -> None:
        with self._lock:
            if self.rate is None:
                return
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            self._sleep(slot - now)

    def observe(self, status: int) -> None:
        with self._lock:
            now = self._clock()
            if status == RATE_LIMITED:
                self.limited += 1
                self._limited(now)
            else:
                self._served += 1
                self._creep(now)

    def _limited(self, now: float) -> None:
        last, served = self._last_limited, self._served
        self._last_limited, self._served = now, 0
        if last is None or now - last < MIN_SPAN:
            return
        measured = served / (now - last)
        current = measured if self.rate is None else min(self.rate, measured)
        self.rate = max(MIN_RATE, current * BACKOFF)
        self._last_increase = now

    def _creep(self, now: float) -> None:
        if self.rate is not None and now - self._last_increase >= INCREASE_EVERY:
            self.rate *= 1.0 + INCREASE
            self._last_increase = now


class PacedTransport(httpx.BaseTransport):
    """Wraps a transport: each request waits its turn, each answer teaches the pacer."""

    def __init__(self, inner: httpx.BaseTransport, pacer: Pacer | None = None) -> None:
        self._inner = inner
        self.pacer = pacer or Pacer()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.pacer.wait_turn()
        response = self._inner.handle_request(request)
        self.pacer.observe(response.status_code)
        return response

    def close(self) -> None:
        self._inner.close()


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs about as much as a request: once per process is enough.
    return httpx.create_ssl_context()


def paced_transport(*, max_connections: int = DEFAULT_PARALLELISM) -> PacedTransport:
    """A paced HTTP transport with the pool the client would otherwise make itself."""
    limits = pool_limits(max_connections)
    return PacedTransport(httpx.HTTPTransport(verify=_ssl_context(), limits=limits))
