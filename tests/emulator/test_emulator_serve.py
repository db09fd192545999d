"""``bytestack-sync emulator serve`` as a real process: URL printed, requests served, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

SECRET = "sk-serve-secret-7788"


@contextmanager
def serving(*args: str, cwd: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bytestack_sync", "emulator", "serve", "--port", "0", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("BITKIT_")},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("bytestack emulator listening on http://127.0.0.1:"), line
        yield process, line.rsplit(" ", 1)[1].strip()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _stop(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, str, str]:
    process.send_signal(sig)
    out, err = process.communicate(timeout=20)
    return process.returncode, out, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    with serving(cwd=tmp_path) as (process, url):
        assert url.endswith("/v1")
        headers = {"Authorization": "Bearer any-key"}
        response = httpx.post(
            f"{url}/webhooks", json={"url": "https://h.example.com"}, headers=headers
        )
        assert response.status_code == 201
        assert len(httpx.get(f"{url}/webhooks", headers=headers).json()["data"]) == 1
        code, _, err = _stop(process, sig)
    assert code == 0, err


def test_serve_with_keys_and_state_keeps_data_and_never_prints_a_key(tmp_path: Path) -> None:
    state = tmp_path / "state" / "emulator.sqlite3"
    args = ("--state", str(state), "--key", f"{SECRET}:team", "--key", "reader-key-9:team:ro")
    with serving(*args, cwd=tmp_path) as (process, url):
        writer = {"Authorization": f"Bearer {SECRET}"}
        reader = {"Authorization": "Bearer reader-key-9"}
        body = {"url": "https://h.example.com"}
        assert httpx.post(f"{url}/webhooks", json=body, headers=writer).status_code == 201
        assert httpx.post(f"{url}/webhooks", json=body, headers=reader).status_code == 403
        assert (
            httpx.get(f"{url}/webhooks", headers={"Authorization": "Bearer no"}).status_code == 401
        )
        code, out, err = _stop(process, signal.SIGTERM)
    assert code == 0
    assert SECRET not in out + err and "reader-key-9" not in out + err
    with serving(*args, cwd=tmp_path) as (process, url):
        listed = httpx.get(f"{url}/webhooks", headers={"Authorization": "Bearer reader-key-9"})
        assert len(listed.json()["data"]) == 1
        assert _stop(process, signal.SIGTERM)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--key", f"{SECRET}"), "--key: key #1 is not of the form KEY:WORKSPACE[:ro|:unpaid]"),
        (("--key", f"{SECRET}:bad space"), "--key: key #1: workspace must be"),
    ],
)
def test_invalid_keys_are_a_usage_error(args: tuple[str, ...], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bytestack_sync", "emulator", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert SECRET not in result.stdout + result.stderr
