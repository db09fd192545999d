"""Saved plans: ``plan --out FILE`` writes one, ``apply FILE`` reads it and checks it still holds.

The file is a self-contained JSON document: the changes with the desired values
needed to execute them, the live ids they touch, and digests of everything the plan
read. It holds no secret and no key: each sensitive value is a reference (the text
as written, e.g. ``${secret:HOOK}``, and its fingerprint) resolved again at apply.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bytestack_sync import __version__
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.errors import BytestackSyncError, StalePlanError
from bytestack_sync.files import write_text_atomic
from bytestack_sync.plan.changes import Change, MaskedValue
from bytestack_sync.plan.compare import COMPARERS
from bytestack_sync.plan.digest import SecretCodec, live_digest
from bytestack_sync.plan.kinds import table_of
from bytestack_sync.plan.plan import Plan
from bytestack_sync.plan.savecodec import SecretResolver, from_saved_form, saved_form
from bytestack_sync.secrets import sensitive_display

FORMAT = "bytestack-sync-plan"
# 2: live fingerprints and the manifest digest hash compact JSON rows (a plan from
# format 1 would be refused as stale anyway; the version makes the reason plain).
FORMAT_VERSION = 2


def plan_document(plan: Plan, *, now: datetime | None = None) -> dict[str, Any]:
    """The saved form of a plan: JSON-ready, with no sensitive value in it."""
    codec = SecretCodec(plan.sensitive_values, plan.secret_templates)
    moment = now or datetime.now(timezone.utc)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "created_at": moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "manifest_digest": plan.manifest_digest,
        "targets": list(plan.targets),
        "managed_count": plan.managed_count,
        "max_destroy_percent": plan.max_destroy_percent,
        "warnings": list(plan.warnings),
        "declared": list(plan.declared),
        "live_fingerprints": dict(sorted(plan.live_fingerprints.items())),
        "live_addresses": dict(sorted(plan.live_addresses.items())),
        "changes": [saved_form(c, codec) for c in plan.changes],
    }


def write_plan(plan: Plan, path: str | os.PathLike[str]) -> None:
    text = json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n"
    write_text_atomic(path, text)


def read_plan(path: str | os.PathLike[str], *, environ: Mapping[str, str]) -> Plan:
    """Rebuild a saved plan, resolving its sensitive values again from ``environ``.

    Raises ``StalePlanError`` when a variable is unset or resolves to a value whose
    fingerprint differs, and ``BytestackSyncError`` for a file that is not a plan.
    """
    document = _load(Path(path))
    secrets = SecretResolver(environ)
    try:
        changes = tuple(from_saved_form(c, secrets) for c in document["changes"])
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
        )
    except StalePlanError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BytestackSyncError(f"{path}: not a valid saved plan ({_why(exc)})") from None


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BytestackSyncError(f"{path}: no such plan file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BytestackSyncError(f"{path}: not a saved plan ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BytestackSyncError(f"{path}: not a saved plan (made by bytestack-sync plan --out)")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise BytestackSyncError(
            f"{path}: saved plan format {version!r} is not supported by this version "
            f"({__version__}, format {FORMAT_VERSION}); make the plan again"
        )
    return document


def _stale(
    plan: Plan, live_jobs: Sequence[LiveJob], live_webhooks: Sequence[LiveWebhook]
) -> list[tuple[str, str]]:
    """(address, what happened) for every stale resource.

    Every live resource the plan read and manages must be unchanged (a change the
    plan did not see may make its changes wrong) and no declared resource it would
    create may have appeared.
    """
    lives: list[LiveJob | LiveWebhook] = [*live_jobs, *live_webhooks]
    current = {x.id: x for x in lives}
    stale: list[tuple[str, str]] = []
    for live_id, digest in sorted(plan.live_fingerprints.items()):
        address = plan.live_addresses.get(live_id, live_id)
        now = current.get(live_id)
        if now is None:
            stale.append((address, f"{live_id} was deleted"))
        elif live_digest(now) != digest:
            stale.append((address, f"{live_id} changed"))
    declared = set(plan.declared)
    for live in lives:
        for address in _addresses(live):
            if address in declared:
                stale.append((address, f"{live.id} appeared"))
    return stale


def _addresses(live: LiveJob | LiveWebhook) -> tuple[str, str]:
    """Both forms a declared address may take: the key, or its sensitive display."""
    table = table_of(live)
    key = getattr(live, table.key)
    return f"{table.kind}:{key}", f"{table.kind}:{sensitive_display(key)}"


def refuse_if_stale(
    plan: Plan, live_jobs: Sequence[LiveJob], live_webhooks: Sequence[LiveWebhook]
) -> None:
    """Raise ``StalePlanError`` (exit 4) naming every resource that changed since the plan."""
    stale = _stale(plan, live_jobs, live_webhooks)
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
