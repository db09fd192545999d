"""export: the live workspace as a manifest that loads, validates and plans nothing."""

from __future__ import annotations

import io
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.commands import export as export_command
from bytestack_sync.connect import connect
from bytestack_sync.errors import NothingToPlanError
from bytestack_sync.export import export_manifest
from bytestack_sync.manifest import load_manifests
from bytestack_sync.manifest.schema import manifest_schema
from bytestack_sync.model import DesiredState
from bytestack_sync.plan.changes import Delete
from bytestack_sync.plan.planner import make_plan

EXPECTED = """\
# yaml-language-server: $schema=./bytestack.schema.json
#
# Exported from the live ByteStack workspace by bytestack-sync export.
# Webhook URLs are written as they are live: before committing this file, replace
# any that hold a secret with ${secret:VARIABLE} and set that variable where plan
# and apply run.
version: 1
jobs:
  - name: Acme weekly
    prompt: |-
      Count Acme mentions.
      Per source.
    sources: [linkedin, x]
    schedule: "0 8 * * 1-5"
    status: paused
    webhook_url: https://hooks.example.com/a
  # 2 live jobs share this name: exported job_old, left out job_new.
  # A plan of this file deletes the ones left out.
  - name: Daily
    prompt: How many?
    sources: [reddit]
    schedule: "@daily"
webhooks:
  - url: https://hooks.example.com/a
    events: [job.completed, job.failed]
"""


def _job(id: str, name: str, **fields: object) -> LiveJob:
    values: dict[str, object] = {
        "prompt": "How many?",
        "sources": ("reddit",),
        "schedule": "@daily",
    }
    values.update(fields)
    return LiveJob(id=id, name=name, **values)


WORKSPACE_JOBS = [
    _job("job_new", "Daily", prompt="Other", created_at="2024-03-01T00:00:00Z"),
    _job("job_old", "Daily", created_at="2024-01-01T00:00:00Z", webhook_url=""),
    _job("job_acme", "Acme weekly", prompt="\n  Count Acme mentions.\nPer source.  \n",
         sources=("x", "linkedin", "x"), schedule="0 8 * * 1-5", status="paused",
         webhook_url="https://hooks.example.com/a"),
]  # fmt: skip
WORKSPACE_HOOKS = [
    LiveWebhook(
        id="wh_1", url="https://hooks.example.com/a", events=("job.failed", "job.completed")
    )
]


def _load(tmp_path: Path, text: str, *, allow_empty: bool = False) -> DesiredState:
    path = tmp_path / "exported.yaml"
    path.write_text(text, encoding="utf-8")
    return load_manifests([str(path)], environ={}, allow_empty=allow_empty).desired


def test_export_text() -> None:
    assert export_manifest(WORKSPACE_JOBS, WORKSPACE_HOOKS) == EXPECTED


def test_export_validates_and_plans_only_the_duplicates(tmp_path: Path) -> None:
    text = export_manifest(WORKSPACE_JOBS, WORKSPACE_HOOKS)
    jsonschema.validate(yaml.safe_load(text), manifest_schema())
    desired = _load(tmp_path, text)
    plan = make_plan(desired, WORKSPACE_JOBS, WORKSPACE_HOOKS)
    assert [(c.action, c.live_id) for c in plan.changes] == [("delete", "job_new")]
    assert "job_old" in plan.changes[0].reason


def test_empty_workspace(tmp_path: Path) -> None:
    text = export_manifest([], [])
    assert text.endswith("version: 1\njobs: []\nwebhooks: []\n")
    desired = _load(tmp_path, text, allow_empty=True)
    assert make_plan(desired, [], []).empty
    with pytest.raises(NothingToPlanError):
        _load(tmp_path, text)  # an empty manifest still needs --force to plan


