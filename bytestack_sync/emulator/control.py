"""The emulator's control API under ``/_emulator/``: never served by ByteStack.

Time (``GET /_emulator/clock``, ``POST /_emulator/clock/advance``), running a job
now (``POST /_emulator/jobs/{id}/run``) and ``GET /_emulator/health``, which alone
needs no key. Authenticated like the API otherwise, and never subject to injected
faults: a test harness must be able to rely on it.
"""

from __future__ import annotations

import math
from typing import Any

from bytestack_sync.emulator import runs
from bytestack_sync.emulator.context import Context
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.ids import iso, parse_iso
from bytestack_sync.emulator.messages import Response, json_response

CONTROL_PREFIX = "/_emulator"
HEALTH_PATH = CONTROL_PREFIX + "/health"
_US = 1_000_000


def _clock(ctx: Context) -> dict[str, Any]:
    clock = ctx.clock
    return {"mode": clock.mode, "now": iso(ctx.now)}


def health(ctx: Context) -> Response:
    return json_response(200, {"status": "ok", "clock": _clock(ctx)})


def get_clock(ctx: Context) -> Response:
    return json_response(200, _clock(ctx))


# A hundred years: beyond any test's need, well inside what a timestamp can hold.
MAX_ADVANCE_SECONDS = 100 * 366 * 86400


def _advance_by(ctx: Context) -> dict[str, Any]:
    """``{"seconds": float}`` or ``{"to_us": int}`` from the body; 400 for anything else."""
    body = ctx.request.json()
    if not isinstance(body, dict) or len(body) != 1 or not ({"seconds", "to"} & set(body)):
        raise ApiFailure(400, 'the body must be {"seconds": N} or {"to": "ISO 8601 instant"}')
    if "seconds" in body:
        seconds = body["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ApiFailure(400, "seconds must be a number")
        try:
            value = float(seconds)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value) or not 0 <= value <= MAX_ADVANCE_SECONDS:
            raise ApiFailure(
                400, "seconds must be from 0 to a hundred years: time only moves forward"
            )
        return {"seconds": value}
    when = parse_iso(body["to"]) if isinstance(body["to"], str) else None
    if when is None:
        raise ApiFailure(
            400, "to must be an ISO 8601 instant with a time zone, e.g. 2026-12-03T09:00:00Z"
        )
    return {"to_us": int(when.timestamp()) * _US + when.microsecond}


def advance(ctx: Context) -> Response:
    """Move time forward and fire, in time order, every run that fell due meanwhile;
    answer with the caller's workspace's runs (every workspace's fire: time is shared)."""
    by = _advance_by(ctx)
    try:
        target, fired = runs.advance(ctx.store.db, ctx.clock, **by)
    except runs.TooManyRuns:
        raise ApiFailure(
            400,
            f"more than {runs.MAX_RUNS_PER_ADVANCE} runs fall due in this advance: "
            "advance in smaller steps",
        ) from None
    except runs.BeforeNow as exc:
        raise ApiFailure(
            400,
            f"to is before the emulator's time {iso(exc.now_us / _US)}: time only moves forward",
        ) from None
    except runs.TooLate:
        raise ApiFailure(400, "the emulator's time cannot pass 9999-01-01T00:00:00Z") from None
    mine = [run.data() for run in fired if run.workspace == ctx.workspace]
    return json_response(200, {"mode": ctx.clock.mode, "now": iso(target / _US), "fired": mine})


def run_job(ctx: Context) -> Response:
    run = runs.fire_now(ctx.store.db, ctx.workspace, ctx.params[0], ctx.now_us)
    if run is None:
        raise ApiFailure(404, f"job {ctx.params[0]!r} does not exist")
    return json_response(200, run.data())
