"""Semantic comparison of a declared resource with a live one.

Each record has a canonical form, one tuple (stripped prompt, sources as a set,
"" as None); equal forms are equal records, and ``==`` on them (``same_*_form``
compares them without building either) settles almost every pair. Only a pair
whose forms differ is compared field by field, semantically (a schedule by what
it fires, which means parsing it), and only a record that still differs gets
field diffs. The field values the diffs show are built from the same forms, and
both paths use the same per-field test, so "same record" and "no diffs" can never
disagree.
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

# The fields of a form, in its order.
JOB_FORM: tuple[str, ...] = ("prompt", "sources", "schedule", "status", "webhook_url")
WEBHOOK_FORM: tuple[str, ...] = ("events",)

Values = Mapping[str, Any]
Form = tuple[Any, ...]


@functools.lru_cache(maxsize=4096)
def schedule_key(expression: str) -> cron.Schedule | tuple[str, str]:
    """What a schedule fires (a Schedule, whose ``==`` is semantic); an unparseable
    one compares by its text."""
    try:
        return cron.parse(expression)
    except cron.CronError:
        return ("text", expression.strip())


def _comparable(name: str, value: Any) -> Any:
    if name == "schedule" and isinstance(value, str):
        return schedule_key(value)
    return value


def desired_job_form(spec: JobSpec) -> Form:
    return _job_form(spec.prompt, spec.sources, spec.schedule, spec.status, spec.webhook_url)


def live_job_form(job: LiveJob) -> Form:
    return _job_form(job.prompt, job.sources, job.schedule, job.status, job.webhook_url)


def _job_form(prompt: str, sources: Any, schedule: str, status: str, url: str | None) -> Form:
    return (contract.normalise_prompt(prompt), frozenset(sources), schedule, status, url or None)


def same_job_form(spec: JobSpec, job: LiveJob) -> bool:
    """``desired_job_form(spec) == live_job_form(job)`` without building either: the
    planner asks once per declared job, and the cheapest fields go first."""
    return (
        job.schedule == spec.schedule
        and job.status == spec.status
        and (job.webhook_url or None) == (spec.webhook_url or None)
        and (
            job.prompt == spec.prompt
            or contract.normalise_prompt(job.prompt) == contract.normalise_prompt(spec.prompt)
        )
        and frozenset(job.sources) == frozenset(spec.sources)
    )


def desired_webhook_form(spec: WebhookSpec) -> Form:
    return (frozenset(spec.events),)


def live_webhook_form(hook: LiveWebhook) -> Form:
    return (frozenset(hook.events),)


def same_webhook_form(spec: WebhookSpec, hook: LiveWebhook) -> bool:
    return frozenset(hook.events) == frozenset(spec.events)


def form_values(form: Form, names: tuple[str, ...]) -> dict[str, Any]:
    """A form as field values to show: sets become sorted lists."""
    return {
        name: sorted(value) if isinstance(value, frozenset) else value
        for name, value in zip(names, form, strict=True)
    }


def desired_job_values(spec: JobSpec) -> Values:
    """A job's fields in canonical form: stripped prompt, sorted sources, "" as None."""
    return form_values(desired_job_form(spec), JOB_FORM)


def live_job_values(job: LiveJob) -> Values:
    return form_values(live_job_form(job), JOB_FORM)


def desired_webhook_values(spec: WebhookSpec) -> Values:
    return form_values(desired_webhook_form(spec), WEBHOOK_FORM)


def live_webhook_values(hook: LiveWebhook) -> Values:
    return form_values(live_webhook_form(hook), WEBHOOK_FORM)


def same_field(name: str, old: Values, new: Values) -> bool:
    """Whether a field holds the same thing on both sides; equal values need no parsing."""
    before, after = old[name], new[name]
    return bool(before == after or _comparable(name, before) == _comparable(name, after))


def same_record(old: Values, new: Values, fields: tuple[str, ...]) -> bool:
    """Whether two records are semantically equal, field by field."""
    return all(same_field(f, old, new) for f in fields)


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
        if old is not None and new is not None and same_field(name, old, new):
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
