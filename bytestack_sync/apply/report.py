"""What an apply did: one outcome per change, and the report a user reads.

The report lists every change of the plan, in plan order, with what happened to
it, so that after a partial failure or an interrupt the user knows exactly what
was done and what a second apply will do.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, TextIO

from bytestack_sync.plan.changes import Change, summary_counts

Status = Literal["ok", "failed", "skipped"]


# Why a change an interrupt left unstarted did not run.
INTERRUPTED = "not started: apply was interrupted"


@dataclass(frozen=True)
class ChangeOutcome:
    """What happened to one change. ``detail`` is the result or the reason."""

    change: Change
    status: Status
    detail: str = ""
    new_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def line(self) -> str:
        change = self.change
        head = f'{change.symbol} {change.resource} "{change.shown_key}"'
        if self.status == "ok":
            return f"{head}: {self.detail}"
        return f"{head}: {self.status}: {self.detail}"


@dataclass
class ApplyReport:
    """Every change's outcome, whether the run was interrupted, and whether it converged.

    ``remaining`` lists the changes a re-plan still found after the run; it is
    None when no confirming read was made (interrupted) or the read failed, in
    which case ``confirm_error`` says why.
    """

    outcomes: list[ChangeOutcome] = field(default_factory=list)
    interrupted: bool = False
    remaining: tuple[Change, ...] | None = None
    confirm_error: str | None = None

    @property
    def failed(self) -> list[ChangeOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def skipped(self) -> list[ChangeOutcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    @property
    def total_failure(self) -> bool:
        """Every change of several failed: likely one cause (a read-only key, say)."""
        return len(self.outcomes) > 1 and len(self.failed) == len(self.outcomes)

    @property
    def converged(self) -> bool:
        return self.remaining is not None and not self.remaining

    def counts(self) -> Counter[str]:
        return Counter(o.change.action for o in self.outcomes if o.ok)

    def summary(self) -> str:
        parts = [f"{n} {action.done}" for action, n in summary_counts(self.counts())]
        parts.append(f"{len(self.failed)} failed")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        title = "Apply interrupted" if self.interrupted else "Apply complete"
        return f"{title}: {', '.join(parts)}."


# How many names an interrupted run's summary shows per group: enough to recognise
# where it stopped, few enough that a 400-change plan stays readable.
FIRST_NAMES = 5
_GROUPS: tuple[tuple[Status, str], ...] = (
    ("ok", "done"),
    ("failed", "failed"),
    ("skipped", "not started"),
)


def write_report(
    report: ApplyReport,
    out: TextIO,
    *,
    verbose: bool = True,
    listed: bool = False,
    err: TextIO | None = None,
) -> None:
    """The outcome of every change, then the summary, on ``out``; a result that could
    not be confirmed is a warning, on ``err`` (stderr unless given), since stdout
    carries only the report.

    ``listed``: the progress already printed one line per change, so only those
    that went wrong are repeated. An interrupted run gets counts and first names.
    """
    if report.interrupted:
        wrote = _write_groups(report, out)
    elif report.total_failure:
        wrote = _write_total_failure(report.failed, out)
    else:
        shown = [o for o in report.outcomes if not o.ok or (verbose and not listed)]
        for outcome in shown:
            out.write(f"  {outcome.line()}\n")
        wrote = bool(shown)
    # A blank line parts the summary from what came before; quiet, nothing did.
    if report.outcomes and (wrote or verbose):
        out.write("\n")
    out.write(report.summary() + "\n")
    if report.interrupted and report.skipped:
        out.write("Run apply again to make the remaining changes.\n")
    elif report.remaining:
        out.write(
            f"The workspace has not converged: a re-plan still finds "
            f"{len(report.remaining)} change(s):\n"
        )
        for change in report.remaining:
            out.write(f"  {change.symbol} {change.shown_address}\n")
    elif report.confirm_error is not None:
        stream = err if err is not None else sys.stderr
        stream.write(f"warning: could not confirm the result: {report.confirm_error}\n")


_CAUSES_SHOWN = 3
# The statuses a rerun cannot fix: the key, the account or the manifests must change.
_FINAL_STATUSES = frozenset({400, 401, 402, 403})
_STATUS = re.compile(r"\((\d{3})\)$")


def _write_total_failure(failed: list[ChangeOutcome], out: TextIO) -> bool:
    """Every change failed: say so, and give each cause once, not once per change (a
    read-only key refuses creates and updates in their own words)."""
    causes = list(dict.fromkeys(o.detail for o in failed))
    cause = "; ".join(causes[:_CAUSES_SHOWN])
    if len(causes) > _CAUSES_SHOWN:
        cause += f"; and {len(causes) - _CAUSES_SHOWN} other cause(s)"
    statuses = {_status_of(o.detail) for o in failed}
    same = f", all with {statuses.pop()}" if len(statuses) == 1 and None not in statuses else ""
    out.write(f"Every change failed ({len(failed)}{same}): {cause}\n")
    if all(_status_of(o.detail) in _FINAL_STATUSES for o in failed):
        out.write(
            "A rerun cannot fix this: the key, the account or the manifests must change first.\n"
        )
    return True


def _status_of(detail: str) -> int | None:
    """The HTTP status an API error's message ends with, as ``... (403)``."""
    match = _STATUS.search(detail)
    return int(match.group(1)) if match else None


def _write_groups(report: ApplyReport, out: TextIO) -> bool:
    """``  done (3): job:a, job:b, job:c`` for done, failed and not started; whether
    anything was written."""
    groups: dict[Status, list[ChangeOutcome]] = {"ok": [], "failed": [], "skipped": []}
    for outcome in report.outcomes:
        groups[outcome.status].append(outcome)
    for status, label in _GROUPS:
        outcomes = groups[status]
        if not outcomes:
            continue
        names = ", ".join(o.change.shown_address for o in outcomes[:FIRST_NAMES])
        more = len(outcomes) - FIRST_NAMES
        tail = f", and {more} more" if more > 0 else ""
        out.write(f"  {label} ({len(outcomes)}): {names}{tail}\n")
    return bool(report.outcomes)
