"""The executor: carries out a plan's changes in order, concurrently within a phase.

Phases follow ``Change.sort_key``: webhook creates, then job creates, updates and
replaces (and webhook replaces), then pauses, then deletes. A phase starts when
the one before it has finished. A failed change does not stop the others; a job
that points at a webhook whose registration failed is skipped, since it depends
on it. Ctrl-C stops new changes from starting, lets those in flight finish, and
returns a report marked interrupted.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from bytestack_sync.api.client import Client
from bytestack_sync.apply import keys
from bytestack_sync.apply.adoption import Adopter
from bytestack_sync.apply.confirm import confirm
from bytestack_sync.apply.keys import CreateKeys
from bytestack_sync.apply.operations import Operations
from bytestack_sync.apply.progress import NoProgress, Progress
from bytestack_sync.apply.report import INTERRUPTED, ApplyReport, ChangeOutcome
from bytestack_sync.constants import DEFAULT_PARALLELISM
from bytestack_sync.model import DesiredState, JobSpec
from bytestack_sync.plan.changes import Change, Create, Replace, Update
from bytestack_sync.plan.plan import Plan

# How often the main thread wakes while waiting, so Ctrl-C is seen promptly.
_POLL_SECONDS = 0.2
UNCONFIRMED = "apply was interrupted before the result was read"
_TOUCHES_DESIRED = (Create.action, Update.action, Replace.action)


def phases(changes: Iterable[Change]) -> list[list[Change]]:
    """The changes grouped into phases that run one after the other, in apply order."""
    ordered = sorted(changes, key=lambda c: c.sort_key)
    return [list(group) for _, group in itertools.groupby(ordered, key=lambda c: c.sort_key[0])]


def apply_plan(
    plan: Plan,
    client: Client,
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    progress: Progress | None = None,
    stop_event: threading.Event | None = None,
    desired: DesiredState | None = None,
    exclusive: bool = False,
) -> ApplyReport:
    """Carry out ``plan`` and confirm the result with one more read of the live lists.

    ``desired``, when given, is what the plan was made from: the confirming re-plan
    uses it. Without it (a saved plan) the re-plan uses what the changes declare.
    ``exclusive``: the caller holds the workspace lock, so no other apply is making
    the same resources (``operations.MAX_REPLAYS``).
    """
    progress = progress or NoProgress()
    stop = stop_event or threading.Event()
    adopter = Adopter(client, known_ids=plan.live_fingerprints)
    run = _Run(
        Operations(
            client, adopter, CreateKeys(plan, client.derived_key(keys.CONTEXT)), exclusive=exclusive
        ),
        stop,
        progress,
    )
    progress.start(len(plan.changes))
    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        for phase in phases(plan.changes):
            run.phase(pool, phase)
    report = ApplyReport(outcomes=run.ordered(plan.changes), interrupted=stop.is_set())
    # Every change has ended by now: a Ctrl-C from here on must not cost their report.
    try:
        progress.finish()
        if not report.interrupted:
            report.remaining, report.confirm_error = confirm(plan, client, desired)
    except KeyboardInterrupt:
        report.interrupted = True
    if report.interrupted and report.remaining is None:
        report.confirm_error = UNCONFIRMED
    return report


class _Run:
    """The state of one apply across its phases.

    Workers record their own outcomes (under a lock) and then queue them for the
    main thread, which only shows progress and waits. So a Ctrl-C, which arrives
    in the main thread at any instruction, can at worst lose a progress line,
    never an outcome, and the wait cannot miss the end of a phase.
    """

    def __init__(self, ops: Operations, stop: threading.Event, progress: Progress) -> None:
        self.ops = ops
        self.stop = stop
        self.progress = progress
        self.outcomes: dict[int, ChangeOutcome] = {}
        self.failed_webhooks: set[str] = set()
        self._lock = threading.Lock()
        self._finished = 0  # outcomes queued in the current phase

    def phase(self, pool: ThreadPoolExecutor, changes: Sequence[Change]) -> None:
        finished: queue.Queue[ChangeOutcome] = queue.Queue()
        self._finished = submitted = 0
        for change in changes:
            blocker = self._blocked_by(change)
            if blocker:
                self._record(ChangeOutcome(change, "skipped", blocker))
                self.progress.done(self.outcomes[id(change)])
            else:
                pool.submit(self._run_one, change, finished)
                submitted += 1
        while True:
            try:
                if self._count() >= submitted and finished.empty():
                    return
                self.progress.done(finished.get(timeout=_POLL_SECONDS))
            except queue.Empty:
                continue
            except KeyboardInterrupt:
                # Changes in flight finish (a half-made replace would be worse);
                # those not started see the event and return at once.
                self.stop.set()

    def _run_one(self, change: Change, finished: queue.Queue[ChangeOutcome]) -> None:
        outcome = self._guarded(change)
        self._record(outcome)
        finished.put(outcome)
        with self._lock:
            self._finished += 1  # only after the put: the main thread then sees it queued

    def _count(self) -> int:
        with self._lock:
            return self._finished

    def _guarded(self, change: Change) -> ChangeOutcome:
        if self.stop.is_set():
            return ChangeOutcome(change, "skipped", INTERRUPTED)
        try:
            return self.ops.run(change)
        except Exception as exc:  # one change's bug must not stop the others
            return ChangeOutcome(change, "failed", f"unexpected error: {type(exc).__name__}: {exc}")

    def _blocked_by(self, change: Change) -> str:
        if self.stop.is_set():
            return INTERRUPTED
        spec = change.desired
        if (
            change.action in _TOUCHES_DESIRED
            and isinstance(spec, JobSpec)
            and spec.webhook_url in self.failed_webhooks
        ):
            return "not started: it depends on a webhook whose registration failed"
        return ""

    def _record(self, outcome: ChangeOutcome) -> None:
        change = outcome.change
        with self._lock:
            self.outcomes[id(change)] = outcome
            if change.resource == "webhook" and change.action == "create" and not outcome.ok:
                self.failed_webhooks.add(change.key)

    def ordered(self, changes: Iterable[Change]) -> list[ChangeOutcome]:
        ordered = sorted(changes, key=lambda c: c.sort_key)
        return [
            self.outcomes.get(id(c)) or ChangeOutcome(c, "skipped", INTERRUPTED) for c in ordered
        ]
