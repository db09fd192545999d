"""The SQLite database behind the emulator: schema, one guarded connection, cursors.

One connection guarded by a lock serves every thread: SQLite serialises writers
anyway, and statements here are short (keyset pages on indexed columns), so the lock
is never held for long. Files use WAL so a restart finds every committed write.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bytestack_sync.emulator.errors import ApiFailure

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    prompt TEXT NOT NULL,
    sources TEXT NOT NULL,
    schedule TEXT NOT NULL,
    webhook_url TEXT,
    status TEXT NOT NULL,
    next_run_at TEXT,
    last_run_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_workspace ON jobs (workspace, seq);
CREATE TABLE IF NOT EXISTS webhooks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    workspace TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhooks_by_workspace ON webhooks (workspace, seq);
CREATE TABLE IF NOT EXISTS queries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    workspace TEXT NOT NULL,
    prompt TEXT NOT NULL,
    sources TEXT NOT NULL,
    time_window TEXT,
    result_limit INTEGER,
    outcome TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    completes_us INTEGER NOT NULL,
    settled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queries_pending ON queries (workspace, settled, completes_us);
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace TEXT NOT NULL,
    key TEXT NOT NULL,
    body BLOB NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    UNIQUE (workspace, key)
);
CREATE INDEX IF NOT EXISTS files_newest ON files (workspace, created_us DESC, seq DESC);
"""


class Database:
    """A SQLite file (parent directories created) or, with no path, a private in-memory one."""

    def __init__(self, path: str | None = None) -> None:
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None
        )
        self._conn.row_factory = sqlite3.Row
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        with self.transaction() as conn:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO meta (name, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run statements atomically, holding the connection's lock."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def encode_cursor(kind: str, *position: int) -> str:
    text = ":".join([kind, *map(str, position)])
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, kind: str, size: int) -> tuple[int, ...]:
    """The position a cursor from ``encode_cursor(kind, ...)`` names; 400 otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        found, *numbers = text.split(":")
        position = tuple(int(n) for n in numbers)
    except (ValueError, UnicodeError, binascii.Error):
        raise ApiFailure(400, "cursor is not one this API returned") from None
    if found != kind or len(position) != size:
        raise ApiFailure(400, "cursor is not one this API returned")
    return position
