"""Job runs under the emulator's clock: manual time, due runs fired in order, result files."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from bytestack_sync.emulator import runs
from bytestack_sync.emulator import store as store_module
from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.server import EmulatorServer
from tests.emulator.conftest import KEY, local_client

START = "2026-12-03T00:00:00Z"
START_S = 1_796_256_000.0  # START in seconds since the epoch
JOB = {"name": "every quarter", "prompt": "How often was Acme mentioned?", "sources": ["x"],
       "schedule": "*/15 * * * *"}  # fmt: skip
RESULT_KEYS = {"job_id", "run_id", "prompt", "sources", "completed_at", "result"}

App = Callable[..., EmulatorApp]


def control(client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A control API call: /_emulator/ is beside /v1, not under it."""
    return client.request(
        method, str(client.base_url.copy_with(path="/_emulator" + path)), **kwargs
    )


@pytest.fixture
def manual(make_app: App) -> EmulatorApp:
    return make_app(clock_mode="manual", start=START_S, query_delay=0)


def test_an_hour_of_a_quarter_hourly_job_is_four_runs_and_four_files(manual: EmulatorApp) -> None:
    client = local_client(manual)
    job = client.post("/jobs", json=JOB).json()
    assert job["next_run_at"] == "2026-12-03T00:15:00Z"  # the emulator's clock, not the wall's
    advanced = control(client, "POST", "/clock/advance", json={"seconds": 3600})
    assert advanced.status_code == 200, advanced.text
    body = advanced.json()
    assert body["now"] == "2026-12-03T01:00:00Z" and body["mode"] == "manual"
    times = [run["scheduled_at"] for run in body["fired"]]
    assert times == [f"2026-12-03T{t}:00Z" for t in ("00:15", "00:30", "00:45", "01:00")]
    keys = [f"{job['id']}/{t}.json" for t in times]
    assert [run["result_key"] for run in body["fired"]] == keys
    listed = [f["key"] for f in client.get("/storage").json()["data"]]
    assert listed == keys[::-1]  # newest first
    first = client.get("/storage/" + quote(keys[0], safe="")).json()
    assert set(first) == RESULT_KEYS
    assert (first["job_id"], first["run_id"]) == (job["id"], body["fired"][0]["id"])
    assert first["completed_at"] == times[0] and first["prompt"] == JOB["prompt"]
    query = client.get(f"/queries/{body['fired'][0]['query_id']}").json()
    assert query["status"] == "completed" and query["result"] == first["result"]
    assert control(client, "GET", "/clock").json() == {"mode": "manual", "now": body["now"]}
    assert client.get(f"/jobs/{job['id']}").json()["next_run_at"] == "2026-12-03T01:15:00Z"


def test_a_paused_job_does_not_run_and_a_resumed_one_runs_from_then_on(
    manual: EmulatorApp,
) -> None:
    client = local_client(manual)
    job = client.post("/jobs", json=JOB).json()
    client.patch(f"/jobs/{job['id']}", json={"status": "paused"})
    assert control(client, "POST", "/clock/advance", json={"seconds": 3600}).json()["fired"] == []
    client.patch(f"/jobs/{job['id']}", json={"status": "active"})  # at 01:00
    fired = control(client, "POST", "/clock/advance", json={"seconds": 1800}).json()["fired"]
    assert [r["scheduled_at"] for r in fired] == ["2026-12-03T01:15:00Z", "2026-12-03T01:30:00Z"]
    client.delete(f"/jobs/{job['id']}")
    assert control(client, "POST", "/clock/advance", json={"seconds": 3600}).json()["fired"] == []


def test_a_job_created_later_runs_only_from_its_creation(manual: EmulatorApp) -> None:
    client = local_client(manual)
    early = client.post("/jobs", json=JOB).json()
    control(client, "POST", "/clock/advance", json={"seconds": 20 * 60})  # 00:20
    late = client.post("/jobs", json={**JOB, "name": "late"}).json()
    fired = control(client, "POST", "/clock/advance", json={"to": "2026-12-03T00:45:00Z"}).json()
    assert [(r["job_id"], r["scheduled_at"][11:16]) for r in fired["fired"]] == [
        (early["id"], "00:30"), (late["id"], "00:30"), (early["id"], "00:45"),
        (late["id"], "00:45"),
    ]  # fmt: skip


