"""The changes a plan is made of: small values that own their facts.

Each class states, once, what every output says of it: Terraform's symbol, what a
plan says will happen, what a report says was done, whether its reason is shown,
and its place in the apply order. ``Change.data()`` is its one JSON form.

Apply order (spec section 4): webhook creates, then job creates, updates and
replaces, then pauses, then deletes. Each class's ``order`` states its part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan.order import natural_key
from bytestack_sync.printable import shown
from bytestack_sync.secrets import FINGERPRINT_LABEL, sensitive_display

ResourceType = Literal["job", "webhook"]
Desired = JobSpec | WebhookSpec
Live = LiveJob | LiveWebhook


class MaskedValue(str):
    """A sensitive value known only by its fingerprint: its text is the display itself.

    A saved plan holds no secret. A sensitive value it cannot resolve again from the
    environment (the live side of a rotated secret, say) comes back as this, so any
    output shows the fingerprint it was saved with rather than the value.
    """

    @classmethod
    def of(cls, fingerprint: str) -> MaskedValue:
        return cls(f"(sensitive, {FINGERPRINT_LABEL}:{fingerprint})")


@dataclass(frozen=True, repr=False)
class FieldDiff:
    """One field's old and new value, in canonical form (sets as sorted lists)."""

    field: str
    old: Any
    new: Any
    forces_replacement: bool = False
    sensitive: bool = False

    def shown(self, value: Any) -> Any:
        """The value as any output may show it."""
        if isinstance(value, MaskedValue):
            return str(value)
        if self.sensitive and isinstance(value, str):
            return sensitive_display(value)
        return value

    def __repr__(self) -> str:
        return (
            f"FieldDiff({self.field!r}, {self.shown(self.old)!r} -> {self.shown(self.new)!r}"
            f"{', forces_replacement' if self.forces_replacement else ''})"
        )

    def data(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "old": self.shown(self.old),
            "new": self.shown(self.new),
            "forces_replacement": self.forces_replacement,
            "sensitive": self.sensitive,
        }


Order = tuple[int, int]
"""A change's place in the apply order: (phase, step). Phases run one after the other,
each when the one before has ended; within a phase, changes go by step, then by key."""


def _webhooks_first(phase: int) -> dict[ResourceType, Order]:
    return {"webhook": (phase, 0), "job": (phase, 1)}


@dataclass(frozen=True, repr=False)
class Change:
    """Base of every change. ``key`` is the identity: a job's name or a webhook's URL."""

    action: ClassVar[str]  # also the verb a plan's summary counts: "2 to create"
    symbol: ClassVar[str]  # Terraform's
    outcome: ClassVar[str]  # what a plan says will happen to the resource
    done: ClassVar[str]  # what a report says was done: "2 created"
    order: ClassVar[Mapping[ResourceType, Order]]
    # Terraform counts its four actions in every summary line; the tool's own only
    # when there is one.
    always_counted: ClassVar[bool] = True
    # A create, update or replace explains itself; a pause or delete needs its reason.
    shows_reason: ClassVar[bool] = False

    resource: ResourceType
    key: str
    desired: Desired | None = None
    live: Live | None = None
    diffs: tuple[FieldDiff, ...] = ()
    reason: str = ""
    key_sensitive: bool = False
    notes: tuple[str, ...] = field(default=())
    # A delete of an exact copy: a live duplicate of a declared resource that, like
    # the one kept (this id), matches the manifest. Deleting it loses nothing the
    # manifest declares, so the destroy guard does not count it.
    copy_of: str | None = None

    @property
    def address(self) -> str:
        return f"{self.resource}:{self.display_key}"

    @property
    def display_key(self) -> str:
        if isinstance(self.key, MaskedValue):
            return str(self.key)
        return sensitive_display(self.key) if self.key_sensitive else self.key

    @property
    def shown_key(self) -> str:
        """``display_key`` as a line of output quotes it: a live name may hold any
        character, and an escape sequence in it must not reach a terminal or CI log."""
        return shown(self.display_key)

    @property
    def shown_address(self) -> str:
        return f"{self.resource}:{self.shown_key}"

    @property
    def live_id(self) -> str | None:
        return self.live.id if self.live is not None else None

    @property
    def sort_key(self) -> tuple[int, int, tuple[tuple[int, int, str], ...]]:
        """(phase, step, key): sorting by it is the apply order; its first item is the
        phase. Keys sort naturally, as a reader expects: ``job 2`` before ``job 10``."""
        phase, step = self.order[self.resource]
        return (phase, step, natural_key(self.key))

    def __repr__(self) -> str:
        # The desired and live values may hold secrets; a repr shows only what is masked.
        name = type(self).__name__
        return f"{name}({self.address!r}, live_id={self.live_id!r}, diffs={self.diffs!r})"

    def data(self) -> dict[str, Any]:
        """The JSON form; holds no sensitive value."""
        return {
            "action": self.action,
            "resource": self.resource,
            "key": self.display_key,
            "address": self.address,
            "live_id": self.live_id,
            "reason": self.reason,
            "diffs": [d.data() for d in self.diffs],
            "notes": list(self.notes),
            "copy_of": self.copy_of,
        }


