"""Sensitive values: how they are shown, and a redactor that scrubs them from text.

A sensitive value is never shown; it is shown as ``(sensitive, hmac:1a2b3c4d)`` so a
reviewer still sees that it changed. The fingerprint is keyed (HMAC-SHA256) with a key
derived from the API key, so a reader of a shared output (a CI log, a PR comment, a
saved plan) who does not hold the API key cannot test guesses of a low-entropy value
(a schedule, a short token) against it offline. Without an API key (the local
emulator's default workspace) the key is a public default, and a fingerprint is then no
harder to invert than a plain hash (README, "Secrets").

The redactor is the last line of defence: every stream the CLI writes to passes
through one that knows the API key and every sensitive value. There is no process-wide
one: each CLI invocation makes its own and hands it down, so nothing one run learns
outlives it (``bytestack_sync.error_handler``); the fingerprint key of a run is put back
when the run ends, too.
It scrubs each secret as written, escaped, URL-encoded and base64-encoded (alone or
inside a longer blob), and a long secret's echo cut short after its first half.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager

MIN_REDACT_LENGTH = 4  # shorter values would scrub ordinary words
# Values shorter than this could be ordinary words ("such", "test-key"), so they are
# scrubbed only where they stand as a whole token, never inside a longer word; longer
# ones are scrubbed wherever they appear, since no ordinary text contains them.
MIN_ANYWHERE_LENGTH = 12
# A secret at least this long is scrubbed also when only its first half is echoed.
PREFIX_MIN_LENGTH = 16
# Not preceded / followed by a letter or digit: the edges of a whole token.
_TOKEN_START = r"(?<![^\W_])"
_TOKEN_END = r"(?![^\W_])"
_WORD_CHARACTER = re.compile(r"[^\W_]")
# The userinfo of a URL: what stands between "scheme://" and the last "@" before the
# path, as urlsplit reads it (a password may hold an "@" of its own).
_USERINFO = re.compile(r"\A([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@")
USERINFO_SHOWN = "***"


def is_short_secret(value: str) -> bool:
    """Whether a secret is short enough to be mistaken for words: the CLI warns of it."""
    return 0 < len(value) < MIN_ANYWHERE_LENGTH


# What the fingerprint key is derived from the API key with: a key derived for this
# one purpose cannot authenticate a request, nor sign a saved plan.
FINGERPRINT_CONTEXT = b"bytestack-sync fingerprint v1"
FINGERPRINT_LABEL = "hmac"


def derived_key(api_key: str, context: bytes) -> bytes:
    """A key for one purpose (``context``), derived from the API key with HMAC: it
    cannot authenticate a request, and does not give the API key back."""
    import hashlib  # here, not at the top: keeps `--help` fast
    import hmac

    return hmac.new(api_key.encode("utf-8"), context, hashlib.sha256).digest()


def fingerprint_key(api_key: str | None) -> bytes:
    """The key fingerprints are made with, for a run that sends ``api_key``; with none,
    a public default (every output of such a run can be told apart only as a plain
    hash of it would be)."""
    return derived_key(api_key or "", FINGERPRINT_CONTEXT)


class _FingerprintKey:
    """The key of the run under way: one per CLI invocation (``keyed_fingerprints``),
    read by every thread of it; the public default outside one."""

    def __init__(self) -> None:
        self.value: bytes | None = None

    def get(self) -> bytes:
        if self.value is None:
            self.value = fingerprint_key(None)
        return self.value


_KEY = _FingerprintKey()


@contextmanager
def keyed_fingerprints(key: bytes) -> Iterator[None]:
    """Fingerprints made inside the block are keyed with ``key``; the previous key is
    back after it."""
    saved, _KEY.value = _KEY.value, key
    try:
        yield
    finally:
        _KEY.value = saved


def fingerprint(value: str) -> str:
    """The first 8 hex digits of the value's HMAC-SHA256 under the run's key."""
    import hashlib
    import hmac

    return hmac.new(_KEY.get(), value.encode("utf-8"), hashlib.sha256).hexdigest()[:8]


def key_digest(api_key: str) -> str:
    """The first 8 hex digits of the API key's plain SHA-256: how a workspace is named
    in outputs (``key sha256:1a2b3c4d``), comparable with ``sha256sum``. A key has far
    too much entropy for its digest to be inverted; a secret's value may not, which is
    why ``fingerprint`` is keyed."""
    import hashlib

    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:8]


def sensitive_display(value: str) -> str:
    return f"(sensitive, {FINGERPRINT_LABEL}:{fingerprint(value)})"


def shown_url(url: str) -> str:
    """The URL as it may be shown: ``http://***@host/v1`` for ``http://user:PASS@host/v1``."""
    return _USERINFO.sub(lambda match: f"{match.group(1)}{USERINFO_SHOWN}@", url, count=1)


def url_secrets(url: str) -> set[str]:
    """What in the URL's userinfo is secret, as written and percent-decoded: the
    password; or the user name when no password follows it, since a token is often
    given as one (``https://TOKEN@host``). A user name before a password is not: it is
    often a word ("admin") the redactor would scrub everywhere; it is never shown all
    the same (``shown_url``)."""
    from urllib.parse import unquote

    match = _USERINFO.match(url)
    if match is None:
        return set()
    user, colon, password = match.group(2).partition(":")
    secret = password if colon else user
    return {secret, unquote(secret)} - {""}


