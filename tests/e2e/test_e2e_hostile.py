"""plan, apply and export against a hostile API over a real socket.

Each misbehaviour ends in one line naming the host and what happened, exit 1,
and not one write; what the server says is shown escaped, on one line, capped.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bytestack_sync.api import limits
from tests.api.hostile import HOSTILE_MESSAGES, HostileApi, job_record
from tests.conftest import Hostile

KEY = "bs_hostile_workspace_key"
# The prompt, sources and schedule of the hostile server's own jobs (``job_record``).
JOB = "  - {name: %s, prompt: %s, sources: [x], schedule: '0 8 * * *'}\n"
PROMPT = job_record(0)["prompt"]
MANIFEST = "version: 1\njobs:\n" + JOB % ("page-one", PROMPT) + JOB % ("page-two", PROMPT)

# Only what a terminal or a CI runner could act on: any other C0 or C1 control,
# DEL, and the line and paragraph separators.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITKIT_API_KEY", KEY)


def _run(cli: Any, write: Any, command: str, api: HostileApi) -> Any:
    # No lock: the misbehaviour is the executor's to meet, not the lock's lease's.
    args = {
        "plan": [write(MANIFEST)],
        "apply": [write(MANIFEST), "--auto-approve", "--no-lock"],
        "export": [],
    }
    return cli(command, *args[command], "--api-url", api.url)


def _one_error_line(result: Any) -> str:
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert "unexpected error" not in result.err
    return str(lines[0])


def test_the_hostile_server_serves_plan_apply_and_export(
    hostile: Hostile, cli: Any, write: Any
) -> None:
    api = hostile()
    api.add_job("page-one")
    applied = _run(cli, write, "apply", api)
    assert applied.code == 0, applied.out + applied.err
    assert api.writes() == [("POST", "/v1/jobs")]  # page-one is there already
    assert sorted(job["name"] for job in api.jobs.values()) == ["page-one", "page-two"]
    assert "name: page-two" in _run(cli, write, "export", api).out
    assert "No changes" in _run(cli, write, "plan", api).out


@pytest.mark.parametrize("command", ["plan", "apply", "export"])
@pytest.mark.parametrize(
    ("mode", "options", "says"),
    [
        ("drip", {}, "GET /v1/jobs failed: no complete answer from {host} within 1 s, "
         "the deadline of a request"),
        ("endless-cursors", {}, "unexpected answer from {host} to GET /v1/jobs: "
         "the list goes on past 1,000 pages"),
        ("gzip-bomb", {}, "GET /v1/jobs failed: the answer from {host} is larger than 32 MiB, "
         "the most read"),
        ("huge-page", {}, "unexpected answer from {host} to GET /v1/jobs: "
         "a page of 2,000 items, more than the 1,000 asked"),
        ("odd-cursor", {"cursor": 2}, "unexpected answer from {host} to GET /v1/jobs: "
         "its next_cursor is a number, not a string, so the list cannot be read to its end"),
        ("odd-cursor", {"cursor": {"after": "job_1"}}, "unexpected answer from {host} to "
         "GET /v1/jobs: its next_cursor is an object, not a string, so the list cannot be "
         "read to its end"),
        ("odd-cursor", {"cursor": ""}, "unexpected answer from {host} to GET /v1/jobs: "
         "its next_cursor is empty, so the list cannot be read to its end"),
        ("deep-json", {}, "unexpected answer from {host} to GET /v1/jobs: "
         "the body is JSON nested too deeply to read"),
    ],
    ids=lambda value: value if isinstance(value, str) and " " not in value else "",
)  # fmt: skip
def test_a_hostile_listing_is_one_error_and_changes_nothing(
    hostile: Hostile,
    cli: Any,
    write: Any,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    mode: str,
    options: dict[str, Any],
    says: str,
) -> None:
    # The drip would take 10 s: a 1 s deadline shows it cut off without a long test.
    monkeypatch.setattr(limits, "DEFAULT", limits.Limits(deadline=1.0))
    api = hostile(mode, **options)
    result = _run(cli, write, command, api)
    host = api.url.removeprefix("http://").removesuffix("/v1")
    assert result.code == 1, result.out + result.err
    assert _one_error_line(result) == "error: " + says.format(host=host)
    assert api.writes() == []


@pytest.mark.parametrize("name", sorted(HOSTILE_MESSAGES))
def test_an_api_message_cannot_forge_output_or_workflow_commands(
    hostile: Hostile, cli: Any, write: Any, name: str
) -> None:
    api = hostile("message", on=("POST", "/v1/jobs"), message=HOSTILE_MESSAGES[name])
    result = _run(cli, write, "apply", api)
    assert result.code == 3, result.out + result.err
    shown = result.out + result.err
    assert "(POST /v1/jobs): " in result.err
    assert not RAW_CONTROL.search(shown)
    for line in shown.splitlines():
        assert not line.lstrip().startswith("::"), line
        assert not line.lstrip().startswith("Apply complete: 0 failed"), line
        assert len(line) < 700, line


def test_a_long_api_message_is_cut_and_counted(hostile: Hostile, cli: Any, write: Any) -> None:
    api = hostile("message", message="x" * 10_000)
    result = _run(cli, write, "plan", api)
    assert result.code == 1
    line = _one_error_line(result)
    assert line == (
        f"error: the API refused to list jobs (GET /v1/jobs): {'x' * 500}"
        "… (9,500 more characters) (400)"
    )


@pytest.mark.parametrize("mode", ["huge-message", "deep-error"])
def test_an_error_body_too_large_or_deep_leaves_the_status_alone(
    hostile: Hostile, cli: Any, write: Any, mode: str
) -> None:
    api = hostile(mode)
    result = _run(cli, write, "plan", api)
    assert result.code == 1
    assert _one_error_line(result) == "error: the API refused to list jobs (GET /v1/jobs) (400)"


def test_a_create_whose_answer_drips_is_reconciled_not_hung(
    hostile: Hostile, cli: Any, write: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server made the job but its answer never completes: the create's outcome is
    unknown, and apply looks for the job rather than waiting or sending it blindly."""
    monkeypatch.setattr(limits, "DEFAULT", limits.Limits(deadline=1.0))
    api = hostile("drip", on=("POST", "/v1/jobs"))
    result = _run(cli, write, "apply", api)
    assert result.code == 3, result.out + result.err
    assert "POST /v1/jobs was sent but its outcome is unknown (no complete answer from" in (
        result.err
    )
    assert "unexpected error" not in result.err
