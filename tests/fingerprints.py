"""How a run that sends a given API key shows a sensitive value: its fingerprints are
keyed with that key, so a test outside the run computes them under the same key."""

from __future__ import annotations

from bytestack_sync.secrets import (
    fingerprint,
    fingerprint_key,
    keyed_fingerprints,
    sensitive_display,
)


def shown_by(api_key: str | None, value: str) -> str:
    """``(sensitive, hmac:…)`` of ``value`` in a run whose key is ``api_key``."""
    with keyed_fingerprints(fingerprint_key(api_key)):
        return sensitive_display(value)


def fingerprint_by(api_key: str | None, value: str) -> str:
    with keyed_fingerprints(fingerprint_key(api_key)):
        return fingerprint(value)
