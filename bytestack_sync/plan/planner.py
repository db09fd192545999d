"""The planner: ``(desired, live) -> Plan``, a pure function.

Identity is a job's name and a webhook's URL. A declared resource that is live is
compared semantically (see ``compare``); one that is not is created; a live one
that no manifest declares is pruned according to ``prune`` unless ``ignore``
matches it. Nothing here does I/O.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.collector import collector_paused
from bytestack_sync.errors import ProtectedResourceError
from bytestack_sync.model import DesiredState, IgnoreRules, JobSpec, PruneMode
from bytestack_sync.plan import compare, kinds
from bytestack_sync.plan.changes import (
    Change,
    Create,
    Delete,
    Pause,
    Replace,
    ResourceType,
    Update,
)
from bytestack_sync.plan.digest import (
    LiveFingerprints,
    SecretCodec,
    manifest_digest,
    template_index,
)
from bytestack_sync.plan.kinds import L, S
from bytestack_sync.plan.leases import without_leases
from bytestack_sync.plan.order import natural_key, oldest_first
from bytestack_sync.plan.plan import (
    IGNORED,
    PRUNE_OFF,
    UNPAUSABLE,
    UNTARGETED,
    LeftAlone,
    Plan,
)
from bytestack_sync.plan.renames import flag_renames
from bytestack_sync.plan.targets import Targets, parse_targets
from bytestack_sync.secrets import sensitive_display


@dataclass(frozen=True)
class _Kind(Generic[S, L]):
    """What the planner needs to know about one resource type."""

    resource: ResourceType
    key_field: str
    # The fields a secret may fill, other than the key (equal on both sides by
    # definition): where a live value may be the old value of a rotated secret.
    secret_fields: tuple[str, ...]
    fields: tuple[str, ...]
    replace_fields: tuple[str, ...]
    spec_key: Callable[[S], str]
    live_key: Callable[[L], str]
    same_form: Callable[[S, L], bool]
    spec_values: Callable[[S], compare.Values]
    live_values: Callable[[L], compare.Values]
    ignored: Callable[[IgnoreRules, str], bool]
    pausable: bool

    def keys(self, specs: Sequence[S], lives: Sequence[L]) -> list[str]:
        return [*map(self.spec_key, specs), *map(self.live_key, lives)]


def _kind(
    kind: kinds.Kind[S, L],
    comparer: compare.Comparer[S, L],
    ignored: Callable[[IgnoreRules, str], bool],
    *,
    pausable: bool,
) -> _Kind[S, L]:
    table = kind.table
    key = operator.attrgetter(table.key)
    secret = tuple(f.name for f in table.fields if f.secret and f.name != table.key)
    return _Kind(
        kind.resource, table.key, secret, comparer.fields, table.replace_fields,
        key, key, comparer.same_form, comparer.values, comparer.values, ignored, pausable,
    )  # fmt: skip


JOBS = _kind(kinds.JOB, compare.JOBS, IgnoreRules.ignores_job, pausable=True)
WEBHOOKS = _kind(kinds.WEBHOOK, compare.WEBHOOKS, IgnoreRules.ignores_webhook, pausable=False)


@dataclass
class _Draft:
    """The plan being built; the reconcile steps append to it."""

    secrets: frozenset[str]
    scope: Targets
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    managed: int = 0
    tracked: list[LiveJob | LiveWebhook] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)
    declared: list[str] = field(default_factory=list)
    left_alone: list[LeftAlone] = field(default_factory=list)

    def display(self, key: str, sensitive: bool = False) -> str:
        return sensitive_display(key) if sensitive or key in self.secrets else key

    def track(self, lives: Sequence[LiveJob | LiveWebhook], address: str) -> None:
        """Note the live resources the plan relies on, for the stale check."""
        self.tracked.extend(lives)
        for live in lives:
            self.addresses[live.id] = address

    def leave(self, lives: Sequence[LiveJob | LiveWebhook], address: str, why: str) -> None:
        """Note live resources the plan leaves alone, and why."""
        self.left_alone.extend(LeftAlone(address, why) for _ in lives)


def make_plan(
    desired: DesiredState,
    live_jobs: Sequence[LiveJob],
    live_webhooks: Sequence[LiveWebhook],
    *,
    targets: Sequence[str] = (),
) -> Plan:
    """Every change that makes the live workspace match ``desired``, in apply order.

    Raises ``ProtectedResourceError`` naming every protected job the plan would
    delete or replace, and ``UsageError`` for a malformed target.
    """
    scope = parse_targets(targets)
    live_jobs = without_leases(live_jobs)  # another apply's lock: no part of the workspace
    with collector_paused():
        jobs, webhooks = _index_live(JOBS, live_jobs), _index_live(WEBHOOKS, live_webhooks)
        secrets = desired.sensitive_values | desired.tree_secrets
        if secrets:
            neighbours, plain = desired.tree_sensitive, desired.plain_values()
            secrets = secrets.union(
                _former_secrets(JOBS, desired.jobs, jobs, secrets, neighbours, plain),
                _former_secrets(WEBHOOKS, desired.webhooks, webhooks, secrets, neighbours, plain),
            )
        draft = _Draft(secrets, scope)
        _reconcile(JOBS, desired.jobs, jobs, desired, draft)
        _reconcile(WEBHOOKS, desired.webhooks, webhooks, desired, draft)
        draft.changes = flag_renames(draft.changes, {spec.name for spec in desired.jobs})
        if not scope.everything:
            keys: dict[ResourceType, list[str]] = {
                JOBS.resource: JOBS.keys(desired.jobs, live_jobs),
                WEBHOOKS.resource: WEBHOOKS.keys(desired.webhooks, live_webhooks),
            }
            draft.warnings.extend(scope.unmatched_warnings(keys, draft.display))
        if draft.refusals:
            raise ProtectedResourceError("\n".join(draft.refusals))
        return _finish(desired, draft, targets)


def _finish(desired: DesiredState, draft: _Draft, targets: Sequence[str]) -> Plan:
    templates = template_index(desired)
    codec = SecretCodec(desired.sensitive_values, templates)
    return Plan(
        changes=tuple(sorted(draft.changes, key=lambda c: c.sort_key)),
        warnings=(*desired.warnings, *draft.warnings),
        managed_count=draft.managed,
        live_fingerprints=LiveFingerprints(draft.tracked),
        declared=tuple(sorted(draft.declared, key=natural_key)),
        digest_manifest=functools.partial(manifest_digest, desired, codec),
        targets=tuple(targets),
        sensitive_values=draft.secrets,
        live_addresses=draft.addresses,
        secret_templates=templates,
        max_destroy_percent=desired.safety.max_destroy_percent,
        left_alone=tuple(sorted(draft.left_alone, key=lambda x: natural_key(x.address))),
    )


def _former_secrets(
    kind: _Kind[S, L],
    specs: Sequence[S],
    index: dict[str, list[L]],
    secrets: frozenset[str],
    neighbours: Sequence[tuple[str, str, frozenset[str]]] = (),
    plain: frozenset[str] = frozenset(),
) -> set[str]:
    """Live values that a sensitive field held before: sensitive too.

    A rotated secret leaves its old value on the live side (a job's old webhook URL,
    and the webhook registered under it). The live resource with the identity of a
    resource declared here or in the tree's other files (``neighbours``) holds, in
    each field declared sensitive or set to a secret, the value that field had; any
    output must mask it wherever else it appears.

    A secret rotated together with a rename, or a secret identity (a job name or
    webhook URL from ``${secret:...}``) rotated, leaves a live resource that nothing
    links to the new one. So a field that is sensitive in any resource of a kind
    is masked in every live one of that kind that nothing declares, and so is the
    identity when it is sensitive anywhere: unless the manifests write that value
    in plain text (public already, and masking it would hide it where a reviewer
    must see it).
    """
    owned: list[tuple[str, list[str]]] = []
    anywhere: set[str] = set()
    for spec in specs:
        anywhere.update(spec.sensitive)
        names = [
            n for n in kind.secret_fields if n in spec.sensitive or getattr(spec, n) in secrets
        ]
        owned.append((kind.spec_key(spec), names))
    for resource, key, fields in neighbours:
        if resource == kind.resource:
            anywhere.update(fields)
            owned.append((key, [n for n in kind.secret_fields if n in fields]))
    former: set[str] = set()
    for key, names in owned:
        for live in index.get(key, ()) if names else ():
            former.update(_texts(live, names))
    names = [n for n in kind.secret_fields if n in anywhere]
    if names or kind.key_field in anywhere:
        known = {key for key, _ in owned}
        key_secret = kind.key_field in anywhere
        for key, lives in index.items():
            if key in known:
                continue
            if key_secret and key not in plain:
                former.add(key)
            for live in lives:
                former.update(v for v in _texts(live, names) if v not in plain)
    return former


def _texts(live: object, names: Sequence[str]) -> list[str]:
    values = (getattr(live, name) for name in names)
    return [v for v in values if isinstance(v, str) and v]


def _reconcile(
    kind: _Kind[S, L],
    specs: Sequence[S],
    index: dict[str, list[L]],
    desired: DesiredState,
    draft: _Draft,
) -> None:
    everything = draft.scope.everything
    for spec in specs:
        key = kind.spec_key(spec)
        found = index.pop(key, [])
        draft.managed += len(found)
        if everything or draft.scope.includes(kind.resource, key):
            _reconcile_declared(kind, spec, key, found, draft)
        elif found:
            address = f"{kind.resource}:{draft.display(key, kind.key_field in spec.sensitive)}"
            draft.leave(found, address, UNTARGETED)
    for key in sorted(index, key=natural_key):
        if kind.ignored(desired.ignore, key):
            draft.leave(index[key], f"{kind.resource}:{draft.display(key)}", IGNORED)
        else:
            _prune(kind, key, index[key], desired.prune, draft)


def _index_live(kind: _Kind[S, L], lives: Sequence[L]) -> dict[str, list[L]]:
    """Live resources by identity, oldest first (see ``oldest_first``)."""
    index = {kind.live_key(live): [live] for live in lives}
    if len(index) == len(lives):
        return index  # no duplicates: the usual case, in one pass
    index = {}
    for live in lives:
        index.setdefault(kind.live_key(live), []).append(live)
    # Only duplicates need an order; sorting every group would cost a key per resource.
    return {key: oldest_first(group) if len(group) > 1 else group for key, group in index.items()}


def _reconcile_declared(
    kind: _Kind[S, L], spec: S, key: str, found: list[L], draft: _Draft
) -> None:
    display = draft.display(key, kind.key_field in spec.sensitive)
    if not found:
        draft.declared.append(f"{kind.resource}:{display}")
        draft.changes.append(_create(kind, spec, kind.spec_values(spec), display != key, draft))
        return
    draft.track(found, f"{kind.resource}:{display}")
    if len(found) == 1 and kind.same_form(spec, found[0]):
        return  # the usual case, settled without another call
    match = _first_match(kind, spec, found)
    keeper = match if match is not None else found[0]
    if len(found) > 1:
        _delete_duplicates(kind, spec, found, keeper, match is not None, draft)
    if match is None:
        draft.changes.append(_modify(kind, spec, keeper, kind.spec_values(spec), draft))


def _first_match(kind: _Kind[S, L], spec: S, found: list[L]) -> L | None:
    """The first live resource semantically equal to ``spec``: equal forms settle it
    at once; the field-by-field comparison runs only for a pair whose forms differ."""
    want: compare.Values | None = None
    for live in found:
        if kind.same_form(spec, live):
            return live
        want = want if want is not None else kind.spec_values(spec)
        if compare.same_record(kind.live_values(live), want, kind.fields):
            return live
    return None


def _create(
    kind: _Kind[S, L], spec: S, want: compare.Values, key_sensitive: bool, draft: _Draft
) -> Change:
    diffs = compare.field_diffs(
        None, want, kind.fields, kind.replace_fields,
        sensitive_fields=spec.sensitive, secrets=draft.secrets,
    )  # fmt: skip
    notes: tuple[str, ...] = ()
    if isinstance(spec, JobSpec) and spec.status != contract.DEFAULT_JOB_STATUS:
        notes = (f"the API creates jobs {contract.DEFAULT_JOB_STATUS}: it is {spec.status} "
                 "right after",)  # fmt: skip
    return Create(
        kind.resource, kind.spec_key(spec), desired=spec, diffs=diffs,
        reason="declared, not in the live workspace", key_sensitive=key_sensitive, notes=notes,
    )  # fmt: skip


def _modify(kind: _Kind[S, L], spec: S, live: L, want: compare.Values, draft: _Draft) -> Change:
    diffs = compare.field_diffs(
        kind.live_values(live), want, kind.fields, kind.replace_fields,
        sensitive_fields=spec.sensitive, secrets=draft.secrets,
    )  # fmt: skip
    key = kind.spec_key(spec)
    key_sensitive = draft.display(key, kind.key_field in spec.sensitive) != key
    forced = [d.field for d in diffs if d.forces_replacement]
    if not forced:
        names = ", ".join(d.field for d in diffs)
        return Update(
            kind.resource, key, desired=spec, live=live, diffs=diffs,
            reason=f"{names} differ{'s' if len(diffs) == 1 else ''}: updated in place",
            key_sensitive=key_sensitive,
        )  # fmt: skip
    address = f"{kind.resource}:{draft.display(key, key_sensitive)}"
    reason = f"{' and '.join(forced)} cannot be updated in place: forces replacement"
    notes: tuple[str, ...]
    if isinstance(spec, JobSpec):
        notes = (f"the new job gets a new id: its results are stored under a new job id "
                 f"(the results of {live.id} stay under {live.id})",)  # fmt: skip
        if spec.status != contract.DEFAULT_JOB_STATUS:
            notes += (f"the API creates jobs {contract.DEFAULT_JOB_STATUS}: the new one is "
                      f"{spec.status} right after",)  # fmt: skip
        if spec.protect:
            draft.refusals.append(
                f"{address} is protected (protect: true) but the plan would replace it: "
                f"{reason}; its results would be stored under a new job id. "
                "Remove protect: true to allow it."
            )
    else:
        notes = ("webhooks have no update: the new one is registered, then the old one deleted",)
    return Replace(
        kind.resource, key, desired=spec, live=live, diffs=diffs, reason=reason,
        key_sensitive=key_sensitive, notes=notes,
    )  # fmt: skip


def _delete_duplicates(
    kind: _Kind[S, L], spec: S, found: list[L], keeper: L, matched: bool, draft: _Draft
) -> None:
    key = kind.spec_key(spec)
    key_sensitive = kind.key_field in spec.sensitive
    address = f"{kind.resource}:{draft.display(key, key_sensitive)}"
    why = "it matches the manifest" if matched else "the oldest; none matches the manifest"
    ids = ", ".join(x.id for x in found)
    # A copy that matches the manifest as the kept one does holds nothing the
    # manifest would lose: the destroy guard does not count its delete.
    copies = [x for x in found if x is not keeper and matched and _first_match(kind, spec, [x])]
    exact = (f"; {len(copies)} of them exact copies, whose deletes the destroy guard does "
             "not count") if copies else ""  # fmt: skip
    draft.warnings.append(
        f"{len(found)} live {kind.resource}s share the {kind.key_field} of {address} ({ids}): "
        f"keeping {keeper.id} ({why}) and deleting the others{exact}"
    )
    for live in found:
        if live is keeper:
            continue
        copy = any(x is live for x in copies)
        uncounted = "; an exact copy of it, not counted by the destroy guard" if copy else ""
        reason = (f"duplicate of {address}: the manifest declares one, keeping {keeper.id} "
                  f"({why}){uncounted}")  # fmt: skip
        delete = _delete(kind, live, reason, draft, key_sensitive)
        draft.changes.append(replace(delete, copy_of=keeper.id) if copy else delete)
        if getattr(spec, "protect", False):
            draft.refusals.append(
                f"{address} is protected (protect: true) but the plan would delete its live "
                f"duplicate {live.id} ({reason}). Delete the duplicate by hand or remove "
                "protect: true to allow it."
            )


def _delete(
    kind: _Kind[S, L], live: L, reason: str, draft: _Draft, key_sensitive: bool = False
) -> Delete:
    key = kind.live_key(live)
    diffs = compare.field_diffs(
        kind.live_values(live), None, kind.fields, kind.replace_fields, secrets=draft.secrets,
        sensitive_fields=frozenset({"webhook_url"}) if key_sensitive else frozenset(),
    )  # fmt: skip
    return Delete(
        kind.resource, key, live=live, diffs=diffs, reason=reason,
        key_sensitive=draft.display(key, key_sensitive) != key,
    )  # fmt: skip


def _prune(kind: _Kind[S, L], key: str, found: list[L], mode: PruneMode, draft: _Draft) -> None:
    """A live resource no manifest declares: delete it, pause it, or leave it."""
    display = draft.display(key)
    if mode is PruneMode.OFF:
        draft.leave(found, f"{kind.resource}:{display}", PRUNE_OFF)
        return
    in_scope = draft.scope.includes(kind.resource, key)
    if mode is PruneMode.PAUSE and not kind.pausable:
        if in_scope:
            draft.warnings.append(
                f"{kind.resource}:{display} is not declared; prune: pause leaves it in "
                f"place ({kind.resource}s cannot be paused)"
            )
            draft.leave(found, f"{kind.resource}:{display}", UNPAUSABLE)
        return
    draft.managed += len(found)
    if not in_scope:
        draft.leave(found, f"{kind.resource}:{display}", UNTARGETED)
        return
    draft.track(found, f"{kind.resource}:{display}")
    for live in found:
        reason = f"not declared in any manifest (prune: {mode.value})"
        if mode is PruneMode.DELETE:
            draft.changes.append(_delete(kind, live, reason, draft))
        elif isinstance(live, LiveJob) and live.status == contract.JOB_ACTIVE:
            draft.changes.append(_pause(live, reason, draft))


def _pause(live: LiveJob, reason: str, draft: _Draft) -> Pause:
    diffs = compare.field_diffs(
        {"status": live.status}, {"status": contract.JOB_PAUSED}, ("status",), (),
        secrets=draft.secrets,
    )  # fmt: skip
    return Pause(
        "job", live.name, live=live, diffs=diffs, reason=reason,
        key_sensitive=live.name in draft.secrets,
    )  # fmt: skip
