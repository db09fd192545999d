"""The markdown plan: exact output, escaping, and the 65,536-character cap."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest

from bytestack_sync.api.models import LiveJob
from bytestack_sync.model import JobSpec
from bytestack_sync.plan.changes import Change, Create, Delete, FieldDiff, Update
from bytestack_sync.plan.plan import Plan
from bytestack_sync.render import render
from bytestack_sync.render.markdown import MARKER, MAX_LENGTH, MarkdownRenderer


def markdown(plan: Plan, now: datetime) -> str:
    out = io.StringIO()
    render(plan, "markdown", out, now=now)
    return out.getvalue()


def assert_well_formed(document: str) -> None:
    """Every <details> closes before the next opens, and no code fence is left open."""
    fence: str | None = None
    depth = 0
    for line in document.splitlines():
        match = re.match(r"^(`{3,})", line)
        if fence is not None:
            if match and match.group(1) == fence and line.strip() == fence:
                fence = None
            continue
        if match:
            fence = match.group(1)
        depth += line.count("<details>") - line.count("</details>")
        assert depth in (0, 1), line
    assert fence is None
    assert depth == 0


EXPECTED = """\
<!-- bytestack-sync plan -->
## bytestack-sync plan

**Plan: 1 to create, 0 to update, 1 to replace, 0 to delete, 1 to pause.**

| Action | Count |
| --- | ---: |
| <code>+</code> create | 1 |
| <code>~</code> update | 0 |
| <code>-/+</code> replace | 1 |
| <code>~</code> pause | 1 |
| <code>-</code> delete | 0 |

### Warnings

- schedule of job:Noisy fires 288 times a day

### Changes

<details><summary><code>+</code> create webhook <code>https://hooks.example.com/bytestack</code></summary>

```diff
+ url: "https://hooks.example.com/bytestack"
+ events: ["job.completed"]
```

</details>

<details><summary><code>-/+</code> replace job <code>Acme sentiment</code> (<code>job_sentiment</code>)</summary>

```diff
- prompt: "What do people think?"
+ prompt: "How do people feel?"  # forces replacement
- sources: ["x"]
+ sources: ["linkedin", "x"]  # forces replacement
```

**Note:** results will be stored under a new job id (the old job job\\_sentiment is deleted)

</details>

<details><summary><code>~</code> pause job <code>Legacy report</code> (<code>job_legacy</code>)</summary>

```diff
- status: "active"
+ status: "paused"
```

**Why:** not declared in any manifest (prune: pause)

