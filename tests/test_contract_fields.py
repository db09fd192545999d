"""The one table of resource fields, and the models that must agree with it."""

from __future__ import annotations

import dataclasses

import pytest

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.contract import JOB, WEBHOOK, Compare, Field, Resource, Role, Type
from bytestack_sync.manifest.models import JobModel, WebhookModel
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


@pytest.mark.parametrize("resource", [JOB, WEBHOOK], ids=["job", "webhook"])
def test_defaults_agree_with_the_table(resource: Resource) -> None:
    live = {JOB.kind: LiveJob, WEBHOOK.kind: LiveWebhook}[resource.kind]
    for f in resource.fields:
        if f.api_default is not None and f.role is not Role.LOCAL:
            default = live.model_fields[f.name].default
            assert default == f.api_default, f.name


def test_the_views_kept_under_old_names() -> None:
    assert contract.UPDATABLE_JOB_FIELDS == ("status", "schedule", "webhook_url")
    assert contract.JOB_REPLACE_FIELDS == ("prompt", "sources")
    assert contract.JOB_CREATE_FIELDS == ("name", "prompt", "sources", "schedule", "webhook_url")
    assert contract.WEBHOOK_REPLACE_FIELDS == ("events",)
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
