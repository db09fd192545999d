"""The Idempotency-Key each create sends.

A key is derived, never random: from the target the plan was made against, the
resource's address, the body sent and, for a replace, the id of the live resource it
stands in for; keyed (HMAC-SHA256) with a key derived from the API key, since the body
may hold a secret value and the header reaches the API's logs and every proxy on the
way: without the API key, a key seen in a log gives no way to test guesses of it.

So every attempt of one create sends one key; so do two applies that race to make
the same resource (even when each read the workspace at another moment) and two
applies of one saved plan; and so does the next apply, when it sends again a create
whose outcome one apply could not learn (a commit slower than the client's timeout):
where the API honours the header, it answers with what the first create made instead
of making a second resource.

The same key is sent again, too, when the resource is created again after it was
deleted (removed from the manifests and added back, or deleted by hand). An API that
honours the key then replays an answer whose resource is gone; the executor sees
that and sends the create under the next key of a chain (``after``), derived from
the replayed id, which no earlier create used; past ``operations.MAX_REPLAYS`` of
them, an apply that holds the workspace lock sends a random key (``fresh``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

from bytestack_sync.plan.changes import Change
from bytestack_sync.plan.plan import Plan

PREFIX = "bss_"
_DIGITS = 40  # hex digits of SHA-256 kept: 160 bits


# What the key that makes Idempotency-Keys is derived from the API key with.
CONTEXT = b"bytestack-sync idempotency key v1"


class CreateKeys:
    """The keys of one plan's creates; ``secret`` is derived from the API key
    (``Client.derived_key(CONTEXT)``), so every apply with that key derives the same."""

    def __init__(self, plan: Plan, secret: bytes) -> None:
        self._secret = secret
        target = plan.target
        self._seed = self._digest(
            "\n".join(("", "") if target is None else (target.api_url, target.workspace))
        )

    def key(self, change: Change, body: Mapping[str, object]) -> str:
        sent = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        parts = (self._seed, change.resource, change.key, change.live_id or "", sent)
        return PREFIX + self._digest("\n".join(parts))[:_DIGITS]

    def after(self, key: str, replayed_id: str) -> str:
        """The key to send once the resource an earlier create made is known to be gone."""
        return PREFIX + self._digest(f"{key}\n{replayed_id}")[:_DIGITS]

    @staticmethod
    def fresh() -> str:
        """A random key, for a create whose derived keys are all used up: safe only
        where no other apply can be making the same resource (the lock is held)."""
        import secrets

        return PREFIX + secrets.token_hex(_DIGITS // 2)

    def _digest(self, text: str) -> str:
        return hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).hexdigest()
