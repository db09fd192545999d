"""The emulator's SQLite schema as versioned, forward-only migrations.

A state file records the last migration applied to it in ``meta.schema_version``
(an empty file is at version 0). Opening a file applies every later migration in
one transaction, so a migration that fails half-way leaves the file at the version
it had; a file at a version newer than this tool's last migration is refused before
anything is written to it.

To change the schema, append one ``Migration`` to ``MIGRATIONS``. Never edit one
that has shipped: state files written by it exist, and each is replayed only on
files older than it.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bytestack_sync.emulator.errors import StateFileError

Step = Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class Migration:
    version: int
    change: str | Step  # SQL statements, or a function for what SQL alone cannot say


def statements(script: str) -> Iterator[str]:
    """The complete statements of ``script`` (one or more per line run as one; the last
    one's semicolon may be left out).

    ``executescript`` would commit the migration's transaction first, so statements
    are run one at a time inside it.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        # The last statement may go without its semicolon, as in the sqlite3 shell.
        if not sqlite3.complete_statement(pending + ";"):
            raise ValueError(f"incomplete SQL statement: {pending.strip()!r}")
        yield pending


# ALTER TABLE ... DROP COLUMN came with SQLite 3.35 (2021); some systems' Python links
# an older one, where the table is rebuilt instead.
_NATIVE_DROP_COLUMN = sqlite3.sqlite_version_info >= (3, 35, 0)


def drop_column(conn: sqlite3.Connection, table: str, column: str) -> None:
    """Remove ``column`` from ``table``, keeping its rows, constraints, indexes and the
    AUTOINCREMENT counter."""
    if _NATIVE_DROP_COLUMN:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        _rebuild_without(conn, table, column)


def _rebuild_without(conn: sqlite3.Connection, table: str, column: str) -> None:
    # SQLite's documented way: a new table from the old definition less the column's
    # line, the rows copied, the old one dropped, the new one renamed, its indexes
    # made again (the automatic ones of UNIQUE come with the definition).
    (create,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    lines = create.splitlines()
    kept = [line for line in lines if line.split()[:1] != [column]]
    if len(kept) != len(lines) - 1:
        raise ValueError(f"{table}.{column} is not defined on a line of its own")
    new = f"{table}_rebuilt"
    definition = re.sub(r",(\s*\))$", r"\1", "\n".join(kept))  # the last column may go
    indexes = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    counter = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    conn.execute(definition.replace(f"CREATE TABLE {table} (", f"CREATE TABLE {new} (", 1))
    columns = ", ".join(
        name for (name,) in conn.execute("SELECT name FROM pragma_table_info(?)", (new,))
    )
    conn.execute(f"INSERT INTO {new} ({columns}) SELECT {columns} FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {new} RENAME TO {table}")
    if counter is not None:
        # The copy left the counter at the largest id kept, so a deleted row's id would
        # be handed out again; AUTOINCREMENT promises it never is.
        conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, counter[0]))
    for (index,) in indexes:
        conn.execute(index)


