"""State in a SQLite file survives a restart; in-memory state does not leak between apps."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bytestack_sync.emulator.app import EmulatorApp


def test_state_survives_a_restart(
    make_app: Callable[..., EmulatorApp],
    client_for: Callable[..., httpx.Client],
    tmp_path: Path,
    job_body: dict[str, Any],
) -> None:
    state = tmp_path / "nested" / "dir" / "local.sqlite3"
    first = make_app(str(state))
    client = client_for(first)
    job = client.post("/jobs", json=job_body).json()
    paused = client.patch(f"/jobs/{job['id']}", json={"status": "paused"}).json()
    webhook = client.post("/webhooks", json={"url": "https://h.example.com"}).json()
    first.close()
    assert state.is_file()

    again = client_for(make_app(str(state)))
    assert again.get("/jobs").json()["data"] == [paused]
    assert again.get("/webhooks").json()["data"] == [webhook]
    assert client_for(make_app(str(state)), "someone-else").get("/jobs").json()["data"] == []


def test_the_state_file_never_holds_the_key(
    make_app: Callable[..., EmulatorApp],
    client_for: Callable[..., httpx.Client],
    tmp_path: Path,
    job_body: dict[str, Any],
) -> None:
    state = tmp_path / "s.sqlite3"
    app = make_app(str(state))
    client_for(app, "sk-distinctive-secret-123").post("/jobs", json=job_body)
    app.close()
    with sqlite3.connect(state) as conn:
        dump = "\n".join(conn.iterdump())
    assert "sk-distinctive-secret-123" not in dump
    assert job_body["name"] in dump


def test_in_memory_apps_are_independent(
    make_app: Callable[..., EmulatorApp],
    client_for: Callable[..., httpx.Client],
    job_body: dict[str, Any],
) -> None:
    client_for(make_app()).post("/jobs", json=job_body)
    assert client_for(make_app()).get("/jobs").json()["data"] == []


def test_concurrent_creates_all_land(
    make_app: Callable[..., EmulatorApp],
    client_for: Callable[..., httpx.Client],
    tmp_path: Path,
    job_body: dict[str, Any],
) -> None:
    client = client_for(make_app(str(tmp_path / "c.sqlite3")))
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda _: client.post("/jobs", json=job_body).status_code, range(80))
        )
    assert statuses == [201] * 80
    ids = [job["id"] for job in client.get("/jobs", params={"limit": 1000}).json()["data"]]
    assert len(set(ids)) == 80
