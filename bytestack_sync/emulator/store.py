"""Reads and writes of jobs, webhooks, queries and result files, one workspace at a time.

Every method takes the workspace, so one workspace's ids are invisible to another.
Lists are keyset pages on indexed columns: a page costs the same at any depth.
Result files are plain keyed blobs, so a query's result (keyed by its id) and a job
run's file (``{job_id}/{run_timestamp}.json``) are stored the same way.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bytestack_sync import contract
from bytestack_sync.contract import Resource, Type
from bytestack_sync.emulator.db import Database, decode_cursor, encode_cursor

Row = dict[str, Any]
FileBuilder = Callable[[Row], "tuple[str, bytes] | None"]

# What the emulator moves itself when a job is updated (beside what the PATCH sets).
MOVED_BY_UPDATE = ("next_run_at", "updated_at")


@dataclass(frozen=True)
class Table:
    """Where a resource's rows live: one column per field of its API form (sets as
    JSON text), beside the ``seq`` that orders pages and the owning ``workspace``."""

    name: str
    resource: Resource

    @property
    def columns(self) -> tuple[str, ...]:
        return self.resource.api_fields

    def insert_sql(self) -> str:
        columns = ", ".join(("workspace", *self.columns))
        marks = ", ".join("?" * (len(self.columns) + 1))
        return f"INSERT INTO {self.name} ({columns}) VALUES ({marks})"

    def values(self, item: Mapping[str, Any]) -> list[Any]:
        """The column values of ``item``, which must hold every field."""
        missing = [name for name in self.columns if name not in item]
        if missing:
            raise ValueError(f"a new {self.resource.kind} needs {', '.join(missing)}")
        return [self.encode(name, item[name]) for name in self.columns]

    def encode(self, name: str, value: Any) -> Any:
        if value is not None and name in self.resource.set_fields:
            return json.dumps(list(value))
        return value

    def decoder(self) -> Callable[[sqlite3.Row], Row]:
        # SQLite keeps sets as JSON text and flags as 0 or 1: give back what was stored.
        sets = [name for name in self.columns if name in self.resource.set_fields]
        flags = [name for name in self.columns if self.resource.field(name).type is Type.FLAG]

        def decode(found: sqlite3.Row) -> Row:
            row = dict(found)
            for name in sets:
                if (value := row[name]) is not None:
                    row[name] = json.loads(value)
            for name in flags:
                if (value := row[name]) is not None:
                    row[name] = bool(value)
            return row

        return decode


JOBS = Table("jobs", contract.JOB)
WEBHOOKS = Table("webhooks", contract.WEBHOOK)
_UPDATABLE_JOB_COLUMNS = frozenset((*contract.JOB.updatable, *MOVED_BY_UPDATE))
if not set(MOVED_BY_UPDATE) <= contract.JOB.volatile:
    raise ValueError(f"{MOVED_BY_UPDATE} must be fields the API moves itself (Field.volatile)")
_job, _webhook = JOBS.decoder(), WEBHOOKS.decoder()
_INSERT_JOB, _INSERT_WEBHOOK = JOBS.insert_sql(), WEBHOOKS.insert_sql()


@dataclass(frozen=True)
class Remember:
    """An Idempotency-Key claimed for a create: the answer, rendered from the new row,
    is stored with it in the create's own transaction."""

    key: str
    render: Callable[[Row], bytes]


@dataclass(frozen=True)
class KeyState:
    """What a claimed key already holds: nothing (``new``), a request still being
    processed (``response`` None), or the stored answer; ``request`` is its digest."""

    new: bool
    request: str = ""
    response: bytes | None = None


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None


