"""The destroy guard: apply refuses a plan that destroys too much of the workspace.

A manifest directory that lost half its files in a bad merge would otherwise
plan the deletion of half the workspace; the guard makes that an explicit
decision (``--force``) rather than an accident.
"""

from __future__ import annotations

from bytestack_sync.errors import SafetyGuardError
from bytestack_sync.plan.plan import Plan

# Below this many managed resources any change is a large fraction: no guard.
MIN_GUARDED = 4


def destroy_count(plan: Plan) -> int:
    counts = plan.counts()
    return counts["delete"] + counts["replace"]


def check_destroy_guard(plan: Plan, max_destroy_percent: float, *, force: bool) -> None:
    """Raise SafetyGuardError when deletes + replaces exceed the limit and not ``force``."""
    managed = plan.managed_count
    destroyed = destroy_count(plan)
    if force or managed < MIN_GUARDED or destroyed == 0:
        return
    percent = 100.0 * destroyed / managed
    if percent <= max_destroy_percent:
        return
    counts = plan.counts()
    raise SafetyGuardError(
        f"refusing to apply: {counts['delete']} delete(s) and {counts['replace']} "
        f"replace(s) would destroy {destroyed} of {managed} managed resources "
        f"({percent:.0f}%), more than max_destroy_percent ({max_destroy_percent:g}%). "
        "Check the plan, then re-run with --force to apply it anyway, or raise "
        "safety.max_destroy_percent in the manifest."
    )
