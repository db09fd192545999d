"""Concurrent ``bytestack-sync apply`` processes against one workspace: with the lock,
every job is created once; without it (``--no-lock``), the same race makes duplicates.

The race is made certain, not left to timing: the served emulator holds the first
list request of each apply until every apply has sent one, so all of them read
the workspace at the same moment (without the lock, the same empty workspace;
with it, the same set of leases).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.api.client import Client
from bytestack_sync.api.models import LiveJob
from bytestack_sync.connect import connect
from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.server import EmulatorServer
from bytestack_sync.errors import EXIT_OK, EXIT_REFUSED
from bytestack_sync.plan.leases import is_lease_name
from tests.e2e.conftest import API_KEY

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]
Write = Callable[..., Path]
JOBS = 200
DEADLINE = 180.0  # seconds before a hung apply is killed, so no test can hang
TOGETHER = 60.0  # how long the first lists wait for each other at most
WAIT = ("--lock-timeout", "5m")
# Seconds the local state file is held while the applies start: under SQLite's own
# wait for a lock (5 s), over the time a process takes to start.
HOLD = 3.0


class ListsTogether:
    """The emulator; once ``hold(parties)`` is called, it holds the next ``parties``
    lists of jobs (the first of each apply) until all of them have been sent."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self._barrier = threading.Barrier(1)
        self._held = 0
        self._lock = threading.Lock()

    def hold(self, parties: int) -> None:
        with self._lock:
            self._barrier = threading.Barrier(max(parties, 1), timeout=TOGETHER)
            self._held = parties

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"].endswith("/jobs"):
            with self._lock:
                hold, self._held = self._held > 0, self._held - 1
                barrier = self._barrier
            if hold:
                # An apply that did not come breaks it: go on, the assertions will say.
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()
        return self.app(environ, start_response)


@contextmanager
def served_together(
    parties: int = 0, *, idempotency_keys: bool = False
) -> Iterator[tuple[str, Client, ListsTogether]]:
    """A served emulator that holds the first lists of ``parties`` applies. It ignores
    Idempotency-Key unless told: the lock alone must keep the applies apart."""
    app = create_app(idempotency_keys=idempotency_keys)
    try:
        wrapped = ListsTogether(app)
        wrapped.hold(parties)
        with (
            EmulatorServer(wrapped, host="127.0.0.1", port=0) as server,  # type: ignore[arg-type]
            Client(server.url, API_KEY) as client,
        ):
            yield server.url, client, wrapped
    finally:
        app.close()


@pytest.fixture
def manifests(write: Write, job: Job, manifest: Manifest) -> Path:
    # A setting in the selection ends the look for the manifest tree there.
    return write(manifest([job(f"race-{i:03}") for i in range(JOBS)], prune="delete"))


