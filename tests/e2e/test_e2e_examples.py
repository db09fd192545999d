"""The shipped examples apply cleanly, and a second plan finds nothing to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("example", ["minimal.yaml", "team"])
def test_an_example_applies_and_then_plans_nothing(workspace: Any, cli: Any, example: str) -> None:
    path = EXAMPLES / example
    applied = cli("apply", path, "--api-url", workspace.api_url, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert ", 0 failed." in applied.out
    assert workspace.jobs()  # something was made
    replan = cli("plan", path, "--api-url", workspace.api_url, "--detailed-exitcode")
    assert replan.code == 0, replan.out + replan.err
    assert "No changes" in replan.out


def test_the_team_example_with_its_secret_set(
    served: Any, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = "https://hooks.example.com/T0123/example-token-1b2c3d"
    monkeypatch.setenv("TEAM_ALERTS_HOOK", hook)
    applied = cli("apply", EXAMPLES / "team", "--api-url", served.api_url, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert hook not in applied.out + applied.err
    assert served.jobs()["Outage chatter"].webhook_url == hook
    assert served.jobs()["Holiday campaign"].status == "paused"
    replan = cli("plan", EXAMPLES / "team", "--api-url", served.api_url, "--detailed-exitcode")
    assert replan.code == 0, replan.out
