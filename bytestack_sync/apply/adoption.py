"""Finding the resource a POST with an unknown outcome may have created.

A POST that timed out or lost its connection may or may not have taken effect.
Re-sending it blindly could create a second job, so the executor re-reads the
live list and adopts a matching resource that nobody knew of before. Under
faults many POSTs can end that way at once: they share one list read, as long
as that read started after their failure (so it would show what they did).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

from bytestack_sync.api.client import Client
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.contract import JOB
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan import compare

T = TypeVar("T", LiveJob, LiveWebhook)


# What a create sets: a field it cannot carry (a job's status: every job is created
# active, a paused one is paused next) is no evidence either way.
_CREATED_FIELDS = tuple(name for name in JOB.compared if JOB.field(name).on_create)


def job_matches(live: LiveJob, spec: JobSpec) -> bool:
    """Whether ``live`` is what creating ``spec`` makes: the planner's own comparison,
    status aside."""
    return live.name == spec.name and compare.same_record(
        compare.live_job_values(live), compare.desired_job_values(spec), _CREATED_FIELDS
    )


def webhook_matches(live: LiveWebhook, spec: WebhookSpec) -> bool:
    return live.url == spec.url and compare.same_webhook_form(spec, live)


class _Listing(Generic[T]):
    """The latest list of one resource type, and the tick its read started at."""

    def __init__(self) -> None:
        self.items: Sequence[T] = ()
        self.read_at = -1


class Adopter:
    """Resolves POSTs of unknown outcome; thread-safe.

    ``known_ids`` are the ids that existed before this apply (the plan read them):
    never adopted. Ids this apply created are claimed as they appear, so no
    resource is adopted twice.
    """

    def __init__(self, client: Client, known_ids: Iterable[str] = ()) -> None:
        self._client = client
        self._claimed: set[str] = set(known_ids)
        self._lock = threading.Lock()
        self._tick_lock = threading.Lock()
        self._ticks = 0
        self._jobs: _Listing[LiveJob] = _Listing()
        self._webhooks: _Listing[LiveWebhook] = _Listing()

    def tick(self) -> int:
        """A point in time, taken when a POST's outcome turned out unknown."""
        with self._tick_lock:
            self._ticks += 1
            return self._ticks

    def claim(self, resource_id: str) -> None:
        with self._lock:
            self._claimed.add(resource_id)

    def adopt_job(self, spec: JobSpec, failed_at: int) -> LiveJob | None:
        return self._adopt(
            self._jobs, self._client.jobs.list, lambda j: job_matches(j, spec), failed_at
        )

    def adopt_webhook(self, spec: WebhookSpec, failed_at: int) -> LiveWebhook | None:
        return self._adopt(
            self._webhooks,
            self._client.webhooks.list,
            lambda w: webhook_matches(w, spec),
            failed_at,
        )

    def _adopt(
        self,
        listing: _Listing[T],
        read: Callable[[], Sequence[T]],
        matches: Callable[[T], bool],
        failed_at: int,
    ) -> T | None:
        # One reader at a time: a worker that waited here usually finds a list
        # read after its failure already cached, and reads nothing itself.
        with self._lock:
            if listing.read_at <= failed_at:
                started = self.tick()
                listing.items = read()
                listing.read_at = started
            for item in listing.items:
                if item.id not in self._claimed and matches(item):
                    self._claimed.add(item.id)
                    return item
            return None
