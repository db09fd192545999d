"""Sensitive values: how they are shown, and a redactor that scrubs them from text.

A sensitive value is never shown; it is shown as ``(sensitive, sha256:1a2b3c4d)`` so a
reviewer still sees that it changed. The redactor is the last line of defence: every
stream the CLI writes to passes through one that knows the API key and every
sensitive value.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

MIN_REDACT_LENGTH = 4  # shorter values would scrub ordinary words


def fingerprint(value: str) -> str:
    """The first 8 hex digits of the value's SHA-256."""
    import hashlib  # here, not at the top: keeps `--help` fast

    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]


def sensitive_display(value: str) -> str:
    return f"(sensitive, sha256:{fingerprint(value)})"


class Redactor:
    """Replaces every known secret in a text by its sensitive display. Thread-safe."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        with self._lock:
            merged = set(self._secrets)
            merged.update(s for s in secrets if s and len(s) >= MIN_REDACT_LENGTH)
            # Longest first, so a secret that contains another is scrubbed whole.
            self._secrets = tuple(sorted(merged, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, sensitive_display(secret))
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


# The process-wide redactor the CLI's output streams and log handler consult.
REDACTOR = Redactor()
