"""Changes to and from the JSON of a saved plan, with every sensitive value as a reference.

A sensitive value is written as ``{"template": ..., "fingerprint": ...}`` (see
``digest.SecretCodec``). Reading resolves the template from the environment and
refuses, with ``StalePlanError``, when the value's fingerprint changed; an unset
variable is an ``EnvironmentVariableError``. A reference without a template (the
live side of a rotated secret) comes back as a ``MaskedValue``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.contract import Type
from bytestack_sync.errors import EnvironmentVariableError, StalePlanError
from bytestack_sync.model import JobSpec, Location, WebhookSpec
from bytestack_sync.plan import kinds
from bytestack_sync.plan.changes import ACTIONS, Change, FieldDiff, MaskedValue
from bytestack_sync.plan.digest import SecretCodec, value_digest
from bytestack_sync.secrets import fingerprint, sensitive_display
from bytestack_sync.templates import resolve_template

_ACTIONS = {a.action: a for a in ACTIONS}
# The order a saved record lists a declared resource's fields in, by type: the texts
# (which may be references to secrets), then the sets (sorted), then the flags.
_TYPE_ORDER = {Type.TEXT: 0, Type.TEXT_SET: 1, Type.FLAG: 2}
# Volatile, yet saved with a live record: it never moves, and tells live duplicates
# apart by age. The fields the API moves on its own are left out.
_SAVED_VOLATILE = frozenset({"created_at"})


@dataclass(frozen=True)
class _Layout:
    """Which fields a saved record of one resource holds, in order, and their types."""

    key: str
    spec: tuple[tuple[str, Type], ...]
    live_scalars: tuple[str, ...]
    live_sets: tuple[str, ...]

    @classmethod
    def of(cls, kind: kinds.AnyKind) -> _Layout:
        table = kind.table
        declared = sorted(
            (table.field(n) for n in table.declared), key=lambda f: _TYPE_ORDER[f.type]
        )
        live = [table.field(n) for n in kind.live.model_fields]
        kept = [f for f in live if not f.volatile or f.name in _SAVED_VOLATILE]
        return cls(
            key=table.key,
            spec=tuple((f.name, f.type) for f in declared),
            live_scalars=tuple(f.name for f in kept if not f.is_set),
            live_sets=tuple(f.name for f in kept if f.is_set),
        )

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(name for name, type_ in self.spec if type_ is Type.TEXT)


_LAYOUTS = {name: _Layout.of(kind) for name, kind in kinds.KINDS.items()}


def saved_form(change: Change, codec: SecretCodec) -> dict[str, Any]:
    """What a saved plan holds of a change. Unlike ``Change.data()`` (what outputs show)
    it keeps the records apply needs, each sensitive value as a reference to resolve
    again: ``{"template": "${secret:VAR}", "fingerprint": ...}``."""
    layout = _LAYOUTS[change.resource]
    spec = change.desired
    sensitive = spec.sensitive if spec is not None else frozenset()
    own = dict(spec.templates) if spec is not None else {}
    live = change.live
    return {
        "action": change.action,
        "resource": change.resource,
        "key": _encode(codec, change.key, change.key_sensitive, own.get(layout.key)),
        "key_sensitive": change.key_sensitive,
        "reason": change.reason,
        "notes": list(change.notes),
        "desired": _encode_spec(spec, layout, codec) if spec is not None else None,
        "live": _encode_live(live, layout, codec, sensitive) if live is not None else None,
        "diffs": [_encode_diff(d, codec, own.get(d.field)) for d in change.diffs],
        "copy_of": change.copy_of,
    }


def _encode(codec: SecretCodec, value: Any, sensitive: bool, template: str | None = None) -> Any:
    encoded = codec.encode(value, sensitive)
    if isinstance(encoded, dict) and template is not None and value is not None:
        encoded["template"] = template
    return encoded


def _encode_spec(
    spec: JobSpec | WebhookSpec, layout: _Layout, codec: SecretCodec
) -> dict[str, Any]:
    own = dict(spec.templates)
    document: dict[str, Any] = {}
    for name, type_ in layout.spec:
        value = getattr(spec, name)
        if type_ is Type.TEXT:
            document[name] = _encode(codec, value, name in spec.sensitive, own.get(name))
        else:
            document[name] = sorted(value) if type_ is Type.TEXT_SET else value
    document["sensitive"] = sorted(spec.sensitive)
    location = spec.location
    document["location"] = (
        None if location is None else [location.file, location.line, location.column]
    )
    return document


def _encode_live(
    live: LiveJob | LiveWebhook, layout: _Layout, codec: SecretCodec, sensitive: frozenset[str]
) -> dict[str, Any]:
    document = {n: codec.encode(getattr(live, n), n in sensitive) for n in layout.live_scalars}
    document.update((n, sorted(getattr(live, n))) for n in layout.live_sets)
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
    """Resolves the references of one plan file, remembering every value it resolved.

    With no ``environ`` (``show``) nothing is resolved: every reference stays masked.
    """

    environ: Mapping[str, str] | None
    values: set[str] = field(default_factory=set)
    templates: dict[str, str] = field(default_factory=dict)

    def decode(self, value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            return value
        template, expected = value.get("template"), value.get("fingerprint")
        if not isinstance(expected, str):
            raise ValueError(f"{where}: a sensitive value without a fingerprint")
        if template is None or self.environ is None:
            return MaskedValue.of(expected)
        resolved = self._resolve(str(template), where)
        if fingerprint(resolved) != expected:
            # Never the new value's fingerprint: a refusal that printed it would let
            # whoever edits the file learn it, and write it in on the next try.
            raise StalePlanError(
                f"{where}: {template} now resolves to another value than the plan was made "
                f"with (sensitive, sha256:{expected}); make a new plan"
            )
        self.values.add(resolved)
        self.templates[value_digest(resolved)] = str(template)
        return resolved

    def _resolve(self, template: str, where: str) -> str:
        assert self.environ is not None  # decode masks every reference without one
        try:
            return resolve_template(template, self.environ)
        except KeyError as exc:
            # The environment is incomplete, not the plan wrong: set it and rerun.
            raise EnvironmentVariableError(
                f"{where}: cannot resolve {template} again: variable {exc.args[0]} is not set"
            ) from None


def from_saved_form(data: Mapping[str, Any], secrets: SecretResolver) -> Change:
    """A change back from ``saved_form``, its references resolved by ``secrets``."""
    action = _ACTIONS[data["action"]]
    resource = data["resource"]
    if resource not in kinds.KINDS:
        raise ValueError(f"unknown resource type {resource!r}")
    kind = kinds.KINDS[resource]
    where = f"{data['action']} {resource}"
    key = secrets.decode(data["key"], where)
    where = f"{where} {sensitive_display(key) if data['key_sensitive'] else key}"
    desired, live = data.get("desired"), data.get("live")
    return action(
        resource=resource,
        key=key,
        desired=_decode_spec(kind, desired, secrets, where) if desired is not None else None,
        live=_decode_live(kind, live, secrets, where) if live is not None else None,
        diffs=tuple(_decode_diff(d, secrets, where) for d in data["diffs"]),
        reason=str(data["reason"]),
        key_sensitive=bool(data["key_sensitive"]),
        notes=tuple(str(n) for n in data["notes"]),
        copy_of=None if data["copy_of"] is None else str(data["copy_of"]),
    )


def _decode_spec(
    kind: kinds.AnyKind, data: Mapping[str, Any], secrets: SecretResolver, where: str
) -> JobSpec | WebhookSpec:
    layout = _LAYOUTS[kind.table.kind]
    sensitive = frozenset(str(s) for s in data["sensitive"])
    values: dict[str, Any] = {}
    for name, type_ in layout.spec:
        if type_ is Type.TEXT:
            values[name] = secrets.decode(data[name], f"{where}: {name}")
        else:
            values[name] = frozenset(data[name]) if type_ is Type.TEXT_SET else bool(data[name])
    templates = tuple(
        (n, data[n]["template"])
        for n in layout.texts
        if n in sensitive and isinstance(data[n], dict) and data[n].get("template")
    )
    location = Location(*data["location"]) if data.get("location") else None
    return kind.spec(**values, sensitive=sensitive, templates=templates, location=location)


def _decode_live(
    kind: kinds.AnyKind, data: Mapping[str, Any], secrets: SecretResolver, where: str
) -> LiveJob | LiveWebhook:
    values = {n: secrets.decode(v, f"{where}: live {n}") for n, v in data.items()}
    try:
        return kind.live.model_validate(values)
    except ValidationError:
        # The validation message would echo the values, resolved secrets included.
        raise ValueError(f"{where}: invalid live {kind.table.kind} record") from None


def _decode_diff(data: Mapping[str, Any], secrets: SecretResolver, where: str) -> FieldDiff:
    name = str(data["field"])
    return FieldDiff(
        field=name,
        old=secrets.decode(data["old"], f"{where}: {name} (old)"),
        new=secrets.decode(data["new"], f"{where}: {name}"),
        forces_replacement=bool(data["forces_replacement"]),
        sensitive=bool(data["sensitive"]),
    )
