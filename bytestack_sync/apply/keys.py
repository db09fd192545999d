"""The Idempotency-Key each create sends.

A key is derived, never random: from the target the plan was made against, the
resource's address, the body sent and, for a replace, the id of the live resource it
stands in for. So every attempt of one create sends one key; so do two applies that
race to make the same resource (even when each read the workspace at another moment)
and two applies of one saved plan; and so does the next apply, when it sends again a
create whose outcome one apply could not learn (a commit slower than the client's
timeout): where the API honours the header, it answers with what the first create
made instead of making a second resource.

The same key is sent again, too, when the resource is created again after it was
deleted (removed from the manifests and added back, or deleted by hand). An API that
honours the key then replays an answer whose resource is gone; the executor sees
that and sends the create under the next key of a chain (``after``), derived from
the replayed id, which no earlier create used.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from bytestack_sync.plan.changes import Change
from bytestack_sync.plan.plan import Plan

PREFIX = "bss_"
_DIGITS = 40  # hex digits of SHA-256 kept: 160 bits


class CreateKeys:
    """The keys of one plan's creates."""

    def __init__(self, plan: Plan) -> None:
        target = plan.target
        self._seed = _digest(
            "\n".join(("", "") if target is None else (target.api_url, target.workspace))
        )

    def key(self, change: Change, body: Mapping[str, object]) -> str:
        sent = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        parts = (self._seed, change.resource, change.key, change.live_id or "", sent)
        return PREFIX + _digest("\n".join(parts))[:_DIGITS]

    @staticmethod
    def after(key: str, replayed_id: str) -> str:
        """The key to send once the resource an earlier create made is known to be gone."""
        return PREFIX + _digest(f"{key}\n{replayed_id}")[:_DIGITS]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
