"""The route table: every path under ``/v1``, the methods it answers, and its handler."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bytestack_sync.emulator import control, queries, resources
from bytestack_sync.emulator.context import Context
from bytestack_sync.emulator.errors import ApiFailure
from bytestack_sync.emulator.messages import Response

Handler = Callable[[Context], Response]
API_PREFIX = "/v1"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handlers: Mapping[str, Handler]


def _route(path: str, prefix: str = API_PREFIX, **handlers: Handler) -> Route:
    # "{id}" is one path segment; "{key}" is the rest of the path, slashes included,
    # because a storage key may hold "/" (sent encoded or not, it arrives decoded).
    regex = path.replace("{id}", "([^/]+)").replace("{key}", "(.+)")
    return Route(re.compile(f"^{prefix}{regex}$"), handlers)


def _control(path: str, **handlers: Handler) -> Route:
    return _route(path, control.CONTROL_PREFIX, **handlers)


ROUTES = (
    _route("/jobs", GET=resources.list_jobs, POST=resources.create_job),
    _route(
        "/jobs/{id}",
        GET=resources.get_job,
        PATCH=resources.update_job,
        DELETE=resources.delete_job,
    ),
    _route("/webhooks", GET=resources.list_webhooks, POST=resources.create_webhook),
    _route("/webhooks/{id}", DELETE=resources.delete_webhook),
    _route("/queries", POST=queries.submit_query),
    _route("/queries/{id}", GET=queries.get_query),
    _route("/storage", GET=queries.list_storage),
    _route("/storage/{key}", GET=queries.download),
    _control("/health", GET=control.health),
    _control("/clock", GET=control.get_clock),
    _control("/clock/advance", POST=control.advance),
    _control("/jobs/{id}/run", POST=control.run_job),
)


def resolve(method: str, path: str) -> tuple[Handler, tuple[str, ...]]:
    """The handler and path parameters; 404 for an unknown path, 405 for a wrong method."""
    for route in ROUTES:
        match = route.pattern.match(path)
        if match is None:
            continue
        handler = route.handlers.get(method)
        if handler is None:
            allowed = ", ".join(sorted(route.handlers))
            raise ApiFailure(
                405,
                f"{method} is not allowed on {path} (allowed: {allowed})",
                headers=[("Allow", allowed)],
            )
        return handler, match.groups()
    raise ApiFailure(404, f"no such endpoint: {method} {path}")
