"""The signature of a saved plan: an HMAC-SHA256 over its canonical JSON.

The signing key is derived from the API key by the caller (``connect.plan_signing_key``)
and never stored, so an edit by someone without the key is detected. Anyone who holds
the key can sign a file of their own: the signature proves who could have written
it, not that a person reviewed it.

Field digests use the same key, so the file cannot be used to test guesses of a
field's value (a webhook URL, say) without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from pydantic_core import to_json

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.plan import kinds

ALGORITHM = "hmac-sha256"
SIGNATURE = "signature"


def canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes signed: every key but the signature, sorted, compact, UTF-8."""
    body = {k: v for k, v in document.items() if k != SIGNATURE}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def sign(document: Mapping[str, Any], key: bytes) -> dict[str, str]:
    digest = hmac.new(key, canonical(document), hashlib.sha256).hexdigest()
    return {"algorithm": ALGORITHM, "value": digest}


def verifies(document: Mapping[str, Any], key: bytes) -> bool:
    """Whether the document's signature is that of ``key`` (a constant-time compare)."""
    signature = document.get(SIGNATURE)
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return False
    value = signature.get("value")
    expected = sign(document, key)["value"]
    return isinstance(value, str) and hmac.compare_digest(value, expected)


def field_digests(live: LiveJob | LiveWebhook, key: bytes) -> dict[str, str]:
    """{field: keyed digest of its value} for the fields a change of the resource means."""
    table = kinds.TABLES[type(live)]
    digests = {}
    for name in type(live).model_fields:
        if name in table.volatile:
            continue
        value = getattr(live, name)
        if name in table.set_fields:
            value = sorted(value)
        message = to_json([name, value])
        digests[name] = hmac.new(key, message, hashlib.sha256).hexdigest()[:16]
    return digests