def run_together(argv: list[str], count: int, env: dict[str, str]) -> list[tuple[int, str]]:
    """``count`` processes of ``argv`` at once: (exit code, stderr) of each."""
    children = [
        subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    try:
        for child in children:
            _, err = child.communicate(timeout=DEADLINE)
            results.append((child.returncode, err))
    finally:
        for child in children:
            child.kill()
    return results


def apply_argv(target: Path, api_url: str, *options: str) -> list[str]:
    return [
        sys.executable, "-m", "bytestack_sync", "apply", str(target), "--auto-approve",
        "--api-url", api_url, "-q", *options,
    ]  # fmt: skip


def duplicates(jobs: list[LiveJob]) -> int:
    names = [j.name for j in jobs if not is_lease_name(j.name)]
    return len(names) - len(set(names))


def leases(jobs: list[LiveJob]) -> int:
    return sum(1 for j in jobs if is_lease_name(j.name))


@pytest.mark.parametrize("count", [2, 4])
def test_concurrent_applies_create_every_job_once(
    emulator: Any, manifests: Path, count: int
) -> None:
    with served_together(count) as (url, client, _):
        results = run_together(apply_argv(manifests, url, *WAIT), count, dict(os.environ))
        jobs = client.jobs.list()
    assert [code for code, _ in results] == [EXIT_OK] * count, results
    assert duplicates(jobs) == 0
    assert len(jobs) == JOBS and leases(jobs) == 0
    # All but the one that went first waited, then had nothing to do.
    waited = [err for _, err in results if "waiting for the workspace lock: " in err]
    assert len(waited) == count - 1, results


@pytest.mark.parametrize("count", [2, 4])
def test_without_the_lock_concurrent_applies_create_duplicates(
    emulator: Any, manifests: Path, count: int
) -> None:
    # The control: the race the lock closes is real here.
    with served_together(count) as (url, client, _):
        run_together(apply_argv(manifests, url, "--no-lock"), count, dict(os.environ))
        jobs = client.jobs.list()
    assert duplicates(jobs) == JOBS * (count - 1)


@pytest.mark.parametrize("count", [2, 4])
def test_without_the_lock_the_idempotency_keys_still_create_every_job_once(
    emulator: Any, manifests: Path, count: int
) -> None:
    # Against an API that honours them: the applies read one workspace, so every
    # create of one job sends one key, and the API makes it once.
    with served_together(count, idempotency_keys=True) as (url, client, _):
        results = run_together(apply_argv(manifests, url, "--no-lock"), count, dict(os.environ))
        jobs = client.jobs.list()
    assert [code for code, _ in results] == [EXIT_OK] * count, results
    assert duplicates(jobs) == 0 and len(jobs) == JOBS


def test_an_apply_of_a_locked_workspace_is_refused_at_once_by_default(
    emulator: Any, manifests: Path
) -> None:
    with served_together(2) as (url, client, _):
        results = sorted(run_together(apply_argv(manifests, url), 2, dict(os.environ)))
        jobs = client.jobs.list()
    assert [code for code, _ in results] == [EXIT_OK, EXIT_REFUSED], results
    refusal = results[1][1]
    assert refusal.startswith("error: the workspace is locked by another apply: ")
    assert f" pid {os.getpid()}" not in refusal and " pid " in refusal  # the holder, by pid
    assert "unless renewed). Pass --lock-timeout (e.g. 5m) to wait for it" in refusal
    assert refusal.count("\n") == 1  # one line, no traceback
    assert duplicates(jobs) == 0 and len(jobs) == JOBS and leases(jobs) == 0


@pytest.mark.parametrize(
    ("options", "dups", "codes"),
    [
        (WAIT, 0, [EXIT_OK, EXIT_REFUSED]),  # the second waits, then finds the plan stale
        (("--no-lock",), JOBS, None),  # both pass the stale check: every job twice
    ],
)
def test_two_applies_of_one_saved_plan_carry_it_out_once(
    emulator: Any,
    cli: Any,
    manifests: Path,
    tmp_path: Path,
    options: tuple[str, ...],
    dups: int,
    codes: list[int] | None,
) -> None:
    with served_together() as (url, client, lists):
        plan_file = tmp_path / "plan.json"
        made = cli("plan", manifests, "--out", plan_file, "--api-url", url, "-q")
        assert made.code == 0, made.err
        lists.hold(2)
        results = sorted(run_together(apply_argv(plan_file, url, *options), 2, dict(os.environ)))
        jobs = client.jobs.list()
    assert duplicates(jobs) == dups
    assert leases(jobs) == 0
    if codes is not None:
        assert [code for code, _ in results] == codes, results
        assert (
            "the saved plan is stale: the live workspace changed since it was made"
            in (results[1][1])
        )


@pytest.mark.parametrize("options", [WAIT, ("--no-lock",)])
def test_concurrent_applies_against_one_local_state_file_create_every_job_once(
    manifests: Path, tmp_path: Path, options: tuple[str, ...]
) -> None:
    # Each process runs the emulator in itself over the same SQLite file. Every
    # request of the emulator is a write transaction: the test holds one open while
    # the applies start, so their first requests run together once it ends.
    state = tmp_path / "state.sqlite3"
    api_url = f"local:{state}"
    with connect(api_url) as client:
        client.jobs.list()  # the file, made and migrated
    held = sqlite3.connect(state, isolation_level=None, check_same_thread=False)
    held.execute("BEGIN IMMEDIATE")
    try:
        release = threading.Timer(HOLD, held.execute, ["COMMIT"])
        release.start()
        results = run_together(apply_argv(manifests, api_url, *options), 2, dict(os.environ))
    finally:
        release.join()
        held.close()
    with connect(api_url) as client:
        jobs = client.jobs.list()
    assert leases(jobs) == 0
    # Without the lock, the Idempotency-Keys keep them apart: the local emulator
    # honours them across processes (one SQLite transaction claims a key).
    assert [code for code, _ in results] == [EXIT_OK, EXIT_OK], results
    assert duplicates(jobs) == 0 and len(jobs) == JOBS
