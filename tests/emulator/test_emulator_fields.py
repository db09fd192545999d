"""The emulator's columns, JSON forms, creates and PATCHes follow the contract's field table."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from bytestack_sync import contract
from bytestack_sync.contract import JOB, WEBHOOK, Compare, Field, Resource, Role, Type
from bytestack_sync.emulator import validation
from bytestack_sync.emulator.db import Database
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.resources import JOB_FORM, WEBHOOK_FORM, api_form
from bytestack_sync.emulator.store import MOVED_BY_UPDATE, Store, Table

# A valid value for every field a request may send; a field added to the table needs one.
SAMPLES: dict[str, dict[str, Any]] = {
    JOB.kind: {
        "name": "Sampled", "prompt": "Sampled prompt?", "sources": ["reddit"],
        "schedule": "0 9 * * *", "status": contract.JOB_PAUSED,
        "webhook_url": "https://hooks.example.com/sampled",
    },
    WEBHOOK.kind: {"url": "https://hooks.example.com/sampled", "events": ["job.failed"]},
}  # fmt: skip


@pytest.mark.parametrize(("table", "resource"), [("jobs", JOB), ("webhooks", WEBHOOK)])
def test_the_migrated_columns_are_the_api_fields(
    tmp_path: Path, table: str, resource: Resource
) -> None:
    path = tmp_path / "s.sqlite3"
    Database(str(path)).close()
    with closing(sqlite3.connect(path)) as conn:
        columns = {
            name for (name,) in conn.execute(f"SELECT name FROM pragma_table_info('{table}')")
        }
    assert columns == {"seq", "workspace", *resource.api_fields}


def test_the_json_forms_hold_the_api_fields_in_the_api_order() -> None:
    assert JOB_FORM == (
        "id", "name", "prompt", "sources", "schedule", "webhook_url",
        "status", "next_run_at", "created_at", "updated_at",
    )  # fmt: skip
    assert WEBHOOK_FORM == ("id", "url", "events", "created_at")
    assert sorted(JOB_FORM) == sorted(JOB.api_fields)


@pytest.mark.parametrize("resource", [JOB, WEBHOOK], ids=["job", "webhook"])
def test_every_field_a_request_may_send_has_a_value_check_and_a_sample(
    resource: Resource,
) -> None:
    accepted = validation.accepted(resource)
    assert set(accepted) == set(resource.create_fields) | set(resource.updatable)
    assert set(validation.VALUE_CHECKS[resource.kind]) == set(accepted)
    assert set(SAMPLES[resource.kind]) == set(accepted)
    for name in accepted:
        assert validation.VALUE_CHECKS[resource.kind][name](SAMPLES[resource.kind][name]) == []


def _with(resource: Resource, *extra: Field) -> Resource:
    updates = (*resource.update_order, *(f.name for f in extra if f.role is Role.UPDATE))
    return Resource(
        resource.kind, resource.id_prefix, (*resource.fields, *extra), update_order=updates
    )


def test_a_field_without_a_value_check_is_refused() -> None:
    grown = _with(JOB, Field("priority", Type.TEXT, Role.UPDATE, optional=True))
    with pytest.raises(LookupError, match="job fields without a value check: priority"):
        validation.checked(grown, validation.VALUE_CHECKS)


@pytest.mark.parametrize("name", JOB.updatable)
def test_each_updatable_field_is_stored_and_shown(
    api: httpx.Client, job_body: dict[str, Any], name: str
) -> None:
    job = api.post("/jobs", json=job_body).json()
    value = SAMPLES[JOB.kind][name]
    patched = api.patch(f"/jobs/{job['id']}", json={name: value})
    assert patched.status_code == 200
    assert patched.json()[name] == value
    assert api.get(f"/jobs/{job['id']}").json()[name] == value


def test_a_create_takes_the_api_defaults(api: httpx.Client, job_body: dict[str, Any]) -> None:
    job = api.post("/jobs", json=job_body).json()
    webhook = api.post("/webhooks", json={"url": "https://h.example.com"}).json()
    assert job["status"] == JOB.field("status").api_default
    assert webhook["events"] == list(WEBHOOK.field("events").api_default)


def test_the_store_updates_only_the_updatable_fields_and_what_it_moves() -> None:
    assert set(MOVED_BY_UPDATE) <= JOB.volatile
    store = Store(Database())
    try:
        for name in ("created_at", "name", "prompt", "sources", "id"):
            with pytest.raises(ValueError, match="not updatable"):
                store.update_job("ws", "job_x", {name: "x"})
        for name in (*JOB.updatable, *MOVED_BY_UPDATE):
            assert store.update_job("ws", "job_x", {name: None}) is None  # no such job
    finally:
        store.close()


# --- a made-up resource: what a field added to the table gets without more code ----------
GADGET = Resource(
    kind="gadget",
    id_prefix="g_",
    fields=(
        Field("id", Type.TEXT, Role.SERVER),
        Field("label", Type.TEXT, Role.IDENTITY),
        Field("tags", Type.TEXT_SET, Role.REPLACE, Compare.SET, api_default=("plain",)),
        Field("note", Type.TEXT, Role.UPDATE, Compare.OPTIONAL, optional=True),
        Field("enabled", Type.FLAG, Role.UPDATE, api_default=True, sent_on_create=False),
        Field("loud", Type.FLAG, Role.UPDATE),
        Field("pinned", Type.FLAG, Role.LOCAL, api_default=False),
        Field("created_at", Type.TIMESTAMP, Role.SERVER, optional=True, volatile=True),
    ),
    update_order=("note", "enabled", "loud"),
)
ACCEPT: validation.Check = lambda _value: []  # noqa: E731 - a rule that allows anything
GADGET_CHECKS = {"gadget": {name: ACCEPT for name in validation.accepted(GADGET)}}


@pytest.fixture
def gadget_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    checks = {**validation._CHECKS, "gadget": validation.checked(GADGET, GADGET_CHECKS)}
    monkeypatch.setattr(validation, "_CHECKS", checks)


def test_a_new_resource_is_stored_as_its_types_say() -> None:
    table = Table("gadgets", GADGET)
    item = {"id": "g_1", "label": "a", "tags": ["x", "y"], "note": None, "enabled": True,
            "loud": False, "created_at": "2027-01-15T08:00:00Z"}  # fmt: skip
    values = table.values(item)
    assert values == ["g_1", "a", '["x", "y"]', None, True, False, "2027-01-15T08:00:00Z"]
    stored = dict(zip(table.columns, [*values[:4], 1, 0, values[-1]], strict=True))
    assert table.decoder()(stored) == item  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="a new gadget needs created_at"):
        table.values({k: v for k, v in item.items() if k != "created_at"})
    # The API shows what a create sent before what it filled in itself.
    assert api_form(GADGET) == ("id", "label", "tags", "note", "loud", "enabled", "created_at")


@pytest.mark.usefixtures("gadget_checks")
def test_a_new_resource_is_read_by_its_types() -> None:
    assert validation.new_fields(GADGET, {"label": "a", "note": "", "loud": True}) == {
        "label": "a", "tags": ["plain"], "note": None, "enabled": True, "loud": True,
    }  # fmt: skip
    assert validation.changed_fields(GADGET, {"enabled": False}) == {"enabled": False}
    with pytest.raises(ApiFailure) as refused:
        validation.new_fields(GADGET, {"label": 3, "tags": "x", "enabled": True, "loud": "yes"})
    assert refused.value.message == (
        "unknown field 'enabled' (allowed: label, tags, note, loud); label must be a string; "
        "tags must be a list of strings; loud must be true or false"
    )
    with pytest.raises(ApiFailure, match="nothing to update: send at least one of note, enabled"):
        validation.changed_fields(GADGET, {})
