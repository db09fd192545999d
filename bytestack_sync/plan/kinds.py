"""The resource kinds a plan holds: each one's field table, declared type and live model.

What the plan package knows of a field (whether it is compared and how, the order
diffs, digests and saved plans list it in, whether a secret may fill it) it reads from
``contract``'s table; this module says which Python types carry each resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan.changes import ResourceType

S = TypeVar("S", JobSpec, WebhookSpec)
L = TypeVar("L", LiveJob, LiveWebhook)
Record = JobSpec | WebhookSpec | LiveJob | LiveWebhook


@dataclass(frozen=True)
class Kind(Generic[S, L]):
    """A resource's field table with the types that carry it: declared and live."""

    table: contract.Resource
    spec: type[S]
    live: type[L]

    @property
    def resource(self) -> ResourceType:
        """The name a change and an address carry: "job", "webhook"."""
        return cast(ResourceType, self.table.kind)


JOB: Kind[JobSpec, LiveJob] = Kind(contract.JOB, JobSpec, LiveJob)
WEBHOOK: Kind[WebhookSpec, LiveWebhook] = Kind(contract.WEBHOOK, WebhookSpec, LiveWebhook)
AnyKind = Kind[JobSpec, LiveJob] | Kind[WebhookSpec, LiveWebhook]
KINDS: dict[str, AnyKind] = {JOB.table.kind: JOB, WEBHOOK.table.kind: WEBHOOK}
# By declared type and by live model.
TABLES: dict[type[Record], contract.Resource] = {
    record: kind.table for kind in KINDS.values() for record in (kind.spec, kind.live)
}


def table_of(record: Record) -> contract.Resource:
    """The field table of a declared or live record."""
    return TABLES[type(record)]
