"""Creates that honour an ``Idempotency-Key``, as payment APIs do (an assumed rule).

The first create with a key claims it and stores its answer in the create's own
transaction; a create sent again with that key and the same body gets the stored
answer back, marked ``Idempotent-Replayed: true``, and creates nothing. The same key
with another body is a 400; while the first request is still being processed (a
slow commit), a 409. A request that fails releases its key. Keys are forgotten
after ``contract.IDEMPOTENCY_WINDOW`` seconds.

``Settings.commit_delay`` holds every create that long before it is stored, so a
client's timeout can be made to expire before the server commits, while lists
still answer at once.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

from bytestack_sync import contract
from bytestack_sync.emulator.context import Context
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.messages import Response, json_response
from bytestack_sync.emulator.store import Remember, Row

Make = Callable[[Remember | None], Row]
Render = Callable[[Row], object]

_REPLAYED = ((contract.IDEMPOTENT_REPLAYED_HEADER, "true"),)


def create(ctx: Context, make: Make, render: Render) -> Response:
    """Answer a create: ``make`` stores the resource (remembering the key's answer when
    given one), ``render`` is the resource's API form."""
    key = ctx.request.idempotency_key if ctx.settings.idempotency_keys else None
    if key is None:
        _hold(ctx)
        return json_response(201, render(make(None)))
    _check(key)
    request = _digest(ctx)
    state = ctx.store.claim_key(ctx.workspace, key, request, ctx.now_us)
    if not state.new:
        if state.request != request:
            raise ApiFailure(
                400, f"this {contract.IDEMPOTENCY_KEY_HEADER} was sent with another request"
            )
        if state.response is None:
            raise ApiFailure(
                409,
                f"a request with this {contract.IDEMPOTENCY_KEY_HEADER} is still being "
                "processed: try again later",
            )
        return Response(201, bytes(state.response), _REPLAYED)
    try:
        _hold(ctx)
        row = make(Remember(key, lambda made: json_response(201, render(made)).body))
    except BaseException:
        ctx.store.release_key(ctx.workspace, key)
        raise
    return json_response(201, render(row))


def _hold(ctx: Context) -> None:
    if ctx.settings.commit_delay > 0:
        time.sleep(ctx.settings.commit_delay)


def _check(key: str) -> None:
    """1 to 255 visible ASCII characters, no comma: a key sent twice arrives joined by
    a comma, and spaces around one are not part of it (nor are they kept by every
    server), so neither can be told from another key."""
    if not (
        1 <= len(key) <= contract.IDEMPOTENCY_KEY_MAX_LENGTH
        and all("!" <= c <= "~" and c != "," for c in key)
    ):
        raise ApiFailure(
            400,
            f"{contract.IDEMPOTENCY_KEY_HEADER} must be one key of 1 to "
            f"{contract.IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, no comma "
            "or space",
        )


def _digest(ctx: Context) -> str:
    """What makes two creates the same request: the path and the body as JSON means it."""
    body = json.dumps(ctx.request.json(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{ctx.request.path}\n{body}".encode()).hexdigest()
