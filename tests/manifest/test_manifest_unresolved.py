"""A value whose variable is unset or whose reference is unreadable gives one problem, not two.

The value that results (an empty string, the template as written) is not checked
further: whatever is wrong with it is the same problem again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bytestack_sync.errors import ManifestError
from bytestack_sync.manifest import load_manifests

UNSET = "environment variable BYTESTACK_TEST_UNSET is not set"
BAD_REFERENCE = (
    "invalid reference '${1BAD}': expected ${VAR}, ${VAR:-default} or ${secret:VAR} "
    "(write $${ for a literal ${)"
)
FIELDS = {
    "name": "Daily mentions",
    "prompt": "How often was Acme mentioned?",
    "sources": "[x]",
    "schedule": "'0 8 * * *'",
}


def job(**changed: str) -> str:
    fields = {**FIELDS, **changed}
    lines = [f"    {key}: {value}" for key, value in fields.items()]
    return "  - " + "\n".join(lines)[4:] + "\n"


def messages(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        load_manifests([str(path)], environ={})
    return [p.message for p in raised.value.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jobs:\n" + job() + "webhooks:\n  - url: ${BYTESTACK_TEST_UNSET}\n", [UNSET]),
        (
            "jobs:\n" + job() + "webhooks:\n  - url: https://${BYTESTACK_TEST_UNSET}/a\n",
            [UNSET],
        ),
        ("jobs:\n" + job(webhook_url="https://${BYTESTACK_TEST_UNSET}/a"), [UNSET]),
        ("jobs:\n" + job(schedule="${1BAD}"), [BAD_REFERENCE]),
        ("jobs:\n" + job(schedule="${BYTESTACK_TEST_UNSET}"), [UNSET]),
        ("jobs:\n" + job(schedule="${secret:BYTESTACK_TEST_UNSET}"), [UNSET]),
        ("jobs:\n" + job(prompt="${BYTESTACK_TEST_UNSET}"), [UNSET]),
        ("jobs:\n" + job(name="${BYTESTACK_TEST_UNSET}"), [UNSET]),
        ("jobs:\n" + job(name="${1BAD}") + job(name="${1BAD}"), [BAD_REFERENCE] * 2),
        (
            "jobs:\n"
            + job(name="${BYTESTACK_TEST_UNSET} x")
            + job(name="${BYTESTACK_TEST_UNSET} x"),
            [UNSET] * 2,
        ),
        ("jobs:\n" + job(status="${BYTESTACK_TEST_UNSET}"), [UNSET]),
        ("jobs:\n" + job(sources="['${BYTESTACK_TEST_UNSET}']"), [UNSET]),
        ("jobs:\n" + job(sources="${BYTESTACK_TEST_UNSET}"), [UNSET]),
        (
            "defaults:\n  schedule: ${1BAD}\njobs:\n"
            + job().replace("    schedule: '0 8 * * *'\n", ""),
            [BAD_REFERENCE],
        ),
        (
            "defaults:\n  webhook_url: https://${BYTESTACK_TEST_UNSET}/a\njobs:\n"
            + job()
            + job(name="B"),
            [UNSET],
        ),
        (
            "base: &base\n  schedule: ${1BAD}\njobs:\n  - <<: *base\n    name: A\n    prompt: p\n"
            "    sources: [x]\n",
            ["unknown key 'base' at the top level", BAD_REFERENCE],
        ),
    ],
)
def test_one_problem_per_cause(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert messages(tmp_path, text) == expected


def test_allowed_missing_variables_still_leave_a_plan(tmp_path: Path) -> None:
    from bytestack_sync.manifest import collect

    path = tmp_path / "m.yaml"
    path.write_text("jobs:\n" + job(schedule="${secret:BYTESTACK_TEST_UNSET}"), encoding="utf-8")
    collection = collect([str(path)], environ={}, allow_missing_env=True)
    assert collection.errors == []
    assert [job.name for job in collection.desired.jobs] == ["Daily mentions"]
    assert collection.nothing_to_plan is None
