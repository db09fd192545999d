"""State files migrate forward on open, keep everything, and a newer one is refused untouched.

``fixtures/state-v1.sqlite3`` was written by the emulator at schema version 1 (before
migrations existed): ``apply --api-url local:...`` of ``examples/team``, then through
the API a second webhook, a completed and a failed query, a job run's stored file, and
a job created and deleted under another key (so the jobs' id counter is past the last
row). It is checkpointed: one self-contained file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from bytestack_sync.connect import LOCAL_WORKSPACE_KEY
from bytestack_sync.emulator import migrations, runs
from bytestack_sync.emulator.app import create_app
from bytestack_sync.emulator.db import Database
from bytestack_sync.emulator.errors import StateFileError
from bytestack_sync.emulator.local import LocalTransport
from bytestack_sync.emulator.migrations import MIGRATIONS, Migration

FIXTURE = Path(__file__).parent / "fixtures" / "state-v1.sqlite3"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LATEST = MIGRATIONS[-1].version
OTHER_KEY = "other-team-key"  # the second workspace in the fixture
TABLES = ("meta", "jobs", "webhooks", "queries", "files", "sqlite_sequence")


@pytest.fixture
def state_v1(tmp_path: Path) -> Path:
    path = tmp_path / "state.sqlite3"
    shutil.copyfile(FIXTURE, path)
    return path


@pytest.fixture(params=[True, False], ids=["drop-column", "rebuild"])
def native_drop(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migrate as a SQLite with ``ALTER TABLE ... DROP COLUMN`` does, and as an older one."""
    monkeypatch.setattr(migrations, "_NATIVE_DROP_COLUMN", request.param)


def _read(path: Path, sql: str) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql)]


def _contents(path: Path) -> dict[str, list[dict[str, Any]]]:
    return {table: _read(path, f"SELECT * FROM {table} ORDER BY 1") for table in TABLES}


def _columns(rows: list[dict[str, Any]]) -> set[str]:
    assert rows  # the fixture has rows in every table
    return set(rows[0])


def _version(path: Path) -> str:
    return str(_read(path, "SELECT value FROM meta WHERE name = 'schema_version'")[0]["value"])


def _schema(path: Path) -> dict[str, Any]:
    """Every table's columns and every index's (automatic ones too), as SQLite reports them."""
    found = _read(path, "SELECT type, name, tbl_name FROM sqlite_master")
    pragma = {"table": "pragma_table_info", "index": "pragma_index_info"}
    return {
        (f["type"], f["name"], f["tbl_name"]): _read(
            path, f"SELECT * FROM {pragma[f['type']]}('{f['name']}')"
        )
        for f in found
    }


def _open(path: Path) -> None:
    Database(str(path)).close()


def test_migrations_are_numbered_one_by_one_from_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


@pytest.mark.usefixtures("native_drop")
def test_a_version_1_file_upgrades_and_keeps_every_row(state_v1: Path) -> None:
    before = _contents(state_v1)
    assert _version(state_v1) == "1"
    _open(state_v1)
    after = _contents(state_v1)
    assert _version(state_v1) == str(LATEST)
    for table in TABLES[1:]:
        old, new = _columns(before[table]), _columns(after[table])
        assert old - new == ({"last_run_at"} if table == "jobs" else set()), table
        kept = sorted(old & new)
        assert [[r[c] for c in kept] for r in after[table]] == [
            [r[c] for c in kept] for r in before[table]
        ], table
    # The counter stays past a deleted job's id, so no id is handed out twice.
    assert {"name": "jobs", "seq": 7} in after["sqlite_sequence"]
    assert max(row["seq"] for row in after["jobs"]) == 6


