"""A create whose commit is slower than the client's deadline, through the CLI over a socket.

The server stores each job some seconds after its POST arrives; its lists answer at
once. The apply must neither re-send such a create on the strength of an empty read
nor report it done: found while the list is read again, it is adopted; not found, it
is left unresolved (exit 3), and the next apply's create of it, sent with the same
Idempotency-Key, makes nothing a second time.
"""

from __future__ import annotations

from typing import Any

import pytest

from bytestack_sync.api import limits

# The client gives up on a request after 1 s (the default is 120 s).
DEADLINE = 1.0


@pytest.fixture(autouse=True)
def _quick_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "DEFAULT", limits.Limits(deadline=DEADLINE))


def _apply(cli: Any, path: Any, served: Any) -> Any:
    # No lock: the lease's own create would meet the slow commit first (the tests at
    # the end take the lock).
    return cli("apply", path, "--api-url", served.api_url, "--auto-approve", "--no-lock")


def test_a_create_committed_after_the_deadline_is_adopted_once_it_lands(
    emulator: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    served = emulator(commit_delay=2.0)  # lands while the list is read again
    result = _apply(cli, write(manifest([job("slow")])), served)
    assert result.code == 0, result.out + result.err
    assert [j.name for j in served.client.jobs.list()] == ["slow"]
    assert served.counter is not None
    assert served.counter.writes() == [("POST", "/v1/jobs")]  # sent once


def test_a_create_still_uncommitted_is_unresolved_and_the_next_apply_makes_it_once(
    emulator: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    served = emulator(commit_delay=6.0)  # lands after the 3.5 s of reading again
    path = write(manifest([job("slower")]))
    first = _apply(cli, path, served)
    assert first.code == 3, first.out + first.err
    assert 'job "slower": failed: unresolved: POST /v1/jobs was sent but its outcome is' in (
        first.out + first.err
    )
    assert served.client.jobs.list() == []  # not yet: and not sent twice
    # Sent again before the first lands: the API answers 409 (busy) until it does,
    # then replays what the first made.
    second = _apply(cli, path, served)
    jobs = served.client.jobs.list()
    assert [j.name for j in jobs] == ["slower"], second.out + second.err
    assert second.code == 0, second.out + second.err


def _locked_apply(cli: Any, path: Any, served: Any) -> Any:
    return cli("apply", path, "--api-url", served.api_url, "--auto-approve")


def test_with_the_lock_a_slow_commit_makes_one_lease_and_one_job(
    emulator: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    # The lease's create meets the slow commit first: it is looked for by name until
    # it lands, then held; the job's create is adopted the same way.
    served = emulator(commit_delay=2.0)
    result = _locked_apply(cli, write(manifest([job("slow")])), served)
    assert result.code == 0, result.out + result.err
    assert [j.name for j in served.client.jobs.list()] == ["slow"]  # the lease is gone
    assert served.counter is not None
    assert served.counter.writes() == [("POST", "/v1/jobs")]  # the job, sent once
    lease_posts = [w for w in served.counter.lease_writes() if w[0] == "POST"]
    assert lease_posts == [("POST", "/v1/jobs")]  # the lease, sent once


def test_with_the_lock_a_commit_slower_than_every_look_is_unresolved_then_made_once(
    emulator: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    served = emulator(commit_delay=6.0)
    path = write(manifest([job("slower")]))
    first = _locked_apply(cli, path, served)
    assert first.code == 3, first.out + first.err
    assert 'job "slower": failed: unresolved:' in first.out
    second = _locked_apply(cli, path, served)
    assert second.code == 0, second.out + second.err
    assert [j.name for j in served.client.jobs.list()] == ["slower"]
    assert served.counter is not None
    # It landed while the second apply took the lock (whose lease commits as slowly):
    # planned as live, it was sent once in all.
    assert served.counter.writes() == [("POST", "/v1/jobs")]
