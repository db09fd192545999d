"""What the plan package derives from the field table, and the orders it must keep.

Comparisons, digests, saved records and the declared fields a plan shows all come
from ``contract.JOB`` and ``contract.WEBHOOK``. Orders that saved plans and digests
pin are held here against the table, and a made-up field shows that a new one
needs no edit in ``plan/`` or ``render/``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.contract import Compare, Field, Resource, Role, Type
from bytestack_sync.model import DesiredState, JobSpec, Location, PruneMode, WebhookSpec
from bytestack_sync.plan import compare, signing
from bytestack_sync.plan.changes import FieldDiff, Pause
from bytestack_sync.plan.plan import Plan
from bytestack_sync.plan.planner import make_plan
from bytestack_sync.plan.savefile import plan_document, read_plan
from bytestack_sync.render.fields import spec_fields

FIXTURE = Path(__file__).parent / "fixtures" / "saved-plan-every-change.json"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
SECRET = "https://hooks.example.com/t0ken-Zq7x"
PLAIN = "https://hooks.example.com/plain"
SECRET_NAME = "acme-Zq7x-private"
ENV = {"HOOK": SECRET, "NAME": SECRET_NAME}
SIGNING_KEY = b"the pinned plan's signing key"


def _job(name: str, **fields: object) -> JobSpec:
    values: dict[str, object] = {
        "prompt": "How many times was Acme mentioned?",
        "sources": frozenset({"x", "reddit"}),
        "schedule": "0 8 * * *",
        **fields,
    }
    return JobSpec(name=name, **values)  # type: ignore[arg-type]


def _live(job_id: str, name: str, **fields: object) -> LiveJob:
    values: dict[str, object] = {
        "prompt": "How many times was Acme mentioned?",
        "sources": ("reddit", "x"),
        "schedule": "0 8 * * *",
        "created_at": "2024-01-01T00:00:00Z",
        "next_run_at": "2024-06-01T08:00:00Z",
        "updated_at": "2024-05-01T00:00:00Z",
        **fields,
    }
    return LiveJob.model_validate({"id": job_id, "name": name, **values})


def every_change_plan() -> Plan:
    """Each kind of change, of both resources, with secrets in keys, values and diffs."""
    hook_secret = {
        "sensitive": frozenset({"webhook_url"}),
        "templates": (("webhook_url", "${secret:HOOK}"),),
    }
    name_secret = {"sensitive": frozenset({"name"}), "templates": (("name", "${secret:NAME}"),)}
    url_secret = {"sensitive": frozenset({"url"}), "templates": (("url", "${secret:HOOK}"),)}
    desired = DesiredState(
        jobs=(
            _job("created", status="paused", webhook_url=SECRET, **hook_secret,
                 location=Location("jobs.yaml", 3, 5)),
            _job("updated", schedule="0 9 * * 1-5", protect=True),
            _job("replaced", prompt="How do people feel about Acme?", webhook_url=PLAIN),
            _job(SECRET_NAME, **name_secret),
        ),
        webhooks=(
            WebhookSpec(SECRET, **url_secret),  # type: ignore[arg-type]
            WebhookSpec(PLAIN, events=frozenset({"job.completed", "job.failed"})),
        ),
        prune=PruneMode.DELETE,
        sensitive_values=frozenset({SECRET, SECRET_NAME}),
    )  # fmt: skip
    lives = [
        _live("job_updated", "updated"),
        _live("job_replaced", "replaced", webhook_url=PLAIN),
        _live("job_private1", SECRET_NAME),
        _live("job_private2", SECRET_NAME, created_at="2024-02-01T00:00:00Z",
              webhook_url="https://hooks.example.com/old"),
        _live("job_stray", "stray", status="paused"),
    ]  # fmt: skip
    hooks = [
        LiveWebhook(id="wh_plain", url=PLAIN, events=("job.completed",)),
        LiveWebhook(id="wh_stray", url="https://hooks.example.com/stray"),
    ]
    plan = make_plan(desired, lives, hooks)
    pause = Pause(
        "job", "legacy", live=_live("job_legacy", "legacy"),
        diffs=(FieldDiff("status", "active", "paused"),),
        reason="not declared in any manifest (prune: pause)",
    )  # fmt: skip
    return dataclasses.replace(plan, changes=(*plan.changes, pause))


def _saved_text(plan: Plan) -> str:
    document = plan_document(plan, signing_key=SIGNING_KEY, now=NOW)
    document["tool_version"] = "pinned"  # the one line a release moves
    document["signature"] = signing.sign(document, SIGNING_KEY)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_saved_plan_bytes_are_pinned() -> None:
    # The fixture was written before the saved form was derived from the table: a
    # change here needs a new savefile.FORMAT_VERSION.
    assert _saved_text(every_change_plan()) == FIXTURE.read_text(encoding="utf-8")


def test_the_pinned_saved_plan_reads_back() -> None:
    plan = read_plan(FIXTURE, environ=ENV, signing_key=SIGNING_KEY)
    assert [(c.action, c.resource) for c in plan.changes] == [
        (c.action, c.resource) for c in every_change_plan().changes
    ]
    assert plan.sensitive_values >= {SECRET, SECRET_NAME}


def _saved_records(resource: str) -> tuple[list[str], list[str]]:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    change = next(
        c for c in document["changes"]
        if c["resource"] == resource and c["desired"] and c["live"]
    )  # fmt: skip
    return list(change["desired"]), list(change["live"])


@pytest.mark.parametrize(
    ("resource", "desired", "live"),
    [
        pytest.param(
            contract.JOB,
            ["name", "prompt", "schedule", "status", "webhook_url", "sources", "protect"],
            ["id", "name", "prompt", "schedule", "webhook_url", "status", "created_at", "sources"],
            id="job",
        ),
        pytest.param(contract.WEBHOOK, ["url", "events"], ["id", "url", "created_at", "events"],
                     id="webhook"),
    ],
)  # fmt: skip
def test_saved_records_follow_the_table(
    resource: Resource, desired: list[str], live: list[str]
) -> None:
    saved_desired, saved_live = _saved_records(resource.kind)
    # The pinned order: the texts, then the sets, then the flags, in the table's order.
    assert saved_desired == [*desired, "sensitive", "location"]
    assert set(desired) == set(resource.declared)
    order = {Type.TEXT: 0, Type.TEXT_SET: 1, Type.FLAG: 2}
    assert desired == sorted(resource.declared, key=lambda n: order[resource.field(n).type])
    # A live record: the live model's fields, the ones the API moves on its own left
    # out (created_at never moves), the sets last.
    assert saved_live == live
    assert set(live) == set(resource.api_fields) - (resource.volatile - {"created_at"})
    assert "created_at" in resource.volatile


def test_declared_fields_are_shown_in_the_table_order() -> None:
    spec = _job("daily", webhook_url=PLAIN, protect=True)
    shown = [name for name, _ in spec_fields(spec)]
    assert shown == [
        f.name for f in contract.JOB.fields
        if f.declared and f.role is not Role.LOCAL
        and (not f.optional or getattr(spec, f.name) is not None)
    ]  # fmt: skip
    assert shown[-1] == "webhook_url" and "protect" not in shown
    assert "webhook_url" not in dict(spec_fields(_job("daily")))  # optional: shown when set
    assert dict(spec_fields(spec))["sources"] == ["reddit", "x"]
    assert [n for n, _ in spec_fields(WebhookSpec(PLAIN))] == list(contract.WEBHOOK.declared)


def test_comparisons_follow_the_table() -> None:
    assert compare.JOBS.fields == contract.JOB.compared
    assert compare.WEBHOOKS.fields == contract.WEBHOOK.compared
    assert set(compare.JOB_FORM) == set(contract.JOB.compared)


# A made-up resource: the job's fields and one more, an optional updatable text.
NOTE = Field("note", Type.TEXT, Role.UPDATE, Compare.OPTIONAL, optional=True)
NOTED = Resource(
    kind="noted",
    id_prefix="n_",
    fields=(*contract.JOB.fields, NOTE),
    update_order=(*contract.JOB.update_order, "note"),
)


@dataclass(frozen=True)
class _Noted:
    prompt: str = "Hi?"
    sources: tuple[str, ...] | frozenset[str] = ("x",)
    schedule: str = "0 8 * * *"
    status: str = contract.JOB_ACTIVE
    webhook_url: str | None = None
    note: str | None = None


@pytest.mark.parametrize(
    ("declared", "live", "same"),
    [
        pytest.param(_Noted(note="a"), _Noted(note="a"), True, id="equal"),
        pytest.param(_Noted(note=""), _Noted(note=None), True, id="empty-is-none"),
        pytest.param(_Noted(note="a"), _Noted(note="b"), False, id="differs"),
        pytest.param(_Noted(prompt=" Hi? ", sources=frozenset({"x"})), _Noted(), True,
                     id="the-other-rules-hold"),
    ],
)  # fmt: skip
def test_a_new_field_is_compared_by_its_rule(declared: _Noted, live: _Noted, same: bool) -> None:
    noted = compare.comparer(NOTED)
    assert noted.fields == (*contract.JOB.compared, "note")
    assert noted.same_form(declared, live) is same
    assert (noted.form_of(declared) == noted.form_of(live)) is same
    assert (noted.values(declared) == noted.values(live)) is same


def test_a_field_name_must_be_an_identifier() -> None:
    odd = Field("not a name", Type.TEXT, Role.UPDATE)
    table = dataclasses.replace(NOTED, fields=(*NOTED.fields, odd),
                                update_order=(*NOTED.update_order, odd.name))  # fmt: skip
    with pytest.raises(ValueError, match="is not an identifier"):
        compare.comparer(table)
