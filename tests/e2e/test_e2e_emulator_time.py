"""The emulator's time through the CLI: `emulator advance` on a local state file, and
`emulator serve --clock manual` over a socket."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bytestack_sync.commands.emulator import parse_advance
from bytestack_sync.errors import UsageError
from tests.e2e.conftest import Cli, Workspace, Write

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]


def _state(local: Workspace) -> str:
    return local.api_url.removeprefix("local:")


def test_advancing_a_local_workspace_runs_its_jobs_and_stores_their_files(
    local: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("quarterly", schedule="*/15 * * * *"),
                           job("resting", schedule="*/15 * * * *", status="paused")]))  # fmt: skip
    assert cli("apply", path, "--api-url", local.api_url, "--auto-approve").code == 0
    advanced = cli("emulator", "advance", "1h", "--state", _state(local))
    assert advanced.code == 0, advanced.err
    assert "4 run(s) fired." in advanced.out
    quarterly = local.jobs()["quarterly"]
    files = local.client.storage.list()
    assert len(files) == 4 and all(f.key.startswith(f"{quarterly.id}/") for f in files)
    body = json.loads(local.client.storage.download(files[0].key))
    assert body["job_id"] == quarterly.id and body["prompt"] == quarterly.prompt
    # The next plan still finds nothing to do: runs change no job.
    again = cli("plan", path, "--api-url", local.api_url, "--detailed-exitcode")
    assert again.code == 0, again.out


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90m", 5400), ("1h", 3600), ("1d", 86400), ("1h30m", 5400), ("PT1H30M", 5400),
     ("P1D", 86400), ("P1W", 604800), ("45s", 45), ("pt15m", 900)],
)  # fmt: skip
def test_durations(text: str, seconds: float) -> None:
    assert parse_advance(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "0m", "1x", "-1h", "P", "PT", "1 h", "yesterday"])
def test_a_bad_duration_is_refused(text: str) -> None:
    with pytest.raises(UsageError, match="not a duration to advance by"):
        parse_advance(text)


def test_advance_without_a_state_file_or_with_too_many_runs_says_so(
    local: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    missing = cli("emulator", "advance", "1h", "--state", tmp_path / "nothing.sqlite3")
    assert missing.code == 1 and "no local emulator state at" in missing.err
    path = write(manifest([job("minutely", schedule="* * * * *")]))
    assert cli("apply", path, "--api-url", local.api_url, "--auto-approve").code == 0
    refused = cli("emulator", "advance", "8d", "--state", _state(local))
    assert refused.code == 1 and "advance in smaller steps" in refused.err
    assert local.client.storage.list() == []


def test_serve_with_a_manual_clock_moves_only_when_advanced(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "bytestack_sync", "emulator", "serve", "--port", "0",
            "--clock", "manual", "--start", "2026-12-03T00:00:00Z"]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit("listening on ", 1)[1].strip()
        root = url.removesuffix("/v1")
        headers = {"Authorization": "Bearer e2e-clock-key-01"}
        with httpx.Client(headers=headers, timeout=10) as client:
            assert client.get(f"{root}/_emulator/health").json()["clock"]["mode"] == "manual"
            job = {"name": "q", "prompt": "How often?", "sources": ["x"],
                   "schedule": "*/15 * * * *"}  # fmt: skip
            client.post(f"{url}/jobs", json=job).raise_for_status()
            clock = client.get(f"{root}/_emulator/clock").json()
            assert clock == {"mode": "manual", "now": "2026-12-03T00:00:00Z"}
            advanced = client.post(f"{root}/_emulator/clock/advance", json={"seconds": 3600})
            assert len(advanced.json()["fired"]) == 4
            assert len(client.get(f"{url}/storage").json()["data"]) == 4
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_start_is_only_for_a_manual_clock(cli: Cli) -> None:
    result = cli("emulator", "serve", "--port", "0", "--start", "2026-12-03T00:00:00Z")
    assert result.code == 1 and "--clock manual" in result.err
    bad = cli("emulator", "serve", "--port", "0", "--clock", "manual", "--start", "noon")
    assert bad.code == 1 and "not an ISO 8601 instant" in bad.err


def test_an_advance_too_far_is_refused_and_leaves_the_clock(
    local: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("quarterly", schedule="*/15 * * * *")]))
    assert cli("apply", path, "--api-url", local.api_url, "--auto-approve").code == 0
    for too_far in ("3000000d", "9" * 30 + "d"):
        refused = cli("emulator", "advance", too_far, "--state", _state(local))
        assert refused.code == 1 and "at most a hundred years" in refused.err, refused.err
    again = cli("plan", path, "--api-url", local.api_url, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert local.client.storage.list() == []
