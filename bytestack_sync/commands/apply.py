"""``bytestack-sync apply``: plan and carry out, or carry out a saved plan file.

``apply PATHS...`` shows the plan and asks for ``yes`` on a terminal; without a
terminal it needs ``--auto-approve`` (a CI job must never hang on a question).
``apply PLANFILE`` is its own approval, but first checks that the file is signed
with the key in use and was made for this target, then re-reads the live
workspace and refuses if anything the plan read changed since it was made.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import io
import json
import os
import re
import stat
import termios
import time
from collections.abc import Sequence
from typing import TextIO

from bytestack_sync.api.client import Client
from bytestack_sync.apply import ApplyReport, apply_plan, check_destroy_guard, write_report
from bytestack_sync.apply.lock import WorkspaceLock, parse_duration
from bytestack_sync.apply.progress import progress_for
from bytestack_sync.commands.workspace import (
    SigtermAsInterrupt,
    load_desired,
    open_client,
    plan_live,
    read_live,
    sigterm_stops,
    target_for,
    warn,
)
from bytestack_sync.connect import plan_signing_key
from bytestack_sync.constants import DEFAULT_LOCK_TIMEOUT
from bytestack_sync.errors import (
    EXIT_APPLY_FAILED,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    UsageError,
)
from bytestack_sync.model import DesiredState
from bytestack_sync.plan import savefile
from bytestack_sync.plan.plan import Plan
from bytestack_sync.render import render
from bytestack_sync.secrets import Redactor

_HEAD = 4096
_MARKER = re.compile(r'"format"\s*:\s*"' + re.escape(savefile.FORMAT) + '"')
NO_TERMINAL = (
    "refusing to apply without approval: there is no terminal to ask on. "
    "Pass --auto-approve to apply without asking, or save a plan with "
    "`plan --out FILE` and run `apply FILE`."
)


TERMINAL = "/dev/tty"
DRAIN_SECONDS = 2.0
QUESTION = (
    "\nDo you want to perform these actions?\n"
    "  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
)


@sigterm_stops
def run(
    paths: Sequence[str],
    *,
    api_url: str,
    auto_approve: bool,
    parallelism: int,
    targets: Sequence[str],
    force: bool,
    out: TextIO,
    err: TextIO,
    color: bool,
    interactive: bool,
    verbosity: int,
    redactor: Redactor | None = None,
    debug: bool = False,
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
    no_lock: bool = False,
) -> int:
    """``redactor``: the run's, which the streams scrub with (a fresh one if not given).
    ``lock_timeout``: how long to wait for another apply's lock (``apply.lock``), unless
    ``no_lock``."""
    redactor = Redactor() if redactor is None else redactor
    runner = _Apply(
        parallelism=parallelism, force=force, out=out, err=err, verbosity=verbosity,
        redactor=redactor, debug=debug,
        lock_timeout=None if no_lock else parse_duration(lock_timeout),
    )  # fmt: skip
    if saved_plan_argument(paths):
        if targets:
            raise UsageError("--target cannot be used with a saved plan: it applies as saved")
        return runner.saved(paths[0], api_url)
    desired = load_desired(paths, force=force, redactor=redactor)
    # The lock before the plan: the plan must see what an apply before this one did.
    with runner.open_client(api_url) as client, runner.locked(client):
        target = target_for(api_url)
        plan = plan_live(client, desired, targets, redactor=redactor, target=target)
        warn(plan.warnings, err)  # once, on stderr: the text plan leaves them out
        # -q with --auto-approve: nobody reads the plan before it runs, so only the
        # report is printed. A question always comes with the plan it asks about.
        if verbosity >= 0 or not auto_approve:
            render(plan, "text", out, color=color, warnings=False)
        if plan.empty:
            return EXIT_OK
        check_destroy_guard(plan, desired.safety.max_destroy_percent, force=force)
        if not auto_approve:
            if not interactive:
                raise UsageError(NO_TERMINAL)
            if not ask_approval(out):
                out.write("Apply cancelled.\n")
                return EXIT_ERROR
        return runner.execute(plan, client, desired)


def saved_plan_argument(paths: Sequence[str]) -> bool:
    """Whether ``paths`` is one saved plan; a plan among other paths, or a JSON file
    that is no plan, is a ``UsageError`` (not a manifest error for each line of it)."""
    plans = [p for p in paths if savefile_path(p)]
    if plans and len(paths) > 1:
        raise UsageError(
            f"a saved plan must be the only argument of apply: {plans[0]} was given "
            "with other paths"
        )
    for path in paths:
        if not plans and path.endswith(".json") and os.path.isfile(path):
            if len(paths) == 1 and _cut_short(path):
                return True  # read as a plan, which says it is truncated (exit 4)
            raise UsageError(
                f"{path} is not a saved plan (made by bytestack-sync plan --out); "
                "manifests are .yaml or .yml files"
            )
    return bool(plans)


def _cut_short(path: str) -> bool:
    """Whether a JSON file is not JSON at all, as a saved plan cut short (even before
    its format marker) is not: apply then refuses it as ``show`` does."""
    try:
        if os.path.getsize(path) > savefile.MAX_PLAN_BYTES:
            return True
        with open(path, encoding="utf-8") as handle:
            json.load(handle)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return True
    return False


def savefile_path(path: str) -> bool:
    """Whether ``path`` is a saved plan: judged by its format marker, whatever its name."""
    if not os.path.isfile(path):
        return False
    try:
        with open(path, encoding="utf-8") as handle:
            head = handle.read(_HEAD)
    except (OSError, UnicodeDecodeError):
        return False
    return head.lstrip().startswith("{") and _MARKER.search(head) is not None


def ask_approval(out: TextIO) -> bool:
    """Ask on the terminal itself, after the plan it asks about has been flushed: a
    piped stdout is block-buffered, and a piped stderr would hide the question."""
    out.flush()
    wait_until_read(out)
    try:
        # Two handles: a terminal cannot seek, so it cannot be opened "r+" as text.
        with (
            open(TERMINAL, "w", encoding="utf-8") as ask,
            open(TERMINAL, encoding="utf-8") as reply,
        ):
            ask.write(QUESTION)
            ask.flush()
            answer = reply.readline()
            ask.write("\n")
    except OSError:
        raise UsageError(NO_TERMINAL) from None
    return answer.strip() == "yes"


def wait_until_read(out: TextIO, timeout: float = DRAIN_SECONDS) -> None:
    """Wait (briefly) until a pipe's reader has taken what was written: with
    `apply | tee log` the plan reaches the screen only through tee, and the
    question, written straight to the terminal, must not overtake it."""
    try:
        fd = out.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return
        deadline = time.monotonic() + timeout
        unread = array.array("i", [1])
        while time.monotonic() < deadline:
            fcntl.ioctl(fd, termios.FIONREAD, unread)
            if unread[0] == 0:
                return
            time.sleep(0.01)
    except (AttributeError, OSError, ValueError):
        return  # not a file, or a pipe that cannot say: ask at once


class _Apply:
    def __init__(
        self,
        *,
        parallelism: int,
        force: bool,
        out: TextIO,
        err: TextIO,
        verbosity: int,
        redactor: Redactor,
        debug: bool,
        lock_timeout: float | None,
    ) -> None:
        self.lock_timeout = lock_timeout
        self.parallelism = parallelism
        self.force = force
        self.out = out
        self.err = err
        self.verbosity = verbosity
        self.redactor = redactor
        self.debug = debug

    def open_client(self, api_url: str) -> Client:
        # A connection for every worker, so none of them queues for one.
        return open_client(
            api_url, redactor=self.redactor, debug=self.debug, max_connections=self.parallelism
        )

    def locked(self, client: Client) -> contextlib.AbstractContextManager[object]:
        if self.lock_timeout is None:
            return contextlib.nullcontext()
        return WorkspaceLock(client, timeout=self.lock_timeout, err=self.err)

    def saved(self, path: str, api_url: str) -> int:
        signing_key = plan_signing_key(api_url)
        plan = savefile.read_plan(
            path, environ=os.environ, signing_key=signing_key, target=target_for(api_url)
        )
        self.redactor.add(*plan.sensitive_values)
        # The stale check under the lock: of two applies of one plan, the second
        # sees what the first did.
        with self.open_client(api_url) as client, self.locked(client):
            jobs, webhooks = read_live(client)
            savefile.refuse_if_stale(plan, jobs, webhooks, signing_key=signing_key)
            # Not stale: the live resources are those planned against, so their
            # values stand in for the ones a saved plan holds only as fingerprints.
            plan = savefile.reattach_live(plan, jobs, webhooks)
            self.redactor.add(*plan.sensitive_values)
            warn(plan.warnings, self.err)  # once, as apply PATHS does
            if plan.empty:
                self.out.write("No changes to apply.\n")
                return EXIT_OK
            if self.verbosity >= 0:
                render(plan, "text", self.out, color=False, warnings=False)
            check_destroy_guard(plan, plan.max_destroy_percent, force=self.force)
            return self.execute(plan, client, None)

    def execute(self, plan: Plan, client: Client, desired: DesiredState | None) -> int:
        progress = progress_for(self.err, verbosity=self.verbosity)
        with SigtermAsInterrupt() as sigterm:
            report = apply_plan(
                plan,
                client,
                parallelism=self.parallelism,
                progress=progress,
                desired=desired,
                exclusive=self.lock_timeout is not None,
            )
            sigterm.armed = False
            listed = progress.lists_changes
            text = io.StringIO()
            write_report(report, text, verbose=self.verbosity >= 0, listed=listed, err=self.err)
            write_or_divert(text.getvalue(), self.out, self.err)
        return exit_code(report, terminated=sigterm.received)


def write_or_divert(text: str, out: TextIO, err: TextIO) -> None:
    """``text`` on ``out``; on ``err`` if nobody reads ``out`` any more.

    ^C in `apply | tee log` reaches tee too: it is gone by the time the report is
    written, and the report (what was done, what was not) must still reach the
    person at the terminal. Stdout is then pointed at /dev/null, so that nothing
    written or flushed later fails again.
    """
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        err.write(text)
        err.flush()
        with contextlib.suppress(AttributeError, OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
            os.close(devnull)


def exit_code(report: ApplyReport, *, terminated: bool = False) -> int:
    if report.interrupted:
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    if report.failed or report.remaining:
        return EXIT_APPLY_FAILED
    return EXIT_OK
