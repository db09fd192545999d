"""The redactor scrubs a secret however it is spelled inside other text."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from bytestack_sync.secrets import Redactor, fingerprint, sensitive_display

SECRET = 'Count CANARY mentions\nof "Acme" \\ today'


@pytest.mark.parametrize(
    "spelled",
    [
        SECRET,
        json.dumps(SECRET)[1:-1],
        repr(SECRET)[1:-1],
        quote(SECRET, safe=""),
    ],
    ids=["plain", "json", "repr", "url"],
)
def test_every_spelling_is_scrubbed(spelled: str) -> None:
    text = Redactor([SECRET])(f"400: invalid body {{'prompt': '{spelled}'}}")
    assert "CANARY" not in text
    assert sensitive_display(SECRET) in text


def test_longer_secret_is_scrubbed_whole() -> None:
    redact = Redactor(["token-1234", "https://h.example.com/token-1234"])
    assert redact("see https://h.example.com/token-1234") == (
        f"see {sensitive_display('https://h.example.com/token-1234')}"
    )


def test_short_values_are_not_scrubbed() -> None:
    assert Redactor(["abc", ""])("abc and more") == "abc and more"


def test_display_is_a_stable_fingerprint() -> None:
    assert fingerprint("x") == "2d711642"
    assert sensitive_display("x") == "(sensitive, sha256:2d711642)"
    assert "CANARY" not in repr(Redactor([SECRET]))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("key such here", f"key {sensitive_display('such')} here"),
        ("no/such/x.yaml", f"no/{sensitive_display('such')}/x.yaml"),
        ("nonesuch such2 suchlike", "nonesuch such2 suchlike"),  # inside words: left alone
        ("t=such&u", f"t={sensitive_display('such')}&u"),
    ],
)
def test_a_short_secret_is_scrubbed_only_as_a_whole_token(text: str, shown: str) -> None:
    assert Redactor(["such"])(text) == shown


def test_a_long_secret_is_scrubbed_even_inside_a_word() -> None:
    secret = "bs_live_0123456789"
    assert Redactor([secret])(f"x{secret}y") == f"x{sensitive_display(secret)}y"
