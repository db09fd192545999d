"""The user-facing errors and the exit codes they map to.

    BytestackSyncError            exit 1   an expected error: one clear message, no traceback
    ├── UsageError                exit 1   bad arguments or options
    ├── ManifestError             exit 1   invalid manifests (carries every problem found)
    ├── NothingToPlanError        exit 1   an empty input that would delete everything
    ├── EnvironmentVariableError  exit 1   a variable is not set (e.g. a secret at apply FILE)
    └── RefusedError              exit 4   apply refused: stale plan, guard, protected resource
        ├── StalePlanError                 incl. a plan made for another target
        ├── PlanFileError                  altered, truncated or foreign-version plan file
        ├── SafetyGuardError
        ├── ProtectedResourceError
        └── WorkspaceLockedError           another apply holds the workspace lock

API errors (``bytestack_sync.api.errors.ApiError``) are expected errors too; the
CLI's handler maps them to exit 1. Anything else is a bug: exit 70 (``EX_SOFTWARE``
of sysexits.h, so a script can tell a bug from a bad manifest), one line asking
for a rerun with ``--debug`` and a report, and a traceback only under ``--debug``.

The exit codes are defined here and nowhere else:

    0    EXIT_OK               success; ``plan --detailed-exitcode``: no changes
    1    EXIT_ERROR            an expected error (above)
    2    EXIT_CHANGES_PENDING  ``plan --detailed-exitcode``: changes pending
    3    EXIT_APPLY_FAILED     ``apply``: some changes failed
    4    EXIT_REFUSED          ``apply`` refused (above)
    70   EXIT_BUG              an unexpected error: a bug
    130  EXIT_INTERRUPTED      interrupted (Ctrl-C)
    143  EXIT_TERMINATED       terminated (SIGTERM: 128 + 15, as a shell reports it)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bytestack_sync.model import Location

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES_PENDING = 2
EXIT_APPLY_FAILED = 3
EXIT_REFUSED = 4
EXIT_BUG = 70
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class BytestackSyncError(Exception):
    exit_code = EXIT_ERROR


class UsageError(BytestackSyncError):
    pass


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about a manifest: where, what, and whether it blocks."""

    location: Location
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.location}: {prefix}{self.message}"


# Past this many, problems are counted, not printed: the first ones are what to fix
# first, and 40,000 lines of a generated file's mistakes would bury them.
MAX_PROBLEMS_SHOWN = 100


def shown_problems(problems: Sequence[Problem]) -> tuple[Sequence[Problem], str | None]:
    """The problems to print, in order, and the line that counts the rest (None when
    every one is printed)."""
    if len(problems) <= MAX_PROBLEMS_SHOWN:
        return problems, None
    rest = len(problems) - MAX_PROBLEMS_SHOWN
    return problems[:MAX_PROBLEMS_SHOWN], f"… and {rest:,} more"


class ManifestError(BytestackSyncError):
    """Invalid manifests; ``problems`` holds every one found, errors and warnings."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "invalid manifest")


class NothingToPlanError(BytestackSyncError):
    pass


class RefusedError(BytestackSyncError):
    exit_code = EXIT_REFUSED


class StalePlanError(RefusedError):
    pass


class SafetyGuardError(RefusedError):
    pass


class ProtectedResourceError(RefusedError):
    pass


class WorkspaceLockedError(RefusedError):
    pass


class PlanFileError(RefusedError):
    """A saved plan that cannot be trusted: altered, truncated, foreign or unsigned."""


class EnvironmentVariableError(BytestackSyncError):
    """A variable a command needs is not set: fix the environment and rerun."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be so it is handled the same way: CI runners
    and Kubernetes cancel a job with it, and the run must still stop cleanly."""
