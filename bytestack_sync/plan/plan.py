"""The plan: a value the renderers read and the executor carries out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import SafetySettings
from bytestack_sync.plan.changes import ACTIONS, Change, summary_counts
from bytestack_sync.plan.guard import DestroyGuard

# Why the plan leaves a live resource alone that differs from the manifests, in the
# order a plan counts them.
PRUNE_OFF = "undeclared (prune: off)"
# prune: pause, and a webhook: webhooks cannot be paused, so it stays as it is.
UNPAUSABLE = "undeclared (prune: pause cannot pause a webhook)"
IGNORED = "ignored"
UNTARGETED = "not targeted"
LEFT_ALONE_ORDER = (PRUNE_OFF, UNPAUSABLE, IGNORED, UNTARGETED)


class LeftAlone(NamedTuple):
    """A live resource the plan does not touch although no manifest settles it."""

    address: str
    why: str


@dataclass(frozen=True)
class Target:
    """What a plan was made against: the API URL (or ``local:PATH``) and the workspace,
    named so that a key left in the shell for another workspace shows at a glance:
    the emulator's workspace name, or a short fingerprint of the key (never the key)."""

    api_url: str
    workspace: str

    def line(self) -> str:
        return f"Target: {self.api_url}, workspace {self.workspace}"


@dataclass(frozen=True)
class Plan:
    """Ordered changes plus what is needed to check, later, that they still apply.

    ``live_fingerprints`` maps the id of every live resource the plan read to a
    digest of it as read; ``declared`` lists the addresses of declared resources that
    were not live (so apply can refuse when one appears in between). Neither holds a
    sensitive value; ``sensitive_values`` does, and is kept out of the repr.
    """

    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    managed_count: int = 0
    live_fingerprints: Mapping[str, str] = field(default_factory=dict)
    declared: tuple[str, ...] = ()
    # Works out ``manifest_digest`` when it is first read. Only a saved plan records
    # it, and digesting every declared value costs more than the rest of planning,
    # so showing or applying a plan directly never pays for it.
    digest_manifest: Callable[[], str] = field(default=str, repr=False, compare=False)
    targets: tuple[str, ...] = ()
    sensitive_values: frozenset[str] = field(default=frozenset(), repr=False)
    # {live id: address as shown}, for every id in ``live_fingerprints``: names a
    # stale resource in a refusal message.
    live_addresses: dict[str, str] = field(default_factory=dict)
    # {SHA-256 of a sensitive value: the text it was written as, e.g. ${secret:HOOK}}:
    # a saved plan stores the reference so apply can resolve it again.
    secret_templates: dict[str, str] = field(default_factory=dict, repr=False)
    # The manifest's safety.max_destroy_percent, so a saved plan keeps its guard.
    max_destroy_percent: float = SafetySettings.max_destroy_percent
    # Set by the command that read the live workspace; a library plan has none.
    target: Target | None = None
    # Every live resource read, managed or not: a saved plan records their ids, so
    # apply can refuse when one appeared since.
    live_read: tuple[LiveJob | LiveWebhook, ...] = field(default=(), repr=False, compare=False)
    # A plan read back from a file: the ids it read (None: not known) and, for each
    # managed one, keyed digests of its fields, so a refusal can name what changed.
    seen_ids: frozenset[str] | None = None
    field_digests: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    # Live resources left alone by prune: off, ignore or --target: the reason a plan
    # with no changes may still not match the workspace.
    left_alone: tuple[LeftAlone, ...] = ()

    @cached_property
    def manifest_digest(self) -> str:
        """SHA-256 over the canonical desired state; holds no plaintext secret."""
        return self.digest_manifest()

    @property
    def empty(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, int]:
        counter = Counter(c.action for c in self.changes)
        return {action.action: counter.get(action.action, 0) for action in ACTIONS}

    def destroy_guard(self, max_destroy_percent: float) -> DestroyGuard:
        counts = self.counts()
        copies = sum(1 for c in self.changes if c.copy_of is not None)
        return DestroyGuard(
            counts["delete"] - copies, counts["replace"], self.managed_count - copies,
            max_destroy_percent, copies,
        )  # fmt: skip

    @property
    def guard(self) -> DestroyGuard:
        """The destroy guard under the manifest's limit, as apply will check it."""
        return self.destroy_guard(self.max_destroy_percent)

    def left_alone_counts(self) -> dict[str, int]:
        counter = Counter(item.why for item in self.left_alone)
        return {why: counter[why] for why in LEFT_ALONE_ORDER if counter[why]}

    def left_alone_line(self) -> str:
        """What the plan left alone, counted by why: empty when nothing."""
        counts = self.left_alone_counts()
        if not counts:
            return ""
        parts = ", ".join(f"{n} {why}" for why, n in counts.items())
        return f"Left alone: {parts} (live resources this plan does not touch)."

    def summary(self) -> str:
        """Terraform's summary line, with pauses named when there are any."""
        counted = summary_counts(self.counts())
        return "Plan: " + ", ".join(f"{n} to {action.action}" for action, n in counted) + "."
