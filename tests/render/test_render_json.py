"""The JSON plan: exact document, stability, apply order, and the published schema."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from bytestack_sync.plan.changes import Change, FieldDiff, Update
from bytestack_sync.plan.plan import Plan, Target
from bytestack_sync.render import render

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json"


def as_json(plan: Plan, now: datetime) -> str:
    out = io.StringIO()
    render(plan, "json", out, now=now)
    return out.getvalue()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


EXPECTED_PAUSE = """\
{
  "changes": [
    {
      "action": "pause",
      "address": "job:Legacy report",
      "copy_of": null,
      "desired": null,
      "diffs": [
        {
          "field": "status",
          "forces_replacement": false,
          "new": "paused",
          "old": "active",
          "sensitive": false
        }
      ],
      "key": "Legacy report",
      "live_id": "job_legacy",
      "notes": [],
      "reason": "not declared in any manifest (prune: pause)",
      "resource": "job",
      "schedule": null
    }
  ],
  "destroy_guard": {
    "deletes": 0,
    "destroyed": 0,
    "exact_copies": 0,
    "managed": 3,
    "max_destroy_percent": 25.0,
    "percent": 0.0,
    "refuses": false,
    "replaces": 0
  },
  "format_version": 1,
  "has_changes": true,
  "left_alone": {
    "ignored": 0,
    "resources": [],
    "undeclared": 0,
    "untargeted": 0
  },
  "managed_count": 3,
  "summary": {
    "create": 0,
    "delete": 0,
    "pause": 1,
    "replace": 0,
    "total": 1,
    "update": 0
  },
  "summary_line": "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 1 to pause.",
  "target": null,
  "targets": [
    "job:Legacy*"
  ],
  "warnings": []
}
"""


def test_small_plan_exact_document(changes: dict[str, Change], now: datetime) -> None:
    plan = Plan(changes=(changes["pause_job"],), managed_count=3, targets=("job:Legacy*",))
    assert as_json(plan, now) == EXPECTED_PAUSE


def test_output_is_sorted_and_stable(plan: Plan, now: datetime) -> None:
    output = as_json(plan, now)
    assert output == as_json(plan, now)
    assert (
        output
        == json.dumps(json.loads(output), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def test_changes_come_in_apply_order(plan: Plan, now: datetime) -> None:
    document = json.loads(as_json(plan, now))
    assert [(c["action"], c["resource"]) for c in document["changes"]] == [
        ("create", "webhook"),
        ("create", "job"),
        ("replace", "job"),
        ("update", "job"),
        ("pause", "job"),
        ("delete", "webhook"),
        ("delete", "job"),
    ]
    assert document["summary"] == {
        "create": 2, "update": 1, "replace": 1, "pause": 1, "delete": 2, "total": 7,
    }  # fmt: skip


def test_every_action_validates_against_the_schema(
    plan: Plan, now: datetime, validator: jsonschema.Draft202012Validator
) -> None:
    document = json.loads(as_json(plan, now))
    validator.validate(document)
    assert {c["action"] for c in document["changes"]} == {
        "create", "update", "replace", "pause", "delete",
    }  # fmt: skip


def test_a_plan_with_a_target_validates(
    plan: Plan, now: datetime, validator: jsonschema.Draft202012Validator
) -> None:
    target = Target("https://api.example.com/v1", "key sha256:1a2b3c4d")
    document = json.loads(as_json(dataclasses.replace(plan, target=target), now))
    validator.validate(document)
    assert document["target"] == {
        "api_url": "https://api.example.com/v1", "workspace": "key sha256:1a2b3c4d",
    }  # fmt: skip
    document["target"]["key"] = "bs_live_secret"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


def test_empty_plan_validates(now: datetime, validator: jsonschema.Draft202012Validator) -> None:
    document = json.loads(as_json(Plan(warnings=("w",)), now))
    validator.validate(document)
    assert document["has_changes"] is False
    assert document["changes"] == []
    assert document["summary_line"] == "No changes. The workspace matches the manifests."


def test_schema_rejects_a_document_that_drifts(
    plan: Plan, now: datetime, validator: jsonschema.Draft202012Validator
) -> None:
    document = json.loads(as_json(plan, now))
    document["changes"][0]["unexpected"] = True
    assert not validator.is_valid(document)


def test_schedule_change_carries_its_timings(
    now: datetime, changes: dict[str, Change], validator: jsonschema.Draft202012Validator
) -> None:
    document = json.loads(as_json(Plan(changes=(changes["update_job"],)), now))
    validator.validate(document)
    schedule = document["changes"][0]["schedule"]
    assert schedule["before"]["expression"] == "0 8 * * *"
    assert schedule["before"]["runs_per_day"] == 1
    assert schedule["after"]["next_runs"] == [
        "2026-11-24T09:00:00Z", "2026-11-25T09:00:00Z", "2026-11-26T09:00:00Z",
    ]  # fmt: skip
    assert schedule["after"]["error"] is None


def test_unreadable_schedule_side_validates(
    now: datetime, validator: jsonschema.Draft202012Validator
) -> None:
    update = Update("job", "J", diffs=(FieldDiff("schedule", "@reboot", "@daily"),))
    document = json.loads(as_json(Plan(changes=(update,)), now))
    validator.validate(document)
    before = document["changes"][0]["schedule"]["before"]
    assert before["error"] and before["runs_per_day"] is None and before["next_runs"] == []


def _described(node: Any, path: str) -> list[str]:
    """Paths of schema properties that have no description."""
    missing: list[str] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                missing.append(f"{path}.{name}")
        for key, sub in node.items():
            missing += _described(sub, f"{path}.{key}")
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            missing += _described(sub, f"{path}[{index}]")
    return missing


def test_every_schema_property_is_described() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert _described(schema, "$") == []
