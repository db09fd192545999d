"""Lock leases: the jobs an apply holds the workspace lock with, which no plan sees.

The API has no lock, so ``bytestack_sync.apply.lock`` keeps one as a paused job whose
name starts with ``LEASE_PREFIX``. Such a job is no part of any workspace a manifest
describes: the planner (and so the destroy guard and the read that confirms an
apply), the stale check of a saved plan and ``export`` leave it out, so one apply's
lease is never pruned, counted, exported or taken for a change by another. The name
alone tells a lease, so a lease is hidden from its first instant (a job is created
active and paused a request later); manifests may not declare a job so named.
"""

from __future__ import annotations

from collections.abc import Sequence

from bytestack_sync.api.models import LiveJob
from bytestack_sync.constants import LEASE_PREFIX


def is_lease_name(name: str) -> bool:
    return name.startswith(LEASE_PREFIX)


def without_leases(jobs: Sequence[LiveJob]) -> Sequence[LiveJob]:
    """``jobs`` less the lock leases; ``jobs`` itself when it holds none (the usual case)."""
    if not any(is_lease_name(job.name) for job in jobs):
        return jobs
    return [job for job in jobs if not is_lease_name(job.name)]