def test_a_failing_prompt_makes_a_failed_run_and_no_file(manual: EmulatorApp) -> None:
    client = local_client(manual)
    client.post("/jobs", json={**JOB, "prompt": "Count Acme #fail"})
    (run,) = control(client, "POST", "/clock/advance", json={"seconds": 900}).json()["fired"]
    assert run["status"] == "failed" and run["result_key"] is None and run["error"]
    assert client.get("/storage").json()["data"] == []
    query = client.get(f"/queries/{run['query_id']}").json()
    assert query["status"] == "failed" and query["error"] == run["error"]


def test_an_advance_past_the_bound_is_refused_and_changes_nothing(manual: EmulatorApp) -> None:
    client = local_client(manual)
    client.post("/jobs", json={**JOB, "schedule": "* * * * *"})
    too_far = (runs.MAX_RUNS_PER_ADVANCE + 1) * 60
    refused = control(client, "POST", "/clock/advance", json={"seconds": too_far})
    assert refused.status_code == 400
    assert "advance in smaller steps" in refused.json()["message"]
    assert control(client, "GET", "/clock").json()["now"] == START
    assert client.get("/storage").json()["data"] == []
    fine = control(
        client, "POST", "/clock/advance", json={"seconds": runs.MAX_RUNS_PER_ADVANCE * 60}
    )
    assert len(fine.json()["fired"]) == runs.MAX_RUNS_PER_ADVANCE


@pytest.mark.parametrize(
    "body",
    [{"seconds": -1}, {"to": "2026-12-02T00:00:00Z"}, {"to": "yesterday"}, {"seconds": "60"},
     {"seconds": 1, "to": START}, {}, {"minutes": 5}, {"seconds": float("inf")},
     {"to": "9999-12-31T23:00:00Z"}, {"seconds": int("1" + "0" * 400)}],
)  # fmt: skip
def test_time_only_moves_forward_and_a_bad_advance_is_a_400(
    manual: EmulatorApp, body: dict[str, Any]
) -> None:
    client = local_client(manual)
    answer = control(client, "POST", "/clock/advance", content=json.dumps(body))
    assert answer.status_code == 400, answer.text
    assert control(client, "GET", "/clock").json()["now"] == START


def test_run_now_and_other_workspaces_runs_are_not_reported(make_app: App) -> None:
    app = make_app(clock_mode="manual", start=START_S, keys=(f"{KEY}:a", "other-key-0002:b"))
    mine, theirs = local_client(app), local_client(app, "other-key-0002")
    job = mine.post("/jobs", json=JOB).json()
    theirs.post("/jobs", json={**JOB, "name": "theirs"})
    now = control(mine, "POST", f"/jobs/{job['id']}/run")
    assert now.status_code == 200 and now.json()["scheduled_at"] == START
    assert control(theirs, "POST", f"/jobs/{job['id']}/run").status_code == 404
    fired = control(mine, "POST", "/clock/advance", json={"seconds": 900}).json()["fired"]
    assert [r["job_id"] for r in fired] == [job["id"]]  # theirs ran too, unreported here
    assert len(theirs.get("/storage").json()["data"]) == 1


