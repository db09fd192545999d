"""The workspace lock: one apply at a time, built on the one thing the API stores.

The API has no lock, so an apply takes one by creating a *lease*: a paused job
named ``bytestack-sync-lock-<token>`` (``plan.leases``: no plan, stale check or
export sees it) whose prompt names its owner (host and pid) and its time to live.

Taking it:

1. create our lease (a create is always active: it is paused at once, and its
   schedule, 29 February at midnight, would hardly fire in between);
2. list the jobs: the other leases, less those past their expiry, which are
   deleted (taken over from an apply that died);
3. none left: the lock is ours. Otherwise, when ours is the oldest (``created_at``,
   then ``id``), the younger ones step aside at once, so look again a few times;
   when it is not, or they stay, delete ours and wait, listing with backoff, until
   no lease is left, then start again; past ``timeout`` seconds,
   ``WorkspaceLockedError`` (exit 4) names the holder and when its lease expires.

Why two applies cannot both hold it: each looks only once its own lease exists,
and holds the lock only when it saw no other lease. Of two leases, the one created
second was created after the other's owner looked (else that owner would have seen
it and not held the lock), so its own owner's look, later still, sees the first,
which stays until its holder is done. This relies only on the API listing a job
in every list that starts after its create returned: not on timestamps, which
only settle who steps aside.

While held, a thread renews the lease (a PATCH, which moves ``updated_at``) every
quarter of its time to live. A lease expires ``ttl`` seconds after its last
renewal by the *server's* clock: the time read here is the server's ``created_at``
of our own lease plus the time elapsed since on the local monotonic clock, so a
client whose clock is wrong neither takes over a live lease nor keeps a dead one.
A lease without server timestamps never expires by itself.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TextIO

from bytestack_sync.api.client import Client
from bytestack_sync.api.errors import ApiError, Conflict, NotFound, OutcomeUnknown
from bytestack_sync.api.models import LiveJob
from bytestack_sync.apply.operations import PAUSED
from bytestack_sync.constants import LEASE_PREFIX
from bytestack_sync.contract import KNOWN_SOURCES
from bytestack_sync.durations import seconds_in
from bytestack_sync.errors import UsageError, WorkspaceLockedError
from bytestack_sync.plan.leases import is_lease_name
from bytestack_sync.printable import shown

# How long a lease lives after its last renewal; renewed every quarter of it.
LEASE_TTL = 120.0
# A valid schedule that fires once in four years: a lease is paused a request after
# its create, and a paused job never runs.
LEASE_SCHEDULE = "0 0 29 2 *"
LEASE_SOURCES = (KNOWN_SOURCES[0],)
OWNER_MAX = 100
# When ours is the oldest lease: how often, and how far apart, to look again for
# the younger ones to step aside before taking ours back too.
SETTLE_LOOKS = 5
SETTLE_DELAY = 0.2
# Waiting for a holder: the first pause between looks, the longest, the jitter.
FIRST_WAIT = 0.5
LONGEST_WAIT = 5.0
JITTER = 0.25
LOCK_TIMEOUT_MAX = 24 * 3600.0
# A lease create whose outcome is unknown (or answered 409: still being processed):
# how many times it is sent, and the waits after each, between which the list is
# read for it, since the server may still be committing it.
CREATE_TRIES = 3
CREATE_WAITS = (0.5, 1.0, 2.0)
# Deleting our lease: how many tries (each with the client's own retries), and the
# first pause between them (doubled each time).
DROP_TRIES = 4
DROP_WAIT = 0.5
# How long release waits for a renewal in flight before deleting the lease anyway.
RENEWAL_JOIN = 5.0

_OWNER = re.compile(r"^owner: (.+)$", re.MULTILINE)
_TTL = re.compile(r"^ttl: ([0-9]{1,9}) s", re.MULTILINE)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def parse_duration(text: str, option: str = "--lock-timeout") -> float:
    """Seconds in ``text``, as Terraform's ``-lock-timeout`` reads it: ``0s``, ``90s``,
    ``5m``, ``1h30m``; a bare number is seconds. ``UsageError`` for anything else."""
    value = text.strip()
    seconds: float | None = None
    with contextlib.suppress(ValueError):
        seconds = float(value)
    if seconds is None:
        seconds = seconds_in(value, units="hms", iso=False)
    if seconds is None or not 0 <= seconds <= LOCK_TIMEOUT_MAX:
        raise UsageError(
            f"{option}: {text!r} is not a duration of 0s to 24h (e.g. 0s, 30s, 5m, 1h30m)"
        )
    return seconds


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    if text.endswith(("Z", "z")):  # which fromisoformat reads only from Python 3.11 on
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Lease:
    """A lease as listed: what its prompt says of it and the server's timestamps."""

    id: str
    name: str
    owner: str
    ttl: float
    created: datetime | None
    renewed: datetime | None

    @classmethod
    def of(cls, job: LiveJob) -> Lease:
        # What a lease says of itself is the server's text: shown escaped and capped.
        owner, ttl = _OWNER.search(job.prompt), _TTL.search(job.prompt)
        created, updated = _moment(job.created_at), _moment(job.updated_at)
        stamps = [m for m in (created, updated) if m is not None]
        return cls(
            id=job.id,
            name=job.name,
            owner=shown(owner.group(1), OWNER_MAX) if owner else "an unknown owner",
            ttl=float(ttl.group(1)) if ttl else LEASE_TTL,
            created=created,
            renewed=max(stamps) if stamps else None,
        )

    @property
    def rank(self) -> tuple[bool, datetime, str]:
        """The order of leases: the oldest first, by ``created_at`` then ``id``."""
        return (self.created is None, self.created or _EPOCH, self.id)

    @property
    def expires(self) -> datetime | None:
        return None if self.renewed is None else self.renewed + timedelta(seconds=self.ttl)

    def describe(self) -> str:
        since = f" since {iso(self.created)}" if self.created else ""
        expiry = (
            f"it expires {iso(self.expires)} unless renewed"
            if self.expires
            else "it has no server timestamps, so it never expires by itself"
        )
        return f"{self.owner} holds it{since} (lease job {self.shown_id}; {expiry})"

    @property
    def shown_id(self) -> str:
        return shown(self.id, OWNER_MAX)


