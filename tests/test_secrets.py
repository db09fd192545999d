"""The redactor scrubs a secret however it is spelled inside other text."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest

from bytestack_sync.secrets import (
    FINGERPRINT_CONTEXT,
    Redactor,
    fingerprint,
    fingerprint_key,
    key_digest,
    keyed_fingerprints,
    sensitive_display,
    shown_url,
    url_secrets,
)

SECRET = 'Count CANARY mentions\nof "Acme" \\ today'


@pytest.mark.parametrize(
    "spelled",
    [
        SECRET,
        json.dumps(SECRET)[1:-1],
        repr(SECRET)[1:-1],
        quote(SECRET, safe=""),
        quote(SECRET),
        quote_plus(SECRET),
        base64.b64encode(SECRET.encode()).decode(),
        base64.b64encode(SECRET.encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(SECRET.encode()).decode(),
        base64.urlsafe_b64encode(SECRET.encode()).decode().rstrip("="),
    ],
    ids=[
        "plain",
        "json",
        "repr",
        "url",
        "url-path",
        "url-form",
        "base64",
        "base64-unpadded",
        "base64-urlsafe",
        "base64-urlsafe-unpadded",
    ],
)
def test_every_spelling_is_scrubbed(spelled: str) -> None:
    text = Redactor([SECRET])(f"400: invalid body {{'prompt': '{spelled}'}}")
    assert spelled not in text and "CANARY" not in text
    assert text == f"400: invalid body {{'prompt': '{sensitive_display(SECRET)}'}}"


def test_longer_secret_is_scrubbed_whole() -> None:
    redact = Redactor(["token-1234", "https://h.example.com/token-1234"])
    assert redact("see https://h.example.com/token-1234") == (
        f"see {sensitive_display('https://h.example.com/token-1234')}"
    )


def test_short_values_are_not_scrubbed() -> None:
    assert Redactor(["abc", ""])("abc and more") == "abc and more"


def test_display_is_a_stable_fingerprint() -> None:
    # Outside a run: keyed with the public default, HMAC-SHA256("", context).
    default = hmac.new(b"", FINGERPRINT_CONTEXT, hashlib.sha256).digest()
    assert fingerprint("x") == hmac.new(default, b"x", hashlib.sha256).hexdigest()[:8]
    assert fingerprint("x") == "0d2009b1"
    assert sensitive_display("x") == "(sensitive, hmac:0d2009b1)"
    assert "CANARY" not in repr(Redactor([SECRET]))


def test_a_fingerprint_is_keyed_by_the_run_and_cannot_be_brute_forced_without_the_key() -> None:
    schedule = "17 3 * * 2"  # a low-entropy secret, found from a plain digest in seconds
    with keyed_fingerprints(fingerprint_key("bs_live_one_workspace_key")):
        shown = fingerprint(schedule)
        again = fingerprint(schedule)
        display = sensitive_display(schedule)
        redacted = Redactor([schedule])(f"at {schedule}")
    with keyed_fingerprints(fingerprint_key("bs_live_another_workspace")):
        other = fingerprint(schedule)
    assert shown == again and display == f"(sensitive, hmac:{shown})"
    assert redacted == f"at {display}"  # the redactor shows the run's fingerprint too
    # Neither the plain digest nor the keyless default gives it, nor another key.
    assert shown != hashlib.sha256(schedule.encode()).hexdigest()[:8]
    assert shown not in {fingerprint(schedule), other}
    assert (
        fingerprint(schedule)
        == hmac.new(fingerprint_key(None), schedule.encode(), hashlib.sha256).hexdigest()[:8]
    )  # and the key is put back after the run


def test_the_workspace_is_named_by_the_keys_plain_digest() -> None:
    key = "bs_live_one_workspace_key"
    assert key_digest(key) == hashlib.sha256(key.encode()).hexdigest()[:8]


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


KEY = "bs_live_4f2e8a6c0d9b7e1a3c5f"  # 28 characters: a run of 14 is scrubbed
KEY_FILLED = "bs_live_4f2e8a6c0d?b7e/1a3c5f"  # "?" and "/" give base64 a "/" and a "+"
Encode = Callable[[bytes], bytes]


@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
@pytest.mark.parametrize("before", ["", "u:", "user:", "long-user-name:"])
@pytest.mark.parametrize("after", ["", "!", "!!", "!!!"])
@pytest.mark.parametrize("key", [KEY, KEY_FILLED])
def test_a_key_inside_a_longer_base64_blob_is_scrubbed(
    encode: Encode, before: str, after: str, key: str
) -> None:
    """HTTP Basic auth encodes ``user:KEY``: every alignment of the key in the blob."""
    blob = encode(f"{before}{key}{after}".encode()).decode()
    text = Redactor([key])(f"401: bad credentials Basic {blob}")
    assert sensitive_display(key) in text
    # All but the two or three characters at each edge of the key's encoding, which
    # hold bits of the neighbouring bytes, are gone.
    left = text.removeprefix("401: bad credentials Basic ").replace(sensitive_display(key), "")
    assert len(blob) - len(left) >= 4 * len(key) // 3 - 2


def test_a_short_secret_has_no_inner_base64_spelling() -> None:
    """The part of a short secret's encoding inside a blob is a few letters: it would
    scrub ordinary words, so only its own encodings are scrubbed."""
    secret = "hunter2x"
    redact = Redactor([secret])
    own = base64.b64encode(secret.encode()).decode()
    assert redact(f"Basic {own}") == f"Basic {sensitive_display(secret)}"
    inner = base64.b64encode(f"user:{secret}".encode()).decode()
    assert redact(f"Basic {inner}") == f"Basic {inner}"


@pytest.mark.parametrize("shown", [14, 15, 20, len(KEY) - 1])
def test_a_key_echoed_cut_short_is_scrubbed(shown: int) -> None:
    text = Redactor([KEY])(f"key {KEY[:shown]}\u2026 is invalid")
    assert text == f"key {sensitive_display(KEY)}\u2026 is invalid"


@pytest.mark.parametrize("after", ["", "...", "*****", "', 'x': 1}", " (revoked)"])
def test_a_cut_echo_is_scrubbed_up_to_where_it_stops(after: str) -> None:
    text = Redactor([KEY])(f"[{KEY[:22]}{after}")
    assert text == f"[{sensitive_display(KEY)}{after}"


def test_a_value_that_only_starts_as_the_secret_does_is_left_alone() -> None:
    """Past the shared run it goes on with other letters: another value of the same
    kind (another hook of the same service), not an echo of this one cut short."""
    hook = "https://hooks.slack.test/services/T0001/B0001/token-aaaa"
    other = "https://hooks.slack.test/services/T0001/B0002/token-bbbb"
    redact = Redactor([hook])
    assert redact(f"hooks: {other}, {hook}") == f"hooks: {other}, {sensitive_display(hook)}"
    assert redact(f"[{KEY[:22]}X{KEY[22:]}]") == f"[{KEY[:22]}X{KEY[22:]}]"


@pytest.mark.parametrize("shown", [8, 12, 13])
def test_a_short_run_of_a_key_is_left_alone(shown: int) -> None:
    """Under half the key: the ``bs_live_`` every key starts with, and a few more
    characters, appear in ordinary messages and do not give the key away."""
    text = f"keys look like {KEY[:shown]}..."
    assert Redactor([KEY])(text) == text


def test_secrets_under_sixteen_characters_have_no_prefix_rule() -> None:
    secret = "bs_live_4f2e8a6"  # 15
    text = f"key {secret[:13]}..."
    assert Redactor([secret])(text) == text


def test_a_whole_secret_wins_over_the_run_of_a_longer_one() -> None:
    longer, shorter = KEY + "-and-more", KEY[:15]
    redact = Redactor([longer, shorter])
    assert redact(f"a {shorter} b") == f"a {sensitive_display(shorter)} b"
    assert redact(f"a {longer} b") == f"a {sensitive_display(longer)} b"
    assert Redactor([shorter, longer])(f"a {shorter} b") == f"a {sensitive_display(shorter)} b"


@pytest.mark.parametrize(("after", "scrubbed"), [(" ", 20_001), ("x", 1)])
def test_scrubbing_a_long_text_stays_linear(after: str, scrubbed: int) -> None:
    """Runs of a key cut short, each scrubbed or, going on as another value, not."""
    redact = Redactor([KEY, *(f"secret-value-{n:04d}-padding" for n in range(200))])
    text = (KEY[:14] + after) * 20_000 + KEY
    started = time.monotonic()
    result = redact(text)
    assert time.monotonic() - started < 5
    assert result.count(sensitive_display(KEY)) == scrubbed


@pytest.mark.parametrize(
    ("url", "shown", "secrets"),
    [
        ("http://user:PASS@127.0.0.1:8080/v1", "http://***@127.0.0.1:8080/v1", {"PASS"}),
        ("https://u:p%40ss@h.test/v1", "https://***@h.test/v1", {"p%40ss", "p@ss"}),
        ("https://u:p@ss@h.test/v1?a=b@c", "https://***@h.test/v1?a=b@c", {"p@ss"}),
        ("https://TOKEN-123@h.test/v1", "https://***@h.test/v1", {"TOKEN-123"}),
        ("https://:only-password@h.test", "https://***@h.test", {"only-password"}),
        ("https://h.test/v1?a=b@c", "https://h.test/v1?a=b@c", set()),
        ("https://h.test/v1/me@there", "https://h.test/v1/me@there", set()),
        ("local:state/a@b.sqlite3", "local:state/a@b.sqlite3", set()),
        ("https://user:@h.test/v1", "https://***@h.test/v1", set()),
    ],
)
def test_the_userinfo_of_a_url_is_never_shown(url: str, shown: str, secrets: set[str]) -> None:
    assert shown_url(url) == shown
    assert url_secrets(url) == secrets