def test_health_needs_no_key_and_the_control_api_has_no_injected_faults(make_app: App) -> None:
    app = make_app(clock_mode="manual", start=START_S, fail_rate=1.0, rate_limit=0.001)
    health = control(local_client(app, key=None), "GET", "/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "clock": {"mode": "manual", "now": START}}
    client = local_client(app)
    assert all(control(client, "GET", "/clock").status_code == 200 for _ in range(5))
    assert client.get("/jobs").status_code in (429, 500)
    assert control(local_client(app, key="wrong"), "GET", "/clock").status_code == 200


def test_the_clock_and_marks_live_in_the_state_file(make_app: App, tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    first = make_app(state, clock_mode="manual", start=START_S)
    client = local_client(first)
    client.post("/jobs", json=JOB)
    control(client, "POST", "/clock/advance", json={"seconds": 1800})
    first.close()
    again = make_app(state, clock_mode="manual")  # no start: where it was
    client = local_client(again)
    assert control(client, "GET", "/clock").json()["now"] == "2026-12-03T00:30:00Z"
    fired = control(client, "POST", "/clock/advance", json={"seconds": 900}).json()["fired"]
    assert [r["scheduled_at"] for r in fired] == ["2026-12-03T00:45:00Z"]


def test_a_real_clock_catches_up_boundedly_oldest_first(make_app: App) -> None:
    wall = [START_S]
    app = make_app(clock=lambda: wall[0], query_delay=0)
    client = local_client(app)
    client.post("/jobs", json={**JOB, "schedule": "* * * * *"})
    wall[0] += 30 * 60  # half an hour of wall time passes
    fired, skipped = runs.catch_up(app.store.db, app.clock, limit=10)
    assert [r.scheduled_us // 1_000_000 for r in fired] == [START_S + 60 * i for i in range(1, 11)]
    assert skipped
    assert app.tick() == []  # the rest were skipped: the marks moved to now
    wall[0] += 60
    assert len(app.tick()) == 1


def test_over_a_socket_an_advance_fires_and_storage_serves_the_files(manual: EmulatorApp) -> None:
    with (
        EmulatorServer(manual) as server,
        httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}) as client,
    ):
        client.post("/jobs", json=JOB)
        fired = control(client, "POST", "/clock/advance", json={"seconds": 3600}).json()["fired"]
        assert len(fired) == 4
        for run in fired:
            body = client.get("/storage/" + quote(run["result_key"], safe="")).json()
            assert set(body) == RESULT_KEYS and body["run_id"] == run["id"]


def test_advances_at_once_add_up_and_each_reports_its_own_runs(manual: EmulatorApp) -> None:
    with EmulatorServer(manual) as server:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=server.url, headers=headers) as client:
            client.post("/jobs", json={**JOB, "schedule": "* * * * *"})

        def one(_: int) -> list[str]:
            with httpx.Client(base_url=server.url, headers=headers, timeout=30) as own:
                answer = control(own, "POST", "/clock/advance", json={"seconds": 60})
                return [r["scheduled_at"] for r in answer.json()["fired"]]

        with ThreadPoolExecutor(8) as pool:
            reported = [t for times in pool.map(one, range(8)) for t in times]
        with httpx.Client(base_url=server.url, headers=headers) as client:
            assert control(client, "GET", "/clock").json()["now"] == "2026-12-03T00:08:00Z"
    assert sorted(reported) == [f"2026-12-03T00:0{m}:00Z" for m in range(1, 9)]


def test_a_resume_never_moves_a_mark_back_behind_an_advance(manual: EmulatorApp) -> None:
    client = local_client(manual)
    job = client.post("/jobs", json={**JOB, "schedule": "* * * * *"}).json()
    control(client, "POST", "/clock/advance", json={"seconds": 120})  # marks at 00:02
    # A resume whose request read the time before that advance: 00:00.
    with manual.store.db.transaction() as conn:
        store_module.mark_runs(conn, job["id"], int(START_S) * 1_000_000)
    fired = control(client, "POST", "/clock/advance", json={"seconds": 60}).json()["fired"]
    assert [r["scheduled_at"] for r in fired] == ["2026-12-03T00:03:00Z"]


def test_a_state_file_keeps_its_clock_mode(make_app: App, tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    make_app(state, clock_mode="manual", start=START_S).close()
    again = make_app(state)  # a local run or `emulator advance`: the file's mode
    assert again.clock.mode == "manual" and again.clock() == START_S
    again.close()
    with pytest.raises(ValueError, match="this state file's clock is manual"):
        make_app(state, clock_mode="real")


def test_a_served_clock_fires_a_minutes_runs_whole_and_logs_a_bounded_catch_up(
    make_app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(runs, "MAX_RUNS_PER_ADVANCE", 3)
    wall = [START_S]
    app = make_app(clock=lambda: wall[0], query_delay=0)
    client = local_client(app)
    for n in range(5):
        client.post("/jobs", json={**JOB, "name": f"job {n}", "schedule": "* * * * *"})
    wall[0] += 60
    with caplog.at_level("WARNING", logger="bytestack_sync.emulator.app"):
        assert len(app.tick()) == 3  # the first look: a catch-up, bounded
    assert "the rest were skipped" in caplog.text
    wall[0] += 60
    assert len(app.tick()) == 5  # a minute later: every run of the minute, past the bound
    assert app.tick() == []  # the same minute again: nothing read, nothing fired
