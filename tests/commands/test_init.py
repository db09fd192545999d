"""`bytestack-sync init`: a starter manifest a newcomer can validate, plan and apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bytestack_sync import cli


def test_init_writes_a_valid_starter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "jobs"
    assert cli.main(["init", str(target)]) == 0
    manifest = (target / "bytestack.yaml").read_text(encoding="utf-8")
    assert manifest.startswith("# yaml-language-server: $schema=./bytestack.schema.json")
    schema = json.loads((target / "bytestack.schema.json").read_text(encoding="utf-8"))
    assert schema["type"] == "object"
    # The line goes where local state lives: the working directory.
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == ".bytestack/\n"
    assert not (target / ".gitignore").exists()
    capsys.readouterr()
    assert cli.main(["validate", str(target)]) == 0
    assert "1 file, 1 job, 0 webhooks: valid" in capsys.readouterr().out


def test_init_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bytestack.yaml").write_text("mine\n", encoding="utf-8")
    assert cli.main(["init", str(tmp_path)]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (tmp_path / "bytestack.yaml").read_text(encoding="utf-8") == "mine\n"


def test_init_keeps_an_existing_gitignore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gitignore").write_text("*.pyc", encoding="utf-8")
    assert cli.main(["-q", "init", "jobs"]) == 0
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n.bytestack/\n"
    assert capsys.readouterr().out == ""  # -q: nothing but errors
    assert cli.main(["init", "more"]) == 0
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n.bytestack/\n"


def test_newcomer_tour_on_local(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """init -> validate -> plan -> apply -> edit -> plan -> export, on the embedded emulator."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init", "jobs"]) == 0
    assert cli.main(["validate", "jobs"]) == 0
    assert cli.main(["--api-url", "local", "plan", "jobs", "--detailed-exitcode"]) == 2
    assert cli.main(["--api-url", "local", "apply", "jobs", "--auto-approve"]) == 0
    assert (tmp_path / ".bytestack" / "local.sqlite3").exists()
    assert cli.main(["--api-url", "local", "plan", "jobs", "--detailed-exitcode"]) == 0
    manifest = tmp_path / "jobs" / "bytestack.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('"0 8 * * 1-5"', '"30 9 * * MON-FRI"'),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert cli.main(["--api-url", "local", "plan", "jobs", "--detailed-exitcode"]) == 2
    plan_text = capsys.readouterr().out
    assert "1 to update" in plan_text
    assert cli.main(["--api-url", "local", "apply", "jobs", "--auto-approve"]) == 0
    assert cli.main(["--api-url", "local", "export", "--out", "exported.yaml"]) == 0
    assert cli.main(["--api-url", "local", "plan", "exported.yaml", "--detailed-exitcode"]) == 0
