"""The markdown plan: a pull-request comment or a ``$GITHUB_STEP_SUMMARY`` page.

GitHub rejects a comment longer than 65,536 characters, so the document is cut
between whole change sections (never inside a ``<details>`` or a code fence) and
says how many changes it left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from bytestack_sync.plan.changes import ACTIONS
from bytestack_sync.plan.plan import Plan
from bytestack_sync.printable import shown
from bytestack_sync.render.fields import (
    ChangeView,
    FieldLine,
    PlanView,
    format_time,
    format_value,
    view_plan,
)
from bytestack_sync.render.schedule import ScheduleChange, ScheduleSide

MARKER = "<!-- bytestack-sync plan -->"
MAX_LENGTH = 65_536
# Warnings come before the changes; a flood of them must not crowd every change out.
WARNINGS_BUDGET = 8_192
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]#|~<>!])")


def md_text(text: str) -> str:
    """Text that markdown shows as written."""
    return html.escape(_MARKDOWN_SPECIALS.sub(r"\\\1", text), quote=False)


def html_code(text: str) -> str:
    """Inline code inside HTML or a table cell; a pipe would otherwise split the cell.
    A control character (a live name may hold any) is shown escaped, ``\\x1b``."""
    return "<code>" + html.escape(shown(text, len(text))).replace("|", "&#124;") + "</code>"


def fenced(lines: Iterable[str], info: str = "") -> str:
    body = list(lines)
    longest = max((len(run) for line in body for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([fence + info, *body, fence])


def diff_lines(field: FieldLine) -> list[str]:
    forced = "  # forces replacement" if field.forces_replacement else ""
    if field.text_diff:
        # The text's own unified diff, under a hunk-like header naming the field.
        return [f"@@ {field.field} @@{forced}", *field.text_diff]
    lines = [f"- {field.field}: {format_value(field.old)}"] if field.has_old else []
    if field.has_new:
        lines.append(f"+ {field.field}: {format_value(field.new)}{forced}")
    return lines


def _side_cells(side: ScheduleSide) -> tuple[str, str, str]:
    if side.error:
        return (md_text(f"cannot be read: {side.error}"), "", "")
    runs = "<br>".join(format_time(t) for t in side.next_runs)
    return (md_text(side.description), str(side.runs_per_day), runs)


def schedule_table(schedule: ScheduleChange) -> str:
    sides = [schedule.after] if schedule.before is None else [schedule.before, schedule.after]
    cells = [(html_code(side.expression), *_side_cells(side)) for side in sides]
    labels = ("Schedule", "Meaning", "Runs per day", "Next runs")
    head = "| | Declared |" if len(sides) == 1 else "| | Before | After |"
    lines = [head, "| --- |" + " --- |" * len(sides)]
    lines += ["| " + " | ".join([label, *(c[i] for c in cells)]) + " |" for i, label in
              enumerate(labels)]  # fmt: skip
    return "\n".join(lines)


def change_section(change: ChangeView) -> str:
    live_id = f" ({html_code(change.change.live_id)})" if change.change.live_id else ""
    summary = (
        f"<summary>{html_code(change.symbol)} {change.action} {change.change.resource} "
        f"{html_code(change.key)}{live_id}</summary>"
    )
    parts = [f"<details>{summary}"]
    lines = [line for field in change.fields for line in diff_lines(field)]
    if lines:
        parts.append(fenced(lines, "diff"))
    if change.schedule is not None:
        parts.append(schedule_table(change.schedule))
    if change.reason:
        parts.append(f"**Why:** {md_text(change.reason)}")
    parts += [f"**Note:** {md_text(note)}" for note in change.notes]
    parts.append("</details>")
    return "\n\n".join(parts) + "\n"


def summary_table(plan: Plan) -> str:
    lines = ["| Action | Count |", "| --- | ---: |"]
    counts = plan.counts()
    for action in ACTIONS:
        lines.append(f"| {html_code(action.symbol)} {action.action} | {counts[action.action]} |")
    return "\n".join(lines) + "\n"


def warnings_section(warnings: tuple[str, ...]) -> str:
    if not warnings:
        return ""
    items: list[str] = []
    used = 0
    for index, warning in enumerate(warnings):
        item = f"- {md_text(warning)}"
        if used + len(item) > WARNINGS_BUDGET:
            items.append(f"- … and {len(warnings) - index} more warnings (see the full plan)")
            break
        items.append(item)
        used += len(item) + 1
    return "### Warnings\n\n" + "\n".join(items) + "\n"


def truncation_note(left_out: int, total: int, limit: int) -> str:
    return (
        f"**Truncated:** {left_out} of {total} changes are not shown here, to keep this "
        f"comment under {limit:,} characters. See the full plan in the CI logs, or run "
        "`bytestack-sync show PLANFILE` on the saved plan artifact.\n"
    )


class MarkdownRenderer:
    def __init__(self, *, limit: int = MAX_LENGTH) -> None:
        self.limit = limit

    def render(self, plan: Plan, out: TextIO, now: datetime) -> None:
        out.write(self.document(view_plan(plan, now)))

    def head(self, view: PlanView) -> str:
        parts = [MARKER, "## bytestack-sync plan", ""]
        if view.plan.target is not None:
            target = view.plan.target
            parts += [
                f"**Target:** {html_code(view.masker.text(target.api_url))}, workspace "
                f"{html_code(view.masker.text(target.workspace))}",
                "",
            ]
        parts += [f"**{md_text(view.headline)}**", ""]
        if view.left_alone:
            parts += [md_text(view.left_alone), ""]
        if view.changes:
            parts.append(summary_table(view.plan))
        if view.refusal:
            parts += [f"> [!CAUTION]\n> **Destroy guard:** {md_text(view.refusal)}", ""]
        head = "\n".join(parts)
        warnings = warnings_section(view.warnings)
        return head + ("\n" + warnings if warnings else "")

    def document(self, view: PlanView) -> str:
        head = self.head(view)
        if not view.changes:
            return head
        head += "\n### Changes\n"
        sections = ["\n" + change_section(c) for c in view.changes]
        full = head + "".join(sections)
        if len(full) <= self.limit:
            return full
        total = len(sections)
        room = self.limit - len(head) - len("\n" + truncation_note(total, total, self.limit))
        shown: list[str] = []
        for section in sections:
            if len(section) > room:
                break
            shown.append(section)
            room -= len(section)
        note = truncation_note(total - len(shown), total, self.limit)
        return head + "".join(shown) + "\n" + note