</details>
"""  # noqa: E501 (the summaries are single lines, as GitHub needs them)


def test_small_plan_exact_output(changes: dict[str, Change], now: datetime) -> None:
    names = ("pause_job", "replace_job", "create_webhook")
    plan = Plan(
        changes=tuple(changes[n] for n in names),
        warnings=("schedule of job:Noisy fires 288 times a day",),
    )
    output = markdown(plan, now)
    assert output == EXPECTED
    assert_well_formed(output)


def test_empty_plan(now: datetime) -> None:
    assert markdown(Plan(), now) == (
        f"{MARKER}\n## bytestack-sync plan\n\n"
        "**No changes. The workspace matches the manifests.**\n"
    )


def test_marker_is_the_first_line(plan: Plan, now: datetime) -> None:
    assert markdown(plan, now).splitlines()[0] == "<!-- bytestack-sync plan -->"


def test_schedule_change_has_a_before_and_after_table(
    changes: dict[str, Change], now: datetime
) -> None:
    output = markdown(Plan(changes=(changes["update_job"],)), now)
    assert "| Schedule | <code>0 8 * * *</code> | <code>0 9 * * 1-5</code> |" in output
    assert "| Runs per day | 1 | 1 |" in output
    assert (
        "| Next runs | 2026-11-24 08:00 UTC<br>2026-11-25 08:00 UTC<br>2026-11-26 08:00 UTC |"
        in output
    )
    assert_well_formed(output)


def test_names_and_values_cannot_break_out(now: datetime) -> None:
    name = "</summary></details><script>x</script> | `tick`"
    spec = JobSpec(name=name, prompt="Say ```hi``` and ````more````", sources=frozenset({"x"}),
                   schedule="@daily")  # fmt: skip
    output = markdown(Plan(changes=(Create("job", name, desired=spec),)), now)
    # Inside a code fence it is only text; everywhere else it must be escaped.
    assert "<script>" not in re.sub(r"(?ms)^(`{3,})diff$.*?^\1$", "", output)
    assert "&lt;/summary&gt;&lt;/details&gt;&lt;script&gt;x&lt;/script&gt; &#124; `tick`" in output
    assert "\n`````diff\n" in output  # longer than any backtick run inside
    assert_well_formed(output)


def create(index: int, prompt: str = "How many times was Acme mentioned today?") -> Create:
    name = f"Job {index:05d}"
    spec = JobSpec(name=name, prompt=prompt, sources=frozenset({"x"}), schedule="0 8 * * *")
    return Create("job", name, desired=spec)


def test_five_thousand_changes_are_cut_to_the_limit(now: datetime) -> None:
    plan = Plan(changes=tuple(create(i) for i in range(5000)))
    output = markdown(plan, now)
    assert len(output) <= MAX_LENGTH
    assert_well_formed(output)
    shown = output.count("<details>")
    assert 100 < shown < 5000
    assert f"**Truncated:** {5000 - shown} of 5000 changes are not shown here" in output
    assert (
        "See the full plan in the CI logs, or run `bytestack-sync show PLANFILE` on the saved "
        "plan artifact." in output
    )
    assert "| <code>+</code> create | 5000 |" in output
    # The changes shown are the first ones, in apply order, each whole.
    assert "Job 00000" in output and f"Job {shown - 1:05d}" in output
    assert f"Job {shown:05d}" not in output


def delete_with_reason(length: int) -> Delete:
    live = LiveJob(id="job_last", name="Last", prompt="p", sources=("x",), schedule="@daily")
    return Delete("job", "Last", live=live, reason="r" * length)


def sized_plan(extra: int, now: datetime) -> Plan:
    """A plan whose full markdown is exactly MAX_LENGTH + extra characters."""
    base = tuple(create(i) for i in range(150))
    probe = MarkdownRenderer(limit=10**9)

    def full_length(reason_length: int) -> int:
        out = io.StringIO()
        probe.render(Plan(changes=(*base, delete_with_reason(reason_length))), out, now=now)
        return len(out.getvalue())

    # Each character of the reason adds exactly one character to the document.
    reason_length = 1 + MAX_LENGTH + extra - full_length(1)
    assert reason_length > 0
    plan = Plan(changes=(*base, delete_with_reason(reason_length)))
    assert full_length(reason_length) == MAX_LENGTH + extra
    return plan


@pytest.mark.parametrize("extra", [0, -1, -500])
def test_a_plan_at_or_under_the_limit_is_whole(extra: int, now: datetime) -> None:
    output = markdown(sized_plan(extra, now), now)
    assert len(output) == MAX_LENGTH + extra
    assert "Truncated" not in output
    assert output.count("<details>") == 151


@pytest.mark.parametrize("extra", [1, 2000])
def test_a_plan_over_the_limit_is_cut(extra: int, now: datetime) -> None:
    output = markdown(sized_plan(extra, now), now)
    assert len(output) <= MAX_LENGTH
    assert "**Truncated:** 1 of 151 changes are not shown here" in output
    assert output.count("<details>") == 150
    assert_well_formed(output)


def test_a_flood_of_warnings_leaves_room_for_changes(now: datetime) -> None:
    warnings = tuple(f"warning number {i} about something long enough" for i in range(10_000))
    plan = Plan(changes=tuple(create(i) for i in range(10)), warnings=warnings)
    output = markdown(plan, now)
    assert len(output) <= MAX_LENGTH
    assert re.search(r"- … and \d+ more warnings \(see the full plan\)", output)
    assert output.count("<details>") == 10
    assert "Truncated" not in output


def test_diff_values_mask_sensitive_fields(now: datetime) -> None:
    diff = FieldDiff("webhook_url", "https://a.example.com/old", "https://a.example.com/new",
                     sensitive=True)  # fmt: skip
    live = LiveJob(id="job_1", name="J", prompt="p", sources=("x",), schedule="@daily")
    output = markdown(Plan(changes=(Update("job", "J", live=live, diffs=(diff,)),)), now)
    assert "a.example.com" not in output
    assert "- webhook_url: (sensitive, hmac:" in output