class Store:
    def __init__(self, db: Database) -> None:
        self._db = db

    def close(self) -> None:
        self._db.close()

    # --- jobs -----------------------------------------------------------------------
    @property
    def db(self) -> Database:
        return self._db

    def create_job(
        self,
        workspace: str,
        job: Mapping[str, Any],
        remember: Remember | None = None,
        *,
        runs_from_us: int = 0,
    ) -> Row:
        """A new job; it runs on its schedule after ``runs_from_us`` (its creation)."""
        values = JOBS.values(job)
        with self._db.transaction() as conn:
            conn.execute(_INSERT_JOB, (workspace, *values))
            mark_runs(conn, job["id"], runs_from_us)
            found = _job(conn.execute("SELECT * FROM jobs WHERE id = ?", (job["id"],)).fetchone())
            _remember(conn, workspace, remember, found)
        return found

    def get_job(self, workspace: str, job_id: str) -> Row | None:
        with self._db.transaction() as conn:
            found = conn.execute(
                "SELECT * FROM jobs WHERE workspace = ? AND id = ?", (workspace, job_id)
            ).fetchone()
        return _job(found) if found is not None else None

    def list_jobs(self, workspace: str, limit: int, cursor: str | None) -> Page:
        return self._seq_page("jobs", workspace, limit, cursor, _job)

    def update_job(
        self,
        workspace: str,
        job_id: str,
        changes: Mapping[str, Any],
        *,
        resumed_us: int | None = None,
    ) -> Row | None:
        """``resumed_us``: the job was paused and is active again from then on."""
        unknown = set(changes) - _UPDATABLE_JOB_COLUMNS
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in changes)
        values = [JOBS.encode(name, value) for name, value in changes.items()]
        with self._db.transaction() as conn:
            updated = conn.execute(
                f"UPDATE jobs SET {assignments} WHERE workspace = ? AND id = ?",
                (*values, workspace, job_id),
            ).rowcount
            if updated and resumed_us is not None:
                mark_runs(conn, job_id, resumed_us)
            found = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(found) if updated else None

    def delete_job(self, workspace: str, job_id: str) -> bool:
        deleted = self._delete("jobs", workspace, job_id)
        if deleted:
            with self._db.transaction() as conn:
                conn.execute("DELETE FROM run_marks WHERE job_id = ?", (job_id,))
        return deleted

    # --- webhooks ---------------------------------------------------------------------
    def create_webhook(
        self, workspace: str, webhook: Mapping[str, Any], remember: Remember | None = None
    ) -> Row:
        values = WEBHOOKS.values(webhook)
        with self._db.transaction() as conn:
            conn.execute(_INSERT_WEBHOOK, (workspace, *values))
            found = _webhook(
                conn.execute("SELECT * FROM webhooks WHERE id = ?", (webhook["id"],)).fetchone()
            )
            _remember(conn, workspace, remember, found)
        return found

    # --- idempotency keys -------------------------------------------------------------
    def claim_key(self, workspace: str, key: str, request: str, now_us: int) -> KeyState:
        """Claim ``key`` for a request whose digest is ``request``, forgetting keys older
        than the contract's window first; what the key held before, if anything."""
        oldest = now_us - contract.IDEMPOTENCY_WINDOW * 1_000_000
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM idempotency_keys WHERE created_us < ?", (oldest,))
            found = conn.execute(
                "SELECT request, response FROM idempotency_keys WHERE workspace = ? AND key = ?",
                (workspace, key),
            ).fetchone()
            if found is not None:
                return KeyState(False, found["request"], found["response"])
            conn.execute(
                "INSERT INTO idempotency_keys (workspace, key, request, created_us)"
                " VALUES (?, ?, ?, ?)",
                (workspace, key, request, now_us),
            )
        return KeyState(True, request)

    def release_key(self, workspace: str, key: str) -> None:
        """Forget a key whose request failed, so that sending it again is processed anew."""
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM idempotency_keys WHERE workspace = ? AND key = ? AND response IS NULL",
                (workspace, key),
            )

    def list_webhooks(self, workspace: str, limit: int, cursor: str | None) -> Page:
        return self._seq_page("webhooks", workspace, limit, cursor, _webhook)

    def delete_webhook(self, workspace: str, webhook_id: str) -> bool:
        return self._delete("webhooks", workspace, webhook_id)

    # --- queries ----------------------------------------------------------------------
    def create_query(self, workspace: str, query: Mapping[str, Any]) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO queries (id, workspace, prompt, sources, time_window, "
                "result_limit, outcome, created_us, completes_us) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    query["id"],
                    workspace,
                    query["prompt"],
                    json.dumps(list(query["sources"])),
                    json.dumps(query["time_window"]) if query["time_window"] is not None else None,
                    query["result_limit"],
                    query["outcome"],
                    query["created_us"],
                    query["completes_us"],
                ),
            )

    def get_query(self, workspace: str, query_id: str) -> Row | None:
        with self._db.transaction() as conn:
            found = conn.execute(
                "SELECT * FROM queries WHERE workspace = ? AND id = ?", (workspace, query_id)
            ).fetchone()
        return _query(found) if found is not None else None

    def settle_queries(self, workspace: str, now_us: int, build: FileBuilder) -> int:
        """Store the result file of every query that has finished by ``now_us``."""
        with self._db.transaction() as conn:
            due = conn.execute(
                "SELECT * FROM queries WHERE workspace = ? AND settled = 0 AND completes_us <= ?",
                (workspace, now_us),
            ).fetchall()
            for found in due:
                query = _query(found)
                built = build(query)
                if built is not None:
                    put_file(conn, workspace, built[0], built[1], query["completes_us"])
                conn.execute("UPDATE queries SET settled = 1 WHERE seq = ?", (found["seq"],))
        return len(due)

    # --- result files -----------------------------------------------------------------
    def get_file(self, workspace: str, key: str) -> bytes | None:
        with self._db.transaction() as conn:
            found = conn.execute(
                "SELECT body FROM files WHERE workspace = ? AND key = ?", (workspace, key)
            ).fetchone()
        return bytes(found["body"]) if found is not None else None

    def list_files(self, workspace: str, limit: int, cursor: str | None) -> Page:
        """Newest first; ties broken by insertion order, newest first too."""
        sql = "SELECT seq, key, size_bytes, created_us FROM files WHERE workspace = ?"
        params: list[Any] = [workspace]
        if cursor is not None:
            created_us, seq = decode_cursor(cursor, "files", 2)
            sql += " AND (created_us < ? OR (created_us = ? AND seq < ?))"
            params += [created_us, created_us, seq]
        sql += " ORDER BY created_us DESC, seq DESC LIMIT ?"
        with self._db.transaction() as conn:
            rows = [dict(r) for r in conn.execute(sql, (*params, limit + 1)).fetchall()]
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if rows else None
        next_cursor = (
            encode_cursor("files", last["created_us"], last["seq"]) if more and last else None
        )
        return Page(rows, next_cursor)

    # --- shared -----------------------------------------------------------------------
    def _seq_page(
        self,
        table: str,
        workspace: str,
        limit: int,
        cursor: str | None,
        shape: Callable[[sqlite3.Row], Row],
    ) -> Page:
        after = decode_cursor(cursor, table, 1)[0] if cursor is not None else 0
        with self._db.transaction() as conn:
            found = conn.execute(
                f"SELECT * FROM {table} WHERE workspace = ? AND seq > ? ORDER BY seq LIMIT ?",
                (workspace, after, limit + 1),
            ).fetchall()
        rows = [shape(r) for r in found[:limit]]
        more = len(found) > limit
        next_cursor = encode_cursor(table, rows[-1]["seq"]) if more and rows else None
        return Page(rows, next_cursor)

    def _delete(self, table: str, workspace: str, resource_id: str) -> bool:
        with self._db.transaction() as conn:
            deleted = conn.execute(
                f"DELETE FROM {table} WHERE workspace = ? AND id = ?", (workspace, resource_id)
            ).rowcount
        return bool(deleted)


