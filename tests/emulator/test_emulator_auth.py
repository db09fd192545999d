"""Bearer keys, workspaces, read-only keys; the key never appears in a response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.auth import KeyRing, parse_key_spec

SECRET = "sk-live-very-secret-0042"
KEYS = (
    f"{SECRET}:team-a",
    "other-secret-key:team-b",
    "reader-secret-key:team-a:ro",
    "unpaid-secret-key:team-c:unpaid",
)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": f"Basic {SECRET}"}],
)
def test_a_missing_or_malformed_key_is_401(
    emulator_app: EmulatorApp, client_for: Callable[..., httpx.Client], headers: dict[str, str]
) -> None:
    client = client_for(emulator_app, key=None)
    response = client.get("/jobs", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert SECRET not in response.text


def test_an_open_emulator_gives_each_key_its_own_workspace(
    emulator_app: EmulatorApp, client_for: Callable[..., httpx.Client], job_body: dict[str, Any]
) -> None:
    alice, bob = client_for(emulator_app, "alice-key"), client_for(emulator_app, "bob-key")
    job = alice.post("/jobs", json=job_body).json()
    assert bob.get("/jobs").json()["data"] == []
    assert bob.get(f"/jobs/{job['id']}").status_code == 404
    assert bob.delete(f"/jobs/{job['id']}").status_code == 404
    assert alice.get(f"/jobs/{job['id']}").status_code == 200


@pytest.fixture
def keyed(make_app: Callable[..., EmulatorApp]) -> EmulatorApp:
    return make_app(keys=KEYS)


def test_only_listed_keys_are_accepted(
    keyed: EmulatorApp, client_for: Callable[..., httpx.Client]
) -> None:
    assert client_for(keyed, SECRET).get("/jobs").status_code == 200
    response = client_for(keyed, "sk-unknown-key").get("/jobs")
    assert response.status_code == 401
    assert "sk-unknown-key" not in response.text


def test_keys_of_one_workspace_share_it_and_others_cannot_see_it(
    keyed: EmulatorApp, client_for: Callable[..., httpx.Client], job_body: dict[str, Any]
) -> None:
    job = client_for(keyed, SECRET).post("/jobs", json=job_body).json()
    reader = client_for(keyed, "reader-secret-key")
    assert reader.get(f"/jobs/{job['id']}").json() == job
    outsider = client_for(keyed, "other-secret-key")
    assert outsider.get(f"/jobs/{job['id']}").status_code == 404
    assert outsider.patch(f"/jobs/{job['id']}", json={"status": "paused"}).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/jobs", {}),
        ("PATCH", "/jobs/job_0000000000000000000000000", {"status": "paused"}),
        ("DELETE", "/jobs/job_0000000000000000000000000", None),
        ("POST", "/webhooks", {"url": "https://example.com"}),
        ("DELETE", "/webhooks/wh_0000000000000000000000000", None),
        ("POST", "/queries", {"prompt": "p", "sources": ["x"]}),
    ],
)
def test_read_only_keys_cannot_write(
    keyed: EmulatorApp,
    client_for: Callable[..., httpx.Client],
    method: str,
    path: str,
    body: Any,
) -> None:
    reader = client_for(keyed, "reader-secret-key")
    response = reader.request(method, path, json=body)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "reader-secret-key" not in response.text
    assert reader.get("/jobs").json()["data"] == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("abc:ws", ("ws", False, False)),
        ("abc:ws:ro", ("ws", True, False)),
        ("abc:ws:unpaid", ("ws", False, True)),
        ("a:b:c:ws", ("ws", False, False)),  # a key may itself hold ':'
        ("a:ro", ("ro", False, False)),  # a workspace may be called "ro"
    ],
)
def test_key_specs_parse(spec: str, expected: tuple[str, bool, bool]) -> None:
    parsed = parse_key_spec(spec)
    assert (parsed.workspace, parsed.read_only, parsed.unpaid) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "sk-nows",
        ":ws",
        "sk-abc:",
        "sk-abc:bad workspace",
        " sk-abc:ws",
        "sk-abc:ws:RO",  # not silently a writable key in workspace "RO"
        "sk-abc:ws:Unpaid",
    ],
)
def test_bad_key_specs_are_refused_without_echoing_the_key(spec: str) -> None:
    with pytest.raises(ValueError) as raised:
        KeyRing([spec])
    assert "key #1" in str(raised.value)
    key = spec.partition(":")[0].strip()
    if key:
        assert key not in str(raised.value)


def test_nothing_holds_the_key_in_its_repr() -> None:
    ring = KeyRing([f"{SECRET}:ws"])
    principal = ring.authenticate(f"Bearer {SECRET}")
    assert SECRET not in repr(ring) + repr(principal) + repr(parse_key_spec(f"{SECRET}:ws"))


@pytest.mark.parametrize(("method", "path"), [("GET", "/jobs"), ("POST", "/queries")])
def test_an_unpaid_key_gets_402(
    keyed: EmulatorApp, client_for: Callable[..., httpx.Client], method: str, path: str
) -> None:
    response = client_for(keyed, "unpaid-secret-key").request(method, path, json={})
    assert response.status_code == 402
    assert response.json()["code"] == "payment_required"
