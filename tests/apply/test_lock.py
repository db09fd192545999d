"""The workspace lock against the in-process emulator: leases, their order, expiry,
takeover, waiting, release. The emulator and the lock share one fake clock, so a
lease can be made old without waiting."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from bytestack_sync.api.client import Client
from bytestack_sync.api.errors import ApiError
from bytestack_sync.api.models import LiveJob
from bytestack_sync.apply import lock as lock_module
from bytestack_sync.apply.lock import (
    LEASE_SCHEDULE,
    LEASE_SOURCES,
    SETTLE_LOOKS,
    Lease,
    WorkspaceLock,
    lease_prompt,
    parse_duration,
)
from bytestack_sync.constants import LEASE_PREFIX
from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.local import LocalTransport
from bytestack_sync.emulator.messages import error_response
from bytestack_sync.errors import EXIT_REFUSED, UsageError, WorkspaceLockedError
from bytestack_sync.plan.leases import is_lease_name

URL, KEY = "http://emulator.test/v1", "bs_test_key"
START = 1_800_000_000.0  # 2027-01-15T08:00:00Z


class FakeTime:
    """The emulator's clock and the lock's, moved only by ``advance`` or a sleep; a
    sleep first runs the hooks queued for it (what another apply does meanwhile)."""

    def __init__(self) -> None:
        self.wall = START
        self.mono = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep: list[Callable[[], None]] = []

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.on_sleep:
            self.on_sleep.pop(0)()
        self.advance(seconds)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def app(fake: FakeTime) -> Iterator[EmulatorApp]:
    app = create_app(clock=fake.time)
    yield app
    app.close()


@pytest.fixture
def client(app: EmulatorApp) -> Iterator[Client]:
    with Client(URL, KEY, transport=LocalTransport(app), backoff=0.0) as client:
        yield client


Make = Callable[..., WorkspaceLock]


@pytest.fixture
def make(client: Client, fake: FakeTime) -> Make:
    def lock(owner: str = "host-b pid 2", timeout: float = 0.0, **options: object) -> WorkspaceLock:
        return WorkspaceLock(
            client, timeout=timeout, err=io.StringIO(), owner=owner,
            clock=fake.monotonic, sleep=fake.sleep, **options,  # type: ignore[arg-type]
        )  # fmt: skip

    return lock


def leases(client: Client) -> list[LiveJob]:
    return [j for j in client.jobs.list() if is_lease_name(j.name)]


def other_lease(client: Client, owner: str = "host-a pid 1", ttl: float = 120) -> LiveJob:
    """A lease another apply made (at the fake clock's time), as it makes one."""
    job = client.jobs.create(
        name=LEASE_PREFIX + "0" * 24,
        prompt=lease_prompt(owner, ttl),
        sources=LEASE_SOURCES,
        schedule=LEASE_SCHEDULE,
    )
    return client.jobs.update(job.id, {"status": "paused"})


def err_of(lock: WorkspaceLock) -> str:
    stream = lock._err
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()


def test_a_lock_taken_alone_is_one_paused_lease_that_names_its_owner_and_release_deletes_it(
    client: Client, make: Make
) -> None:
    with make(owner="build-7 pid 4242") as held:
        (lease,) = leases(client)
        assert lease.status == "paused" and lease.next_run_at is None
        assert "owner: build-7 pid 4242\n" in lease.prompt
        assert "ttl: 120 s after its last update\n" in lease.prompt
        assert held.lease is not None and held.lease.id == lease.id
    assert leases(client) == []


def test_a_held_lock_refuses_another_at_once_naming_the_holder_and_its_expiry(
    client: Client, make: Make, fake: FakeTime
) -> None:
    with make(owner="host-a pid 1") as first:
        assert first.lease is not None
        fake.advance(1)  # in the same second, the lower id would be the older
        second = make(owner="host-b pid 2", timeout=0)
        with pytest.raises(WorkspaceLockedError) as refused:
            second.acquire()
        assert fake.sleeps == []  # the older lease wins: no settling, no waiting
        assert refused.value.exit_code == EXIT_REFUSED
        assert str(refused.value) == (
            "the workspace is locked by another apply: host-a pid 1 holds it since "
            f"2027-01-15T08:00:00Z (lease job {first.lease.id}; it expires "
            "2027-01-15T08:02:00Z unless renewed). Pass --lock-timeout (e.g. 5m) to wait "
            "for it; if no apply is running, run `bytestack-sync force-unlock "
            f"{first.lease.id}`, or wait for it to expire."
        )
        assert [lease.id for lease in leases(client)] == [first.lease.id]  # its own is gone


def test_of_two_leases_the_older_by_created_at_wins_then_the_lower_id() -> None:
    def lease(job_id: str, created: str | None) -> Lease:
        at = None if created is None else datetime.fromisoformat(created)
        return Lease(job_id, "bytestack-sync-lock-x", "someone", 120.0, at, at)

    older = lease("job_zzz", "2027-01-15T08:00:00+00:00")
    tie_low, tie_high = (
        lease("job_aaa", "2027-01-15T08:00:01+00:00"),
        lease("job_bbb", "2027-01-15T08:00:01+00:00"),
    )
    undated = lease("job_000", None)
    ranked = sorted([undated, tie_high, older, tie_low], key=lambda x: x.rank)
    assert [x.id for x in ranked] == ["job_zzz", "job_aaa", "job_bbb", "job_000"]


def test_the_oldest_lease_waits_for_a_younger_one_to_step_aside_then_holds(
    client: Client, make: Make, fake: FakeTime
) -> None:
    # A younger lease (created later by the server's clock) is seen alongside ours:
    # its owner, seeing ours older, deletes its own at once.
    fake.wall += 30
    younger = other_lease(client)
    fake.wall -= 30
    fake.on_sleep.append(lambda: client.jobs.delete(younger.id))
    with make() as held:
        assert held.lease is not None
        assert [lease.id for lease in leases(client)] == [held.lease.id]
    assert len(fake.sleeps) == 1


def test_the_oldest_lease_gives_way_when_a_younger_one_stays(
    client: Client, make: Make, fake: FakeTime
) -> None:
    # A lease that stays though it is younger is one that holds the lock (it looked
    # before ours existed): ours is not kept past a few looks.
    fake.wall += 30
    holder = other_lease(client, owner="host-a pid 1")
    fake.wall -= 30
    with pytest.raises(WorkspaceLockedError, match="host-a pid 1 holds it"):
        make(timeout=0).acquire()
    assert len(fake.sleeps) == SETTLE_LOOKS
    assert [lease.id for lease in leases(client)] == [holder.id]


def test_a_lease_past_its_expiry_is_taken_over(client: Client, make: Make, fake: FakeTime) -> None:
    dead = other_lease(client, owner="host-a pid 1", ttl=60)
    fake.advance(61)  # by the server's clock: its created_at and our lease's
    with make() as held:
        assert held.lease is not None
        assert [lease.id for lease in leases(client)] == [held.lease.id]
        assert err_of(held) == (
            f"took over the workspace lock: the lease job {dead.id} of host-a pid 1 "
            "expired at 2027-01-15T08:01:00Z\n"
        )


def test_a_renewed_lease_is_not_taken_over(client: Client, make: Make, fake: FakeTime) -> None:
    alive = other_lease(client, ttl=60)
    fake.advance(50)
    client.jobs.update(alive.id, {"status": "paused"})  # its owner renews it
    fake.advance(50)  # 100 s after its creation, 50 s after its renewal
    with pytest.raises(WorkspaceLockedError, match="expires 2027-01-15T08:01:50Z unless renewed"):
        make().acquire()
    assert [lease.id for lease in leases(client)] == [alive.id]


def test_expiry_is_judged_by_the_servers_clock_not_the_local_one(
    client: Client, make: Make, fake: FakeTime
) -> None:
    # The local clock runs an hour ahead of the server's: the lease is 10 s old.
    other_lease(client, ttl=60)
    fake.wall += 10
    fake.mono += 3600 + 10
    with pytest.raises(WorkspaceLockedError):
        make().acquire()


def test_a_waiting_lock_takes_over_once_the_holder_releases(
    client: Client, make: Make, fake: FakeTime
) -> None:
    first = make(owner="host-a pid 1")
    first.acquire()
    fake.advance(1)
    fake.on_sleep += [lambda: None, first.release]  # the holder finishes while we wait
    with make(timeout=300) as second:
        assert second.lease is not None
        assert [lease.id for lease in leases(client)] == [second.lease.id]
        assert err_of(second).startswith("waiting for the workspace lock: host-a pid 1 holds it")
    assert len(fake.sleeps) == 2 and fake.sleeps[1] > fake.sleeps[0]  # backing off


def test_a_waiting_lock_gives_up_after_its_timeout(
    client: Client, make: Make, fake: FakeTime
) -> None:
    with make(owner="host-a pid 1"):
        fake.advance(1)
        waiting = make(timeout=30)
        with pytest.raises(WorkspaceLockedError, match=r"another apply \(waited 30s\): host-a"):
            waiting.acquire()
        assert sum(fake.sleeps) == pytest.approx(30)
        assert len(leases(client)) == 1


def test_the_lease_is_released_when_the_apply_fails(client: Client, make: Make) -> None:
    with pytest.raises(RuntimeError), make():
        assert len(leases(client)) == 1
        raise RuntimeError("the apply failed")
    assert leases(client) == []


class Failing:
    """The emulator, but the next ``count`` requests with ``method`` are answered
    500, more than the client retries."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.failing: dict[str, int] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if self.failing.get(method, 0) > 0:
            self.failing[method] -= 1
            response = error_response(ApiFailure(500, "injected failure: nothing was done"))
            start_response("500 Internal Server Error", response.header_list())
            return [response.body]
        return self.app(environ, start_response)


@pytest.fixture
def failing(app: EmulatorApp) -> Failing:
    return Failing(app)


@pytest.fixture
def flaky(failing: Failing, fake: FakeTime) -> Iterator[WorkspaceLock]:
    """A lock whose client talks to ``failing``, with a fixed 2 attempts a request (the
    tests count them)."""
    transport = LocalTransport(failing)  # type: ignore[arg-type]
    options: dict[str, Any] = {"backoff": 0.0, "max_attempts": 2, "adaptive_retries": False}
    with Client(URL, KEY, transport=transport, **options) as client:
        yield WorkspaceLock(
            client, timeout=0.0, err=io.StringIO(), owner="host-c pid 3",
            clock=fake.monotonic, sleep=fake.sleep,
        )  # fmt: skip


def test_a_lease_whose_pause_fails_still_holds_the_lock_and_the_renewal_pauses_it(
    failing: Failing, client: Client, fake: FakeTime
) -> None:
    failing.failing["PATCH"] = 2  # both of the client's attempts at the pause
    transport = LocalTransport(failing)  # type: ignore[arg-type]
    options: dict[str, Any] = {"backoff": 0.0, "max_attempts": 2, "adaptive_retries": False}
    with Client(URL, KEY, transport=transport, **options) as flaky_client:
        # A short time to live: the renewal thread (real time) comes every 0.05 s.
        lock = WorkspaceLock(
            flaky_client, timeout=0.0, err=io.StringIO(), ttl=0.2,
            clock=fake.monotonic, sleep=fake.sleep,
        )  # fmt: skip
        with lock:
            (lease,) = leases(client)
            assert lease.status == "active"  # not paused yet, but the lock is held
            deadline = time.monotonic() + 10
            while leases(client)[0].status != "paused" and time.monotonic() < deadline:
                time.sleep(0.02)
            assert leases(client)[0].status == "paused"
    assert leases(client) == []


def test_a_release_that_fails_at_first_is_tried_again(
    flaky: WorkspaceLock, failing: Failing, client: Client, fake: FakeTime
) -> None:
    flaky.acquire()
    failing.failing["DELETE"] = 2 * (lock_module.DROP_TRIES - 1)  # all tries but the last
    flaky.release()
    assert leases(client) == []
    assert "could not be released" not in err_of(flaky)


def test_a_release_that_keeps_failing_names_the_lease_and_the_command_that_removes_it(
    flaky: WorkspaceLock, failing: Failing, client: Client
) -> None:
    flaky.acquire()
    (lease,) = leases(client)
    failing.failing["DELETE"] = 2 * lock_module.DROP_TRIES
    flaky.release()
    assert [j.id for j in leases(client)] == [lease.id]
    assert err_of(flaky) == (
        "warning: the workspace lock could not be released (the ByteStack API failed on "
        f"DELETE /v1/jobs/{lease.id}: injected failure: nothing was done (500)): its lease, "
        f"job {lease.id}, expires 120s after its last renewal; run "
        f"`bytestack-sync force-unlock {lease.id}` to let another apply in sooner\n"
    )


def test_a_lease_that_cannot_be_dropped_when_taking_the_lock_fails_is_named(
    flaky: WorkspaceLock, failing: Failing, client: Client
) -> None:
    holder = other_lease(client)
    failing.failing["DELETE"] = 100  # our lease, when it steps aside, cannot go
    with pytest.raises(ApiError, match="DELETE"):
        flaky.acquire()
    mine = [j for j in leases(client) if j.id != holder.id]
    assert len(mine) == 1
    assert f"run `bytestack-sync force-unlock {mine[0].id}`" in err_of(flaky)


def test_an_interrupt_while_settling_leaves_no_lease(
    client: Client, make: Make, fake: FakeTime
) -> None:
    fake.wall += 30
    younger = other_lease(client)
    fake.wall -= 30

    def interrupt() -> None:
        raise KeyboardInterrupt

    fake.on_sleep.append(interrupt)
    with pytest.raises(KeyboardInterrupt):
        make().acquire()
    assert [lease.id for lease in leases(client)] == [younger.id]


def test_a_held_lease_is_renewed_and_a_lost_one_is_reported(
    client: Client, app: EmulatorApp, fake: FakeTime
) -> None:
    err = io.StringIO()
    held = WorkspaceLock(client, timeout=0, err=err, ttl=0.2, clock=fake.monotonic)
    held.acquire()
    assert held.lease is not None
    lease_id = held.lease.id
    created = client.jobs.get(lease_id).created_at
    fake.advance(5)
    deadline = time.monotonic() + 10
    while client.jobs.get(lease_id).updated_at == created and time.monotonic() < deadline:
        time.sleep(0.02)
    renewed = client.jobs.get(lease_id)
    assert renewed.updated_at != renewed.created_at  # moved by a renewal, 5 s later
    client.jobs.delete(lease_id)  # taken over by another, say
    while "lost" not in err.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    held.release()
    assert err.getvalue() == (
        "warning: the workspace lock was lost: its lease was deleted (taken over as "
        "expired?); another apply may now run at the same time\n"
    )
    assert threading.active_count() < 50


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0.0), ("0s", 0.0), ("90", 90.0), ("90s", 90.0), ("5m", 300.0), ("1h30m", 5400.0),
     ("1.5m", 90.0), (" 2m ", 120.0), ("24h", 86400.0)],
)  # fmt: skip
def test_lock_timeouts_read_as_terraform_writes_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5x", "-1s", "m", "25h", "1e9", "5m-", "nan"])
def test_a_lock_timeout_that_is_no_duration_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_duration(text)
    assert str(error.value) == (
        f"--lock-timeout: {text!r} is not a duration of 0s to 24h (e.g. 0s, 30s, 5m, 1h30m)"
    )


def test_lease_text_from_the_server_is_shown_escaped() -> None:
    job = LiveJob(
        id="job_x", name=LEASE_PREFIX + "1", prompt="owner: \x1b[2Jevil\nttl: 5 s", sources=("x",),
        schedule=LEASE_SCHEDULE, created_at="2027-01-15T08:00:00Z",
    )  # fmt: skip
    lease = Lease.of(job)
    assert lease.owner == "\\x1b[2Jevil" and lease.ttl == 5.0
    assert lease.expires == datetime(2027, 1, 15, 8, 0, 5, tzinfo=timezone.utc)
    assert lock_module.iso(lease.expires) == "2027-01-15T08:00:05Z"


class LosingLeases:
    """The emulator, but lease creates lose their answer (a bare 502: outcome unknown):
    ``commit`` says whether the create was made first, at once (``"now"``), at the
    lock's next sleep (``"late"``) or not at all (``"never"``); the next ``lose``
    creates are lost so. ``hide`` lease lists answer without the leases."""

    def __init__(self, app: EmulatorApp, fake: FakeTime, commit: str, lose: int = 1) -> None:
        self.app, self.fake, self.commit, self.lose = app, fake, commit, lose
        self.hide = 0
        self.posts: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        if method == "POST" and path.endswith("/jobs"):
            self.posts.append(environ.get("HTTP_IDEMPOTENCY_KEY", ""))
            if self.lose > 0:
                self.lose -= 1
                body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                if self.commit == "now":
                    self._forward(environ, body)
                elif self.commit == "late":
                    self.fake.on_sleep.append(lambda: self._forward(environ, body))
                start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
                return [b"bad gateway"]
        if method == "GET" and path.endswith("/jobs") and self.hide > 0:
            self.hide -= 1
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"data": [], "next_cursor": null}']
        return self.app(environ, start_response)

    def _forward(self, environ: dict[str, Any], body: bytes) -> None:
        replay = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        b"".join(self.app(replay, lambda *_args: None))


def losing_lock(wrapper: LosingLeases, fake: FakeTime) -> tuple[Client, WorkspaceLock]:
    client = Client(URL, KEY, transport=LocalTransport(wrapper), backoff=0.0, max_attempts=1)  # type: ignore[arg-type]
    lock = WorkspaceLock(
        client, timeout=0.0, err=io.StringIO(), owner="host-d pid 4",
        clock=fake.monotonic, sleep=fake.sleep,
    )  # fmt: skip
    return client, lock


@pytest.mark.parametrize("commit", ["now", "late", "never"])
def test_a_lease_create_of_unknown_outcome_is_looked_for_then_sent_again_under_its_key(
    app: EmulatorApp, fake: FakeTime, client: Client, commit: str
) -> None:
    wrapper = LosingLeases(app, fake, commit)
    flaky_client, lock = losing_lock(wrapper, fake)
    with flaky_client, lock:
        (lease,) = leases(client)  # one lease, ours, whenever the create was made
        assert lock.lease is not None and lock.lease.id == lease.id
    assert leases(client) == []
    # Sent again only when no look found it, and then under the same key (its name).
    assert len(wrapper.posts) == (2 if commit == "never" else 1)
    assert set(wrapper.posts) == {lease.name}


def test_a_second_lease_of_our_name_from_an_api_ignoring_keys_is_ours_and_deleted(
    fake: FakeTime,
) -> None:
    ignoring = create_app(clock=fake.time, idempotency_keys=False)
    wrapper = LosingLeases(ignoring, fake, "now")
    wrapper.hide = 1 + len(lock_module.CREATE_WAITS)  # every look of the first try misses it
    flaky_client, lock = losing_lock(wrapper, fake)
    with Client(URL, KEY, transport=LocalTransport(ignoring)) as plain, flaky_client:
        with lock:
            (lease,) = leases(plain)  # the copy made by the first create is gone
            assert lock.lease is not None and lock.lease.id == lease.id
        assert leases(plain) == [] and len(wrapper.posts) == 2
    ignoring.close()


def test_a_lease_create_lost_every_time_says_what_a_late_lease_would_do(
    app: EmulatorApp, fake: FakeTime, client: Client
) -> None:
    wrapper = LosingLeases(app, fake, "never", lose=lock_module.CREATE_TRIES)
    flaky_client, lock = losing_lock(wrapper, fake)
    with flaky_client, pytest.raises(ApiError) as caught:
        lock.acquire()
    message = str(caught.value)
    assert message.startswith("could not take the workspace lock: POST /v1/jobs was sent but")
    assert f"sent {lock_module.CREATE_TRIES} times" in message
    assert "holds other applies off until it expires, 120s after it was made" in message
    assert "force-unlock" in message and leases(client) == []
