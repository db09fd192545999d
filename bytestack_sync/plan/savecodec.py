"""Changes to and from the JSON of a saved plan, with every sensitive value as a reference.

A sensitive value is written as ``{"template": ..., "fingerprint": ...}`` (see
``digest.SecretCodec``). Reading resolves the template from the environment and
refuses, with ``StalePlanError``, when a variable is unset or the value's
fingerprint changed. A reference without a template (the live side of a rotated
secret) comes back as a ``MaskedValue``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.errors import StalePlanError
from bytestack_sync.model import JobSpec, Location, WebhookSpec
from bytestack_sync.plan.changes import ACTIONS, Change, FieldDiff, MaskedValue
from bytestack_sync.plan.digest import SecretCodec, value_digest
from bytestack_sync.secrets import fingerprint, sensitive_display
from bytestack_sync.templates import resolve_template

_ACTIONS = {a.action: a for a in ACTIONS}
_JOB_FIELDS = ("name", "prompt", "schedule", "status", "webhook_url")
_LIVE_JOB_FIELDS = ("id", "name", "prompt", "schedule", "webhook_url", "status", "created_at")
_LIVE_HOOK_FIELDS = ("id", "url", "created_at")


def saved_form(change: Change, codec: SecretCodec) -> dict[str, Any]:
    spec = change.desired
    sensitive = spec.sensitive if spec is not None else frozenset()
    own = dict(spec.templates) if spec is not None else {}
    return {
        "action": change.action,
        "resource": change.resource,
        "key": _encode(codec, change.key, change.key_sensitive, own.get(_key_field(change))),
        "key_sensitive": change.key_sensitive,
        "reason": change.reason,
        "notes": list(change.notes),
        "desired": _encode_spec(spec, codec) if spec is not None else None,
        "live": _encode_live(change.live, codec, sensitive) if change.live is not None else None,
        "diffs": [_encode_diff(d, codec, own.get(d.field)) for d in change.diffs],
    }


def _key_field(change: Change) -> str:
    return "name" if change.resource == "job" else "url"


def _encode(codec: SecretCodec, value: Any, sensitive: bool, template: str | None = None) -> Any:
    encoded = codec.encode(value, sensitive)
    if isinstance(encoded, dict) and template is not None and value is not None:
        encoded["template"] = template
    return encoded


def _encode_spec(spec: JobSpec | WebhookSpec, codec: SecretCodec) -> dict[str, Any]:
    own = dict(spec.templates)
    names = ("url",) if isinstance(spec, WebhookSpec) else _JOB_FIELDS
    document: dict[str, Any] = {
        name: _encode(codec, getattr(spec, name), name in spec.sensitive, own.get(name))
        for name in names
    }
    if isinstance(spec, JobSpec):
        document["sources"] = sorted(spec.sources)
        document["protect"] = spec.protect
    else:
        document["events"] = sorted(spec.events)
    document["sensitive"] = sorted(spec.sensitive)
    location = spec.location
    document["location"] = (
        None if location is None else [location.file, location.line, location.column]
    )
    return document


def _encode_live(
    live: LiveJob | LiveWebhook, codec: SecretCodec, sensitive: frozenset[str]
) -> dict[str, Any]:
    if isinstance(live, LiveJob):
        document = {n: codec.encode(getattr(live, n), n in sensitive) for n in _LIVE_JOB_FIELDS}
        document["sources"] = sorted(live.sources)
        return document
    document = {n: codec.encode(getattr(live, n), n in sensitive) for n in _LIVE_HOOK_FIELDS}
    document["events"] = sorted(live.events)
    return document


def _encode_diff(diff: FieldDiff, codec: SecretCodec, template: str | None) -> dict[str, Any]:
    return {
        "field": diff.field,
        "old": _encode(codec, diff.old, diff.sensitive),
        "new": _encode(codec, diff.new, diff.sensitive, template),
        "forces_replacement": diff.forces_replacement,
        "sensitive": diff.sensitive,
    }


@dataclass
class SecretResolver:
    """Resolves the references of one plan file, remembering every value it resolved."""

    environ: Mapping[str, str]
    values: set[str] = field(default_factory=set)
    templates: dict[str, str] = field(default_factory=dict)

    def decode(self, value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            return value
        template, expected = value.get("template"), value.get("fingerprint")
        if not isinstance(expected, str):
            raise ValueError(f"{where}: a sensitive value without a fingerprint")
        if template is None:
            return MaskedValue.of(expected)
        resolved = self._resolve(str(template), where)
        if fingerprint(resolved) != expected:
            raise StalePlanError(
                f"{where}: {template} now resolves to {sensitive_display(resolved)}, but the "
                f"plan was made with (sensitive, sha256:{expected}); make a new plan"
            )
        self.values.add(resolved)
        self.templates[value_digest(resolved)] = str(template)
        return resolved

    def _resolve(self, template: str, where: str) -> str:
        try:
            return resolve_template(template, self.environ)
        except KeyError as exc:
            raise StalePlanError(
                f"{where}: cannot resolve {template} again: variable {exc.args[0]} is not set"
            ) from None


def from_saved_form(data: Mapping[str, Any], secrets: SecretResolver) -> Change:
    action = _ACTIONS[data["action"]]
    resource = data["resource"]
    if resource not in ("job", "webhook"):
        raise ValueError(f"unknown resource type {resource!r}")
    where = f"{data['action']} {resource}"
    key = secrets.decode(data["key"], where)
    where = f"{where} {sensitive_display(key) if data['key_sensitive'] else key}"
    desired, live = data.get("desired"), data.get("live")
    return action(
        resource=resource,
        key=key,
        desired=_decode_spec(resource, desired, secrets, where) if desired is not None else None,
        live=_decode_live(resource, live, secrets, where) if live is not None else None,
        diffs=tuple(_decode_diff(d, secrets, where) for d in data["diffs"]),
        reason=str(data["reason"]),
        key_sensitive=bool(data["key_sensitive"]),
        notes=tuple(str(n) for n in data["notes"]),
    )


def _decode_spec(
    resource: str, data: Mapping[str, Any], secrets: SecretResolver, where: str
) -> JobSpec | WebhookSpec:
    sensitive = frozenset(str(s) for s in data["sensitive"])
    names = _JOB_FIELDS if resource == "job" else ("url",)
    values = {n: secrets.decode(data[n], f"{where}: {n}") for n in names}
    templates = tuple(
        (n, data[n]["template"])
        for n in names
        if n in sensitive and isinstance(data[n], dict) and data[n].get("template")
    )
    location = Location(*data["location"]) if data.get("location") else None
    common: dict[str, Any] = {"sensitive": sensitive, "templates": templates, "location": location}
    if resource == "job":
        sources = frozenset(data["sources"])
        return JobSpec(**values, sources=sources, protect=bool(data["protect"]), **common)
    return WebhookSpec(**values, events=frozenset(data["events"]), **common)


def _decode_live(
    resource: str, data: Mapping[str, Any], secrets: SecretResolver, where: str
) -> LiveJob | LiveWebhook:
    values = {n: secrets.decode(v, f"{where}: live {n}") for n, v in data.items()}
    model = LiveJob if resource == "job" else LiveWebhook
    try:
        return model.model_validate(values)
    except ValidationError:
        # The validation message would echo the values, resolved secrets included.
        raise ValueError(f"{where}: invalid live {resource} record") from None


def _decode_diff(data: Mapping[str, Any], secrets: SecretResolver, where: str) -> FieldDiff:
    name = str(data["field"])
    return FieldDiff(
        field=name,
        old=secrets.decode(data["old"], f"{where}: {name} (old)"),
        new=secrets.decode(data["new"], f"{where}: {name}"),
        forces_replacement=bool(data["forces_replacement"]),
        sensitive=bool(data["sensitive"]),
    )
