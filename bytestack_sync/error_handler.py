"""The one top-level error handler, and the redacting streams and debug log of one run.

Expected errors print one line (or one block, for manifests) and exit with their
code; a bug prints one line asking for a rerun with ``--debug`` and a report, and
exits ``EXIT_BUG``; ^C exits 130. While a command runs, every byte written to
stdout and stderr passes through that invocation's redactor, so neither the API
key nor a sensitive value can reach a terminal or a CI log, whatever code path
printed it. The streams, and the log handler ``--debug`` adds, are put back when
the command returns or raises: the CLI run in-process, or the package used as a
library, leaves nothing behind.

Imports stay light here: this module is on the path of ``--help``.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from typing import IO, Any, Protocol

import click

from bytestack_sync.secrets import Redactor, fingerprint_key, keyed_fingerprints

DEBUG_FORMAT = "debug: %(name)s: %(message)s"
VERBOSE_FORMAT = "retry: %(message)s"
# The client's logger of retries (``bytestack_sync.api.session``), named here so that
# ``--help`` need not import the client.
RETRY_LOGGER_NAME = "bytestack_sync.retry"
# ``contract.API_KEY_ENV``, named here for the same reason.
_API_KEY_ENV = "BITKIT_API_KEY"


class Invocation(Protocol):
    """What the handler needs of one run: its redactor, and ``--debug`` once parsed."""

    redactor: Redactor
    debug: bool


class RedactingStream(io.TextIOBase):
    """A text stream that scrubs known secrets from everything written through it."""

    def __init__(self, inner: IO[str], redactor: Redactor) -> None:
        self._inner = inner
        self._redact = redactor

    def write(self, text: str | bytes) -> int:
        # click.echo writes bytes to a text stream it cannot find a buffer behind.
        shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        self._inner.write(self._redact(shown))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._inner, "encoding", "utf-8") or "utf-8"

    def writable(self) -> bool:
        return True


@contextlib.contextmanager
def redacted_streams(redactor: Redactor) -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` scrubbed by ``redactor``; restored on the way out."""
    saved = sys.stdout, sys.stderr
    sys.stdout = RedactingStream(saved[0], redactor)
    sys.stderr = RedactingStream(saved[1], redactor)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        sys.stdout, sys.stderr = saved


@contextlib.contextmanager
def debug_logging(stream: IO[str]) -> Iterator[None]:
    """Every logger's debug records on ``stream`` (the redacted stderr), then the root
    logger's handlers and level exactly as they were."""
    import logging  # here, not at the top: only --debug needs it

    root = logging.getLogger()
    # httpcore's connection chatter (connect_tcp, send_request_headers, ...) says
    # nothing the exchange our client logs does not.
    chatter = logging.getLogger("httpcore")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(DEBUG_FORMAT))
    levels = root.level, chatter.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    chatter.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        chatter.setLevel(levels[1])
        handler.close()


@contextlib.contextmanager
def verbose_logging(stream: IO[str]) -> Iterator[None]:
    """``-v``: the client's retries, one line each, on ``stream``; then as it was."""
    import logging

    retries = logging.getLogger(RETRY_LOGGER_NAME)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(VERBOSE_FORMAT))
    level = retries.level
    retries.addHandler(handler)
    retries.setLevel(logging.INFO)
    try:
        yield
    finally:
        retries.removeHandler(handler)
        retries.setLevel(level)
        handler.close()


def _say(message: str) -> None:
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.stderr.flush()


def _expected_message(exc: Exception) -> str | None:
    """The one-line message for an expected failure, or None for a bug."""
    import sqlite3

    from bytestack_sync.api.errors import ApiError
    from bytestack_sync.emulator.errors import StateFileError
    from bytestack_sync.errors import BytestackSyncError, ManifestError, shown_problems

    if isinstance(exc, ManifestError):
        # One `file:line:col: message` line per problem, as `validate` prints them,
        # so editors and CI problem matchers read plan and apply output alike.
        shown, more = shown_problems(exc.problems)
        lines = [str(p) for p in shown] + ([more] if more else [])
        errors = sum(1 for p in exc.problems if p.severity == "error")
        noun = "error" if errors == 1 else "errors"
        return "\n".join([*lines, f"error: invalid manifests ({errors} {noun})"])
    if isinstance(exc, (BytestackSyncError, ApiError, StateFileError)):
        return f"error: {exc}"
    if isinstance(exc, OSError):
        return _os_error_message(exc)
    if isinstance(exc, sqlite3.Error):
        return f"error: the local emulator's state file cannot be used: {exc}"
    return None


def _os_error_message(exc: OSError) -> str:
    """The file an OSError is about; the missing directory when that is what is missing,
    since the file named may be a temporary one the user never asked for."""
    import os

    if isinstance(exc, FileNotFoundError) and exc.filename:
        directory = os.path.dirname(os.fsdecode(exc.filename))
        if directory and not os.path.isdir(directory):
            return f"error: no such directory: {directory} (create it first)"
    where = f": {exc.filename}" if exc.filename else ""
    return f"error: {exc.strerror or exc}{where}"


def _bug_line(exc: BaseException, *, debug: bool) -> str:
    """The one line a bug gets: what broke, and what the user can do about it."""
    first = str(exc).strip().splitlines()
    what = f"{type(exc).__name__}: {first[0]}" if first else type(exc).__name__
    if debug:
        return f"unexpected error: {what} (a bug: please report it with the traceback above)"
    return f"unexpected error: {what} (a bug: please rerun with --debug and report it)"


def _exit_code_for(exc: Exception, debug: bool) -> int:
    """Map an exception escaping a command to one message and an exit code."""
    from bytestack_sync.errors import EXIT_BUG, EXIT_ERROR

    if debug:
        import traceback

        # Written through the redacted stderr, like everything else.
        traceback.print_exc(file=sys.stderr)
    message = _expected_message(exc)
    if message is not None:
        _say(message)
        return int(getattr(exc, "exit_code", EXIT_ERROR))
    _say(_bug_line(exc, debug=debug))
    return EXIT_BUG


def _click_exit_code(exc: click.ClickException) -> int:
    from bytestack_sync.errors import EXIT_ERROR

    exc.show(file=sys.stderr)
    # click uses 2 for usage errors; the spec's 2 means "changes pending".
    return EXIT_ERROR if exc.exit_code == 2 else int(exc.exit_code)


def run_cli(command: click.Command, argv: list[str] | None, invocation: Invocation) -> int:
    """Run ``command`` on ``argv`` with ``invocation`` as its context object; the exit code.

    Parsing fills ``invocation`` (``--debug`` among others), so the handler reads
    it only after the command has run.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    # Every fingerprint of the run, the redactor's and any message's, is keyed with
    # the key the run sends; set before anything is parsed, and for every message.
    key = fingerprint_key(os.environ.get(_API_KEY_ENV))
    with keyed_fingerprints(key), redacted_streams(invocation.redactor):
        try:
            result: Any = command.main(
                args=args, prog_name="bytestack-sync", standalone_mode=False, obj=invocation
            )
        except click.exceptions.Exit as exc:
            return int(exc.exit_code)
        except click.ClickException as exc:
            return _click_exit_code(exc)
        except (KeyboardInterrupt, click.exceptions.Abort) as exc:
            from bytestack_sync.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated

            # click re-raises a KeyboardInterrupt as Abort, with it as the cause.
            if isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated):
                _say("terminated")
                return EXIT_TERMINATED
            _say("interrupted")
            return EXIT_INTERRUPTED
        except Exception as exc:
            return _exit_code_for(exc, invocation.debug)
    return int(result) if isinstance(result, int) else 0