def owner_label() -> str:
    """Who holds a lease, for the person another apply makes wait: host and pid."""
    return shown(f"{socket.gethostname()} pid {os.getpid()}", OWNER_MAX)


def lease_prompt(owner: str, ttl: float) -> str:
    return (
        "bytestack-sync apply holds this workspace's lock while this job exists; "
        "other applies wait for it. It is paused and never runs. "
        "Delete it only if no apply is running.\n"
        f"owner: {owner}\n"
        f"ttl: {int(ttl)} s after its last update\n"
    )


def left_behind(lease: Lease, exc: ApiError, ttl: float) -> str:
    return (
        f"warning: the workspace lock could not be released ({exc}): its lease, job "
        f"{lease.shown_id}, expires {ttl:g}s after its last renewal; run "
        f"`bytestack-sync force-unlock {lease.shown_id}` to let another apply in sooner\n"
    )


def locked_message(holder: Lease, timeout: float) -> str:
    waited = f" (waited {timeout:g}s)" if timeout else ""
    return (
        f"the workspace is locked by another apply{waited}: "
        f"{holder.describe()}. Pass --lock-timeout (e.g. 5m) to wait for it; if no "
        f"apply is running, run `bytestack-sync force-unlock {holder.shown_id}`, or wait for "
        "it to expire."
    )


def force_release(client: Client, lease_id: str) -> Lease:
    """Delete the lease ``lease_id`` (``force-unlock``): the lease it was.

    ``UsageError`` when the workspace has no such job, or it is a job of its own
    and no lease: only a lock's lease is ever deleted here."""
    for job in client.jobs.list():
        if job.id == lease_id:
            if not is_lease_name(job.name):
                raise UsageError(f"job {shown(lease_id, OWNER_MAX)} is not a lock lease")
            lease = Lease.of(job)
            client.jobs.delete(job.id)
            return lease
    raise UsageError(
        f"no lock lease {shown(lease_id, OWNER_MAX)} in this workspace: "
        "apply names the lease that holds the lock when it refuses"
    )


