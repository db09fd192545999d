"""What a handler is given: the store, the emulator's settings, and the call itself."""

from __future__ import annotations

from dataclasses import dataclass

from bytestack_sync.emulator.clock import EmulatorClock
from bytestack_sync.emulator.messages import Request
from bytestack_sync.emulator.store import Store

DEFAULT_QUERY_DELAY = 0.5  # seconds from submit to completed; queued, then running, for half each


@dataclass(frozen=True)
class Settings:
    page_size: int | None = None  # caps every page, so small pages can be tested
    query_delay: float = DEFAULT_QUERY_DELAY
    # Seconds every create is held before it is stored (a slow commit).
    commit_delay: float = 0.0
    # False: an API that ignores Idempotency-Key (it is harmless where ignored).
    idempotency_keys: bool = True

    def __post_init__(self) -> None:
        if self.page_size is not None and self.page_size < 1:
            raise ValueError(f"page_size must be at least 1 (got {self.page_size})")
        if self.commit_delay < 0:
            raise ValueError(f"commit_delay must not be negative (got {self.commit_delay})")
        if self.query_delay < 0:
            raise ValueError(f"query_delay must not be negative (got {self.query_delay})")


@dataclass(frozen=True)
class Context:
    store: Store
    settings: Settings
    workspace: str
    request: Request
    params: tuple[str, ...]
    now: float  # seconds since the epoch, read once per request
    clock: EmulatorClock

    @property
    def now_us(self) -> int:
        return int(self.now * 1_000_000)
