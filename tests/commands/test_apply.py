"""The apply command's own decisions: what a saved plan is, and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bytestack_sync.apply.report import ApplyReport, ChangeOutcome
from bytestack_sync.cli import main
from bytestack_sync.commands.apply import exit_code, savefile_path
from bytestack_sync.commands.workspace import target_for
from bytestack_sync.connect import plan_signing_key
from bytestack_sync.plan.changes import Create
from bytestack_sync.plan.plan import Plan
from bytestack_sync.plan.savefile import write_plan


def save_empty(path: Path, api_url: str) -> None:
    """An empty plan as ``plan --out`` saves it for ``api_url``, with no key set."""
    plan = Plan(target=target_for(api_url))
    write_plan(plan, path, signing_key=plan_signing_key(api_url, {}))


def test_a_saved_plan_is_known_by_its_content(tmp_path: Path) -> None:
    saved = tmp_path / "any-name.txt"
    save_empty(saved, "local")
    assert savefile_path(str(saved))


@pytest.mark.parametrize(
    "content",
    [
        "version: 1\njobs: []\n",
        json.dumps({"version": 1, "jobs": []}),
        json.dumps({"format": "something-else", "changes": []}),
        "",
    ],
)
def test_manifests_and_other_files_are_not_saved_plans(tmp_path: Path, content: str) -> None:
    path = tmp_path / "jobs.yaml"
    path.write_text(content, encoding="utf-8")
    assert not savefile_path(str(path))
    assert not savefile_path(str(tmp_path))  # a directory of manifests


def test_a_saved_plan_cannot_be_targeted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "release.plan"
    save_empty(saved, f"local:{tmp_path / 's'}")
    code = main(["apply", str(saved), "--target", "job:x", "--api-url", f"local:{tmp_path / 's'}"])
    assert code == 1
    assert "--target cannot be used with a saved plan" in capsys.readouterr().err


def test_an_empty_saved_plan_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "release.plan"
    save_empty(saved, f"local:{tmp_path / 's'}")
    assert main(["apply", str(saved), "--api-url", f"local:{tmp_path / 's'}"]) == 0
    assert capsys.readouterr().out == "No changes to apply.\n"


def outcome(status: str) -> ChangeOutcome:
    return ChangeOutcome(Create(resource="job", key="a"), status)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("report", "code"),
    [
        (ApplyReport(outcomes=[outcome("ok")], remaining=()), 0),
        (ApplyReport(outcomes=[outcome("ok")], confirm_error="unreadable"), 0),
        (ApplyReport(outcomes=[outcome("failed")], remaining=()), 3),
        (ApplyReport(outcomes=[outcome("ok")], remaining=(Create(resource="job", key="b"),)), 3),
        (ApplyReport(outcomes=[outcome("failed")], interrupted=True), 130),
    ],
)
def test_exit_codes(report: ApplyReport, code: int) -> None:
    assert exit_code(report) == code