@pytest.mark.usefixtures("native_drop")
def test_an_upgraded_file_has_the_schema_of_a_new_one(state_v1: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite3"
    _open(new)
    _open(state_v1)
    assert _schema(state_v1) == _schema(new)
    assert _version(new) == str(LATEST)


def test_an_upgraded_file_serves_everything_it_held(state_v1: Path) -> None:
    app = create_app(str(state_v1))
    transport = LocalTransport(app)

    def client(key: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"}
        return httpx.Client(base_url="http://local/v1", transport=transport, headers=headers)

    with client(LOCAL_WORKSPACE_KEY) as ours, client(OTHER_KEY) as theirs:
        jobs = ours.get("/jobs").json()["data"]
        assert [j["name"] for j in jobs] == [
            "Brand sentiment", "Campaign tracker", "Holiday campaign",
            "Outage chatter", "Security mentions",
        ]  # fmt: skip
        assert [j["status"] for j in jobs].count("paused") == 1
        hooks = [w["url"] for w in ours.get("/webhooks").json()["data"]]
        assert hooks == [
            "https://hooks.example.com/team-alerts",
            "https://hooks.example.com/second",
        ]
        files = ours.get("/storage").json()["data"]
        assert len(files) == 2
        for stored in files:
            assert len(ours.get(f"/storage/{stored['key']}").content) == stored["size_bytes"]
        query = ours.get(f"/queries/{files[0]['key']}").json()
        assert query["status"] == "completed" and "result" in query
        assert [j["name"] for j in theirs.get("/jobs").json()["data"]] == ["Other team job"]
        created = ours.post("/jobs", json={**{k: jobs[0][k] for k in ("name", "prompt")},
                                          "sources": ["x"], "schedule": "@daily"})  # fmt: skip
        assert created.status_code == 201
        patched = ours.patch(f"/jobs/{jobs[0]['id']}", json={"status": "paused"})
        assert patched.json()["status"] == "paused"
    app.close()
    assert max(row["seq"] for row in _read(state_v1, "SELECT seq FROM jobs")) == 8


def test_opening_twice_changes_nothing_the_second_time(state_v1: Path) -> None:
    _open(state_v1)
    once = (_contents(state_v1), _schema(state_v1))
    _open(state_v1)
    assert (_contents(state_v1), _schema(state_v1)) == once


def _newer(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (LATEST + 1,))
        conn.commit()
    return path


def _refusal(path: Path) -> str:
    return (
        f"the local emulator's state file {path} is at schema version {LATEST + 1}, "
        f"newer than this bytestack-sync supports ({LATEST}): "
        "upgrade bytestack-sync or use another state file"
    )


def test_a_newer_file_is_refused_and_left_byte_for_byte(state_v1: Path) -> None:
    newer = _newer(state_v1)
    saved = newer.read_bytes()
    with pytest.raises(StateFileError) as refused:
        create_app(str(newer))
    assert str(refused.value) == _refusal(newer)
    assert newer.read_bytes() == saved
    assert sorted(p.name for p in newer.parent.iterdir()) == [newer.name]


def test_an_unreadable_version_is_refused(state_v1: Path) -> None:
    with closing(sqlite3.connect(state_v1)) as conn:
        conn.execute("UPDATE meta SET value = 'two' WHERE name = 'schema_version'")
        conn.commit()
    with pytest.raises(StateFileError, match=r"has no readable schema version \('two'\)"):
        _open(state_v1)


def test_a_migration_failing_half_way_leaves_the_file_as_it_was(
    state_v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (_contents(state_v1), _schema(state_v1))
    broken = Migration(
        LATEST + 1, "CREATE TABLE half_made (id TEXT);\nSELECT no_such_function();\n"
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, broken))
    with pytest.raises(sqlite3.OperationalError, match="no_such_function"):
        _open(state_v1)
    assert (_contents(state_v1), _schema(state_v1)) == before
    assert _version(state_v1) == "1"
    monkeypatch.undo()
    _open(state_v1)  # the tool's own migrations still apply
    assert _version(state_v1) == str(LATEST)


def test_sql_statements_split_whole_and_an_incomplete_one_is_refused() -> None:
    script = "CREATE TABLE a (x TEXT DEFAULT ';');\nCREATE INDEX a_x\n  ON a (x);\n"
    assert list(migrations.statements(script)) == [
        "CREATE TABLE a (x TEXT DEFAULT ';');\n",
        "CREATE INDEX a_x\n  ON a (x);\n",
    ]
    # The last statement's semicolon may be left out, as in the sqlite3 shell.
    assert list(migrations.statements("ALTER TABLE a ADD COLUMN y TEXT")) == [
        "ALTER TABLE a ADD COLUMN y TEXT"
    ]
    with pytest.raises(ValueError, match='incomplete SQL statement: "CREATE TABLE b \\(x TEXT'):
        list(migrations.statements("CREATE TABLE b (x TEXT DEFAULT ';"))


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "--api-url", "local:{state}", str(EXAMPLES / "minimal.yaml")],
        ["emulator", "serve", "--port", "0", "--state", "{state}"],
    ],
    ids=["plan", "emulator-serve"],
)
def test_the_cli_refuses_a_newer_file_in_one_line(state_v1: Path, command: list[str]) -> None:
    newer = _newer(state_v1)
    argv = [arg.replace("{state}", str(newer)) for arg in command]
    result = subprocess.run(
        [sys.executable, "-m", "bytestack_sync", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=newer.parent,
        env={k: v for k, v in os.environ.items() if not k.startswith(("BITKIT_", "BYTESTACK_"))},
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"error: {_refusal(newer)}"]


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_a_refused_file_and_its_write_ahead_log_are_left_byte_for_byte(state_v1: Path) -> None:
    newer = _newer(state_v1)
    # A writer that is still open keeps its log beside the file; copy the three files.
    held = sqlite3.connect(newer)
    held.execute("PRAGMA journal_mode=WAL")
    held.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('note', 'in the log')")
    held.commit()
    copy = state_v1.parent / "copy"
    copy.mkdir()
    for name in (newer.name, f"{newer.name}-wal", f"{newer.name}-shm"):
        shutil.copyfile(newer.parent / name, copy / name)
    held.close()
    before = _files(copy)
    assert set(before) == {newer.name, f"{newer.name}-wal", f"{newer.name}-shm"}
    with pytest.raises(StateFileError, match="newer than this bytestack-sync supports"):
        create_app(str(copy / newer.name))
    after = _files(copy)
    # The file and its log are as they were; the -shm file is SQLite's shared-memory
    # index of the log, rebuilt by every reader, and holds no data.
    for name in (newer.name, f"{newer.name}-wal"):
        assert after[name] == before[name], name


def test_a_database_of_something_else_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE users (id INTEGER, email TEXT)")
        conn.commit()
    before = _files(tmp_path)
    with pytest.raises(StateFileError) as refused:
        create_app(str(other))
    assert str(refused.value) == (
        f"{other} is not a bytestack-sync emulator state file (it holds other tables: users); "
        "name a new or an emulator's file"
    )
    assert _files(tmp_path) == before


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_text("plain text, not a database\n"), "cannot be read: file is not"),
    ],
    ids=["directory", "not-sqlite"],
)
def test_a_path_that_is_no_state_file_names_the_path(
    tmp_path: Path, make: Any, message: str
) -> None:
    path = tmp_path / "state.sqlite3"
    make(path)
    with pytest.raises(StateFileError) as refused:
        create_app(str(path))
    assert str(path) in str(refused.value) and message in str(refused.value)


def test_the_jobs_of_an_upgraded_file_run_from_the_upgrade_on(state_v1: Path) -> None:
    # A file from before job runs: its jobs are marked when the file is first opened
    # with a clock, at that clock's time (a manual one's too), so they run from then on
    # and none of the runs they "missed" before is made up.
    jobs = _read(state_v1, "SELECT id, status FROM jobs")
    _open(state_v1)
    assert {m["runs_from_us"] for m in _read(state_v1, "SELECT * FROM run_marks")} == {0}
    start = 1_700_000_000.0  # long before today: the marks follow the clock, not the wall
    app = create_app(str(state_v1), clock_mode="manual", start=start)
    try:
        marks = _read(state_v1, "SELECT job_id, runs_from_us FROM run_marks")
        assert sorted(m["job_id"] for m in marks) == sorted(j["id"] for j in jobs)
        assert {m["runs_from_us"] for m in marks} == {int(start) * 1_000_000}
        _, fired = runs.advance(app.store.db, app.clock, seconds=86400)
        active = {j["id"] for j in jobs if j["status"] == "active"}
        assert active and {r.job_id for r in fired} == active
    finally:
        app.close()
