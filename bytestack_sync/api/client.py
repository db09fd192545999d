"""The ByteStack API client: ``Client(base_url, key)`` and its four resources.

    with Client("https://api.bytestack.dev/v1", key) as client:
        for job in client.jobs.list():
            ...

One client holds one connection pool and may be shared by a thread pool; give it
``max_connections`` of at least the threads that share it (``apply_plan``'s
``parallelism``), or they queue for a connection. The transport is the one seam
for tests and the local emulator (a transport passed in brings its own pool):
``Client(url, key, transport=httpx.WSGITransport(app=...))``.

Whatever the server does, a request ends within ``limits`` (``api.limits``): a
deadline, caps on the size of an answer, and a bound on the pages of a listing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import httpx

from bytestack_sync import secrets
from bytestack_sync.api.auth import ApiKey
from bytestack_sync.api.limits import Limits
from bytestack_sync.api.resources import Jobs, Queries, Storage, Webhooks
from bytestack_sync.api.retry import RetryPolicy
from bytestack_sync.api.session import Session
from bytestack_sync.constants import DEFAULT_PARALLELISM
from bytestack_sync.secrets import shown_url


class Client:
    """A typed client over one ``httpx.Client``; see ``bytestack_sync.api.errors``."""

    def __init__(
        self,
        base_url: str,
        key: str | ApiKey | None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_attempts: int = 5,
        adaptive_retries: bool = True,
        backoff: float = 0.5,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        debug: bool = False,
        max_connections: int = DEFAULT_PARALLELISM,
        limits: Limits | None = None,
    ) -> None:
        self._display_url = shown_url(base_url)
        api_key = key if isinstance(key, ApiKey) else ApiKey(key)
        del key  # from here on only the wrapper, whose repr hides it, is in scope
        api_key.require()
        self._api_key = api_key
        policy = RetryPolicy(
            max_attempts=max_attempts,
            adaptive=adaptive_retries,
            clock=clock,
            backoff=backoff,
            max_retry_after=max_retry_after,
            sleep=sleep,
            rng=rng or random.Random(),
        )
        self._session = Session(
            base_url,
            api_key,
            policy=policy,
            transport=transport,
            timeout=timeout,
            debug=debug,
            max_connections=max_connections,
            limits=limits,
        )
        self.jobs = Jobs(self._session)
        self.webhooks = Webhooks(self._session)
        self.queries = Queries(self._session, sleep=sleep, clock=clock)
        self.storage = Storage(self._session)

    def derived_key(self, context: bytes) -> bytes:
        """``secrets.derived_key`` of this client's API key."""
        return secrets.derived_key(self._api_key.reveal(), context)

    @property
    def base_url(self) -> str:
        return self._session.base_url

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, every retry included."""
        return self._session.request_count

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        # Safe on a half-built client too (a traceback may show one).
        return f"Client({self._display_url!r})"
