"""The SQLite database behind the emulator: one guarded connection, cursors.

One connection guarded by a lock serves every thread: SQLite serialises writers
anyway, and statements here are short (keyset pages on indexed columns), so the lock
is never held for long. Files use WAL so a restart finds every committed write.
The schema is ``migrations.py``'s, brought up to date when a file is opened.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bytestack_sync.emulator.errors import ApiFailure, StateFileError
from bytestack_sync.emulator.migrations import check_file, migrate


class Database:
    """A SQLite file (parent directories created) or, with no path, a private in-memory one.

    Opening migrates the file to the current schema; a file newer than this tool
    raises ``errors.StateFileError`` and is left untouched.
    """

    def __init__(self, path: str | None = None) -> None:
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            check_file(path)
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(
                path or ":memory:", check_same_thread=False, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise StateFileError(
                f"the local emulator's state file {path} cannot be used: {exc}"
            ) from None
        self._conn.row_factory = sqlite3.Row
        try:
            with self.transaction() as conn:
                migrate(conn, where=path or "(in memory)")
            if path:
                # After the migration, so a refused file's header is never rewritten.
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            self._conn.close()
            raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run statements atomically, holding the connection's lock."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:  # some errors have rolled it back already
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
