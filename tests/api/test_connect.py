"""``connect``: the local emulator with no key, or a real URL that needs one."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from bytestack_sync import contract
from bytestack_sync.api import errors
from bytestack_sync.connect import connect, is_local, local_state_path, target_of
from bytestack_sync.errors import UsageError
from bytestack_sync.secrets import Redactor

JOB: dict[str, Any] = {"name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}


@pytest.mark.parametrize(
    ("url", "local", "path"),
    [
        ("local", True, contract.DEFAULT_LOCAL_STATE),
        ("local:", True, contract.DEFAULT_LOCAL_STATE),
        ("local:state/dev.sqlite3", True, "state/dev.sqlite3"),
        ("localhost:8787", False, None),
        ("https://api.bytestack.dev/v1", False, None),
    ],
)
def test_local_urls(url: str, local: bool, path: str | None) -> None:
    assert is_local(url) is local
    if path is not None:
        assert local_state_path(url) == Path(path)


def test_local_needs_no_key_and_keeps_state_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with connect("local") as client:
        job = client.jobs.create(**JOB)
    state = tmp_path / contract.DEFAULT_LOCAL_STATE
    assert state.is_file()
    with connect("local") as again:
        assert again.jobs.list() == [job]
    with sqlite3.connect(state) as db:  # closed with the client: the file is not locked
        db.execute("select 1")


def test_local_path_is_created_in_an_existing_directory(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    with connect(f"local:{state}") as client:
        client.webhooks.create(url="https://hooks.example.com/")
    assert state.is_file()


def test_a_missing_directory_of_local_path_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "deep" / "er" / "state.sqlite3"
    with pytest.raises(UsageError, match="no such directory for the local emulator's state: "):
        connect(f"local:{state}")
    assert not (tmp_path / "deep").exists()


def test_local_with_a_key_uses_that_key_workspace(tmp_path: Path) -> None:
    url = f"local:{tmp_path / 'state.sqlite3'}"
    with connect(url) as keyless, connect(url, key="bs_key_other_workspace") as keyed:
        keyless.jobs.create(**JOB)
        assert keyed.jobs.list() == []
        assert len(keyless.jobs.list()) == 1


def test_local_dropped_write_surfaces_as_outcome_unknown(tmp_path: Path) -> None:
    # The in-process path must fail like the socket path, or apply can't reconcile.
    from bytestack_sync.emulator.app import create_app
    from bytestack_sync.emulator.local import LocalTransport

    app = create_app(drop_rate=1.0, seed=1)
    transport = LocalTransport(app)
    with connect("http://127.0.0.1:1/v1", key="bs_key_x", transport=transport) as client:
        with pytest.raises(errors.OutcomeUnknown):
            client.jobs.create(**JOB)
        assert client.request_count == 1
    app.close()


def test_real_url_without_a_key_fails_before_any_request() -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json=[]))
    with pytest.raises(errors.ApiKeyError) as caught:
        connect("https://api.bytestack.dev/v1", transport=transport)
    assert str(caught.value) == (
        "the API key is not set: set BITKIT_API_KEY to a ByteStack API key "
        "(or use --api-url local for the local emulator)"
    )
    assert sent == []


def test_real_url_reads_the_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITKIT_API_KEY", "bs_key_from_environment")
    REDACTOR = Redactor()  # the caller's, handed in: connect registers nothing process-wide
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json={"data": [], "next_cursor": None})

    transport = httpx.MockTransport(handler)
    with connect("https://api.bytestack.dev/v1", transport=transport, redactor=REDACTOR) as c:
        assert c.jobs.list() == []
        assert c.base_url == "https://api.bytestack.dev/v1/"
    assert seen == ["Bearer bs_key_from_environment"]
    assert REDACTOR("bs_key_from_environment") != "bs_key_from_environment"


def test_explicit_key_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITKIT_API_KEY", "bs_key_from_environment")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json=[])

    with connect(
        "https://a.test/v1", key="bs_key_given", transport=httpx.MockTransport(handler)
    ) as c:
        c.webhooks.list()
    assert seen == ["Bearer bs_key_given"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("api.bytestack.dev", "expected an https:// URL, 'local' or 'local:PATH'"),
        ("ftp://api.bytestack.dev/v1", "expected an https:// URL, 'local' or 'local:PATH'"),
        ("https://", "expected an https:// URL, 'local' or 'local:PATH'"),
        ("http://[::1/v1", "expected an https:// URL, 'local' or 'local:PATH'"),
        ("http://api.bytestack.dev/v1", "plain http:// is allowed only for loopback hosts"),
    ],
)
def test_bad_urls_are_usage_errors(url: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        connect(url, key="bs_key_x")
    assert str(caught.value) == f"invalid API URL {url!r}: {reason}"


def test_a_refused_url_is_shown_without_its_userinfo() -> None:
    with pytest.raises(UsageError) as caught:
        connect("http://ci:CANARYPASS@api.bytestack.dev/v1", key="bs_key_x")
    assert str(caught.value) == (
        "invalid API URL 'http://***@api.bytestack.dev/v1': "
        "plain http:// is allowed only for loopback hosts"
    )


def test_the_password_in_the_url_is_a_secret_of_the_redactor() -> None:
    redactor = Redactor()
    transport = httpx.MockTransport(lambda _r: httpx.Response(200, json=[]))
    url = "https://ci:CANARY%2FPASS@api.bytestack.dev/v1"
    with connect(url, key="bs_key_x", transport=transport, redactor=redactor):
        pass
    for spelled in ("CANARY%2FPASS", "CANARY/PASS"):
        assert redactor(f"echoed {spelled}!") != f"echoed {spelled}!"
    assert redactor("ci") == "ci"  # a user name before a password is not a secret


def test_the_target_names_the_url_without_its_userinfo() -> None:
    url = "https://ci:CANARYPASS@api.bytestack.dev/v1/"
    shown, workspace = target_of(url, {"BITKIT_API_KEY": "bs_key_x"})
    assert shown == "https://***@api.bytestack.dev/v1"
    assert workspace.startswith("key sha256:")


def test_plain_http_to_loopback_is_allowed() -> None:
    from bytestack_sync.emulator.app import create_app
    from bytestack_sync.emulator.server import EmulatorServer

    app = create_app()
    with EmulatorServer(app) as server, connect(server.url, key="bs_key_x") as client:
        assert client.jobs.create(**JOB) in client.jobs.list()
        assert client.base_url == server.url + "/"
    app.close()


def test_debug_logs_local_exchanges(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="bytestack_sync.http")
    with connect(f"local:{tmp_path / 's.sqlite3'}", debug=True) as client:
        client.jobs.list()
    assert "GET http://local.emulator/v1/jobs?limit=1000 -> 200" in caplog.text
