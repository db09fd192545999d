"""The destroy guard: apply refuses a plan that destroys too much of the workspace.

A manifest directory that lost half its files in a bad merge would otherwise
plan the deletion of half the workspace; the guard makes that an explicit
decision (``--force``) rather than an accident. The arithmetic lives with the
plan (``plan.guard``), which shows the same verdict before anyone applies it.
"""

from __future__ import annotations

from bytestack_sync.errors import SafetyGuardError
from bytestack_sync.plan.plan import Plan


def check_destroy_guard(plan: Plan, max_destroy_percent: float, *, force: bool) -> None:
    """Raise SafetyGuardError when deletes + replaces exceed the limit and not ``force``."""
    guard = plan.destroy_guard(max_destroy_percent)
    if force or not guard.refuses:
        return
    raise SafetyGuardError(
        f"refusing to apply: {guard.explain()}. "
        "Check the plan, then re-run with --force to apply it anyway, or raise "
        "safety.max_destroy_percent in the manifest."
    )
