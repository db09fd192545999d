"""The text plan: exact output, colour, schedule timings, empty plans."""

from __future__ import annotations

import io
import re
from datetime import datetime

from bytestack_sync import cron
from bytestack_sync.api.models import LiveJob
from bytestack_sync.model import JobSpec
from bytestack_sync.plan.changes import Change, FieldDiff, Replace, Update
from bytestack_sync.plan.plan import Plan
from bytestack_sync.render import render

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def text(plan: Plan, now: datetime, *, color: bool = False) -> str:
    out = io.StringIO()
    render(plan, "text", out, color=color, now=now)
    return out.getvalue()


def small_plan(changes: dict[str, Change]) -> Plan:
    names = ("delete_job", "pause_job", "create_job", "replace_job", "delete_webhook")
    return Plan(
        changes=tuple(changes[n] for n in (*names, "create_webhook")),
        warnings=("job:Noisy fires 288 times a day (more than max_runs_per_day 96)",),
        sensitive_values=frozenset({changes["delete_webhook"].key}),
    )


EXPECTED = """\
bytestack-sync will perform the following actions:

  + webhook "https://hooks.example.com/bytestack" will be created
      url:    "https://hooks.example.com/bytestack"
      events: ["job.completed"]

  + job "Daily Acme mentions" will be created
      name:        "Daily Acme mentions"
      prompt:      "How many times was Acme mentioned on X today?"
      sources:     ["reddit", "x"]
      schedule:    "0 8 * * *"
      status:      "active"
      webhook_url: (sensitive, hmac:fc230c11)

-/+ job "Acme sentiment" (job_sentiment) must be replaced
      prompt:  "What do people think?" → "How do people feel?"  # forces replacement
      sources: ["x"] → ["linkedin", "x"]  # forces replacement
      # results will be stored under a new job id (the old job job_sentiment is deleted)

  ~ job "Legacy report" (job_legacy) will be paused
      status: "active" → "paused"
      # not declared in any manifest (prune: pause)

  - webhook (sensitive, hmac:fc230c11) (wh_old) will be deleted
      # not declared in any manifest (prune: delete)

  - job "Old export" (job_old) will be deleted
      schedule: "@daily"
      # not declared in any manifest (prune: delete)

Warning: job:Noisy fires 288 times a day (more than max_runs_per_day 96)

Plan: 2 to create, 0 to update, 1 to replace, 2 to delete, 1 to pause.
"""


def test_small_plan_reads_like_terraform(changes: dict[str, Change], now: datetime) -> None:
    assert text(small_plan(changes), now) == EXPECTED


def test_colour_marks_each_symbol(changes: dict[str, Change], now: datetime) -> None:
    coloured = text(small_plan(changes), now, color=True)
    assert ANSI.sub("", coloured) == EXPECTED
    assert '  \x1b[32m+\x1b[0m webhook "https://hooks.example.com/bytestack"' in coloured
    assert '\x1b[35m-/+\x1b[0m job "Acme sentiment"' in coloured
    assert '  \x1b[33m~\x1b[0m job "Legacy report"' in coloured
    assert '  \x1b[31m-\x1b[0m job "Old export"' in coloured
    assert "\x1b[31m# forces replacement\x1b[0m" in coloured
    assert "\x1b[1m\x1b[33mWarning:\x1b[0m" in coloured


def test_no_colour_means_no_escape_codes(plan: Plan, now: datetime) -> None:
    assert "\x1b" not in text(plan, now)


def test_update_symbol(changes: dict[str, Change], now: datetime) -> None:
    first = text(Plan(changes=(changes["update_job"],)), now).splitlines()[2]
    assert first == '  ~ job "Weekly digest" (job_weekly) will be updated in place'


def test_empty_plan(now: datetime) -> None:
    assert text(Plan(), now) == "No changes. The workspace matches the manifests.\n"


def test_empty_plan_keeps_its_warnings(now: datetime) -> None:
    plan = Plan(warnings=("webhook:https://x.example.com is not declared",))
    assert text(plan, now) == (
        "Warning: webhook:https://x.example.com is not declared\n"
        "\n"
        "No changes. The workspace matches the manifests.\n"
    )


