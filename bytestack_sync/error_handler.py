"""The one top-level error handler, and the redacting output streams.

Expected errors print one line (or one block, for manifests) and exit with their
code; unexpected ones say so and show a traceback only under ``--debug``; ^C
exits 130. Every byte written to stdout and stderr passes through the process
redactor, so neither the API key nor a sensitive value can reach a terminal or a
CI log, whatever code path printed it.

Imports stay light here: this module is on the path of ``--help``.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import IO, Any

import click

from bytestack_sync import contract
from bytestack_sync.secrets import REDACTOR

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


class RedactingStream(io.TextIOBase):
    """A text stream that scrubs known secrets from everything written through it."""

    def __init__(self, inner: IO[str]) -> None:
        self._inner = inner

    def write(self, text: str | bytes) -> int:
        # click.echo writes bytes to a text stream it cannot find a buffer behind.
        shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        self._inner.write(REDACTOR(shown))
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


def install_redaction() -> None:
    key = os.environ.get(contract.API_KEY_ENV)
    if key:
        REDACTOR.add(key)
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)


def _configure_logging(debug: bool) -> None:
    if debug:
        import logging

        logging.basicConfig(
            level=logging.DEBUG, stream=sys.stderr, format="debug: %(name)s: %(message)s"
        )


def _say(message: str) -> None:
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.stderr.flush()


def _print_traceback() -> None:
    import traceback

    traceback.print_exc(file=sys.stderr)


def _expected_message(exc: Exception) -> str | None:
    """The one-line message for an expected failure, or None for a bug."""
    import sqlite3

    from bytestack_sync.api.errors import ApiError
    from bytestack_sync.errors import BytestackSyncError, ManifestError

    if isinstance(exc, ManifestError):
        # One `file:line:col: message` line per problem, as `validate` prints them,
        # so editors and CI problem matchers read plan and apply output alike.
        lines = [str(p) for p in exc.problems]
        errors = sum(1 for p in exc.problems if p.severity == "error")
        noun = "error" if errors == 1 else "errors"
        return "\n".join([*lines, f"error: invalid manifests ({errors} {noun})"])
    if isinstance(exc, (BytestackSyncError, ApiError)):
        return f"error: {exc}"
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"error: {exc.strerror or exc}{where}"
    if isinstance(exc, sqlite3.Error):
        return f"error: the local emulator's state file cannot be used: {exc}"
    return None


def _exit_code_for(exc: Exception, debug: bool) -> int:
    """Map an exception escaping a command to one message and an exit code."""
    if debug:
        _print_traceback()
    message = _expected_message(exc)
    if message is not None:
        _say(message)
        return int(getattr(exc, "exit_code", EXIT_ERROR))
    hint = "" if debug else " (run with --debug for a traceback)"
    _say(f"unexpected error: {type(exc).__name__}: {exc}{hint}")
    return EXIT_ERROR


def run_cli(command: click.Command, argv: list[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    install_redaction()
    _configure_logging(debug)
    try:
        result: Any = command.main(args=args, prog_name="bytestack-sync", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show(file=sys.stderr)
        # click uses 2 for usage errors; the spec's 2 means "changes pending".
        return EXIT_ERROR if exc.exit_code == 2 else int(exc.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        _say("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        return _exit_code_for(exc, debug)
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
    return int(result) if isinstance(result, int) else 0
