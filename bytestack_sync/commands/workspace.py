"""The steps plan, apply and export share: the desired state, a client, the live workspace.

Every step that learns a secret (a sensitive manifest value, a former value read
from the live workspace, the API key) adds it to the run's redactor before it
returns, so nothing printed afterwards can show it.
"""

from __future__ import annotations

import dataclasses
import functools
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from types import FrameType
from typing import ParamSpec, TextIO, TypeVar

from bytestack_sync.api.client import Client
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.api.pacing import paced_transport
from bytestack_sync.connect import connect, is_local, target_of
from bytestack_sync.constants import DEFAULT_PARALLELISM
from bytestack_sync.errors import Problem, Terminated
from bytestack_sync.manifest import load_manifests
from bytestack_sync.model import DesiredState
from bytestack_sync.plan.plan import Plan, Target
from bytestack_sync.plan.planner import make_plan
from bytestack_sync.secrets import MIN_ANYWHERE_LENGTH, Redactor, is_short_secret

P = ParamSpec("P")
R = TypeVar("R")


def load_desired(paths: Sequence[str], *, force: bool, redactor: Redactor) -> DesiredState:
    """The manifests' desired state; its sensitive values are registered for redaction.

    Their warnings travel with it into the plan, whose every format (and saved
    file) holds them, and are printed once, with the plan's own."""
    loaded = load_manifests(paths, allow_empty=force)
    # Registered before anything talks to the API, so no later message can leak one.
    redactor.add(*loaded.desired.sensitive_values)
    warnings = [str(w) for w in loaded.warnings]
    warnings += [f"warning: {w}" for w in short_secret_warnings(loaded.desired)]
    return dataclasses.replace(loaded.desired, warnings=tuple(warnings))


def short_secret_warnings(desired: DesiredState) -> list[str]:
    """A secret short enough to be an ordinary word is hidden only as a whole token."""
    short = sum(1 for value in desired.sensitive_values if is_short_secret(value))
    if not short:
        return []
    return [
        f"{short} sensitive value(s) shorter than {MIN_ANYWHERE_LENGTH} characters: "
        "each is hidden in the output only where it stands as a whole word"
    ]


def open_client(
    api_url: str,
    *,
    redactor: Redactor,
    debug: bool,
    max_connections: int = DEFAULT_PARALLELISM,
) -> Client:
    """A client for ``api_url`` with a connection for each of ``max_connections``
    concurrent requests; a remote one paces itself under the API's rate limit."""
    if is_local(api_url):
        return connect(api_url, debug=debug, redactor=redactor)
    transport = paced_transport(max_connections=max_connections)
    return connect(api_url, debug=debug, redactor=redactor, transport=transport)


def read_live(client: Client) -> tuple[list[LiveJob], list[LiveWebhook]]:
    """The live workspace, read page by page through the list endpoints."""
    return client.jobs.list(), client.webhooks.list()


def target_for(api_url: str) -> Target:
    """The target a command run against ``api_url`` names: URL and workspace."""
    return Target(*target_of(api_url))


def plan_live(
    client: Client,
    desired: DesiredState,
    targets: Sequence[str],
    *,
    redactor: Redactor,
    target: Target,
) -> Plan:
    """The plan for ``desired`` against the live workspace, naming ``target``."""
    jobs, webhooks = read_live(client)
    plan = make_plan(desired, jobs, webhooks, targets=targets)
    plan = dataclasses.replace(plan, target=target, live_read=(*jobs, *webhooks))
    # The plan knows more secrets than the manifests: the former values of sensitive
    # fields, read from the live workspace. Every stream must scrub those too.
    redactor.add(*plan.sensitive_values)
    return plan


def shows_warnings(fmt: str, out: TextIO) -> bool:
    """Whether the rendered plan already shows its warnings to the person reading.

    A text plan never does: its warnings go to stderr, once, so a CI log that
    holds both streams does not print each twice."""
    return fmt != "text" and out.isatty()


_PLACED = ": warning: "


def warn(warnings: Iterable[Problem | str], err: TextIO) -> None:
    """Each warning once, on stderr. ``-q`` does not silence them: a warning says the
    run may not do what the manifests say (as ``validate -q`` prints them too)."""
    for warning in warnings:
        text = str(warning)
        # A manifest's warning names its place first: `file:line:col: warning: ...`.
        if isinstance(warning, str) and not (text.startswith("warning:") or _PLACED in text):
            text = f"warning: {text}"
        err.write(text + "\n")


class SigtermAsInterrupt:
    """While armed, SIGTERM raises ``Terminated`` (a KeyboardInterrupt), so a cancelled
    CI job stops like Ctrl-C: changes in flight finish and are reported. Disarmed, it
    is only noted, so it cannot cut the report short. The previous handler is put back."""

    def __init__(self) -> None:
        self.received = False
        self.armed = True
        self._previous: signal.Handlers | Callable[[int, FrameType | None], object] | int | None
        self._previous = None

    def __enter__(self) -> SigtermAsInterrupt:
        # Only the main thread may set a signal handler (a library caller's may not be it).
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._handle)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        self.received = True
        if self.armed:
            self.armed = False
            raise Terminated()


def sigterm_stops(command: Callable[P, R]) -> Callable[P, R]:
    """``command`` with SIGTERM handled as Ctrl-C from its first line to its last, not
    only while changes run: a CI job cancelled while planning, or while apply waits at
    its question, stops with one line and exit 143, having changed nothing. The
    previous handler is put back when it returns, so an in-process caller keeps its own."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with SigtermAsInterrupt():
            return command(*args, **kwargs)

    return run