class WorkspaceLock:
    """The workspace lock as a context manager: taken on entry, released on exit,
    also when the apply fails or is interrupted."""

    def __init__(
        self,
        client: Client,
        *,
        timeout: float,
        err: TextIO,
        ttl: float = LEASE_TTL,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        owner: str | None = None,
    ) -> None:
        self._client = client
        self._timeout = timeout
        self._err = err
        self._ttl = ttl
        self._clock = clock
        self._sleep = sleep
        self._owner = owner or owner_label()
        self._mine: Lease | None = None
        # The server's time when our last lease was created, and the local clock then.
        self._anchor: tuple[datetime, float] | None = None
        self._renewer: _Renewer | None = None

    @property
    def lease(self) -> Lease | None:
        """Our lease while we hold the lock (or are taking it)."""
        return self._mine

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, waiting up to ``timeout``; ``WorkspaceLockedError`` past it."""
        started = self._clock()
        wait = FIRST_WAIT
        try:
            while blockers := self._attempt():
                noted = False
                while blockers:
                    holder = min(blockers, key=lambda lease: lease.rank)
                    left = self._timeout - (self._clock() - started)
                    if left <= 0:
                        raise WorkspaceLockedError(locked_message(holder, self._timeout))
                    if not noted:
                        self._err.write(f"waiting for the workspace lock: {holder.describe()}\n")
                        noted = True
                    self._sleep(min(wait * random.uniform(1 - JITTER, 1 + JITTER), left))
                    wait = min(wait * 2, LONGEST_WAIT)
                    blockers = self._others()
        except BaseException as exc:
            if isinstance(exc, ApiError):
                # Said as what failed: the apply had not started (a read-only key,
                # for one, cannot take the lock).
                exc.message = f"could not take the workspace lock: {exc.message}"
            mine = self._mine
            try:
                self._drop()
            except ApiError as exc:
                if mine is not None:
                    self._err.write(left_behind(mine, exc, self._ttl))
            raise
        assert self._mine is not None
        self._renewer = _Renewer(self._client, self._mine, self._ttl / 4, self._err)

    def release(self) -> None:
        """Stop renewing and delete our lease; if that fails, say when it expires."""
        renewer, self._renewer = self._renewer, None
        if renewer is not None:
            renewer.stop()
        mine = self._mine
        try:
            self._drop()
        except ApiError as exc:
            assert mine is not None
            self._err.write(left_behind(mine, exc, self._ttl))

    def _attempt(self) -> list[Lease]:
        """Create our lease and look: [] when the lock is ours, else the leases in
        the way (and ours is deleted again)."""
        mine = self._create()
        for _ in range(SETTLE_LOOKS):
            others = self._others()
            if not others:
                return []
            if min(lease.rank for lease in others) < mine.rank:
                break
            self._sleep(SETTLE_DELAY)
        self._drop()
        return others

    def _create(self) -> Lease:
        name = LEASE_PREFIX + secrets.token_hex(12)
        fields = {
            "name": name,
            "prompt": lease_prompt(self._owner, self._ttl),
            "sources": LEASE_SOURCES,
            "schedule": LEASE_SCHEDULE,
        }
        job = self._post(name, fields)
        self._mine = lease = Lease.of(job)  # kept first: a failure from here deletes it
        if lease.created is not None:
            self._anchor = (lease.created, self._clock())
        # Paused so that it never runs; a lease works all the same while active (its
        # name alone hides it), so a pause that fails is left to the first renewal,
        # which pauses it again, rather than fail the apply.
        with contextlib.suppress(ApiError):
            self._client.jobs.update(job.id, {"status": PAUSED})
        return lease

    def _post(self, name: str, fields: Mapping[str, object]) -> LiveJob:
        """Create the lease job named ``name``.

        The name is ours alone, and is its Idempotency-Key (as every create has one).
        A create of unknown outcome, or answered 409, is looked for by name at once
        and after each of CREATE_WAITS (the server may still be committing it), and
        only then sent again, under the same key: an API that honours it answers
        with the lease it made; one that ignores it may make a second lease of the
        same name, ours all the same, which ``_others`` deletes. Given up after
        CREATE_TRIES, the error says what a lease made late would do."""
        for _ in range(CREATE_TRIES):
            try:
                return self._client.jobs.create_once(name, **fields).resource
            except (OutcomeUnknown, Conflict) as exc:
                failure = exc
            for wait in (0.0, *CREATE_WAITS):
                self._sleep(wait)
                made = [j for j in self._client.jobs.list() if j.name == name]
                if made:
                    return min(made, key=lambda job: job.id)
        failure.message = (
            f"{failure.message}; sent {CREATE_TRIES} times and looked for "
            f"{CREATE_TRIES * (1 + len(CREATE_WAITS))} times. If the API makes the lease "
            f"job {name} after all, it holds other applies off until it expires, "
            f"{self._ttl:g}s after it was made; `bytestack-sync force-unlock` deletes it"
        )
        raise failure

    def _server_now(self) -> datetime | None:
        if self._anchor is None:
            return None
        moment, then = self._anchor
        return moment + timedelta(seconds=self._clock() - then)

    def _others(self) -> list[Lease]:
        """The other leases still alive; one past its expiry is taken over (deleted)."""
        mine = self._mine.id if self._mine is not None else None
        jobs = self._client.jobs.list()
        leases = [Lease.of(j) for j in jobs if is_lease_name(j.name) and j.id != mine]
        if self._mine is not None:
            # A second lease of our own name: made by a create sent again to an API
            # that ignores Idempotency-Key. Ours, so never in our way.
            for copy in [x for x in leases if x.name == self._mine.name]:
                with contextlib.suppress(NotFound):
                    self._client.jobs.delete(copy.id)
                leases.remove(copy)
        now = self._server_now()
        alive = []
        for lease in leases:
            expires = lease.expires
            if now is None or expires is None or expires >= now:
                alive.append(lease)
                continue
            self._client.jobs.delete(lease.id)
            self._err.write(
                f"took over the workspace lock: the lease job {lease.shown_id} of {lease.owner} "
                f"expired at {iso(expires)}\n"
            )
        return alive

    def _drop(self) -> None:
        """Delete our lease, trying again a few times past the client's own retries:
        a lease left behind holds every other apply off until it expires."""
        if self._mine is None:
            return
        for attempt in range(DROP_TRIES):
            try:
                self._client.jobs.delete(self._mine.id)
                break
            except ApiError:
                if attempt == DROP_TRIES - 1:
                    raise
                self._sleep(DROP_WAIT * 2**attempt)
        self._mine = None


class _Renewer:
    """Renews a held lease every ``interval`` seconds, on a thread of its own."""

    def __init__(self, client: Client, lease: Lease, interval: float, err: TextIO) -> None:
        self._client = client
        self._lease = lease
        self._interval = interval
        self._err = err
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lock-renewal", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(RENEWAL_JOIN)

    def _run(self) -> None:
        failing = False
        while not self._stopped.wait(self._interval):
            try:
                self._client.jobs.update(self._lease.id, {"status": PAUSED})
                failing = False
            except NotFound:
                if not self._stopped.is_set():
                    self._err.write(
                        "warning: the workspace lock was lost: its lease was deleted (taken "
                        "over as expired?); another apply may now run at the same time\n"
                    )
                return
            # A renewal that fails is tried again at the next interval (the lease
            # expires only after four in a row); whatever it was, this thread must
            # not end with a traceback in the middle of the apply's output.
            except Exception as exc:
                if not failing and not self._stopped.is_set():
                    self._err.write(f"warning: the workspace lock could not be renewed: {exc}\n")
                failing = True
