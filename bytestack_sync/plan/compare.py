"""Semantic comparison of a declared resource with a live one.

Records are first compared through a cheap canonical key (one tuple, ``==``); field
diffs are computed only for the records whose keys differ. Both go through the same
per-field comparable form, so "equal keys" and "no diffs" can never disagree.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from bytestack_sync import contract, cron
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan.changes import FieldDiff

# Shown in this order; the API's rules decide which of them force a replacement.
JOB_FIELDS: tuple[str, ...] = contract.JOB_REPLACE_FIELDS + tuple(
    f for f in contract.UPDATABLE_JOB_FIELDS if f not in contract.JOB_REPLACE_FIELDS
)
WEBHOOK_FIELDS: tuple[str, ...] = contract.WEBHOOK_REPLACE_FIELDS
SET_FIELDS = frozenset({"sources", "events"})

Values = Mapping[str, Any]


@functools.lru_cache(maxsize=4096)
def schedule_key(expression: str) -> str:
    """What a schedule fires, as a string; an unparseable one compares by its text."""
    try:
        return "cron:" + cron.parse(expression).canonical
    except cron.CronError:
        return "text:" + expression.strip()


def _comparable(name: str, value: Any) -> Any:
    if name == "schedule" and isinstance(value, str):
        return schedule_key(value)
    return value


def _job_values(prompt: str, sources: Any, schedule: str, status: str, url: str | None) -> Values:
    return {
        "prompt": contract.normalise_prompt(prompt),
        "sources": sorted(set(sources)),
        "schedule": schedule,
        "status": status,
        "webhook_url": url or None,
    }


def desired_job_values(spec: JobSpec) -> Values:
    """A job's fields in canonical form: stripped prompt, sorted sources, "" as None."""
    return _job_values(spec.prompt, spec.sources, spec.schedule, spec.status, spec.webhook_url)


def live_job_values(job: LiveJob) -> Values:
    return _job_values(job.prompt, job.sources, job.schedule, job.status, job.webhook_url)


def desired_webhook_values(spec: WebhookSpec) -> Values:
    return {"events": sorted(set(spec.events))}


def live_webhook_values(hook: LiveWebhook) -> Values:
    return {"events": sorted(set(hook.events))}


def record_key(values: Values, fields: tuple[str, ...]) -> tuple[Any, ...]:
    """The cheap comparison key: equal keys mean semantically equal records."""
    return tuple(_freeze(_comparable(f, values[f])) for f in fields)


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def is_sensitive(
    name: str, value: Any, sensitive_fields: frozenset[str], secrets: frozenset[str]
) -> bool:
    """A field is sensitive when declared so, or when its value is a declared secret."""
    if name in sensitive_fields:
        return True
    return isinstance(value, str) and value in secrets


def field_diffs(
    old: Values | None,
    new: Values | None,
    fields: tuple[str, ...],
    replace_fields: tuple[str, ...],
    *,
    sensitive_fields: frozenset[str] = frozenset(),
    secrets: frozenset[str] = frozenset(),
) -> tuple[FieldDiff, ...]:
    """The differing fields; a missing side (create, delete) makes every field differ."""
    diffs = []
    for name in fields:
        before = old[name] if old is not None else None
        after = new[name] if new is not None else None
        if (
            old is not None
            and new is not None
            and record_key(old, (name,)) == record_key(new, (name,))
        ):
            continue
        if before is None and after is None:
            continue  # a create or delete shows only the fields that hold a value
        sensitive = is_sensitive(name, before, sensitive_fields, secrets) or is_sensitive(
            name, after, sensitive_fields, secrets
        )
        diffs.append(
            FieldDiff(
                field=name,
                old=before,
                new=after,
                forces_replacement=old is not None and new is not None and name in replace_fields,
                sensitive=sensitive,
            )
        )
    return tuple(diffs)
