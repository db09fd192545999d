"""Saved plans: ``plan --out FILE`` writes one, ``apply FILE`` reads it and checks it still holds.

The file is a self-contained JSON document: the target it was made for, the
changes with the desired values needed to execute them, the live ids they touch,
and digests of everything the plan read. It holds no secret and no key: each
sensitive value is a reference (the text as written, e.g. ``${secret:HOOK}``, and
its fingerprint) resolved again at apply. It is signed (``plan.signing``), and
``apply FILE`` checks the signature before it reads anything else: what it shows
and what it executes are then the very changes that were reviewed.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from bytestack_sync import __version__
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.errors import (
    BytestackSyncError,
    EnvironmentVariableError,
    PlanFileError,
    StalePlanError,
)
from bytestack_sync.files import MIB, NotReadable, read_regular, write_text_atomic
from bytestack_sync.plan import signing
from bytestack_sync.plan.changes import Change, MaskedValue
from bytestack_sync.plan.compare import COMPARERS
from bytestack_sync.plan.digest import SecretCodec, live_digest
from bytestack_sync.plan.kinds import table_of
from bytestack_sync.plan.leases import without_leases
from bytestack_sync.plan.plan import LeftAlone, Plan, Target
from bytestack_sync.plan.savecheck import inconsistency
from bytestack_sync.plan.savecodec import SecretResolver, from_saved_form, saved_form
from bytestack_sync.secrets import Redactor, sensitive_display

FORMAT = "bytestack-sync-plan"
# 2: live fingerprints and the manifest digest hash compact JSON rows (a plan from
# format 1 would be refused as stale anyway; the version makes the reason plain).
# 3: signed; records its target, every live id read and keyed digests of fields.
# 4: records what the plan left alone, so that `show` says it as the plan did.
# 5: fingerprints of sensitive values are keyed with the API key (``secrets``).
# 6: a delete records whether it removes an exact copy (``Change.copy_of``).
FORMAT_VERSION = 6
# A plan of 10,000 changes is about 10 MiB, and nests 6 levels deep.
MAX_PLAN_BYTES = 256 * MIB
MAX_PLAN_DEPTH = 32
REMAKE = "make a new plan with `bytestack-sync plan --out FILE` and review it"


def plan_document(plan: Plan, *, signing_key: bytes, now: datetime | None = None) -> dict[str, Any]:
    """The saved form of a plan, signed with ``signing_key``: JSON-ready, with no
    sensitive value and no key in it."""
    codec = SecretCodec(plan.sensitive_values, plan.secret_templates)
    moment = now or datetime.now(timezone.utc)
    managed = set(plan.live_fingerprints)
    target = plan.target
    redact = Redactor(plan.sensitive_values)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "created_at": moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "target": None if target is None else dataclasses.asdict(target),
        "manifest_digest": plan.manifest_digest,
        # As the plan showed them: a pattern may name a secret (``--target job:$NAME``).
        "targets": [redact(t) for t in plan.targets],
        "managed_count": plan.managed_count,
        "max_destroy_percent": plan.max_destroy_percent,
        "warnings": list(plan.warnings),
        "declared": list(plan.declared),
        "live_ids": sorted(managed | {x.id for x in plan.live_read}),
        "live_fingerprints": dict(sorted(plan.live_fingerprints.items())),
        "live_fields": {
            x.id: signing.field_digests(x, signing_key)
            for x in sorted(plan.live_read, key=lambda x: x.id)
            if x.id in managed
        },
        "live_addresses": dict(sorted(plan.live_addresses.items())),
        # As the plan shows them (a sensitive address is already masked), for `show`.
        "left_alone": [[item.address, item.why] for item in plan.left_alone],
        "changes": [saved_form(c, codec) for c in plan.changes],
    }
    document[signing.SIGNATURE] = signing.sign(document, signing_key)
    return document


def write_plan(plan: Plan, path: str | os.PathLike[str], *, signing_key: bytes) -> None:
    document = plan_document(plan, signing_key=signing_key)
    write_text_atomic(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def read_plan(
    path: str | os.PathLike[str],
    *,
    environ: Mapping[str, str],
    signing_key: bytes,
    target: Target | None = None,
) -> Plan:
    """Rebuild a saved plan, resolving its sensitive values again from ``environ``.

    Checked first, before any value is read: the file is a plan of this format
    version, made for ``target`` (when given), and signed with ``signing_key``.
    Raises ``PlanFileError`` or ``StalePlanError`` (exit 4) when it is not.
    """
    document = load_document(path)
    if target is not None:
        check_target(document, target)
    if not signing.verifies(document, signing_key):
        raise PlanFileError(
            f"{path}: the saved plan's signature does not match: the file was changed "
            "after it was made, or it was made with another API key; " + REMAKE
        )
    return plan_from_document(document, path, environ)


def check_target(document: Mapping[str, Any], target: Target) -> None:
    """``StalePlanError`` naming both targets when the plan was made for another."""
    saved = document.get("target")
    try:
        made_for = Target(**saved) if isinstance(saved, dict) else None
    except TypeError:  # not a target as this version writes one: as good as none
        made_for = None
    if made_for != target:
        named = made_for.line().removeprefix("Target: ") if made_for else "no target"
        raise StalePlanError(
            f"the saved plan was made for {named}, but this apply is against "
            f"{target.line().removeprefix('Target: ')}; {REMAKE}"
        )


def plan_from_document(
    document: Mapping[str, Any], path: str | os.PathLike[str], environ: Mapping[str, str] | None
) -> Plan:
    """The plan a loaded document holds; ``environ=None`` leaves every secret masked."""
    secrets = SecretResolver(environ)
    try:
        changes = tuple(from_saved_form(c, secrets) for c in document["changes"])
        for change in changes:
            why = inconsistency(change)
            if why is not None:
                raise PlanFileError(
                    f"{path}: the saved plan is inconsistent: {change.address}: {why}; " + REMAKE
                )
        saved_target = document["target"]
        return Plan(
            changes=changes,
            warnings=tuple(str(w) for w in document["warnings"]),
            managed_count=int(document["managed_count"]),
            live_fingerprints={str(k): str(v) for k, v in document["live_fingerprints"].items()},
            declared=tuple(str(d) for d in document["declared"]),
            digest_manifest=functools.partial(str, document["manifest_digest"]),
            targets=tuple(str(t) for t in document["targets"]),
            sensitive_values=frozenset(secrets.values),
            live_addresses={str(k): str(v) for k, v in document["live_addresses"].items()},
            secret_templates=secrets.templates,
            max_destroy_percent=float(document["max_destroy_percent"]),
            target=None if saved_target is None else Target(**saved_target),
            seen_ids=frozenset(str(i) for i in document["live_ids"]),
            field_digests={str(k): dict(v) for k, v in document["live_fields"].items()},
            left_alone=tuple(LeftAlone(str(a), str(w)) for a, w in document["left_alone"]),
        )
    except (StalePlanError, EnvironmentVariableError, PlanFileError):
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlanFileError(f"{path}: not a valid saved plan ({_why(exc)})") from None


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def load_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON of a saved plan of this format version; ``PlanFileError`` otherwise."""
    if not os.path.lexists(path):
        raise BytestackSyncError(f"{path}: no such plan file")
    try:
        data = read_regular(path, MAX_PLAN_BYTES)
    except NotReadable as exc:
        raise BytestackSyncError(f"{path}: cannot read: {exc}") from None
    try:
        document = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise _too_deep(path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanFileError(
            f"{path}: not a readable saved plan: it is truncated or not JSON ({exc}); " + REMAKE
        ) from None
    if _deeper_than(document, MAX_PLAN_DEPTH):
        raise _too_deep(path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PlanFileError(f"{path} is not a saved plan (made by bytestack-sync plan --out)")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanFileError(
            f"{path}: saved plan format {version!r} is not supported by this version "
            f"({__version__}, format {FORMAT_VERSION}); " + REMAKE
        )
    return document


def _too_deep(path: str | os.PathLike[str]) -> PlanFileError:
    return PlanFileError(
        f"{path}: not a valid saved plan: it is nested deeper than {MAX_PLAN_DEPTH} levels"
    )


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether a JSON value nests lists and objects more than ``limit`` deep; without
    recursion, so that what reads the document later has a depth it can handle."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            if depth >= limit:
                return True
            stack.extend((item, depth + 1) for item in value)
    return False


def _stale(
    plan: Plan, live_jobs: Sequence[LiveJob], live_webhooks: Sequence[LiveWebhook], key: bytes
) -> list[tuple[str, str]]:
    """(address, what happened) for every stale resource.

    Every live resource the plan read and manages must be unchanged (a change the
    plan did not see may make its changes wrong), no declared resource it would
    create may have appeared, and no live resource it did not read may exist.
    """
    # A lock lease (this apply's own, or another's) is no change to the workspace.
    lives: list[LiveJob | LiveWebhook] = [*without_leases(live_jobs), *live_webhooks]
    current = {x.id: x for x in lives}
    stale: list[tuple[str, str]] = []
    for live_id, digest in sorted(plan.live_fingerprints.items()):
        address = plan.live_addresses.get(live_id, live_id)
        now = current.get(live_id)
        if now is None:
            stale.append((address, f"{live_id} was deleted"))
        elif live_digest(now) != digest:
            stale.append((address, f"{live_id} changed{_changed_fields(plan, now, key)}"))
    declared = set(plan.declared)
    appeared = set()
    for live in lives:
        for address in _addresses(live):
            if address in declared:
                stale.append((address, f"{live.id} appeared"))
                appeared.add(live.id)
    seen = plan.seen_ids
    for live in sorted(lives, key=lambda x: x.id):
        if seen is not None and live.id not in seen and live.id not in appeared:
            # Named by id only: an undeclared resource's key may be a secret no
            # manifest names, so the redactor could not know it.
            stale.append((f"{table_of(live).kind} {live.id}", "appeared (not declared)"))
    return stale


def _changed_fields(plan: Plan, now: LiveJob | LiveWebhook, key: bytes) -> str:
    """``": prompt, schedule"``: the fields whose keyed digests moved, by name."""
    before = plan.field_digests.get(now.id)
    if not before:
        return ""
    after = signing.field_digests(now, key)
    names = sorted(n for n in after.keys() | before.keys() if after.get(n) != before.get(n))
    return ": " + ", ".join(names) if names else ""


def _addresses(live: LiveJob | LiveWebhook) -> tuple[str, str]:
    """Both forms a declared address may take: the key, or its sensitive display."""
    table = table_of(live)
    key = getattr(live, table.key)
    return f"{table.kind}:{key}", f"{table.kind}:{sensitive_display(key)}"


def refuse_if_stale(
    plan: Plan,
    live_jobs: Sequence[LiveJob],
    live_webhooks: Sequence[LiveWebhook],
    *,
    signing_key: bytes,
) -> None:
    """Raise ``StalePlanError`` (exit 4) naming every resource that changed since the
    plan, and the fields that changed, by name."""
    stale = _stale(plan, live_jobs, live_webhooks, signing_key)
    if stale:
        listed = "\n".join(f"  {address}: {what}" for address, what in stale)
        raise StalePlanError(
            f"the saved plan is stale: the live workspace changed since it was made:\n{listed}\n"
            "Make a new plan and review it."
        )


def reattach_live(
    plan: Plan, live_jobs: Sequence[LiveJob], live_webhooks: Sequence[LiveWebhook]
) -> Plan:
    """The plan with its live objects (and masked values) taken from a fresh read.

    A saved plan cannot hold the live side of a rotated secret, only its fingerprint.
    Once ``refuse_if_stale`` has passed, the live resources are the ones planned
    against, so their values can stand in again: every value that stands in for a
    masked one joins ``sensitive_values`` and stays flagged sensitive, so outputs show
    the very fingerprint the plan was made with, and nothing is resolved from a guess.
    """
    lives: list[LiveJob | LiveWebhook] = [*live_jobs, *live_webhooks]
    current = {x.id: x for x in lives if plan.live_fingerprints.get(x.id) == live_digest(x)}
    restored: set[str] = set()
    changes = tuple(_reattached(c, current, restored) for c in plan.changes)
    return dataclasses.replace(
        plan, changes=changes, sensitive_values=plan.sensitive_values | restored
    )


def _reattached(
    change: Change, current: Mapping[str, LiveJob | LiveWebhook], restored: set[str]
) -> Change:
    live = current.get(change.live_id or "")
    if live is None:
        return change
    restored.update(_masked_live_values(change.live, live))
    table = table_of(live)
    values = COMPARERS[table.kind].values(live)
    diffs = []
    for diff in change.diffs:
        if isinstance(diff.old, MaskedValue) and diff.field in values:
            diff = dataclasses.replace(diff, old=values[diff.field])
            if isinstance(diff.old, str):
                restored.add(diff.old)
        diffs.append(diff)
    key, key_sensitive = change.key, change.key_sensitive
    live_key = getattr(live, table.key)
    if isinstance(key, MaskedValue) and key == sensitive_display(live_key):
        key, key_sensitive = live_key, True
        restored.add(key)
    return dataclasses.replace(
        change, key=key, key_sensitive=key_sensitive, live=live, diffs=tuple(diffs)
    )


def _masked_live_values(
    saved: LiveJob | LiveWebhook | None, live: LiveJob | LiveWebhook
) -> set[str]:
    """The fresh values of the fields the saved live record held only as a fingerprint."""
    if saved is None:
        return set()
    masked = set()
    for name in type(live).model_fields:
        value = getattr(live, name)
        if isinstance(value, str) and getattr(saved, name) == sensitive_display(value):
            masked.add(value)
    return masked
