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

from bytestack_sync.emulator.db import Database, decode_cursor, encode_cursor

Row = dict[str, Any]
FileBuilder = Callable[[Row], "tuple[str, bytes] | None"]


_JOB_COLUMNS = (
    "id", "name", "prompt", "sources",
    "schedule", "webhook_url", "status", "next_run_at", "created_at", "updated_at",
)  # fmt: skip
_INSERT_JOB = (
    f"INSERT INTO jobs (workspace, {', '.join(_JOB_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(_JOB_COLUMNS) + 1))})"
)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None


def _row(row: sqlite3.Row | None) -> Row | None:
    return dict(row) if row is not None else None


class Store:
    def __init__(self, db: Database) -> None:
        self._db = db

    def close(self) -> None:
        self._db.close()

    # --- jobs -----------------------------------------------------------------------
    def create_job(self, workspace: str, job: Mapping[str, Any]) -> Row:
        values = [_column(job[name]) for name in _JOB_COLUMNS]
        with self._db.transaction() as conn:
            conn.execute(_INSERT_JOB, (workspace, *values))
            found = conn.execute("SELECT * FROM jobs WHERE id = ?", (job["id"],)).fetchone()
        return _job(found)

    def get_job(self, workspace: str, job_id: str) -> Row | None:
        with self._db.transaction() as conn:
            found = conn.execute(
                "SELECT * FROM jobs WHERE workspace = ? AND id = ?", (workspace, job_id)
            ).fetchone()
        return _job(found) if found is not None else None

    def list_jobs(self, workspace: str, limit: int, cursor: str | None) -> Page:
        return self._seq_page("jobs", workspace, limit, cursor, _job)

    def update_job(self, workspace: str, job_id: str, changes: Mapping[str, Any]) -> Row | None:
        unknown = set(changes) - set(_JOB_COLUMNS[4:])
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in changes)
        values = [_column(v) for v in changes.values()]
        with self._db.transaction() as conn:
            updated = conn.execute(
                f"UPDATE jobs SET {assignments} WHERE workspace = ? AND id = ?",
                (*values, workspace, job_id),
            ).rowcount
            found = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(found) if updated else None

    def delete_job(self, workspace: str, job_id: str) -> bool:
        return self._delete("jobs", workspace, job_id)

    # --- webhooks ---------------------------------------------------------------------
    def create_webhook(self, workspace: str, webhook: Mapping[str, Any]) -> Row:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO webhooks (id, workspace, url, events, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    webhook["id"],
                    workspace,
                    webhook["url"],
                    json.dumps(list(webhook["events"])),
                    webhook["created_at"],
                ),
            )
            found = conn.execute("SELECT * FROM webhooks WHERE id = ?", (webhook["id"],)).fetchone()
        return _webhook(found)

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
                    _column(query["time_window"]),
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
                    _put_file(conn, workspace, built[0], built[1], query["completes_us"])
                conn.execute("UPDATE queries SET settled = 1 WHERE seq = ?", (found["seq"],))
        return len(due)

    # --- result files -----------------------------------------------------------------
    def put_file(self, workspace: str, key: str, body: bytes, created_us: int) -> None:
        with self._db.transaction() as conn:
            _put_file(conn, workspace, key, body, created_us)

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


def _put_file(
    conn: sqlite3.Connection, workspace: str, key: str, body: bytes, created_us: int
) -> None:
    conn.execute(
        "INSERT INTO files (workspace, key, body, size_bytes, created_us) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace, key) DO UPDATE SET body = excluded.body, "
        "size_bytes = excluded.size_bytes, created_us = excluded.created_us",
        (workspace, key, body, len(body), created_us),
    )


def _column(value: Any) -> Any:
    """Lists and mappings are stored as JSON text."""
    return json.dumps(value) if isinstance(value, list | tuple | dict) else value


def _job(row: sqlite3.Row) -> Row:
    job = dict(row)
    job["sources"] = json.loads(job["sources"])
    return job


def _webhook(row: sqlite3.Row) -> Row:
    webhook = dict(row)
    webhook["events"] = json.loads(webhook["events"])
    return webhook


def _query(row: sqlite3.Row) -> Row:
    query = dict(row)
    query["sources"] = json.loads(query["sources"])
    query["time_window"] = json.loads(query["time_window"]) if query["time_window"] else None
    return query
