"""No format ever shows a sensitive value; the shared helpers mask and format alike."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan.changes import (
    Change,
    Create,
    Delete,
    FieldDiff,
    MaskedValue,
    Pause,
    Update,
)
from bytestack_sync.plan.plan import Plan
from bytestack_sync.render import FORMATS, render
from bytestack_sync.render.fields import Masker, SensitiveValue, format_value
from bytestack_sync.secrets import sensitive_display

FORMAT_CASES = [("text", False), ("text", True), ("json", False), ("markdown", False)]


def rendered(plan: Plan, fmt: str, now: datetime, color: bool = False) -> str:
    out = io.StringIO()
    render(plan, fmt, out, color=color, now=now)
    return out.getvalue()


def leaky_plan(plan: Plan, canary: str) -> Plan:
    """The sample plan plus the canary where a careless planner might leave it."""
    url = f"https://hooks.example.com/{canary}"
    live = LiveJob(id="job_l", name="Leaky", prompt="p", sources=("x",), schedule="@daily",
                   webhook_url=url)  # fmt: skip
    # Not flagged sensitive: only plan.sensitive_values knows this value.
    update = Update("job", "Leaky", live=live, diffs=(FieldDiff("webhook_url", url, None),),
                    notes=(f"was {url}",))  # fmt: skip
    spec = WebhookSpec(url=canary, sensitive=frozenset({"url"}))
    create = Create("webhook", canary, desired=spec, key_sensitive=True)
    tiny = JobSpec(name="Tiny", prompt=canary, sources=frozenset({"x"}), schedule="@daily",
                   sensitive=frozenset({"prompt"}))  # fmt: skip
    return Plan(
        changes=(*plan.changes, update, create, Create("job", "Tiny", desired=tiny)),
        warnings=(f"webhook {url} answered slowly",),
        targets=(f"webhook:{url}",),
        sensitive_values=plan.sensitive_values | {canary, url},
    )


@pytest.mark.parametrize(("fmt", "color"), FORMAT_CASES)
def test_canary_never_appears(
    plan: Plan, canary: str, now: datetime, fmt: str, color: bool
) -> None:
    output = rendered(leaky_plan(plan, canary), fmt, now, color)
    assert canary not in output
    assert canary[:12] not in output
    assert sensitive_display(canary) in output
    assert sensitive_display(f"https://hooks.example.com/{canary}") in output


@pytest.mark.parametrize(("fmt", "color"), FORMAT_CASES)
def test_every_action_appears_in_every_format(
    plan: Plan, now: datetime, fmt: str, color: bool
) -> None:
    output = rendered(plan, fmt, now, color)
    for name in ("Daily Acme mentions", "Weekly digest", "Acme sentiment", "Legacy report"):
        assert name in output
    assert "Old export" in output


def test_unknown_format_is_refused(plan: Plan) -> None:
    with pytest.raises(ValueError, match="unknown plan format 'yaml'"):
        render(plan, "yaml", io.StringIO())


def test_formats_listed() -> None:
    assert FORMATS == ("text", "json", "markdown")


def test_default_now_is_the_current_time(changes: dict[str, Change]) -> None:
    out = io.StringIO()
    render(Plan(changes=(changes["update_job"],)), "json", out)
    assert '"next_runs"' in out.getvalue()


@pytest.mark.parametrize(
    ("value", "sensitive", "expected"),
    [
        ("plain", False, "plain"),
        ("secret-value", False, SensitiveValue(sensitive_display("secret-value"))),
        ("anything", True, SensitiveValue(sensitive_display("anything"))),
        ("see secret-value here", False, f"see {sensitive_display('secret-value')} here"),
        (frozenset({"b", "a"}), False, ["a", "b"]),
        (["x", "secret-value"], False, ["x", sensitive_display("secret-value")]),
        (None, True, None),
        (3, False, 3),
        ("abc", False, SensitiveValue(sensitive_display("abc"))),  # short, but exact
        # Known only by fingerprint (a saved plan): shown as saved, not hashed again.
        (MaskedValue.of("1a2b3c4d"), False, SensitiveValue("(sensitive, hmac:1a2b3c4d)")),
        (MaskedValue.of("1a2b3c4d"), True, SensitiveValue("(sensitive, hmac:1a2b3c4d)")),
    ],
)
def test_masker_value(value: Any, sensitive: bool, expected: Any) -> None:
    masker = Masker({"secret-value", "abc"})
    assert masker.value(value, sensitive) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0 8 * * *", '"0 8 * * *"'),
        (["reddit", "x"], '["reddit", "x"]'),
        (None, "null"),
        (True, "true"),
        ("two\nlines", '"two\\nlines"'),
        ("café", '"café"'),
        (SensitiveValue("(sensitive, hmac:00000000)"), "(sensitive, hmac:00000000)"),
    ],
)
def test_format_value(value: Any, expected: str) -> None:
    assert format_value(value) == expected


def test_pause_without_diffs_still_shows_the_status_change(now: datetime) -> None:
    live = LiveJob(id="job_p", name="P", prompt="p", sources=("x",), schedule="@daily")
    output = rendered(Plan(changes=(Pause("job", "P", live=live, reason="why"),)), "text", now)
    assert '      status: "active" → "paused"\n      # why\n' in output


def test_delete_of_webhook_lists_no_fields(now: datetime) -> None:
    live = LiveWebhook(id="wh_1", url="https://h.example.com")
    output = rendered(Plan(changes=(Delete("webhook", live.url, live=live),)), "text", now)
    assert output.splitlines()[2:4] == [
        '  - webhook "https://h.example.com" (wh_1) will be deleted',
        "",
    ]
