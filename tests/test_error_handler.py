"""One clear message and the right exit code for every expected failure; no traceback."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from bytestack_sync import cli
from bytestack_sync.error_handler import RedactingStream
from bytestack_sync.errors import EXIT_BUG
from tests.fingerprints import shown_by

BAD = """\
version: 1
jobs:
  - name: a
    prompt: p
    sources: [x]
    schedule: "0 8 * * * *"
  - name: b
    prompt: "  "
    sources: [x]
    schedule: "@daily"
"""
GOOD = 'version: 1\njobs:\n  - {name: a, prompt: p, sources: [x], schedule: "@daily"}\n'


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def test_plan_prints_manifest_problems_like_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(BAD, encoding="utf-8")
    code, err = _run(["--api-url", f"local:{tmp_path / 's.db'}", "plan", str(manifest)], capsys)
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"{manifest}:6:15: invalid schedule")
    assert lines[1].startswith(f"{manifest}:8:13: prompt must be")
    assert lines[-1] == "error: invalid manifests (2 errors)"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["init", "{tmp}/afile/sub"], "error: Not a directory"),
        (["--api-url", "local:{tmp}", "plan", "{tmp}/m.yaml"], "state file cannot be used"),
        (["--api-url", "local:{tmp}/afile/x.db", "plan", "{tmp}/m.yaml"], "error: "),
        (["--api-url", "local:{tmp}/s.db", "export", "--out", "{tmp}/afile/x.yaml"], "error: "),
    ],
)
def test_file_system_failures_are_expected_errors(
    argv: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "afile").write_text("", encoding="utf-8")
    (tmp_path / "m.yaml").write_text(GOOD, encoding="utf-8")
    code, err = _run([a.format(tmp=tmp_path) for a in argv], capsys)
    assert code == 1
    assert expected in err
    assert "unexpected error" not in err


def test_a_bug_says_unexpected_and_hints_at_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bytestack_sync.commands import schema

    def broken(**_: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(schema, "run", broken)
    code, err = _run(["schema"], capsys)
    # A bug has an exit code of its own (EX_SOFTWARE), not a manifest error's 1.
    assert code == 70
    assert err.strip() == (
        "unexpected error: RuntimeError: boom (a bug: please rerun with --debug and report it)"
    )
    assert cli.main(["--debug", "schema"]) == 70
    assert "Traceback" in capsys.readouterr().err


CANARY_KEY = "bs_canary_key_for_a_bug_5e7a1c"


@pytest.fixture
def broken_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """``schema`` fails with a bug whose message holds the API key."""
    from bytestack_sync.commands import schema

    def broken(**_: object) -> int:
        raise RuntimeError(f"boom near {CANARY_KEY}\nsecond line")

    monkeypatch.setenv("BITKIT_API_KEY", CANARY_KEY)
    monkeypatch.setattr(schema, "run", broken)


@pytest.mark.usefixtures("broken_schema")
def test_a_bug_exits_70_with_one_line_asking_for_a_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = _run(["schema"], capsys)
    assert code == EXIT_BUG == 70
    assert err == (
        f"unexpected error: RuntimeError: boom near {shown_by(CANARY_KEY, CANARY_KEY)} "
        "(a bug: please rerun with --debug and report it)\n"
    )


@pytest.mark.usefixtures("broken_schema")
def test_a_bug_under_debug_shows_the_traceback_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["schema", "--debug"]) == EXIT_BUG
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert CANARY_KEY not in err
    assert err.splitlines()[-1] == (
        f"unexpected error: RuntimeError: boom near {shown_by(CANARY_KEY, CANARY_KEY)} "
        "(a bug: please report it with the traceback above)"
    )


def _process_state() -> tuple[object, ...]:
    root = logging.getLogger()
    return (
        sys.stdout,
        sys.stderr,
        list(root.handlers),
        root.level,
        logging.getLogger("httpx").level,
        logging.getLogger("bytestack_sync.http").level,
    )


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["validate", "{tmp}/m.yaml"], id="validate"),
        pytest.param(
            ["--debug", "--api-url", "local:{tmp}/s.db", "plan", "{tmp}/m.yaml"], id="debug"
        ),
        pytest.param(["plan", "{tmp}/m.yaml", "--format", "yaml", "--debug"], id="usage-error"),
        pytest.param(["--debug", "--api-url", "local:{tmp}", "plan", "{tmp}/m.yaml"], id="error"),
        pytest.param(["--debug", "schema"], id="bug"),
    ],
)
def test_a_run_leaves_streams_and_logging_as_it_found_them(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bytestack_sync.commands import schema

    def broken(**_: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(schema, "run", broken)
    (tmp_path / "m.yaml").write_text(GOOD, encoding="utf-8")
    before = _process_state()
    cli.main([a.format(tmp=tmp_path) for a in argv])
    assert _process_state() == before
    assert not isinstance(sys.stdout, RedactingStream)


def test_debug_logs_the_http_exchange_on_stderr_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BITKIT_API_KEY", CANARY_KEY)
    (tmp_path / "m.yaml").write_text(GOOD, encoding="utf-8")
    url = f"local:{tmp_path / 's.db'}"
    # --debug after the command name too: the parsed option is what counts.
    assert cli.main(["--api-url", url, "plan", str(tmp_path / "m.yaml"), "--debug"]) == 0
    err = capsys.readouterr().err
    assert "debug: bytestack_sync.http: GET http://local.emulator/v1/jobs?limit=1000 -> 200" in err
    assert CANARY_KEY not in err
    assert cli.main(["--api-url", url, "plan", str(tmp_path / "m.yaml")]) == 0
    assert "debug:" not in capsys.readouterr().err


def test_plan_prints_the_first_hundred_problems_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "m.yaml"
    unknown = "".join(f"unknown_{index:04d}: 1\n" for index in range(150))
    manifest.write_text(GOOD + unknown, encoding="utf-8")
    code, err = _run(["--api-url", f"local:{tmp_path / 's.db'}", "plan", str(manifest)], capsys)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 102
    assert lines[99] == f"{manifest}:103:1: unknown key 'unknown_0099' at the top level"
    assert lines[100:] == ["… and 50 more", "error: invalid manifests (150 errors)"]


def test_the_key_variable_named_here_is_the_contracts() -> None:
    from bytestack_sync import contract, error_handler

    assert error_handler._API_KEY_ENV == contract.API_KEY_ENV
