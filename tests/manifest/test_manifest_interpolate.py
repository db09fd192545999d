from __future__ import annotations

import pytest

from bytestack_sync.manifest.interpolate import resolve, resolve_template

ENV = {"TEAM": "growth", "EMPTY": "", "HOOK": "https://hooks.example.com/t0k3n"}


@pytest.mark.parametrize(
    ("template", "value", "sensitive"),
    [
        ("plain text", "plain text", False),
        ("costs $5 and matches ^a$", "costs $5 and matches ^a$", False),
        ("${TEAM} mentions", "growth mentions", False),
        ("${UNSET:-fallback}", "fallback", False),
        ("${EMPTY:-fallback}", "fallback", False),
        ("${TEAM:-fallback}", "growth", False),
        ("${UNSET:-}", "", False),
        ("${secret:HOOK}", "https://hooks.example.com/t0k3n", True),
        ("${secret:UNSET:-https://x.example.com}", "https://x.example.com", True),
        ("$${TEAM} is literal", "${TEAM} is literal", False),
        ("$$${TEAM}", "$${TEAM}", False),  # a lone $, then the escape
        ("a ${TEAM} and ${secret:HOOK}", "a growth and https://hooks.example.com/t0k3n", True),
    ],
)
def test_resolve(template: str, value: str, sensitive: bool) -> None:
    result = resolve(template, ENV)
    assert (result.value, result.sensitive, result.missing, result.invalid) == (
        value,
        sensitive,
        (),
        None,
    )


def test_every_missing_variable_is_named() -> None:
    result = resolve("${A} ${TEAM} ${secret:B}", ENV)
    assert result.missing == ("A", "B")


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("${}", "invalid reference '${}'"),
        ("${1A}", "invalid reference '${1A}'"),
        ("${A B}", "invalid reference '${A B}'"),
        ("${secret:}", "invalid reference '${secret:}'"),
        ("${A", "unterminated reference '${A'"),
    ],
)
def test_invalid_references(template: str, reason: str) -> None:
    invalid = resolve(template, ENV).invalid
    assert invalid is not None and invalid.startswith(reason)


def test_resolve_template_for_saved_plans() -> None:
    assert resolve_template("${secret:HOOK}", ENV) == ENV["HOOK"]
    with pytest.raises(KeyError, match="UNSET"):
        resolve_template("${secret:UNSET}", ENV)
    with pytest.raises(ValueError, match="invalid reference"):
        resolve_template("${1}", ENV)
