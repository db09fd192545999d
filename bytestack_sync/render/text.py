"""The text plan: what a Terraform user expects to read in a terminal or a CI log."""

from __future__ import annotations

from datetime import datetime
from typing import TextIO

from bytestack_sync.plan.plan import Plan
from bytestack_sync.render.fields import (
    ChangeView,
    FieldLine,
    format_time,
    format_value,
    view_plan,
)
from bytestack_sync.render.schedule import ScheduleChange, ScheduleSide

RESET = "\x1b[0m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"
RED = "\x1b[31m"
MAGENTA = "\x1b[35m"
BOLD = "\x1b[1m"

# Terraform's colours, by the symbol a change owns: what it does to the resource.
SYMBOL_COLORS: dict[str, str] = {"+": GREEN, "~": YELLOW, "-/+": MAGENTA, "-": RED}

# A unified diff's lines, by their first character: added, removed, hunk header.
DIFF_COLORS: dict[str, str] = {"+": GREEN, "-": RED, "@": MAGENTA}

INDENT = "      "


class TextRenderer:
    def __init__(self, *, color: bool = False, warnings: bool = True) -> None:
        self.color = color
        self.warnings = warnings

    def paint(self, text: str, *codes: str) -> str:
        if not self.color or not codes:
            return text
        # Each line painted on its own: a reset after a newline would leave the end of
        # the line coloured, and a pager or CI log that cuts lines would bleed it on.
        start = "".join(codes)
        return "\n".join(start + line + RESET if line else line for line in text.split("\n"))

    def render(self, plan: Plan, out: TextIO, now: datetime) -> None:
        view = view_plan(plan, now)
        lines: list[str] = []
        if plan.target is not None:
            # First, so a key left in the shell for another workspace shows at once.
            lines += [view.masker.text(plan.target.line()), ""]
        if view.changes:
            lines += ["bytestack-sync will perform the following actions:", ""]
            for change in view.changes:
                lines += [*self.change_lines(change), ""]
        for warning in view.warnings if self.warnings else ():
            lines += [f"{self.paint('Warning:', BOLD, YELLOW)} {warning}", ""]
        if view.refusal:
            lines += [f"{self.paint('Destroy guard:', BOLD, RED)} {view.refusal}", ""]
        lines.append(view.headline)
        if view.left_alone:
            lines.append(f"{view.left_alone} `plan -v` lists them.")
        out.write("\n".join(lines) + "\n")

    def change_lines(self, change: ChangeView) -> list[str]:
        symbol = self.paint(change.symbol, SYMBOL_COLORS[change.symbol])
        live_id = f" ({change.change.live_id})" if change.change.live_id else ""
        pad = " " * (3 - len(change.symbol))  # Terraform aligns "-/+" with "  +"
        lines = [f"{pad}{symbol} {change.title}{live_id} {change.change.outcome}"]
        width = max((len(f.field) for f in change.fields), default=0) + 1
        for field in change.fields:
            lines.append(INDENT + self.field_line(field, width))
            lines += [f"{INDENT}  {self.paint_diff(line)}" for line in field.text_diff]
            if field.field == "schedule" and change.schedule is not None:
                lines += schedule_lines(change.schedule)
        if change.reason:
            lines.append(f"{INDENT}# {change.reason}")
        lines += [f"{INDENT}# {note}" for note in change.notes]
        return lines

    def paint_diff(self, line: str) -> str:
        colour = DIFF_COLORS.get(line[:1])
        return self.paint(line, colour) if colour else line

    def field_line(self, field: FieldLine, width: int) -> str:
        label = f"{field.field + ':':<{width}}"
        if field.text_diff:
            value = "(multi-line; changed lines below)"
        elif not field.has_old:
            value = format_value(field.new)
        elif not field.has_new:
            value = format_value(field.old)
        else:
            value = f"{format_value(field.old)} → {format_value(field.new)}"
        line = f"{label} {value}"
        if field.forces_replacement:
            line += "  " + self.paint("# forces replacement", RED)
        return line


def side_lines(label: str, side: ScheduleSide) -> list[str]:
    head = f"{INDENT}  {label + ':':<7} "
    if side.error:
        return [f"{head}cannot be read: {side.error}"]
    count = f"{side.runs_per_day} run{'s' if side.runs_per_day != 1 else ''}"
    # "1 run/day" of a weekly schedule reads as daily.
    per_day = f"{count}/day" if side.every_day else f"{count} on each day it fires"
    runs = ", ".join(format_time(t) for t in side.next_runs)
    return [f"{head}{side.description}; {per_day}", f"{' ' * len(head)}next: {runs}"]


def schedule_lines(schedule: ScheduleChange) -> list[str]:
    if schedule.before is None:
        return side_lines("means", schedule.after)
    return side_lines("before", schedule.before) + side_lines("after", schedule.after)