def _spellings(secret: str) -> set[str]:
    """The ways a secret may be written inside other text: as is, JSON-escaped (an API
    error echoing a request body), repr-escaped (an exception message), URL-encoded
    (in a path, a query or a form: ``quote`` with and without ``/`` safe,
    ``quote_plus``) and base64-encoded (standard or URL-safe, padded or not)."""
    import json
    from urllib.parse import quote, quote_plus

    spellings = {
        secret,
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
    }
    spellings.update(_base64_spellings(secret))
    return spellings


def _base64_spellings(secret: str) -> set[str]:
    """The base64 of the secret alone, and of the secret inside a longer blob.

    Inside a blob (HTTP Basic auth encodes ``user:KEY``) the secret's bytes start at
    one of three offsets modulo 3, and the characters at its two edges mix in bits of
    the bytes around it. So for each offset, only the characters whose six bits all
    come from the secret are a spelling: the secret encoded behind 0, 1 or 2 filler
    bytes, the first 0, 2 or 3 characters (which hold filler bits) dropped, and those
    after the last whole sextet of the secret dropped. Those edge characters, a few
    bits each, stay in the text. A short secret's inner spellings are too short to
    scrub safely, so it gets only its own encodings.
    """
    import base64

    raw = secret.encode("utf-8")
    encoders = (base64.b64encode, base64.urlsafe_b64encode)
    spellings = set()
    for encode in encoders:
        whole = encode(raw).decode("ascii")
        spellings.update({whole, whole.rstrip("=")})
        if len(secret) < MIN_ANYWHERE_LENGTH:
            continue
        for filler in range(3):
            bits_before, bits_through = 8 * filler, 8 * (filler + len(raw))
            first, last = -(-bits_before // 6), bits_through // 6  # whole sextets only
            spellings.add(encode(b"\0" * filler + raw).decode("ascii")[first:last])
    return spellings


def _prefix(secret: str) -> str | None:
    """The shortest leading run of the secret that is scrubbed when echoed cut short
    (an API answering "key bs_live_abcd… is invalid"), or None when none is; how the
    run must end is the Redactor's to check.

    At least MIN_ANYWHERE_LENGTH characters, which no ordinary text holds by chance;
    and at least half the secret, so the part shared with other values of its kind
    (a ``bs_live_`` key prefix, the base of a webhook URL) is not scrubbed wherever it
    appears, and what a shorter echo shows leaves at least half the secret unknown.
    Secrets under PREFIX_MIN_LENGTH have no such run: their half would be most of them
    or less than MIN_ANYWHERE_LENGTH, and they are scrubbed whole as before.
    """
    if len(secret) < PREFIX_MIN_LENGTH:
        return None
    return secret[: max(MIN_ANYWHERE_LENGTH, -(-len(secret) // 2))]


class Redactor:
    """Replaces every known secret in a text by its sensitive display. Thread-safe.

    One pass of one compiled pattern over the text, so the cost is linear in it: the
    alternatives are every spelling of every secret, and the leading run of each long
    secret (``_prefix``), which a match then extends over as much of the rest of that
    secret as follows it in the text. A run is scrubbed only where the echo stops
    (at the end of the text or before a character that is not a letter or digit,
    such as "…"): followed by another letter or digit, it is the start of some other
    value of the same kind, which is left alone.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._displays: dict[str, str] = {}
        # A leading run (a key of _displays too) -> the rest of its secret.
        self._rests: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        with self._lock:
            for secret in secrets:
                if not secret or len(secret) < MIN_REDACT_LENGTH:
                    continue
                self._learn(secret)
            self._pattern = _pattern(self._displays, self._rests) if self._displays else None

    def _learn(self, secret: str) -> None:
        display = sensitive_display(secret)
        for spelling in _spellings(secret):
            if self._rests.pop(spelling, None) is not None:
                self._displays[spelling] = display  # a whole secret wins over a run
            else:
                self._displays.setdefault(spelling, display)
        prefix = _prefix(secret)
        if prefix is not None and prefix not in self._displays:
            self._displays[prefix] = display
            self._rests[prefix] = secret[len(prefix) :]

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None:
            return text
        displays, rests = self._displays, self._rests
        pieces: list[str] = []
        done = at = 0
        while (match := pattern.search(text, at)) is not None:
            start, end = match.span()
            rest = rests.get(match.group(0))
            if rest is not None:
                repeated = _common_prefix_length(rest, text, end)
                end += repeated
                if repeated < len(rest) and _WORD_CHARACTER.match(text, end):
                    # The text goes on as another value that starts as the secret
                    # does (a webhook URL of the same service): not an echo cut short.
                    at = start + 1
                    continue
            pieces += (text[done:start], displays[match.group(0)])
            done = at = end
        pieces.append(text[done:])
        return "".join(pieces)

    def __repr__(self) -> str:
        return f"Redactor({len(self._displays)} spellings)"


def _common_prefix_length(rest: str, text: str, start: int) -> int:
    """How many leading characters of ``rest`` the text repeats from ``start``."""
    length, most = 0, min(len(rest), len(text) - start)
    while length < most and text[start + length] == rest[length]:
        length += 1
    return length


def _pattern(spellings: Iterable[str], runs: Container[str]) -> re.Pattern[str]:
    # Longest first, so a secret that contains another is scrubbed whole; and every
    # whole spelling before any leading run, so a run is tried only where none matches.
    ordered = sorted(spellings, key=lambda s: (s in runs, -len(s)))
    alternatives = [
        re.escape(s) if len(s) >= MIN_ANYWHERE_LENGTH else _TOKEN_START + re.escape(s) + _TOKEN_END
        for s in ordered
    ]
    return re.compile("|".join(alternatives))
