"""Injected faults: per-key rate limits, latency, failures and dropped connections."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FaultSettings:
    rate_limit: float = 0.0  # requests per second per key; 0: no limit
    latency_ms: float = 0.0
    fail_rate: float = 0.0  # fraction of requests answered 500 without doing anything
    drop_rate: float = 0.0  # fraction of writes committed, then dropped with no response
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("fail_rate", "drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1 (got {value})")
        if self.rate_limit < 0 or self.latency_ms < 0:
            raise ValueError("rate_limit and latency_ms must not be negative")


class TokenBucket:
    """``rate`` requests per second per bucket, with a burst of ``rate`` (at least one)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._capacity = max(rate, 1.0)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, bucket: str) -> int | None:
        """Spend one token; None when allowed, else the whole seconds to wait (>= 1)."""
        if self._rate <= 0:
            return None
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(bucket, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - last) * self._rate)
            if tokens >= 1.0:
                self._buckets[bucket] = (tokens - 1.0, now)
                return None
            self._buckets[bucket] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self._rate))


class FaultDice:
    """The seeded coin flips behind failures and drops, so a run can be reproduced."""

    def __init__(self, settings: FaultSettings) -> None:
        self._settings = settings
        self._random = random.Random(settings.seed)
        self._lock = threading.Lock()

    def _roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._random.random() < rate

    def fail(self) -> bool:
        return self._roll(self._settings.fail_rate)

    def drop(self) -> bool:
        return self._roll(self._settings.drop_rate)

    def delay(self) -> None:
        # Called with no lock held, so slow requests still run side by side.
        if self._settings.latency_ms > 0:
            time.sleep(self._settings.latency_ms / 1000.0)
