"""Job runs: an active job runs at every instant its schedule fires, in UTC.

Nothing runs in the background here: ``fire_due`` fires, in time order, every run
that fell due up to an instant, and is called by whoever moves time (a clock
advance, the served emulator's ticker, a local state file being opened). Each job
has a mark, the instant its runs are looked for after: its creation, its
resumption, or the last time runs were fired. A paused or deleted job does not run,
and a job runs only from its creation (or resumption) on.

A run makes a query (``qry_…``) with the job's prompt and sources and the emulator's
made-up result, and a result file keyed ``{job_id}/{run_timestamp}.json`` holding
``job_id``, ``run_id``, ``prompt``, ``sources``, ``completed_at`` and ``result``. A
prompt holding ``#fail`` makes the run fail: its query is failed, with an error, and
no file is written.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bytestack_sync import contract
from bytestack_sync.emulator import results
from bytestack_sync.emulator.clock import LATEST_US, EmulatorClock
from bytestack_sync.emulator.db import Database
from bytestack_sync.emulator.ids import iso, new_id, to_datetime
from bytestack_sync.emulator.schedules import next_run
from bytestack_sync.emulator.store import put_file

_US = 1_000_000
# The most runs one advance fires; past it, it is refused (advance in smaller steps).
MAX_RUNS_PER_ADVANCE = 10_000


@dataclass(frozen=True)
class Run:
    """One fired run, as the control API reports it."""

    id: str
    workspace: str
    job_id: str
    query_id: str
    scheduled_us: int
    status: str  # completed or failed
    error: str | None
    file_key: str | None

    def data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "job_id": self.job_id,
            "query_id": self.query_id,
            "scheduled_at": iso(self.scheduled_us / _US),
            "status": self.status,
            "error": self.error,
            "result_key": self.file_key,
        }


class TooManyRuns(Exception):
    """More runs fell due than one advance may fire."""

    def __init__(self, due: int) -> None:
        super().__init__(due)
        self.due = due


def file_key(job_id: str, scheduled_us: int) -> str:
    return f"{job_id}/{iso(scheduled_us / _US)}.json"


def _due(conn: sqlite3.Connection, until_us: int) -> Iterator[tuple[int, sqlite3.Row]]:
    """Every run due after each active job's mark and at or before ``until_us``, in
    time order (then by job age), as (instant in microseconds, job row)."""
    jobs = conn.execute(
        "SELECT jobs.*, run_marks.runs_from_us FROM jobs "
        "JOIN run_marks ON run_marks.job_id = jobs.id "
        "WHERE jobs.status = ? AND run_marks.runs_from_us > 0 AND run_marks.runs_from_us < ? "
        "ORDER BY jobs.seq",
        (contract.JOB_ACTIVE, until_us),
    ).fetchall()
    heap: list[tuple[int, int, sqlite3.Row]] = []
    for job in jobs:
        first = _next(job["schedule"], job["runs_from_us"])
        if first is not None and first <= until_us:
            heap.append((first, job["seq"], job))
    heapq.heapify(heap)
    while heap:
        instant, seq, job = heapq.heappop(heap)
        yield instant, job
        following = _next(job["schedule"], instant)
        if following is not None and following <= until_us:
            heapq.heappush(heap, (following, seq, job))


def _next(schedule: str, after_us: int) -> int | None:
    upcoming: datetime | None = next_run(schedule, to_datetime(after_us / _US))
    return int(upcoming.timestamp()) * _US if upcoming is not None else None


class BeforeNow(Exception):
    """An advance to a time before the emulator's (time only moves forward)."""

    def __init__(self, now_us: int) -> None:
        super().__init__(now_us)
        self.now_us = now_us


class TooLate(Exception):
    """An advance past the latest time the emulator keeps (``clock.LATEST_US``)."""