_FIRST_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE jobs (
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
CREATE INDEX jobs_by_workspace ON jobs (workspace, seq);
CREATE TABLE webhooks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    workspace TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX webhooks_by_workspace ON webhooks (workspace, seq);
CREATE TABLE queries (
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
CREATE INDEX queries_pending ON queries (workspace, settled, completes_us);
CREATE TABLE files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace TEXT NOT NULL,
    key TEXT NOT NULL,
    body BLOB NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    UNIQUE (workspace, key)
);
CREATE INDEX files_newest ON files (workspace, created_us DESC, seq DESC);
"""

# ``response`` is NULL while the first request with the key is still being processed.
_IDEMPOTENCY_KEYS = """
CREATE TABLE idempotency_keys (
    workspace TEXT NOT NULL,
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    response BLOB,
    created_us INTEGER NOT NULL,
    PRIMARY KEY (workspace, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_us);
"""

# Job runs (``runs``): what each fired, and where each job's next run is looked for
# from (``run_marks``: its creation, its resumption, or the last time runs were fired;
# 0 for a job of an older file: the clock marks it with its own time when it is
# opened, so it runs from then on).
# ``clock``: the emulator's time, an offset from wall time or a manual instant.
_RUNS = """
CREATE TABLE runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    workspace TEXT NOT NULL,
    job_id TEXT NOT NULL,
    query_id TEXT NOT NULL,
    scheduled_us INTEGER NOT NULL,
    status TEXT NOT NULL,
    error TEXT
);
CREATE INDEX runs_by_job ON runs (workspace, job_id, scheduled_us);
CREATE TABLE run_marks (
    job_id TEXT PRIMARY KEY,
    runs_from_us INTEGER NOT NULL
);
CREATE TABLE clock (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO run_marks (job_id, runs_from_us) SELECT id, 0 FROM jobs;
"""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, _FIRST_SCHEMA),  # jobs, webhooks, queries and result files
    # Never written by any version: job runs will keep their own table.
    Migration(2, lambda conn: drop_column(conn, "jobs", "last_run_at")),
    Migration(3, _IDEMPOTENCY_KEYS),  # the Idempotency-Key of each create, for a day
    Migration(4, _RUNS),  # job runs, where each job's runs start, and the clock
)


def stored_version(conn: sqlite3.Connection, where: str) -> int:
    """The version a state file is at: 0 for an empty one; a database of something else
    is refused, never migrated into."""
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    if "meta" not in tables:
        if tables:
            raise StateFileError(
                f"{where} is not a bytestack-sync emulator state file (it holds other tables: "
                f"{', '.join(sorted(tables)[:5])}); name a new or an emulator's file"
            )
        return 0
    row = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
    text = str(row[0]) if row is not None else ""
    if not text.isdigit():
        raise StateFileError(
            f"the local emulator's state file {where} has no readable schema version ({text!r})"
        )
    return int(text)


def check_file(path: str) -> None:
    """Refuse a file this tool must not open for writing: not SQLite, not an emulator's,
    newer than this tool, or read-only. Read through a read-only connection, so a
    refused file (and any write-ahead log beside it) is left exactly as it was."""
    if os.path.isdir(path):
        raise StateFileError(
            f"the local emulator's state file cannot be used: {path} is a directory"
        )
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return
    try:
        # Without a write-ahead log beside it the file holds everything, and an immutable
        # read creates no sidecar; with one, a read-only connection reads it and never
        # checkpoints it into the file.
        sidecar = os.path.exists(f"{path}-wal")
        mode = "mode=ro" if sidecar else "mode=ro&immutable=1"
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?{mode}", uri=True)
        try:
            version = stored_version(conn, path)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StateFileError(
            f"the local emulator's state file {path} cannot be read: {exc}"
        ) from None
    _refuse_newer(version, path)
    if not os.access(path, os.W_OK):
        raise StateFileError(f"the local emulator's state file {path} is read-only")


def _refuse_newer(version: int, where: str) -> None:
    latest = MIGRATIONS[-1].version
    if version > latest:
        raise StateFileError(
            f"the local emulator's state file {where} is at schema version {version}, "
            f"newer than this bytestack-sync supports ({latest}): "
            "upgrade bytestack-sync or use another state file"
        )


def migrate(conn: sqlite3.Connection, where: str) -> None:
    """Bring the file to the last version, inside the caller's transaction.

    ``where`` names the file in the refusal of one newer than this tool.
    """
    version = stored_version(conn, where)
    _refuse_newer(version, where)
    for migration in (m for m in MIGRATIONS if m.version > version):
        if isinstance(migration.change, str):
            for statement in statements(migration.change):
                conn.execute(statement)
        else:
            migration.change(conn)
        conn.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES ('schema_version', ?)",
            (str(migration.version),),
        )
