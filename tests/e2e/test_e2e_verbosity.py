"""-v says what a plan read; -q leaves only the requested output; stdout stays parseable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bytestack_sync import cli

MANIFEST = """\
version: 1
jobs:
  - {name: a, prompt: p, sources: [x], schedule: "@daily"}
  - {name: b, prompt: p, sources: [x], schedule: "@hourly"}
"""


def test_verbose_plan_reports_what_it_read_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    argv = ["--api-url", f"local:{tmp_path / 's.db'}", "plan", str(manifest), "--format", "json"]
    assert cli.main([*argv, "-v"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["summary"]["create"] == 2
    assert "declared: 2 job(s), 0 webhook(s); live workspace read in 2 request(s)" in captured.err

    assert cli.main([*argv, "-q", "--out", str(tmp_path / "p.json")]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["has_changes"] is True
    assert captured.err == ""


def test_quiet_auto_approved_apply_prints_only_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    state = f"local:{tmp_path / 's.db'}"
    assert cli.main(["-q", "--api-url", state, "apply", str(manifest), "--auto-approve"]) == 0
    captured = capsys.readouterr()
    assert "will be created" not in captured.out
    assert "Apply complete: 2 created" in captured.out
    assert captured.err == ""

    manifest.write_text(MANIFEST.replace("@hourly", "@daily"), encoding="utf-8")
    assert cli.main(["--api-url", state, "apply", str(manifest), "--auto-approve"]) == 0
    assert "will be updated in place" in capsys.readouterr().out
