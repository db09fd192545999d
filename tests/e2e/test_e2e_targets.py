"""``--target`` from the command line: literal names with glob characters, and typos."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]


def test_a_name_with_brackets_is_planned_and_applied_by_target(
    local: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("Report [daily]"), job("Other")]))
    url = local.api_url
    planned = cli("plan", path, "--api-url", url, "--target", "job:Report [daily]")
    assert planned.code == 0, planned
    assert "Plan: 1 to create" in planned.out and "Report [daily]" in planned.out
    assert "warning" not in planned.err
    applied = cli(
        "apply", path, "--api-url", url, "--auto-approve", "--target", "job:Report [daily]"
    )
    assert applied.code == 0, applied
    assert sorted(local.jobs()) == ["Report [daily]"]


def test_a_target_that_names_nothing_is_warned_about(
    local: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("Report")]))
    url = local.api_url
    result = cli("plan", path, "--api-url", url, "--target", "job:Nope", "--detailed-exitcode")
    assert result.code == 0 and "No changes" in result.out
    assert "warning: --target job:Nope matches nothing" in result.err
    quiet = cli("plan", path, "--api-url", url, "--target", "job:Report")
    assert "matches nothing" not in quiet.err and "Plan: 1 to create" in quiet.out
