"""The documented curl flows, run with the real curl binary against the served emulator.

Each command is written as the platform's documentation writes it; only the base URL
(and, where the documentation says to, the example id) is replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bytestack_sync import contract
from bytestack_sync.emulator.server import EmulatorServer

# curl is a test requirement (.ci/run installs it): without it these fail, never skip.
assert shutil.which("curl"), "the seed flows need the curl binary (apt-get install curl)"

KEY = "sk-curl-flows-0001"
DOC_BASE = contract.DEFAULT_API_URL
DOC_QUERY_ID = "qry_01j9zt3pk2examp1e"
DOC_JOB_ID = "job_01hx9jk2p4n5m6r7s8t9u0v1w"

DOWNLOAD = f"""curl -X GET "{DOC_BASE}/storage/{DOC_QUERY_ID}" \\
  -H "Authorization: Bearer $BITKIT_API_KEY" \\
  --output result.json"""
SUBMIT = f"""curl -sS -X POST "{DOC_BASE}/queries" \\
  -H "Authorization: Bearer $BITKIT_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{{
    "prompt": "How many times was Acme mentioned on X this week?",
    "sources": ["x", "reddit"],
    "limit": 250
  }}'"""
POLL = f"""curl -sS "{DOC_BASE}/queries/{DOC_QUERY_ID}" \\
  -H "Authorization: Bearer $BITKIT_API_KEY\""""
CREATE_JOB = f"""curl -sS -X POST "{DOC_BASE}/jobs" \\
  -H "Authorization: Bearer $BITKIT_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{{
    "name": "Daily Acme mentions",
    "prompt": "How many times was Acme mentioned on X today?",
    "sources": ["x"],
    "schedule": "0 8 * * *",
    "webhook_url": "https://yourapp.example.com/webhooks/bytestack"
  }}'"""
LIST_JOBS = f"""curl -sS "{DOC_BASE}/jobs" -H "Authorization: Bearer $BITKIT_API_KEY\""""
PAUSE_JOB = f"""curl -sS -X PATCH "{DOC_BASE}/jobs/{DOC_JOB_ID}" \\
  -H "Authorization: Bearer $BITKIT_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{{"status": "paused"}}'"""
DELETE_JOB = f"""curl -sS -o /dev/null -w "%{{http_code}}" \\
  -X DELETE "{DOC_BASE}/jobs/{DOC_JOB_ID}" \\
  -H "Authorization: Bearer $BITKIT_API_KEY\""""
LIST_STORAGE = f"""curl -sS "{DOC_BASE}/storage" -H "Authorization: Bearer $BITKIT_API_KEY\""""


def _curl(command: str, server: EmulatorServer, cwd: Path, **ids: str) -> str:
    command = command.replace(DOC_BASE, server.url)
    for example, real in ids.items():
        command = command.replace(example, real)
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": os.environ.get("PATH", ""), "BITKIT_API_KEY": KEY},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _json(text: str) -> Any:
    return json.loads(text)


def test_submit_a_query_poll_it_and_download_the_result(
    emulator_server: EmulatorServer, tmp_path: Path
) -> None:
    submitted = _json(_curl(SUBMIT, emulator_server, tmp_path))
    assert submitted["status"] == "queued"
    query_id = submitted["id"]
    deadline = time.monotonic() + 20
    seen = []
    while True:
        polled = _json(_curl(POLL, emulator_server, tmp_path, **{DOC_QUERY_ID: query_id}))
        seen.append(polled["status"])
        if polled["status"] == "completed" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    order = ["queued", "running", "completed"]
    assert seen[-1] == "completed"
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)
    assert polled["result"]["total_results"] >= 0
    _curl(DOWNLOAD, emulator_server, tmp_path, **{DOC_QUERY_ID: query_id})
    downloaded = json.loads((tmp_path / "result.json").read_text())
    assert downloaded["query_id"] == query_id
    assert downloaded["result"] == polled["result"]


def test_create_list_pause_and_delete_a_job(
    emulator_server: EmulatorServer, tmp_path: Path
) -> None:
    job = _json(_curl(CREATE_JOB, emulator_server, tmp_path))
    assert job["status"] == "active" and job["next_run_at"].endswith("T08:00:00Z")
    listed = _json(_curl(LIST_JOBS, emulator_server, tmp_path))
    assert [j["id"] for j in listed["data"]] == [job["id"]]
    paused = _json(_curl(PAUSE_JOB, emulator_server, tmp_path, **{DOC_JOB_ID: job["id"]}))
    assert paused["status"] == "paused" and paused["next_run_at"] is None
    assert _curl(DELETE_JOB, emulator_server, tmp_path, **{DOC_JOB_ID: job["id"]}) == "204"
    assert _json(_curl(LIST_JOBS, emulator_server, tmp_path))["data"] == []
    assert _curl(DELETE_JOB, emulator_server, tmp_path, **{DOC_JOB_ID: job["id"]}) == "404"


def test_list_storage_and_download_the_newest_file(
    emulator_server: EmulatorServer, tmp_path: Path
) -> None:
    query_id = _json(_curl(SUBMIT, emulator_server, tmp_path))["id"]
    deadline = time.monotonic() + 20
    files: list[dict[str, Any]] = []
    while not files and time.monotonic() < deadline:
        files = _json(_curl(LIST_STORAGE, emulator_server, tmp_path))["data"]
        time.sleep(0.1)
    assert [f["key"] for f in files] == [query_id]
    _curl(DOWNLOAD, emulator_server, tmp_path, **{DOC_QUERY_ID: files[0]["key"]})
    assert (tmp_path / "result.json").stat().st_size == files[0]["size_bytes"]
