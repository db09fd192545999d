"""When a failed request may be sent again, and how long to wait first.

The rule that matters: a request may be re-sent only if sending it twice cannot
do something twice. GET, PATCH and DELETE are idempotent, so any failure that
may be transient is retried. POST creates something, so it is retried only when
the server certainly did nothing: a 429, a 5xx that came back as a documented
error body (the API handled the request and says it failed), or a connection
that could not even be opened. Anything else after a POST was sent — a timeout,
a dropped connection, a bare 5xx from something in between — leaves the outcome
unknown, and the caller must look before it tries again.
"""

from __future__ import annotations

import email.utils
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import httpx

from bytestack_sync.api.errors import ApiError, RateLimited, ServerError

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})

# Raised before a single byte of the request left this process.
NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures of the request itself, not of the network: sending again cannot help.
NOT_TRANSIENT = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError)


def is_idempotent(method: str) -> bool:
    return method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: seconds (the contract) or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


# The adaptive budget (``RetryPolicy.attempts``): the outcomes of this many recent
# attempts estimate how often the API fails a request it may be sent again.
WINDOW = 64
# Enough attempts that a request fails every one of them at most this often...
GIVE_UP_ODDS = 1e-4
# ...but never more than this many (each request also has its own deadline).
MAX_ADAPTIVE_ATTEMPTS = 16
# An API that answered nothing for this long may have stopped answering at all:
# successes older than this earn no more attempts.
RECENT_SUCCESS = 15.0


@dataclass
class RetryPolicy:
    """Bounded attempts with exponential backoff and full jitter.

    With ``adaptive`` (the default) the bound follows the API: ``max_attempts`` is
    the floor, and each retry is allowed while the recent failure rate says that
    all the attempts so far failing is not yet rarer than ``GIVE_UP_ODDS``, up to
    ``MAX_ADAPTIVE_ATTEMPTS``. The rate is estimated from the last ``WINDOW``
    attempts of every request, this one's included, with one success and one
    failure assumed (Laplace's rule), so a short history cannot say 0 or 1. It
    counts only while the last success is at most ``RECENT_SUCCESS`` seconds old:
    an API that stopped answering (before this apply, or in the middle of it) gets
    the floor within that time, and fails about as fast as with a fixed bound; an
    API that fails half its requests yet answers the rest costs a few more retries,
    not a failed change.
    """

    max_attempts: int = 5
    backoff: float = 0.5  # the first retry waits up to this long
    max_backoff: float = 30.0
    max_retry_after: float = 60.0  # never trust a server to park us for longer
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    adaptive: bool = True
    clock: Callable[[], float] = time.monotonic
    _recent: deque[bool] = field(default_factory=lambda: deque(maxlen=WINDOW), repr=False)
    _last_success: float | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff < 0:
            raise ValueError("backoff must not be negative")

    def record(self, *, succeeded: bool) -> None:
        """One attempt's outcome: a 2xx, or a failure that may be transient (a 429
        is the API pacing us, not failing, and is not recorded)."""
        with self._lock:
            self._recent.append(succeeded)
            if succeeded:
                self._last_success = self.clock()

    @property
    def attempts(self) -> int:
        """The attempts a request may make now (see the class)."""
        with self._lock:
            successes, seen, last = sum(self._recent), len(self._recent), self._last_success
        if not self.adaptive or not successes or last is None:
            return self.max_attempts
        if self.clock() - last > RECENT_SUCCESS:
            return self.max_attempts
        rate = (seen - successes + 1) / (seen + 2)
        needed = math.ceil(math.log(GIVE_UP_ODDS) / math.log(rate))
        return max(self.max_attempts, min(MAX_ADAPTIVE_ATTEMPTS, needed))

    def backoff_delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, backoff * 2**(attempt-1))]."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** max(0, attempt - 1))
        return self.rng.uniform(0.0, ceiling)

    def delay_after(self, error: ApiError, attempt: int) -> float:
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return min(error.retry_after, self.max_retry_after)
        return self.backoff_delay(attempt)

    def wait(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep(seconds)


def status_retryable(error: ApiError, *, idempotent: bool, documented_body: bool) -> bool:
    """Whether an error status may be retried for a request of this kind."""
    if isinstance(error, RateLimited):
        return True
    if isinstance(error, ServerError):
        return idempotent or documented_body
    return False


def transport_retryable(exc: httpx.TransportError, *, idempotent: bool) -> bool:
    """Whether a wire failure may be retried; for POST only if nothing was sent."""
    if isinstance(exc, NOT_TRANSIENT):
        return False
    return idempotent or isinstance(exc, NOTHING_SENT)
