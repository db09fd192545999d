"""Semantic comparison of a declared resource with a live one.

Each record has a canonical form, one tuple (stripped prompt, sources as a set,
"" as None); equal forms are equal records, and ``==`` on them (``same_*_form``
compares them without building either) settles almost every pair. Only a pair
whose forms differ is compared field by field, semantically (a schedule by what
it fires, which means parsing it), and only a record that still differs gets
field diffs. The field values the diffs show are built from the same forms, and
both paths use the same per-field test, so "same record" and "no diffs" can never
disagree.

Every rule here comes from the field table (``contract.JOB``, ``contract.WEBHOOK``):
the compared fields, the order diffs show them in, and how two values of each are
the same (``Field.compare``). A ``Comparer`` works it out once per resource.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic

from bytestack_sync import contract, cron
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.contract import Compare, Role
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan import kinds
from bytestack_sync.plan.changes import FieldDiff
from bytestack_sync.plan.kinds import L, S

Values = Mapping[str, Any]
Form = tuple[Any, ...]

# Each comparison rule as code: how a value enters a form (``{v}``: the value), and
# the test that two values (``{a}`` live, ``{b}`` declared) make equal forms, written
# to settle the usual case (equal as written) first. A schedule enters as written:
# the form is for the cheap test, and ``same_field`` then compares what schedules fire.
_RULES: dict[Compare, tuple[str, str]] = {
    Compare.EXACT: ("{v}", "{a} == {b}"),
    Compare.SCHEDULE: ("{v}", "{a} == {b}"),
    Compare.OPTIONAL: ("({v} or None)", "({a} or None) == ({b} or None)"),
    Compare.STRIPPED: ("_strip({v})", "({a} == {b} or _strip({a}) == _strip({b}))"),
    Compare.SET: ("frozenset({v})", "frozenset({a}) == frozenset({b})"),
}
# What each rule's test costs: a form test tries the cheap fields first (at equal cost,
# in the table's order).
_COST = {Compare.EXACT: 0, Compare.SCHEDULE: 0, Compare.OPTIONAL: 1, Compare.STRIPPED: 2,
         Compare.SET: 3}  # fmt: skip
_HELPERS = {"_strip": contract.normalise_prompt}


@dataclass(frozen=True)
class Comparer(Generic[S, L]):
    """How a declared record of one resource compares with a live one."""

    # The compared fields in the order diffs show them: those forcing a replacement
    # first, then the updatable ones in the API's order.
    fields: tuple[str, ...]
    # The fields of a form, in the table's order.
    form: tuple[str, ...]
    # ``form_of(spec) == form_of(live)`` without building either form.
    same_form: Callable[[S, L], bool]
    form_of: Callable[[S | L], Form]

    def values(self, record: S | L) -> Values:
        """A record's fields in canonical form: sets as sorted lists."""
        return form_values(self.form_of(record), self.form)


def comparer(table: contract.Resource) -> Comparer[Any, Any]:
    """The comparer of one resource, its two functions written out from the table."""
    fields = [table.field(name) for name in table.names(Role.REPLACE, Role.UPDATE)]
    for f in fields:
        if not f.name.isidentifier():
            raise ValueError(f"{table.kind}: field {f.name!r} is not an identifier")
    form = ", ".join(_RULES[f.compare][0].format(v=f"record.{f.name}") for f in fields)
    tests = [
        _RULES[f.compare][1].format(a=f"live.{f.name}", b=f"spec.{f.name}")
        for f in sorted(fields, key=lambda f: _COST[f.compare])
    ]
    return Comparer(
        fields=table.compared,
        form=tuple(f.name for f in fields),
        same_form=_compile(table, "same_form", "spec, live", " and ".join(tests) or "True"),
        form_of=_compile(table, "form_of", "record", f"({form},)"),
    )


def _compile(
    table: contract.Resource, name: str, arguments: str, expression: str
) -> Callable[..., Any]:
    """A function returning ``expression``, made once, as ``dataclasses`` writes an
    ``__eq__``. The planner runs these for every declared record (10,000 jobs, say);
    a loop over the fields, calling a reader and a normaliser for each, costs several
    times as much as the one expression it would spell out."""
    source = f"def {name}({arguments}):\n    return {expression}\n"
    namespace: dict[str, Any] = dict(_HELPERS)
    # A traceback through it names the resource, the function and what it computes.
    exec(compile(source, f"<{table.kind} {name}: {expression}>", "exec"), namespace)
    function: Callable[..., Any] = namespace[name]
    return function


JOBS: Comparer[JobSpec, LiveJob] = comparer(kinds.JOB.table)
WEBHOOKS: Comparer[WebhookSpec, LiveWebhook] = comparer(kinds.WEBHOOK.table)
# By resource name, for code that handles either kind (which records it passes to
# which comparer is up to it: hence Any).
COMPARERS: dict[str, Comparer[Any, Any]] = {
    kinds.JOB.resource: JOBS,
    kinds.WEBHOOK.resource: WEBHOOKS,
}

# The names the apply package compares by.
JOB_FORM: tuple[str, ...] = JOBS.form
same_webhook_form = WEBHOOKS.same_form
desired_job_values: Callable[[JobSpec], Values] = JOBS.values
live_job_values: Callable[[LiveJob], Values] = JOBS.values


@functools.lru_cache(maxsize=4096)
def schedule_key(expression: str) -> cron.Schedule | tuple[str, str]:
    """What a schedule fires (a Schedule, whose ``==`` is semantic); an unparseable
    one compares by its text."""
    try:
        return cron.parse(expression)
    except cron.CronError:
        return ("text", expression.strip())


# Fields compared by what they fire, of any resource.
_SCHEDULES = frozenset(
    f.name for k in kinds.KINDS.values() for f in k.table.fields if f.compare is Compare.SCHEDULE
)


def form_values(form: Form, names: tuple[str, ...]) -> dict[str, Any]:
    """A form as field values to show: sets become sorted lists."""
    return {
        name: sorted(value) if isinstance(value, frozenset) else value
        for name, value in zip(names, form, strict=True)
    }


def same_field(name: str, old: Values, new: Values) -> bool:
    """Whether a field holds the same thing on both sides; equal values need no parsing."""
    before, after = old[name], new[name]
    if before == after:
        return True
    if name in _SCHEDULES and isinstance(before, str) and isinstance(after, str):
        return bool(schedule_key(before) == schedule_key(after))
    return False


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
