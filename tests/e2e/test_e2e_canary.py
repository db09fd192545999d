"""Canaries: the API key, a ${secret:...} value and the password in the API URL never
appear in anything the tool writes, nor does the key as an API may echo it back.

Every command a user runs is run with the canaries in play, and every byte it
writes — stdout, stderr, --debug logs, saved plan and export files — is searched.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bytestack_sync.api.client import Client
from bytestack_sync.emulator.app import create_app
from tests.conftest import Hostile
from tests.fingerprints import fingerprint_by, shown_by

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]

CANARY_KEY = "bs_canary_key_7d1c9e3a5b"
CANARY_SECRET = "https://hooks.example.com/canary-token-4f2e8a6c0d"


@pytest.fixture
def canaries(monkeypatch: pytest.MonkeyPatch, emulator: Any) -> Iterator[Any]:
    monkeypatch.setenv("CANARY_HOOK", CANARY_SECRET)
    served = emulator()
    monkeypatch.setenv("BITKIT_API_KEY", CANARY_KEY)  # the served emulator takes any key
    with Client(served.api_url, CANARY_KEY) as client:
        served.client = client
        yield served


def clean(*texts: str) -> bool:
    return not any(CANARY_KEY in t or CANARY_SECRET in t for t in texts)


def test_no_command_output_holds_a_canary(
    canaries: Any, cli: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    url = canaries.api_url
    hooked = job("hooked", webhook_url="${secret:CANARY_HOOK}")
    path = write(manifest([hooked], webhooks=[{"url": "${secret:CANARY_HOOK}"}]))
    saved = tmp_path / "release.plan"
    runs = [
        cli("validate", path),
        cli("plan", path, "--api-url", url),
        cli("plan", path, "--api-url", url, "--format", "json"),
        cli("plan", path, "--api-url", url, "--format", "markdown"),
        cli("plan", path, "--api-url", url, "--out", saved, "--debug"),
        cli("show", saved, "--debug"),
        cli("show", saved, "--format", "json"),
        cli("show", saved, "--format", "markdown"),
        cli("apply", saved, "--api-url", url, "--debug"),
        cli("plan", path, "--api-url", url, "--detailed-exitcode"),
    ]
    for result in runs:
        assert clean(result.out, result.err), result
    assert [r.code for r in runs] == [0] * 10
    # export cannot know which live values were secrets (the README says so): it
    # writes the live URL, but never the key, and nothing on stderr.
    exported = cli("export", "--api-url", url)
    assert exported.code == 0 and CANARY_KEY not in exported.out and clean(exported.err)
    assert "hmac:" in runs[1].out  # the secret is shown by fingerprint, not hidden away
    assert clean(saved.read_text(encoding="utf-8"))
    live = canaries.webhooks()
    assert list(live) == [CANARY_SECRET]  # the value itself did reach the API

    # A changed secret: the plan shows an update of the sensitive value, masked.
    canaries.client.jobs.update(canaries.jobs()["hooked"].id, {"webhook_url": None})
    changed = cli("plan", path, "--api-url", url, "--format", "json", "--debug")
    assert changed.code == 0 and clean(changed.out, changed.err)
    applied = cli("apply", path, "--api-url", url, "--auto-approve", "--debug")
    assert applied.code == 0 and clean(applied.out, applied.err)


def test_errors_hold_no_canary(
    canaries: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    bad = job("bad", webhook_url="${secret:CANARY_HOOK}", schedule="0 0 30 2 *")
    path = write(manifest([bad]))
    for result in (
        cli("validate", path),
        cli("plan", path, "--api-url", canaries.api_url, "--debug"),
        cli("apply", path, "--api-url", canaries.api_url, "--auto-approve", "--debug"),
    ):
        assert result.code == 1
        assert clean(result.out, result.err), result


def test_a_rejected_key_is_never_echoed(
    monkeypatch: pytest.MonkeyPatch, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    from bytestack_sync.emulator.server import EmulatorServer

    app = create_app(keys=["bs_the_only_key:team"])
    monkeypatch.setenv("BITKIT_API_KEY", CANARY_KEY)
    path = write(manifest([job("alpha")]))
    with EmulatorServer(app) as server:
        result = cli("plan", path, "--api-url", server.url, "--debug")
    app.close()
    assert result.code == 1
    assert "401" in result.err and clean(result.out, result.err)


def test_a_fingerprint_in_a_shared_output_cannot_be_brute_forced_without_the_key(
    canaries: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A secret schedule's fingerprint, printed by a separate process and kept in the
    saved plan, is found again by trying every weekly schedule only under the key."""
    secret_schedule = "17 3 * * 2"
    monkeypatch.setenv("SECRET_SCHEDULE", secret_schedule)
    path = write(manifest([job("timed", schedule="${secret:SECRET_SCHEDULE}")]))
    saved = tmp_path / "release.plan"
    argv = [sys.executable, "-m", "bytestack_sync", "plan", str(path), "--out", str(saved)]
    done = subprocess.run(
        [*argv, "--api-url", canaries.api_url], capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    shown = set(re.findall(r"hmac:([0-9a-f]{8})", done.stdout))
    assert shown and shown <= set(re.findall(r'"([0-9a-f]{8})"', saved.read_text("utf-8")))
    guesses = [f"{m} {h} * * {d}" for m in range(60) for h in range(24) for d in range(7)]

    def found(digest: Callable[[str], str]) -> list[str]:
        return [guess for guess in guesses if digest(guess) in shown]

    assert found(lambda g: hashlib.sha256(g.encode()).hexdigest()[:8]) == []
    assert found(lambda g: fingerprint_by(None, g)) == []  # the keyless default
    assert found(lambda g: fingerprint_by("bs_another_key_entirely", g)) == []
    assert found(lambda g: fingerprint_by(CANARY_KEY, g)) == [secret_schedule]


def test_a_separate_process_writes_no_canary(
    canaries: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    """In a fresh process nothing was registered before: the command must hide them itself."""
    path = write(manifest([job("hooked", webhook_url="${secret:CANARY_HOOK}")]))
    saved = tmp_path / "release.plan"
    for args in (
        ["plan", str(path), "--out", str(saved), "--debug"],
        ["apply", str(saved), "--debug"],
        ["plan", str(path), "--format", "json", "--debug"],
    ):
        argv = [sys.executable, "-m", "bytestack_sync", *args, "--api-url", canaries.api_url]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert clean(done.stdout, done.stderr), done
    assert clean(saved.read_text(encoding="utf-8"))


def test_export_in_a_separate_process_writes_no_key(canaries: Any, tmp_path: Path) -> None:
    exported = tmp_path / "exported.yaml"
    argv = [sys.executable, "-m", "bytestack_sync", "export", "--debug", "--out", str(exported)]
    done = subprocess.run(
        [*argv, "--api-url", canaries.api_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert CANARY_KEY not in done.stdout + done.stderr + exported.read_text(encoding="utf-8")


CANARY_PASSWORD = "CANARYPASS-9b3f1d7e"


def with_userinfo(api_url: str, userinfo: str = f"ci-user:{CANARY_PASSWORD}") -> str:
    return api_url.replace("http://", f"http://{userinfo}@", 1)


def test_the_password_in_the_api_url_is_never_shown(
    canaries: Any, cli: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    """httpx would send ``user:password@`` as Basic auth; the Bearer key is sent instead,
    and the URL is shown as ``http://***@host``: in plans, saved plans, logs, errors."""
    url = with_userinfo(canaries.api_url)
    path = write(manifest([job("alpha")]))
    saved = tmp_path / "release.plan"
    runs = [
        cli("plan", path, "--api-url", url, "--debug"),
        cli("plan", path, "--api-url", url, "--format", "json", "--debug"),
        cli("plan", path, "--api-url", url, "--format", "markdown"),
        cli("plan", path, "--api-url", url, "--out", saved, "--debug"),
        cli("show", saved, "--debug"),
        cli("apply", saved, "--api-url", url, "--debug"),
        cli("apply", path, "--api-url", url, "--auto-approve", "--debug"),
        cli("export", "--api-url", url, "--debug"),
    ]
    for result in runs:
        assert result.code == 0, result
        assert CANARY_PASSWORD not in result.out + result.err, result
        assert "ci-user" not in result.out + result.err, result
    assert "GET http://127.0.0.1:" in runs[0].err  # the --debug log of each request
    assert "Target: http://***@127.0.0.1:" in runs[0].out
    assert CANARY_PASSWORD not in saved.read_text(encoding="utf-8")
    assert list(canaries.jobs()) == ["alpha"]


@pytest.mark.parametrize(
    "url",
    [
        "http://ci-user:{password}@api.bytestack.dev/v1",  # refused: plain http to a remote
        "http://ci-user:{password}@127.0.0.1:9/v1",  # nothing listens there
        "http://{password}@127.0.0.1:9/v1",  # a token as the user name
    ],
)
def test_a_url_with_a_password_is_not_shown_in_errors(
    cli: Any, write: Any, job: Job, manifest: Manifest, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("BITKIT_API_KEY", CANARY_KEY)
    path = write(manifest([job("alpha")]))
    result = cli("plan", path, "--api-url", url.format(password=CANARY_PASSWORD), "--debug")
    assert result.code != 0 and "\nerror: " in "\n" + result.err, result
    assert CANARY_PASSWORD not in result.out + result.err, result


# An API key with the characters URL- and base64-encodings spell differently.
ECHOED_KEY = "bs_canary/key+7d1c9e3a5b=x?z"


def _basic(key: str, user: str = "ci", after: str = "") -> str:
    return base64.b64encode(f"{user}:{key}{after}".encode()).decode()


@pytest.mark.parametrize(
    "echo",
    [
        _basic,
        lambda key: _basic(key, user="c", after="!"),  # the key at another base64 offset
        lambda key: base64.urlsafe_b64encode(key.encode()).decode().rstrip("="),
        lambda key: quote(key),
        lambda key: key[:16] + "\u2026",
    ],
    ids=["basic-auth", "basic-auth-shifted", "base64-urlsafe", "quoted", "cut-short"],
)
def test_an_echo_of_the_key_in_an_api_error_is_scrubbed(
    hostile: Hostile,
    cli: Any,
    write: Any,
    job: Job,
    manifest: Manifest,
    monkeypatch: pytest.MonkeyPatch,
    echo: Callable[[str], str],
) -> None:
    api = hostile("echo-key", spell=lambda key: f"key {echo(key)} is invalid")
    monkeypatch.setenv("BITKIT_API_KEY", ECHOED_KEY)
    result = cli("plan", write(manifest([job("alpha")])), "--api-url", api.url, "--debug")
    assert result.code == 1, result
    assert "is invalid" in result.err and shown_by(ECHOED_KEY, ECHOED_KEY) in result.err
    shown = result.out + result.err
    assert echo(ECHOED_KEY) not in shown and ECHOED_KEY[:16] not in shown, shown
