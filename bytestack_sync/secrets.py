"""Sensitive values: how they are shown, and a redactor that scrubs them from text.

A sensitive value is never shown; it is shown as ``(sensitive, sha256:1a2b3c4d)`` so a
reviewer still sees that it changed. The redactor is the last line of defence: every
stream the CLI writes to passes through one that knows the API key and every
sensitive value. There is no process-wide one: each CLI invocation makes its own and
hands it down, so nothing one run learns outlives it (``bytestack_sync.error_handler``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

MIN_REDACT_LENGTH = 4  # shorter values would scrub ordinary words
# Values shorter than this could be ordinary words ("such", "test-key"), so they are
# scrubbed only where they stand as a whole token, never inside a longer word; longer
# ones are scrubbed wherever they appear, since no ordinary text contains them.
MIN_ANYWHERE_LENGTH = 12
# Not preceded / followed by a letter or digit: the edges of a whole token.
_TOKEN_START = r"(?<![^\W_])"
_TOKEN_END = r"(?![^\W_])"


def is_short_secret(value: str) -> bool:
    """Whether a secret is short enough to be mistaken for words: the CLI warns of it."""
    return 0 < len(value) < MIN_ANYWHERE_LENGTH


def fingerprint(value: str) -> str:
    """The first 8 hex digits of the value's SHA-256."""
    import hashlib  # here, not at the top: keeps `--help` fast

    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]


def sensitive_display(value: str) -> str:
    return f"(sensitive, sha256:{fingerprint(value)})"


def _spellings(secret: str) -> set[str]:
    """The ways a secret may be written inside other text: as is, JSON-escaped (an API
    error echoing a request body), repr-escaped (an exception message) and URL-encoded."""
    import json
    from urllib.parse import quote

    return {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1], quote(secret, safe="")}


class Redactor:
    """Replaces every known secret in a text by its sensitive display. Thread-safe."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._displays: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        with self._lock:
            for secret in secrets:
                if not secret or len(secret) < MIN_REDACT_LENGTH:
                    continue
                display = sensitive_display(secret)
                for spelling in _spellings(secret):
                    self._displays.setdefault(spelling, display)
            self._pattern = _pattern(self._displays) if self._displays else None

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None:
            return text
        return pattern.sub(lambda match: self._displays[match.group(0)], text)

    def __repr__(self) -> str:
        return f"Redactor({len(self._displays)} spellings)"


def _pattern(spellings: Iterable[str]) -> re.Pattern[str]:
    # Longest first, so a secret that contains another is scrubbed whole.
    alternatives = [
        re.escape(s) if len(s) >= MIN_ANYWHERE_LENGTH else _TOKEN_START + re.escape(s) + _TOKEN_END
        for s in sorted(spellings, key=len, reverse=True)
    ]
    return re.compile("|".join(alternatives))