@dataclass(frozen=True, repr=False)
class Create(Change):
    action: ClassVar[str] = "create"
    symbol: ClassVar[str] = "+"
    outcome: ClassVar[str] = "will be created"
    done: ClassVar[str] = "created"
    # Webhooks are registered in a phase of their own, before any job is touched (a
    # job may name one); job creates then lead the next phase.
    order: ClassVar[Mapping[ResourceType, Order]] = {"webhook": (0, 0), "job": (1, 0)}


@dataclass(frozen=True, repr=False)
class Update(Change):
    action: ClassVar[str] = "update"
    symbol: ClassVar[str] = "~"
    outcome: ClassVar[str] = "will be updated in place"
    done: ClassVar[str] = "updated"
    order: ClassVar[Mapping[ResourceType, Order]] = _webhooks_first(1)


@dataclass(frozen=True, repr=False)
class Replace(Change):
    """POST the new resource, then DELETE the old one."""

    action: ClassVar[str] = "replace"
    symbol: ClassVar[str] = "-/+"
    outcome: ClassVar[str] = "must be replaced"
    done: ClassVar[str] = "replaced"
    order: ClassVar[Mapping[ResourceType, Order]] = _webhooks_first(1)


@dataclass(frozen=True, repr=False)
class Pause(Change):
    """A PATCH of a job's status: an in-place update, so it takes an update's symbol."""

    action: ClassVar[str] = "pause"
    symbol: ClassVar[str] = "~"
    outcome: ClassVar[str] = "will be paused"
    done: ClassVar[str] = "paused"
    order: ClassVar[Mapping[ResourceType, Order]] = _webhooks_first(2)
    always_counted: ClassVar[bool] = False
    shows_reason: ClassVar[bool] = True


@dataclass(frozen=True, repr=False)
class Delete(Change):
    action: ClassVar[str] = "delete"
    symbol: ClassVar[str] = "-"
    outcome: ClassVar[str] = "will be deleted"
    done: ClassVar[str] = "deleted"
    order: ClassVar[Mapping[ResourceType, Order]] = _webhooks_first(3)
    shows_reason: ClassVar[bool] = True


ACTIONS: tuple[type[Change], ...] = (Create, Update, Replace, Pause, Delete)
# How a summary line lists the counts: Terraform's, then the tool's own.
_SUMMARY_ORDER = tuple(sorted(ACTIONS, key=lambda action: not action.always_counted))


def summary_counts(counts: Mapping[str, int]) -> list[tuple[type[Change], int]]:
    """The counts a summary line names, by action, in its order: Terraform's four
    every time, then a pause only when there is one."""
    named = ((action, counts.get(action.action, 0)) for action in _SUMMARY_ORDER)
    return [(action, n) for action, n in named if n or action.always_counted]
