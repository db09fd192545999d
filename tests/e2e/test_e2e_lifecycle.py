"""plan and apply through the CLI: create, re-plan empty, update, replace, prune."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]


def test_apply_then_plan_is_empty(
    workspace: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    hook = "https://hooks.example.com/a"
    path = write(
        manifest(
            [job("alpha", webhook_url=hook), job("beta", status="paused", schedule="@hourly")],
            webhooks=[{"url": hook, "events": ["job.completed", "job.failed"]}],
        )
    )
    first = cli("plan", path, "--api-url", workspace.api_url, "--detailed-exitcode")
    assert first.code == 2, first.err
    assert "Plan: 3 to create, 0 to update" in first.out

    applied = cli("apply", path, "--api-url", workspace.api_url, "--auto-approve")
    assert applied.code == 0, applied.err
    assert applied.out.rstrip().endswith(
        "Apply complete: 3 created, 0 updated, 0 replaced, 0 deleted, 0 failed."
    )
    assert '[1/3] + webhook "https://hooks.example.com/a": created wh_' in applied.err
    live = workspace.jobs()
    assert sorted(live) == ["alpha", "beta"]
    assert live["alpha"].webhook_url == hook and live["beta"].status == "paused"
    assert set(workspace.webhooks()[hook].events) == {"job.completed", "job.failed"}

    again = cli("plan", path, "--api-url", workspace.api_url, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    noop = cli("apply", path, "--api-url", workspace.api_url)  # nothing to approve
    assert noop.code == 0 and "Apply complete" not in noop.out


def test_plan_formats_and_stdout_holds_only_the_plan(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("alpha")]))
    as_json = cli("plan", path, "--api-url", served.api_url, "--format", "json")
    assert as_json.code == 0
    document = json.loads(as_json.out)  # nothing but the JSON on stdout
    assert [c["action"] for c in document["changes"]] == ["create"]
    as_markdown = cli("plan", path, "--api-url", served.api_url, "--format", "markdown")
    assert as_markdown.code == 0 and "alpha" in as_markdown.out


def test_plan_reads_only_list_pages(
    emulator: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    served = emulator(page_size=100)
    path = write(manifest([job(f"job-{i:03}") for i in range(250)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    served.counter.reset()
    assert cli("plan", path, "--api-url", served.api_url, "--detailed-exitcode").code == 0
    # 250 jobs in pages of at most 100: three pages, and one of webhooks.
    assert sorted(served.counter.calls) == [("GET", "/v1/jobs")] * 3 + [("GET", "/v1/webhooks")]


def test_a_schedule_edit_is_exactly_one_patch(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("alpha"), job("beta")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    before = served.jobs()
    write(manifest([job("alpha", schedule="30 9 * * MON-FRI"), job("beta")]))
    served.counter.reset()
    result = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert result.code == 0, result.err
    assert served.counter.writes() == [("PATCH", f"/v1/jobs/{before['alpha'].id}")]
    after = served.jobs()
    assert after["alpha"].id == before["alpha"].id
    assert after["alpha"].schedule == "30 9 * * MON-FRI"
    assert "1 updated" in result.out


def test_a_prompt_edit_replaces_the_job(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("alpha")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    old = served.jobs()["alpha"]
    write(manifest([job("alpha", prompt="What did people say about Acme's launch?")]))
    plan = cli("plan", path, "--api-url", served.api_url)
    assert "prompt" in plan.out and "new job id" in plan.out.lower()
    served.counter.reset()
    result = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert result.code == 0, result.err
    assert served.counter.writes() == [("POST", "/v1/jobs"), ("DELETE", f"/v1/jobs/{old.id}")]
    new = served.jobs()["alpha"]
    assert new.id != old.id and new.prompt == "What did people say about Acme's launch?"
    assert "1 replaced" in result.out


@pytest.mark.parametrize(
    ("prune", "expected"),
    [
        ("delete", {"keep": "active"}),
        ("pause", {"keep": "active", "drop": "paused"}),
        ("off", {"keep": "active", "drop": "active"}),
    ],
)
def test_a_removed_job_is_pruned_as_configured(
    local: Any,
    cli: Any,
    write: Any,
    job: Job,
    manifest: Manifest,
    prune: str,
    expected: dict[str, str],
) -> None:
    path = write(manifest([job("keep"), job("drop")]))
    assert cli("apply", path, "--api-url", local.api_url, "--auto-approve").code == 0
    write(manifest([job("keep")], prune=prune))
    result = cli("apply", path, "--api-url", local.api_url, "--auto-approve")
    assert result.code == 0, result.err
    assert {name: j.status for name, j in local.jobs().items()} == expected
    replan = cli("plan", path, "--api-url", local.api_url, "--detailed-exitcode")
    assert replan.code == 0, replan.out


@pytest.mark.parametrize(
    ("applied", "rewritten"),
    [
        ({"schedule": "@daily"}, {"schedule": "0 0 * * *"}),
        ({"schedule": "0 9 * * MON-FRI"}, {"schedule": "0 9 * * 1-5"}),
        ({"schedule": "*/15 * * * *"}, {"schedule": "0,15,30,45 * * * *"}),
        ({"sources": ["x", "reddit", "linkedin"]}, {"sources": ["linkedin", "x", "reddit"]}),
        ({"prompt": "Acme?"}, {"prompt": "  Acme?\n"}),
        ({"webhook_url": None}, {}),
    ],
)
def test_equivalent_rewrites_plan_nothing(
    served: Any,
    cli: Any,
    write: Any,
    job: Job,
    manifest: Manifest,
    applied: dict[str, Any],
    rewritten: dict[str, Any],
) -> None:
    path = write(manifest([job("alpha", **applied)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("alpha", **rewritten)]))
    result = cli("plan", path, "--api-url", served.api_url, "--detailed-exitcode")
    assert result.code == 0, result.out


def test_the_workspace_is_never_emptied_by_an_empty_checkout(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("alpha")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([]))
    result = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert result.code == 1
    assert "refusing to plan the deletion of everything" in result.err
    assert sorted(served.jobs()) == ["alpha"]