def advance(
    db: Database,
    clock: EmulatorClock,
    *,
    seconds: float | None = None,
    to_us: int | None = None,
    limit: int = MAX_RUNS_PER_ADVANCE,
) -> tuple[int, list[Run]]:
    """Move the clock forward (by ``seconds``, or to ``to_us``) and fire, oldest first,
    every run due by then: one transaction, so advances made at once add up and each
    fires its own runs, and a refused one (``BeforeNow``, ``TooLate``,
    ``TooManyRuns``) changes nothing. Returns the new time and the runs fired."""
    with db.transaction() as conn:
        now = clock.read(conn)
        target = now + int((seconds or 0) * _US) if to_us is None else to_us
        if target < now:
            raise BeforeNow(now)
        if target > LATEST_US:
            raise TooLate()
        fired = _fire_due(conn, target, limit)
        clock.move_to(conn, target)
    return target, fired


def catch_up(
    db: Database, clock: EmulatorClock, *, limit: int | None = MAX_RUNS_PER_ADVANCE
) -> tuple[list[Run], bool]:
    """Fire every run due by the clock's time, oldest first; past ``limit`` the oldest
    ``limit`` are fired and the rest skipped (what a state file opened after a long time
    catches up on is bounded). Returns the runs fired and whether any was skipped."""
    with db.transaction() as conn:
        now = clock.read(conn)
        due: list[tuple[int, sqlite3.Row]] = []
        skipped = False
        for item in _due(conn, now):
            if limit is not None and len(due) == limit:
                skipped = True
                break
            due.append(item)
        fired = [_fire(conn, instant, job) for instant, job in due]
        _move_marks(conn, now)
    return fired, skipped


def _fire_due(conn: sqlite3.Connection, until_us: int, limit: int) -> list[Run]:
    due: list[tuple[int, sqlite3.Row]] = []
    for item in _due(conn, until_us):
        if len(due) == limit:
            raise TooManyRuns(limit + 1)
        due.append(item)
    fired = [_fire(conn, instant, job) for instant, job in due]
    _move_marks(conn, until_us)
    return fired


def _move_marks(conn: sqlite3.Connection, until_us: int) -> None:
    conn.execute(
        "UPDATE run_marks SET runs_from_us = ? WHERE runs_from_us < ?", (until_us, until_us)
    )


def fire_now(db: Database, workspace: str, job_id: str, now_us: int) -> Run | None:
    """Run a job at once (``POST /_emulator/jobs/{id}/run``); None if it does not exist."""
    with db.transaction() as conn:
        job = conn.execute(
            "SELECT * FROM jobs WHERE workspace = ? AND id = ?", (workspace, job_id)
        ).fetchone()
        return _fire(conn, now_us, job) if job is not None else None


def _fire(conn: sqlite3.Connection, instant_us: int, job: sqlite3.Row) -> Run:
    workspace, job_id = job["workspace"], job["id"]
    prompt, sources = job["prompt"], sorted(json.loads(job["sources"]))
    run_id = new_id(contract.RUN_ID_PREFIX)
    query_id = new_id(contract.QUERY_ID_PREFIX)
    failed = results.fails(prompt)
    status = contract.QUERY_FAILED if failed else contract.QUERY_COMPLETED
    error = results.FAILURE_MESSAGE if failed else None
    conn.execute(
        "INSERT INTO queries (id, workspace, prompt, sources, time_window, result_limit, "
        "outcome, created_us, completes_us, settled) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, 1)",
        (query_id, workspace, prompt, json.dumps(sources), status, instant_us, instant_us),
    )
    key = None
    if not failed:
        key = file_key(job_id, instant_us)
        body = {
            "job_id": job_id,
            "run_id": run_id,
            "prompt": prompt,
            "sources": sources,
            "completed_at": iso(instant_us / _US),
            "result": results.make_result(prompt, sources, None),
        }
        data = json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8")
        put_file(conn, workspace, key, data, instant_us)
    conn.execute(
        "INSERT INTO runs (id, workspace, job_id, query_id, scheduled_us, status, error) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (run_id, workspace, job_id, query_id, instant_us, status, error),
    )
    return Run(run_id, workspace, job_id, query_id, instant_us, status, error, key)
