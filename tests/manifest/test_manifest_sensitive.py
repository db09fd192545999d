"""No problem message quotes a sensitive value, not even a fragment of one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bytestack_sync.cli import main
from bytestack_sync.errors import ManifestError
from bytestack_sync.manifest import collect, load_manifests
from bytestack_sync.manifest.redacted import schedule_reason, without_quotes

JOB = """\
jobs:
  - name: Daily mentions
    prompt: How often was Acme mentioned?
    sources: [x]
    schedule: {schedule}
"""


def problems(tmp_path: Path, text: str, environ: dict[str, str]) -> list[str]:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        load_manifests([str(path)], environ=environ)
    return [p.message for p in raised.value.problems]


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ("0 CANARY * * *", "the hour field is invalid"),
        ("CANARY 8 * * *", "the minute field is invalid"),
        ("0 8 CANARY * *", "the day-of-month field is invalid"),
        ("0 8 * CANARY *", "the month field is invalid"),
        ("0 8 * * CANARY", "the day-of-week field is invalid"),
        ("0 8 * * MON-CANARY", "the day-of-week field is invalid"),
        ("0 8 30 2 *", "it never fires: its day-of-month does not occur in its month"),
        ("0 8 * * * CANARY", "it must have 5 fields (minute hour day-of-month month day-of-week)"),
        ("CANARY", "it must have 5 fields (minute hour day-of-month month day-of-week)"),
        (
            "@CANARY",
            "it is not one of the aliases @hourly, @daily, @midnight, @weekly, "
            "@monthly, @yearly, @annually, alone",
        ),
        (
            "@daily CANARY",
            "it is not one of the aliases @hourly, @daily, @midnight, @weekly, "
            "@monthly, @yearly, @annually, alone",
        ),
        ("   ", "it is empty"),
    ],
)
def test_an_invalid_secret_schedule_names_the_field_not_the_text(
    tmp_path: Path, schedule: str, reason: str
) -> None:
    text = JOB.format(schedule="${secret:SCHED}")
    assert problems(tmp_path, text, {"SCHED": schedule}) == [
        f"invalid schedule (sensitive): {reason}"
    ]
    assert schedule_reason(schedule) == reason


def test_an_invalid_plain_schedule_still_quotes_it(tmp_path: Path) -> None:
    text = JOB.format(schedule="'0 CANARY * * *'")
    assert problems(tmp_path, text, {}) == [
        "invalid schedule '0 CANARY * * *': hour 'CANARY' is not a number"
    ]


def test_a_secret_schedule_in_defaults_is_not_quoted(tmp_path: Path) -> None:
    text = "defaults:\n  schedule: ${secret:SCHED}\n" + JOB.replace(
        "    schedule: {schedule}\n", ""
    )
    found = problems(tmp_path, text, {"SCHED": "0 CANARY * * *"})
    assert found == ["invalid schedule (sensitive): the hour field is invalid"]


@pytest.mark.parametrize(
    ("field", "manifest"),
    [
        ("webhook_url", JOB.format(schedule="'0 8 * * *'") + "    webhook_url: ${secret:HOOK}\n"),
        ("url", JOB.format(schedule="'0 8 * * *'") + "webhooks:\n  - url: ${secret:HOOK}\n"),
        (
            "webhook_url",
            "defaults:\n  webhook_url: ${secret:HOOK}\n" + JOB.format(schedule="'0 8 * * *'"),
        ),
    ],
)
def test_a_secret_url_check_does_not_quote_its_scheme(
    tmp_path: Path, field: str, manifest: str
) -> None:
    found = problems(tmp_path, manifest, {"HOOK": "canaryscheme://hooks.example.com/a"})
    assert found == [f"{field} must use https://"]


def test_through_the_command_line_and_its_annotations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYTESTACK_TEST_SCHED", "0 CANARYHOUR * * *")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = tmp_path / "m2.yaml"
    path.write_text(JOB.format(schedule="${secret:BYTESTACK_TEST_SCHED}"), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "CANARYHOUR" not in captured.out + captured.err
    assert "the hour field is invalid" in captured.out
    assert main(["plan", str(path), "--api-url", "local:" + str(tmp_path / "s.db")]) == 1
    captured = capsys.readouterr()
    assert "CANARYHOUR" not in captured.out + captured.err
    assert "invalid schedule (sensitive): the hour field is invalid" in captured.err


def test_without_quotes() -> None:
    assert without_quotes("must use https:// (got ftp://)") == "must use https://"
    assert without_quotes("must name a host") == "must name a host"


PLACES = {
    "name": "jobs:\n  - {name: '${secret:C}', prompt: p, sources: [x], schedule: '@daily'}\n",
    "prompt": "jobs:\n  - {name: A, prompt: '${secret:C}', sources: [x], schedule: '@daily'}\n",
    "schedule": "jobs:\n  - {name: A, prompt: p, sources: [x], schedule: '${secret:C}'}\n",
    "webhook_url": (
        "jobs:\n  - {name: A, prompt: p, sources: [x], schedule: '@daily', "
        "webhook_url: '${secret:C}'}\n"
    ),
    "url": "webhooks:\n  - url: '${secret:C}'\n",
    "defaults": (
        "defaults:\n  schedule: '${secret:C}'\n  webhook_url: '${secret:C}'\n"
        "jobs:\n  - {name: A, prompt: p, sources: [x]}\n  - {name: B, prompt: p, sources: [x]}\n"
    ),
    "twice": (
        "jobs:\n  - {name: '${secret:C}', prompt: p, sources: [x], schedule: '@daily'}\n"
        "  - {name: '${secret:C}', prompt: p, sources: [x], schedule: '@daily'}\n"
    ),
    "sources": "jobs:\n  - {name: A, prompt: p, sources: ['${secret:C}'], schedule: '@daily'}\n",
    "status": (
        "jobs:\n  - {name: A, prompt: p, sources: [x], schedule: '@daily', status: '${secret:C}'}\n"
    ),
    "protect": (
        "jobs:\n  - {name: A, prompt: p, sources: [x], schedule: '@daily', "
        "protect: '${secret:C}'}\n"
    ),
    "events": "webhooks:\n  - {url: 'https://h.example.com/', events: ['${secret:C}']}\n",
    "settings": (
        "prune: '${secret:C}'\nversion: '${secret:C}'\nignore: {jobs: ['${secret:C}']}\n"
        "safety: {max_destroy_percent: '${secret:C}', max_runs_per_day: '${secret:C}'}\n"
    ),
}
CANARIES = [
    "CNRY",
    "0 CNRY * * *",
    "*/7 CNRY-3 * * MON",
    "0 0 30 2 CNRY",
    "@CNRY",
    "CNRY://hooks.example.com/a",
    "https://CNRY host/",
    "http://CNRY.example.com/",
    "https://h.example.com:CNRY/",
    "CNRY" * 60,
    "job.CNRY",
    "twitterCNRY",
]


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("canary", CANARIES)
def test_no_message_quotes_any_part_of_a_secret(tmp_path: Path, place: str, canary: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(PLACES[place], encoding="utf-8")
    problems = collect([str(path)], environ={"C": canary}).problems
    # Every canary is invalid in these places, so each has a message to check.
    assert problems or place in ("name", "prompt")
    for problem in problems:
        assert "CNRY" not in problem.message


@pytest.mark.parametrize("value", ["a", "x1", "abc"])
def test_a_secret_too_short_to_hide_is_refused_where_it_is_used(tmp_path: Path, value: str) -> None:
    text = JOB.format(schedule="'@daily'").replace("name: Daily mentions", "name: ${secret:NAME}")
    assert problems(tmp_path, text, {"NAME": value}) == [
        f"a secret value of {len(value)} character(s) cannot be kept out of the output "
        "(hiding one shorter than 4 would scrub ordinary words): use a longer value"
    ]


def test_a_secret_of_four_characters_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    text = JOB.format(schedule="'@daily'").replace("name: Daily mentions", "name: ${secret:NAME}")
    path.write_text(text, "utf-8")
    loaded = load_manifests([str(path)], environ={"NAME": "team"})
    assert loaded.desired.jobs[0].name == "team"