TRICKY = [
    "${HOME}",
    "price $5, regex ^a$",
    "$${ already escaped",
    "yes",
    "null",
    "- dash",
    "key: value # not a comment",
    "'quoted' \"twice\"",
    "* star",
    "@at",
    "Ünïcödé — 東京 😀",
    "line one\n\n  indented\nlast  ",
    "tab\there",
    "0x1F",
    "1e3",
    "0o17",
    "+1",
    ".inf",
    "~",
    "y",
    "trailing ",
    "carriage\r\nreturn\rand\x85next\u2028line",
    "nul \x00 bell \x07 del \x7f",
]


@pytest.mark.parametrize("text", TRICKY)
def test_strings_round_trip_exactly(tmp_path: Path, text: str) -> None:
    live = _job("job_1", "n " + text.replace("\n", " "), prompt=text)
    desired = _load(tmp_path, export_manifest([live], []))
    assert desired.jobs[0].prompt == contract.normalise_prompt(text)
    assert desired.jobs[0].name == live.name
    assert make_plan(desired, [live], []).empty


names = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30).filter(
    lambda s: s.strip() == s and bool(s)
)
prompts = st.text(
    st.characters(blacklist_categories=["Cs"]),
    min_size=1,
    max_size=80,
).filter(lambda s: bool(s.strip()))
schedules = st.sampled_from(["@daily", "0 8 * * 1-5", "*/15 * * * *", "0 0 1 JAN *", "5 4 * * SUN"])
urls = st.sampled_from([None, "", "https://hooks.example.com/a", "https://h.example.com/${x}"])


@st.composite
def workspaces(draw: st.DrawFn) -> tuple[list[LiveJob], list[LiveWebhook]]:
    jobs = [
        LiveJob(
            id=f"job_{n:025d}",
            name=draw(names),
            prompt=draw(prompts),
            sources=tuple(draw(st.lists(st.sampled_from(contract.KNOWN_SOURCES), min_size=1))),
            schedule=draw(schedules),
            status=draw(st.sampled_from(contract.JOB_STATUSES)),
            webhook_url=draw(urls),
            created_at=f"2024-01-{n + 1:02d}T00:00:00Z",
        )
        for n in range(draw(st.integers(0, 5)))
    ]
    urls_ = draw(st.lists(st.sampled_from(["https://a.example.com/h", "http://127.0.0.1:9/h"])))
    hooks = [
        LiveWebhook(id=f"wh_{n}", url=u, events=tuple(draw(st.lists(
            st.sampled_from(contract.EVENT_TYPES), min_size=1))))
        for n, u in enumerate(urls_)
    ]  # fmt: skip
    return jobs, hooks


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(workspaces())
def test_export_then_plan_is_empty(
    tmp_path: Path, workspace: tuple[list[LiveJob], list[LiveWebhook]]
) -> None:
    jobs, hooks = workspace
    text = export_manifest(jobs, hooks)
    jsonschema.validate(yaml.safe_load(text), manifest_schema())
    desired = _load(tmp_path, text, allow_empty=True)
    plan = make_plan(desired, jobs, hooks)
    # Only live duplicates (a name or URL drawn twice) are left out, and so deleted.
    assert all(isinstance(c, Delete) for c in plan.changes)
    exported = {j.name for j in jobs} | {h.url for h in hooks}
    assert len(plan.changes) == len(jobs) + len(hooks) - len(exported)


def test_command_writes_stdout_or_a_file(tmp_path: Path) -> None:
    api_url = f"local:{tmp_path / 'state.sqlite3'}"
    with connect(api_url) as client:
        client.jobs.create(name="b", prompt="P?", sources=["x"], schedule="@daily")
        client.jobs.create(name="a", prompt="Q?", sources=["reddit"], schedule="0 8 * * *")
        client.webhooks.create(url="https://hooks.example.com/a", events=["job.failed"])
        expected = export_manifest(client.jobs.list(), client.webhooks.list())
    out = io.StringIO()
    assert export_command.run(api_url=api_url, out_file=None, out=out) == 0
    assert out.getvalue() == expected
    target = tmp_path / "exported.yaml"
    assert export_command.run(api_url=api_url, out_file=str(target), out=io.StringIO()) == 0
    assert target.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exported.yaml", "state.sqlite3"]
    assert "- name: a" in expected.split("- name: b")[0]
