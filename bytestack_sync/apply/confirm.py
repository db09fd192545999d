"""The read after an apply that confirms the workspace converged.

With the desired state the plan was made from, the confirmation is a re-plan that
must be empty. A saved plan carries only its changes, so the re-plan then uses
what they declare (and nothing else: no pruning), and each delete or pause is
checked against the live list directly.
"""

from __future__ import annotations

from bytestack_sync.api.client import Client
from bytestack_sync.api.errors import ApiError
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.apply.operations import PAUSED
from bytestack_sync.errors import BytestackSyncError
from bytestack_sync.model import DesiredState, JobSpec, PruneMode, WebhookSpec
from bytestack_sync.plan.changes import Change, Delete, Pause
from bytestack_sync.plan.plan import Plan
from bytestack_sync.plan.planner import make_plan


def confirm(
    plan: Plan, client: Client, desired: DesiredState | None
) -> tuple[tuple[Change, ...] | None, str | None]:
    """(changes still needed, None), or (None, why the result could not be read)."""
    try:
        jobs = client.jobs.list()
        webhooks = client.webhooks.list()
    except ApiError as exc:
        return None, str(exc)
    try:
        return remaining_changes(plan, jobs, webhooks, desired), None
    except BytestackSyncError as exc:
        return None, str(exc)


def remaining_changes(
    plan: Plan,
    jobs: list[LiveJob],
    webhooks: list[LiveWebhook],
    desired: DesiredState | None,
) -> tuple[Change, ...]:
    if desired is not None:
        return make_plan(desired, jobs, webhooks, targets=plan.targets).changes
    replanned = make_plan(declared_by(plan), jobs, webhooks).changes
    by_id: dict[str, LiveJob | LiveWebhook] = {j.id: j for j in jobs}
    by_id.update({w.id: w for w in webhooks})
    return replanned + tuple(
        c for c in plan.changes if isinstance(c, Delete | Pause) and not _done(c, by_id)
    )


def declared_by(plan: Plan) -> DesiredState:
    """The desired state a saved plan's creates, updates and replaces declare."""
    jobs = [c.desired for c in plan.changes if isinstance(c.desired, JobSpec)]
    webhooks = [c.desired for c in plan.changes if isinstance(c.desired, WebhookSpec)]
    return DesiredState(
        jobs=tuple(j for j in jobs if isinstance(j, JobSpec)),
        webhooks=tuple(w for w in webhooks if isinstance(w, WebhookSpec)),
        prune=PruneMode.OFF,
        sensitive_values=plan.sensitive_values,
    )


def _done(change: Change, live: dict[str, LiveJob | LiveWebhook]) -> bool:
    current = live.get(change.live_id or "")
    if isinstance(change, Delete):
        return current is None
    return current is None or (isinstance(current, LiveJob) and current.status == PAUSED)
