"""The one table of resource fields, and the models that must agree with it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.contract import JOB, WEBHOOK, Compare, Field, Resource, Role, Type
from bytestack_sync.export import export_manifest
from bytestack_sync.manifest import collect, models
from bytestack_sync.manifest.models import JobDefaults, JobModel, WebhookModel
from bytestack_sync.manifest.partial import stand_ins
from bytestack_sync.model import JobSpec, WebhookSpec

# Bookkeeping a spec carries beside its fields: where it came from and what is secret.
_SPEC_BOOKKEEPING = {"sensitive", "templates", "location"}


@pytest.mark.parametrize(
    ("resource", "spec", "live", "manifest"),
    [(JOB, JobSpec, LiveJob, JobModel), (WEBHOOK, WebhookSpec, LiveWebhook, WebhookModel)],
    ids=["job", "webhook"],
)
def test_models_hold_the_table_fields(
    resource: Resource, spec: type, live: type, manifest: type
) -> None:
    spec_fields = [f.name for f in dataclasses.fields(spec) if f.name not in _SPEC_BOOKKEEPING]
    assert set(spec_fields) == set(resource.declared)
    assert set(live.model_fields) == set(resource.api_fields)  # type: ignore[attr-defined]
    assert set(manifest.model_fields) == set(resource.declared)  # type: ignore[attr-defined]
    # Declared models list their fields as the table does (docs and schema follow them);
    # a live model's order is the saved-plan digests' and is pinned by their tests.
    assert tuple(spec_fields) == resource.declared
    assert tuple(manifest.model_fields) == resource.declared  # type: ignore[attr-defined]


def test_defaults_offer_the_defaultable_fields() -> None:
    assert tuple(JobDefaults.model_fields) == JOB.defaultable
    assert models.REQUIRED_UNLESS_DEFAULTED == ("sources", "schedule")
    for name in models.REQUIRED_UNLESS_DEFAULTED:
        assert JobModel.model_fields[name].default is None, name


def test_secret_fields_come_from_the_table() -> None:
    expected = {
        "job": frozenset({"name", "prompt", "schedule", "webhook_url"}),
        "webhook": frozenset({"url"}),
        "defaults": frozenset({"schedule", "webhook_url"}),
    }
    assert expected == models.SECRET_FIELDS


@pytest.mark.parametrize("resource", [JOB, WEBHOOK], ids=["job", "webhook"])
def test_defaults_agree_with_the_table(resource: Resource) -> None:
    live = {JOB.kind: LiveJob, WEBHOOK.kind: LiveWebhook}[resource.kind]
    for f in resource.fields:
        if f.api_default is not None and f.role is not Role.LOCAL:
            default = live.model_fields[f.name].default
            assert default == f.api_default, f.name


@pytest.mark.parametrize(
    ("resource", "manifest", "spec"),
    [(JOB, JobModel, JobSpec), (WEBHOOK, WebhookModel, WebhookSpec)],
    ids=["job", "webhook"],
)
def test_a_declared_default_is_the_api_default(
    resource: Resource, manifest: type[BaseModel], spec: type
) -> None:
    spec_defaults = {f.name: f.default for f in dataclasses.fields(spec)}
    for f in resource.fields:
        if f.declared and f.api_default is not None:
            given = manifest.model_fields[f.name].get_default(call_default_factory=True)
            wanted = list(f.api_default) if f.is_set else f.api_default
            assert given == wanted, f.name
            assert spec_defaults[f.name] == (
                frozenset(f.api_default) if f.is_set else f.api_default
            ), f.name


# A valid value of each declared field, and the text a ${secret:...} would give it.
_VALUES: dict[str, tuple[Any, str]] = {
    "name": ("Daily", "Daily"),
    "prompt": ("How many?", "How many?"),
    "sources": (["x"], "x"),
    "schedule": ("@daily", "@daily"),
    "status": (contract.JOB_PAUSED, contract.JOB_PAUSED),
    "webhook_url": ("https://hooks.example.com/a", "https://hooks.example.com/a"),
    "protect": (True, "true"),
    "url": ("https://hooks.example.com/b", "https://hooks.example.com/b"),
    "events": (["job.failed"], "job.failed"),
}
_MISPLACED = "${secret:...} may be used only in the fields " + ", ".join(
    sorted(JOB.secret_fields | WEBHOOK.secret_fields)
)


# A field with no rule of its own takes any text.
_TEXT = ("some text", "some text")


def _value(name: str) -> tuple[Any, str]:
    return _VALUES.get(name, _TEXT)


def _entry(resource: Resource, **replaced: Any) -> dict[str, Any]:
    entry = {name: _value(name)[0] for name in resource.declared}
    entry.update(replaced)
    return {name: value for name, value in entry.items() if value is not None}


def _problems(tmp_path: Path, manifest: dict[str, Any], value: str) -> list[str]:
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return [p.message for p in collect([str(path)], environ={"V": value}).errors]


@pytest.mark.parametrize(
    ("section", "resource", "name"),
    [
        pytest.param(section, resource, name, id=f"{section}.{name}")
        for section, resource, names in (
            ("jobs", JOB, JOB.declared),
            ("webhooks", WEBHOOK, WEBHOOK.declared),
            ("defaults", JOB, JOB.defaultable),
        )
        for name in names
    ],
)
def test_a_secret_is_accepted_exactly_in_the_secret_fields(
    tmp_path: Path, section: str, resource: Resource, name: str
) -> None:
    secret = "${secret:V}"
    if section == "defaults":
        manifest = {"defaults": {name: secret}, "jobs": [_entry(JOB, **{name: None})]}
        allowed = resource.field(name).secret and resource.field(name).defaultable
    else:
        manifest = {section: [_entry(resource, **{name: secret})]}
        allowed = resource.field(name).secret
    problems = _problems(tmp_path, manifest, _value(name)[1])
    if allowed:
        assert problems == []
    else:
        assert _MISPLACED in problems


@pytest.mark.parametrize(
    ("resource", "model"), [(JOB, JobModel), (WEBHOOK, WebhookModel)], ids=["job", "webhook"]
)
def test_stand_ins_are_valid_and_cover_the_fields_without_a_default(
    tmp_path: Path, resource: Resource, model: type[BaseModel]
) -> None:
    values = stand_ins(resource)
    model.model_validate(values)
    without_default = [f.name for f in resource.fields if f.declared and f.api_default is None]
    assert list(values) == without_default
    section = "jobs" if resource is JOB else "webhooks"
    entry = {name: value for name, value in values.items() if value is not None}
    assert _problems(tmp_path, {section: [entry]}, "") == []


def test_export_writes_the_table_fields_in_order() -> None:
    job = LiveJob(
        id="job_1", name="n", prompt="p", sources=("x",), schedule="@daily",
        status=contract.JOB_PAUSED, webhook_url="https://hooks.example.com/a",
    )  # fmt: skip
    hook = LiveWebhook(id="wh_1", url="https://hooks.example.com/a")
    exported = yaml.safe_load(export_manifest([job], [hook]))
    declared_live = [n for n in JOB.declared if n in JOB.api_fields]
    assert list(exported["jobs"][0]) == declared_live
    assert list(exported["webhooks"][0]) == list(WEBHOOK.declared)
    plain = LiveJob(id="job_2", name="m", prompt="p", sources=("x",), schedule="@daily")
    # Updatable fields holding the API's default, or nothing, are left out.
    assert list(yaml.safe_load(export_manifest([plain], []))["jobs"][0]) == [
        "name", "prompt", "sources", "schedule",
    ]  # fmt: skip


def test_the_views_of_the_table() -> None:
    assert JOB.updatable == ("status", "schedule", "webhook_url")
    assert JOB.replace_fields == ("prompt", "sources")
    assert JOB.create_fields == ("name", "prompt", "sources", "schedule", "webhook_url")
    assert WEBHOOK.replace_fields == ("events",)
    assert JOB.key == "name" and WEBHOOK.key == "url"
    assert JOB.compared == ("prompt", "sources", "status", "schedule", "webhook_url")
    assert JOB.set_fields == {"sources"} and WEBHOOK.set_fields == {"events"}
    assert JOB.volatile == {"next_run_at", "created_at", "updated_at"}


@pytest.mark.parametrize(
    ("fields", "update_order", "message"),
    [
        ((Field("a", Type.TEXT, Role.UPDATE),), ("a",), "exactly one identity field"),
        (
            (Field("k", Type.TEXT, Role.IDENTITY), Field("a", Type.TEXT, Role.UPDATE)),
            (),
            "update_order must name each UPDATE field once",
        ),
    ],
    ids=["no-identity", "update-order-incomplete"],
)
def test_a_malformed_resource_is_refused(
    fields: tuple[Field, ...], update_order: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Resource("thing", "t_", fields, update_order=update_order)


def test_every_compare_rule_is_used() -> None:
    used = {f.compare for r in (JOB, WEBHOOK) for f in r.fields}
    assert used == set(Compare)
