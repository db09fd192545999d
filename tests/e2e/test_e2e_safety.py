"""What apply refuses: stale saved plans, mass deletes, protected jobs, no one to ask."""

from __future__ import annotations

import io
import json
import os
import select
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.commands import apply as apply_command

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]


def test_a_saved_plan_applies_as_saved(
    workspace: Any, cli: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    path = write(manifest([job("alpha"), job("beta")]))
    saved = tmp_path / "release.plan"
    planned = cli("plan", path, "--api-url", workspace.api_url, "--out", saved)
    assert planned.code == 0, planned.err
    assert json.loads(saved.read_text())["format"] == "bytestack-sync-plan"
    # The manifest changes after the plan: the saved plan still applies what was reviewed.
    write(manifest([job("alpha"), job("beta"), job("gamma")]))
    result = cli("apply", saved, "--api-url", workspace.api_url)  # no question: it is approved
    assert result.code == 0, result.err
    assert sorted(workspace.jobs()) == ["alpha", "beta"]
    assert "Apply complete: 2 created" in result.out


def test_a_stale_saved_plan_is_refused(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    path = write(manifest([job("alpha"), job("beta")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("alpha", schedule="@hourly"), job("beta", schedule="@hourly")]))
    saved = tmp_path / "release.plan"
    assert cli("plan", path, "--api-url", served.api_url, "--out", saved).code == 0
    alpha = served.jobs()["alpha"]
    served.client.jobs.update(alpha.id, {"status": "paused"})  # someone pauses it meanwhile
    served.counter.reset()
    result = cli("apply", saved, "--api-url", served.api_url)
    assert result.code == 4
    assert "job:alpha" in result.err and "job:beta" not in result.err
    assert served.counter.writes() == []


def test_a_saved_plan_is_refused_when_a_declared_job_appeared(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    path = write(manifest([job("alpha")]))
    saved = tmp_path / "release.plan"
    assert cli("plan", path, "--api-url", served.api_url, "--out", saved).code == 0
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    result = cli("apply", saved, "--api-url", served.api_url)
    assert result.code == 4 and "job:alpha" in result.err
    assert len(served.client.jobs.list()) == 1


def test_the_destroy_guard_refuses_a_mass_delete_unless_forced(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job(f"job-{i}") for i in range(8)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("job-0"), job("job-1")]))
    served.counter.reset()
    refused = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert refused.code == 4
    assert "6 of 8 managed resources" in refused.err and "--force" in refused.err
    assert served.counter.writes() == []
    forced = cli("apply", path, "--api-url", served.api_url, "--auto-approve", "--force")
    assert forced.code == 0, forced.err
    assert sorted(served.jobs()) == ["job-0", "job-1"]


def test_exact_duplicates_are_cleaned_up_past_the_guard(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    # Two racing applies of old left a copy of every job: deleting the copies is half
    # the workspace, yet loses nothing the manifest declares.
    path = write(manifest([job(f"job-{i}") for i in range(8)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    for live in list(served.jobs().values()):
        served.client.jobs.create(
            name=live.name, prompt=live.prompt, sources=sorted(live.sources),
            schedule=live.schedule,
        )  # fmt: skip
    assert len(served.client.jobs.list()) == 16
    saved = tmp_path / "cleanup.plan"
    planned = cli("plan", path, "--api-url", served.api_url, "--out", saved, "--format", "json")
    assert planned.code == 0, planned.err
    document = json.loads(planned.out)
    assert document["destroy_guard"]["exact_copies"] == 8
    assert not document["destroy_guard"]["refuses"]
    assert all(c["copy_of"] for c in document["changes"])
    shown = cli("show", saved)
    assert "exact copies, whose deletes the destroy guard does not count" in shown.err
    assert "an exact copy of it, not counted by the destroy guard" in shown.out
    applied = cli("apply", saved, "--api-url", served.api_url)
    assert applied.code == 0, applied.err
    assert "8 deleted" in applied.out
    assert len(served.client.jobs.list()) == 8


def test_duplicates_that_differ_still_count_for_the_guard(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job(f"job-{i}") for i in range(4)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    for live in list(served.jobs().values()):
        served.client.jobs.create(
            name=live.name, prompt="Someone's own question", sources=["x"], schedule="@daily"
        )
    served.counter.reset()
    refused = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert refused.code == 4, refused.err
    assert "4 of 8 managed resources" in refused.err
    assert served.counter.writes() == []


def test_the_guard_limit_comes_from_the_manifest(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job(f"job-{i}") for i in range(4)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("job-0")], safety={"max_destroy_percent": 80}))
    result = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert result.code == 0, result.err  # 3 of 4 is 75%, under the manifest's 80%


def test_a_protected_job_blocks_its_replacement(
    workspace: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("vital", protect=True)]))
    assert cli("apply", path, "--api-url", workspace.api_url, "--auto-approve").code == 0
    before = workspace.jobs()["vital"]
    write(manifest([job("vital", protect=True, prompt="A different question")]))
    planned = cli("plan", path, "--api-url", workspace.api_url)
    assert planned.code == 4 and "vital" in planned.err
    applied = cli("apply", path, "--api-url", workspace.api_url, "--auto-approve")
    assert applied.code == 4 and "vital" in applied.err
    assert workspace.jobs()["vital"].id == before.id


def test_apply_without_a_terminal_or_approval_refuses(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("alpha")]))
    result = cli("apply", path, "--api-url", served.api_url)
    assert result.code == 1
    assert "--auto-approve" in result.err
    assert served.counter.writes() == []


def screen_of(keyboard: int) -> str:
    """Everything the terminal was sent (the echo of the answer included)."""
    shown = b""
    while select.select([keyboard], [], [], 0.2)[0]:
        shown += os.read(keyboard, 4096)
    return shown.decode()


@pytest.mark.parametrize(("answer", "code", "created"), [("yes\n", 0, ["alpha"]), ("no\n", 1, [])])
def test_on_a_terminal_apply_asks_for_yes(
    served: Any,
    write: Any,
    job: Job,
    manifest: Manifest,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    created: list[str],
) -> None:
    path = write(manifest([job("alpha")]))
    # The question is asked on the terminal itself: here a real pseudo-terminal.
    keyboard, terminal = os.openpty()
    monkeypatch.setattr(apply_command, "TERMINAL", os.ttyname(terminal))
    os.write(keyboard, answer.encode())
    out, err = io.StringIO(), io.StringIO()
    result = apply_command.run(
        [str(path)],
        api_url=served.api_url,
        auto_approve=False,
        parallelism=8,
        targets=(),
        force=False,
        out=out,
        err=err,
        color=False,
        interactive=True,
        verbosity=0,
    )
    asked = screen_of(keyboard)
    os.close(keyboard)
    os.close(terminal)
    assert result == code
    assert "Only 'yes' will be accepted" in asked
    assert sorted(served.jobs()) == created
