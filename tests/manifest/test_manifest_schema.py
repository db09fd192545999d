"""The committed schema, the examples and the field reference stay true to the models."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from bytestack_sync.cli import main
from bytestack_sync.commands import schema as schema_command
from bytestack_sync.manifest import collect, load_manifests
from bytestack_sync.manifest.reference import BEGIN, END, reference, replace_block
from bytestack_sync.manifest.schema import manifest_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schemas" / "manifest.schema.json"
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(
    p for p in EXAMPLES.rglob("*.y*ml") if "ci" not in p.relative_to(EXAMPLES).parts
)
TEAM_ENV = {"TEAM_ALERTS_HOOK": "https://hooks.example.com/T0123/secret-token"}


def test_the_committed_schema_is_current() -> None:
    out = io.StringIO()
    assert schema_command.run(out=out) == 0
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json.loads(out.getvalue()), (
        "schemas/manifest.schema.json is stale: run `bytestack-sync schema > "
        "schemas/manifest.schema.json`"
    )
    assert SCHEMA_FILE.read_text(encoding="utf-8") == out.getvalue()


def test_the_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == manifest_schema()
    jsonschema.Draft202012Validator.check_schema(printed)


def _properties(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], bool]]:
    found = []
    for owner in [schema, *schema["$defs"].values()]:
        if "properties" not in owner:
            continue
        required = set(owner.get("required", ()))
        for name, prop in owner["properties"].items():
            found.append((owner["title"], name, prop, name in required))
    return found


@pytest.mark.parametrize(
    ("owner", "name", "prop", "required"),
    _properties(manifest_schema()),
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_field_is_documented(
    owner: str, name: str, prop: dict[str, Any], required: bool
) -> None:
    assert prop.get("description"), f"{owner}.{name} has no description"
    assert prop.get("examples"), f"{owner}.{name} has no example"
    assert required or "default" in prop, f"{owner}.{name} has no default"


def test_models_forbid_unknown_keys_in_the_schema() -> None:
    schema = manifest_schema()
    assert schema["additionalProperties"] is False
    assert all(
        d.get("additionalProperties") is False
        for d in schema["$defs"].values()
        if "properties" in d
    )


def test_examples_exist() -> None:
    names = {p.relative_to(EXAMPLES).as_posix() for p in EXAMPLE_FILES}
    assert "minimal.yaml" in names
    assert len([n for n in names if n.startswith("team/")]) >= 3


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_every_example_names_the_schema_and_matches_it(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    schema_path = Path("/".join([".."] * (len(path.relative_to(EXAMPLES).parts))))
    expected = (
        f"# yaml-language-server: $schema={schema_path.as_posix()}/schemas/manifest.schema.json"
    )
    assert first == expected
    assert (path.parent / first.split("$schema=")[1]).resolve() == SCHEMA_FILE
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_the_minimal_example_needs_no_environment() -> None:
    loaded = load_manifests([str(EXAMPLES / "minimal.yaml")], environ={})
    assert loaded.warnings == []
    assert loaded.desired.jobs and not loaded.desired.sensitive_values


def test_the_team_example() -> None:
    loaded = load_manifests([str(EXAMPLES / "team")], environ=TEAM_ENV)
    desired = loaded.desired
    assert loaded.file_count >= 3 and loaded.warnings == []
    assert desired.prune.value == "pause" and desired.ignore.jobs
    assert any(job.status == "paused" for job in desired.jobs)
    assert any(job.protect for job in desired.jobs)
    assert TEAM_ENV["TEAM_ALERTS_HOOK"] in desired.sensitive_values
    assert any("webhook_url" in job.sensitive for job in desired.jobs)
    # Without the variable, the documented default applies and it is still sensitive.
    fallback = load_manifests([str(EXAMPLES / "team")], environ={}).desired
    assert fallback.webhooks[0].sensitive == frozenset({"url"})


@pytest.mark.parametrize("target", ["examples/minimal.yaml", "examples/team"])
def test_examples_validate_through_the_cli(
    target: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    for name, value in TEAM_ENV.items():
        monkeypatch.setenv(name, value)
    assert main(["validate", target]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.rstrip().endswith(": valid")


def test_the_field_reference_in_the_docs_is_current() -> None:
    docs = (ROOT / "docs" / "manifest.md").read_text(encoding="utf-8")
    assert reference() in docs, (
        "docs/manifest.md is stale: run `python -m bytestack_sync.manifest.reference "
        "docs/manifest.md`"
    )
    assert replace_block(docs) == docs
    assert docs.count(BEGIN) == docs.count(END) == 1


def test_the_docs_prose_names_the_contract_values() -> None:
    from bytestack_sync import contract

    docs = (ROOT / "docs" / "manifest.md").read_text(encoding="utf-8")
    for phrase in [
        f"{contract.NAME_MIN}-{contract.NAME_MAX} characters",
        f"default\n{contract.DEFAULT_MAX_RUNS_PER_DAY})",
        *(f"`{event}`" for event in contract.EVENT_TYPES),
        *(f"`{status}`" for status in contract.JOB_STATUSES),
    ]:
        assert phrase in docs, phrase


STRICT_JOB = "jobs:\n  - {name: A, prompt: p, sources: [x], schedule: '@daily'}\n"


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        (STRICT_JOB.replace("}", ", protect: true}"), True),
        (
            STRICT_JOB.replace("}", ", protect: 'yes'}"),
            False,
        ),  # quoted: PyYAML reads a bare yes as YAML 1.1 true
        (STRICT_JOB.replace("}", ", protect: 1}"), False),
        (STRICT_JOB.replace("}", ", protect: 'true'}"), False),
        ("defaults: {protect: 0}\n" + STRICT_JOB, False),
        ("safety: {max_destroy_percent: 25}\n" + STRICT_JOB, True),
        ("safety: {max_destroy_percent: 12.5}\n" + STRICT_JOB, True),
        ("safety: {max_destroy_percent: '25'}\n" + STRICT_JOB, False),
        ("safety: {max_destroy_percent: true}\n" + STRICT_JOB, False),
        ("safety: {max_runs_per_day: 48}\n" + STRICT_JOB, True),
        ("safety: {max_runs_per_day: 48.5}\n" + STRICT_JOB, False),
        ("safety: {max_runs_per_day: '48'}\n" + STRICT_JOB, False),
        ("version: 1\n" + STRICT_JOB, True),
        ("version: true\n" + STRICT_JOB, False),
        ("version: '1'\n" + STRICT_JOB, False),
    ],
)
def test_the_schema_and_the_loader_agree_on_booleans_and_numbers(
    tmp_path: Path, text: str, valid: bool
) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    schema_accepts = jsonschema.Draft202012Validator(schema).is_valid(yaml.safe_load(text))
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    loader_accepts = not collect([str(path)], environ={}).errors
    assert (schema_accepts, loader_accepts) == (valid, valid)