def test_summary_is_the_last_line(plan: Plan, now: datetime) -> None:
    assert text(plan, now).splitlines()[-1] == plan.summary()


def schedule_update(old: str, new: str) -> Update:
    spec = JobSpec(name="Digest", prompt="p", sources=frozenset({"x"}), schedule=new)
    live = LiveJob(id="job_d", name="Digest", prompt="p", sources=("x",), schedule=old)
    return Update(
        "job", "Digest", desired=spec, live=live, diffs=(FieldDiff("schedule", old, new),)
    )


def test_schedule_change_shows_runs_before_and_after(now: datetime) -> None:
    plan = Plan(changes=(schedule_update("0 8 * * *", "*/30 9-10 * * 1-5"),))
    before = cron.parse("0 8 * * *").describe()
    after = cron.parse("*/30 9-10 * * 1-5").describe()
    assert text(plan, now).splitlines()[2:9] == [
        '  ~ job "Digest" (job_d) will be updated in place',
        '      schedule: "0 8 * * *" → "*/30 9-10 * * 1-5"',
        f"        before: {before}; 1 run/day",
        "                next: 2026-11-24 08:00 UTC, 2026-11-25 08:00 UTC, 2026-11-26 08:00 UTC",
        f"        after:  {after}; 4 runs on each day it fires",
        "                next: 2026-11-24 09:00 UTC, 2026-11-24 09:30 UTC, 2026-11-24 10:00 UTC",
        "",
    ]


def test_schedule_runs_follow_now(now: datetime) -> None:
    plan = Plan(changes=(schedule_update("0 8 * * *", "0 13 * * *"),))
    lines = text(plan, now).splitlines()
    assert lines[7].strip() == (
        "next: 2026-11-23 13:00 UTC, 2026-11-24 13:00 UTC, 2026-11-25 13:00 UTC"
    )


def test_unreadable_live_schedule_still_shows_the_change(now: datetime) -> None:
    plan = Plan(changes=(schedule_update("@reboot", "0 8 * * *"),))
    lines = text(plan, now).splitlines()
    assert lines[3] == '      schedule: "@reboot" → "0 8 * * *"'
    assert lines[4].startswith("        before: cannot be read: ")
    assert "@reboot" in lines[4] or "reboot" in lines[4]
    assert lines[5].startswith("        after:  ")


def test_sensitive_schedule_shows_no_timings(now: datetime) -> None:
    change = schedule_update("0 8 * * *", "0 9 * * *")
    diff = FieldDiff("schedule", "0 8 * * *", "0 9 * * *", sensitive=True)
    plan = Plan(changes=(Update("job", "Digest", live=change.live, diffs=(diff,)),))
    lines = text(plan, now).splitlines()
    assert lines[3].startswith("      schedule: (sensitive, hmac:")
    assert "next:" not in text(plan, now)


def test_replace_note_from_the_planner_is_not_repeated(
    changes: dict[str, Change], now: datetime
) -> None:
    replace = changes["replace_job"]
    assert isinstance(replace, Replace)
    note = "the new job gets a new id: its results are stored under a new job id"
    planned = Replace(
        "job", replace.key, desired=replace.desired, live=replace.live, diffs=replace.diffs,
        notes=(note,),
    )  # fmt: skip
    output = text(Plan(changes=(planned,)), now)
    assert output.count("new job id") == 1
    assert f"      # {note}\n" in output


def test_webhook_replace_has_no_job_id_note(now: datetime) -> None:
    diff = FieldDiff("events", ["job.completed"], ["job.failed"], forces_replacement=True)
    output = text(Plan(changes=(Replace("webhook", "https://h.example.com", diffs=(diff,)),)), now)
    assert "new job id" not in output
    assert 'events: ["job.completed"] → ["job.failed"]  # forces replacement' in output


def test_a_colour_reset_never_lands_after_a_newline(
    changes: dict[str, Change], now: datetime
) -> None:
    from bytestack_sync.render.text import RED, RESET, TextRenderer

    assert TextRenderer(color=True).paint("one\ntwo\n", RED) == (
        f"{RED}one{RESET}\n{RED}two{RESET}\n"
    )
    coloured = text(small_plan(changes), now, color=True)
    assert "\n" + RESET not in coloured
