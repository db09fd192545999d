"""Saved plans that cannot be trusted are refused: altered, truncated, foreign, for another
target, inconsistent; and a secret that changed or is unset."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.errors import (
    EnvironmentVariableError,
    PlanFileError,
    StalePlanError,
)
from bytestack_sync.plan import signing
from bytestack_sync.plan.plan import Target
from bytestack_sync.plan.savefile import (
    FORMAT,
    FORMAT_VERSION,
    read_plan,
)
from bytestack_sync.secrets import fingerprint
from tests.plan.savedplans import (
    CANARY,
    ENV,
    KEY,
    SECRET_HOOK,
    TARGET,
    read,
)


@pytest.mark.parametrize(
    ("environ", "message", "error", "code"),
    [
        pytest.param({"HOOK": CANARY + "x", "REGISTERED": SECRET_HOOK}, "now resolves to",
                     StalePlanError, 4, id="changed"),
        # Unset is the environment's fault, not the plan's: exit 1, set it and rerun.
        pytest.param({"REGISTERED": SECRET_HOOK}, "variable HOOK is not set",
                     EnvironmentVariableError, 1, id="missing"),
    ],
)  # fmt: skip
def test_changed_or_missing_secret_is_refused(
    saved: Path, environ: dict[str, str], message: str, error: type[Exception], code: int
) -> None:
    with pytest.raises(error) as caught:
        read(saved, environ)
    text = str(caught.value)
    assert message in text and "${secret:HOOK}" in text
    assert CANARY not in text and getattr(caught.value, "exit_code", None) == code
    # The refusal names only the fingerprint the plan holds, never the new value's: an
    # editor of the file could otherwise learn it and write it in on the next try.
    assert text.count("hmac:") <= 1
    assert fingerprint(environ.get("HOOK", "")) not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{not json", "truncated or not JSON", id="not-json"),
        pytest.param('{"format": "terraform"}', "is not a saved plan", id="foreign"),
        pytest.param('[1, 2]', "is not a saved plan", id="not-an-object"),
        pytest.param(json.dumps({"format": FORMAT, "format_version": 99}), "format 99",
                     id="future-format"),
        pytest.param(json.dumps({"format": FORMAT, "format_version": 1}), "format 1",
                     id="format-1-digests"),
        pytest.param(json.dumps({"format": FORMAT, "format_version": 2}), "format 2",
                     id="format-2-unsigned"),
        pytest.param(json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION,
                                 "target": dataclasses.asdict(TARGET)}),
                     "signature does not match", id="unsigned"),
    ],
)  # fmt: skip
def test_corrupt_or_foreign_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    with pytest.raises(PlanFileError, match=message) as caught:
        read(path, {})
    assert caught.value.exit_code == 4


def test_a_truncated_file_is_refused(saved: Path) -> None:
    text = saved.read_text()
    saved.write_text(text[: len(text) // 2])
    with pytest.raises(PlanFileError, match="truncated or not JSON"):
        read(saved, ENV)


def _resign(path: Path, edit: Callable[[dict[str, Any]], None], key: bytes = KEY) -> None:
    document = json.loads(path.read_text())
    edit(document)
    document["signature"] = signing.sign(document, key)
    path.write_text(json.dumps(document))


def _edit_schedule(document: dict[str, Any]) -> None:
    document["changes"][0]["desired"]["schedule"] = "* * * * *"


def test_an_edit_without_the_key_is_refused(saved: Path) -> None:
    _resign(saved, _edit_schedule, key=b"someone else's key")
    with pytest.raises(PlanFileError, match="signature does not match") as caught:
        read(saved, ENV)
    assert caught.value.exit_code == 4


def test_a_signature_survives_reformatting(saved: Path) -> None:
    saved.write_text(json.dumps(json.loads(saved.read_text()), indent=None, sort_keys=True))
    assert read(saved, ENV).changes


def test_tampered_change_is_a_clear_error(saved: Path) -> None:
    _resign(saved, lambda d: d["changes"][0].update(action="explode"))
    with pytest.raises(PlanFileError, match="not a valid saved plan"):
        read(saved, ENV)


@pytest.mark.parametrize("target", [None, {"api_url": "x"}, {"nonsense": 1}, "a string"])
def test_a_plan_without_a_proper_target_is_refused(saved: Path, target: object) -> None:
    _resign(saved, lambda d: d.update(target=target))
    with pytest.raises(StalePlanError, match="the saved plan was made for no target"):
        read(saved, ENV)


def test_a_plan_for_another_target_is_refused_naming_both(saved: Path) -> None:
    other = Target("https://api.example.com/v1", "key sha256:99999999")
    with pytest.raises(StalePlanError) as caught:
        read_plan(saved, environ=ENV, signing_key=KEY, target=other)
    assert str(caught.value).startswith(
        "the saved plan was made for https://api.example.com/v1, workspace key sha256:1a2b3c4d, "
        "but this apply is against https://api.example.com/v1, workspace key sha256:99999999"
    )


def _rotate(document: dict[str, Any]) -> dict[str, Any]:
    change: dict[str, Any] = next(c for c in document["changes"] if c["key"] == "rotate")
    return change


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(_edit_schedule, "schedule: the shown value is not the one it would set",
                     id="desired-edited"),
        pytest.param(lambda d: _rotate(d)["diffs"].clear(),
                     "webhook_url: it would change, but the plan does not show it",
                     id="diff-dropped"),
        pytest.param(lambda d: _rotate(d)["desired"].update(schedule="*/5 * * * *"),
                     "schedule: it would change, but the plan does not show it",
                     id="update-desired-edited"),
    ],
)  # fmt: skip
def test_what_is_shown_is_what_is_executed_even_when_re_signed(
    saved: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    # Someone holding the key can sign an edit; the records and the diffs must agree.
    _resign(saved, edit)
    with pytest.raises(PlanFileError, match=message):
        read(saved, ENV)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [33, 100_000], ids=["past-the-cap", "past-the-stack"])
def test_a_plan_nested_too_deeply_is_refused(saved: Path, depth: int) -> None:
    # Signed again: the depth is refused before the signature is looked at.
    _resign(saved, lambda d: d.update(warnings=[]))
    text = saved.read_text()
    saved.write_text(text.replace('"warnings": []', f'"warnings": {_nested(depth - 1)}'))
    with pytest.raises(PlanFileError) as caught:
        read(saved, ENV)
    assert str(caught.value) == (
        f"{saved}: not a valid saved plan: it is nested deeper than 32 levels"
    )


def test_a_plan_as_deep_as_the_cap_is_read(saved: Path) -> None:
    _resign(saved, lambda d: d.update(warnings=json.loads(_nested(31))))
    assert read(saved, ENV).changes
