"""The changes a plan is made of: small values with a fixed order and a JSON form.

Apply order (spec section 4): webhook creates, then job creates, updates and
replaces, then pauses, then deletes. ``Change.sort_key`` encodes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.secrets import sensitive_display

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
        return cls(f"(sensitive, sha256:{fingerprint})")


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


@dataclass(frozen=True, repr=False)
class Change:
    """Base of every change. ``key`` is the identity: a job's name or a webhook's URL."""

    action: ClassVar[str] = ""
    # Position in the apply order; lower runs first.
    phase: ClassVar[int] = 0

    resource: ResourceType
    key: str
    desired: Desired | None = None
    live: Live | None = None
    diffs: tuple[FieldDiff, ...] = ()
    reason: str = ""
    key_sensitive: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def address(self) -> str:
        return f"{self.resource}:{self.display_key}"

    @property
    def display_key(self) -> str:
        if isinstance(self.key, MaskedValue):
            return str(self.key)
        return sensitive_display(self.key) if self.key_sensitive else self.key

    @property
    def live_id(self) -> str | None:
        return self.live.id if self.live is not None else None

    @property
    def sort_key(self) -> tuple[int, int, str]:
        resource_rank = 0 if self.resource == "webhook" else 1
        return (self.phase, resource_rank, self.key)

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
        }


@dataclass(frozen=True, repr=False)
class Create(Change):
    action: ClassVar[str] = "create"
    phase: ClassVar[int] = 1

    @property
    def sort_key(self) -> tuple[int, int, str]:
        # Webhooks are registered before any job is touched.
        return (0 if self.resource == "webhook" else 1, 0, self.key)


@dataclass(frozen=True, repr=False)
class Update(Change):
    action: ClassVar[str] = "update"
    phase: ClassVar[int] = 1


@dataclass(frozen=True, repr=False)
class Replace(Change):
    """POST the new resource, then DELETE the old one."""

    action: ClassVar[str] = "replace"
    phase: ClassVar[int] = 1

    @property
    def forced_by(self) -> tuple[str, ...]:
        return tuple(d.field for d in self.diffs if d.forces_replacement)


@dataclass(frozen=True, repr=False)
class Pause(Change):
    action: ClassVar[str] = "pause"
    phase: ClassVar[int] = 2


@dataclass(frozen=True, repr=False)
class Delete(Change):
    action: ClassVar[str] = "delete"
    phase: ClassVar[int] = 3


ACTIONS: tuple[type[Change], ...] = (Create, Update, Replace, Pause, Delete)
