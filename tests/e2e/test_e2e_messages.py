"""Error messages that say what to do: the host that cannot be reached, a base URL
without /v1, a missing --out directory, version slips, ${...} in a flow list, and a
local state directory that does not exist."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

MINIMAL = 'version: 1\njobs:\n  - {name: a, prompt: p, sources: [x], schedule: "@daily"}\n'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_connection_failure_names_the_host(cli: Any, write: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("BITKIT_API_KEY", "bs_e2e_messages_key")
    port = free_port()  # closed again: nothing listens there
    result = cli("plan", write(MINIMAL), "--api-url", f"http://127.0.0.1:{port}/v1")
    assert result.code == 1
    assert f"could not reach the ByteStack API at 127.0.0.1:{port} for GET /v1/jobs" in result.err


def test_a_base_url_without_v1_gets_a_hint(served: Any, cli: Any, write: Any) -> None:
    without = served.api_url.removesuffix("/v1")
    result = cli("plan", write(MINIMAL), "--api-url", without)
    assert result.code == 1
    assert "not found: GET /jobs" in result.err
    assert "does the API URL end in /v1? (e.g. https://api.bytestack.dev/v1)" in result.err


@pytest.mark.parametrize("command", ["plan", "export"])
def test_a_missing_out_directory_is_named(
    served: Any, cli: Any, write: Any, tmp_path: Path, command: str
) -> None:
    missing = tmp_path / "no-such-dir"
    args = [write(MINIMAL)] if command == "plan" else []
    result = cli(command, *args, "--api-url", served.api_url, "--out", missing / "out.json")
    assert result.code == 1
    assert result.err.endswith(f"error: no such directory: {missing} (create it first)\n")
    assert ".tmp" not in result.err


@pytest.mark.parametrize(
    ("version", "got"), [('"1"', "the string '1'"), ("", "empty"), ("'1'", "the string '1'")]
)
def test_a_version_slip_says_what_to_write(cli: Any, write: Any, version: str, got: str) -> None:
    path = write(f"version: {version}\njobs: []\n".replace("version: \n", "version:\n"))
    result = cli("validate", path)
    assert result.code == 1
    assert f"version must be the number 1, unquoted: write `version: 1` (got {got})" in (
        result.out + result.err
    )


def test_an_unquoted_variable_in_a_flow_list_gets_a_hint(
    cli: Any, write: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("SOURCE", "x")
    path = write(
        'version: 1\njobs:\n  - {name: a, prompt: p, sources: [${SOURCE}], schedule: "@daily"}\n'
    )
    result = cli("validate", path)
    assert result.code == 1
    assert 'quote a ${...} inside [...] or {...}, e.g. ["${SOURCE}"]' in result.out + result.err


@pytest.mark.parametrize("command", ["plan", "export"])
def test_an_out_path_that_cannot_be_written_is_named_as_given(
    served: Any, cli: Any, write: Any, tmp_path: Path, command: str
) -> None:
    args = [write(MINIMAL)] if command == "plan" else []
    (tmp_path / "afile").write_text("")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    cases = {
        tmp_path / "afile" / "out.json": "error: Not a directory: ",
        fifo: "error: exists and is not a regular file, so it is not replaced: ",
    }
    for out, message in cases.items():
        result = cli(command, *args, "--api-url", served.api_url, "--out", out)
        assert result.code == 1, result.err
        assert result.err.endswith(f"{message}{out}\n"), result.err
        assert ".tmp" not in result.err
    assert fifo.is_fifo()


def test_a_missing_local_state_directory_is_refused(cli: Any, write: Any, tmp_path: Path) -> None:
    state = tmp_path / "typo" / "state.sqlite3"
    result = cli("plan", write(MINIMAL), "--api-url", f"local:{state}")
    assert result.code == 1
    assert f"no such directory for the local emulator's state: {state.parent}" in result.err
    assert not state.parent.exists()


# A live job named by someone else, with a clear-screen, a carriage return that would
# overwrite the line, a GitHub workflow command and a bidirectional override.
HOSTILE_NAME = "evil\x1b[2J\r::set-output name=x::y\u202egnp.exe"
RAW = ("\x1b", "\r", "\u202e")


def _no_raw_control(text: str) -> None:
    for char in RAW:
        assert char not in text, repr(text)
    assert "\n::" not in "\n" + text  # no line a runner would read as a command


def test_a_live_name_with_control_characters_is_shown_escaped_everywhere(
    served: Any, cli: Any, write: Any, manifest: Any, job: Any
) -> None:
    served.client.jobs.create(
        name=HOSTILE_NAME, prompt="p q r", sources=["reddit"], schedule="0 9 * * *"
    )
    keep = write(manifest([job("a")], prune="off"), name="keep.yaml")
    left = cli("plan", "-v", keep, "--api-url", served.api_url)
    assert left.code == 0, left.err
    assert "left alone: job:evil\\x1b[2J\\r: :set-output name=x::y\\u202egnp.exe" not in left.err
    assert "left alone: job:evil\\x1b[2J\\r::set-output name=x::y\\u202egnp.exe" in left.err
    (keep / "keep.yaml").unlink()
    path = write(manifest([job("a")]))
    outputs = [cli("plan", path, "--api-url", served.api_url, "--format", fmt) for fmt in
               ("text", "markdown")]  # fmt: skip
    markdown = outputs[1].out
    assert "<code>evil\\x1b[2J\\r::set-output name=x::y\\u202egnp.exe</code>" in markdown
    applied = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert '- job "evil\\x1b[2J\\r::set-output name=x::y\\u202egnp.exe": deleted ' in applied.err
    for result in [left, *outputs, applied]:
        _no_raw_control(result.out)
        _no_raw_control(result.err)
    assert HOSTILE_NAME not in served.jobs()