def _remember(
    conn: sqlite3.Connection, workspace: str, remember: Remember | None, row: Row
) -> None:
    if remember is not None:
        conn.execute(
            "UPDATE idempotency_keys SET response = ? WHERE workspace = ? AND key = ?",
            (remember.render(row), workspace, remember.key),
        )


def put_file(
    conn: sqlite3.Connection, workspace: str, key: str, body: bytes, created_us: int
) -> None:
    """Store (or replace) a result file."""
    conn.execute(
        "INSERT INTO files (workspace, key, body, size_bytes, created_us) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace, key) DO UPDATE SET body = excluded.body, "
        "size_bytes = excluded.size_bytes, created_us = excluded.created_us",
        (workspace, key, body, len(body), created_us),
    )


def _query(row: sqlite3.Row) -> Row:
    query = dict(row)
    query["sources"] = json.loads(query["sources"])
    query["time_window"] = json.loads(query["time_window"]) if query["time_window"] else None
    return query


def mark_runs(conn: sqlite3.Connection, job_id: str, runs_from_us: int) -> None:
    """Runs of ``job_id`` are looked for after ``runs_from_us``: its creation or
    resumption (``runs``)."""
    conn.execute(
        "INSERT INTO run_marks (job_id, runs_from_us) VALUES (?, ?) "
        # Never back: an advance may have moved the mark past the time a request read.
        "ON CONFLICT (job_id) DO UPDATE SET "
        "runs_from_us = MAX(runs_from_us, excluded.runs_from_us)",
        (job_id, runs_from_us),
    )
