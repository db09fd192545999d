"""Progress of an apply, on stderr: one updating bar on a terminal, one line per change otherwise.

The executor calls these from its main thread only, as changes finish, so they
need no locking. Failures are always printed as lines, even under the bar, so a
terminal keeps them on screen after the bar moves on.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Protocol, TextIO

from bytestack_sync.apply.report import INTERRUPTED, ChangeOutcome

BAR_WIDTH = 30
DEFAULT_COLUMNS = 80
CLEAR_TO_END = "\x1b[K"


class Progress(Protocol):
    # Whether it printed one line per change, which the report then need not repeat.
    lists_changes: bool

    def start(self, total: int) -> None: ...

    def done(self, outcome: ChangeOutcome) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """Says nothing (``--quiet``)."""

    lists_changes = False

    def start(self, total: int) -> None:
        pass

    def done(self, outcome: ChangeOutcome) -> None:
        pass

    def finish(self) -> None:
        pass


class _Counting:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = 0
        self.count = 0

    def start(self, total: int) -> None:
        self.total, self.count = total, 0

    def counter(self) -> str:
        width = len(str(self.total))
        return f"[{self.count:>{width}}/{self.total}]"


def _listed(outcome: ChangeOutcome) -> bool:
    """Whether a finished change gets a line of its own. What an interrupt left unstarted
    does not: the report's short summary counts and names those (not one line each)."""
    return not (outcome.status == "skipped" and outcome.detail == INTERRUPTED)


class LineProgress(_Counting):
    """``[ 12/300] + job "name": created job_...``, one line per finished change."""

    lists_changes = True

    def done(self, outcome: ChangeOutcome) -> None:
        if _listed(outcome):  # what an interrupt left unstarted did not progress
            self.count += 1
            self.stream.write(f"{self.counter()} {outcome.line()}\n")
            self.stream.flush()

    def finish(self) -> None:
        pass


class BarProgress(_Counting):
    """A single line redrawn in place, never wider than the terminal; failures are
    printed above it."""

    lists_changes = False

    def __init__(self, stream: TextIO, *, columns: int | None = None) -> None:
        super().__init__(stream)
        # Fixed when given; otherwise read at every redraw, so a resized terminal
        # gets a line that fits it.
        self._columns = columns
        self.drawn = False

    @property
    def columns(self) -> int:
        return self._columns if self._columns is not None else terminal_columns(self.stream)

    def done(self, outcome: ChangeOutcome) -> None:
        if not _listed(outcome):
            return  # not started: the bar stays where the run stopped
        self.count += 1
        if not outcome.ok:
            self._clear()
            self.stream.write(f"{self.counter()} {outcome.line()}\n")
        self._draw(outcome)

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

    def _draw(self, outcome: ChangeOutcome) -> None:
        # One column spare: a line that fills the last column wraps on some terminals.
        room = max(self.columns - 1, 1)
        width = max(min(BAR_WIDTH, room // 3), 1)
        filled = width * self.count // max(self.total, 1)
        bar = "#" * filled + "." * (width - filled)
        text = f"[{bar}] {self.count}/{self.total} {outcome.change.shown_address}"
        self.stream.write("\r" + fit(text, room) + CLEAR_TO_END)
        self.drawn = True
        self.stream.flush()

    def _clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + CLEAR_TO_END)
            self.drawn = False


def cells(char: str) -> int:
    """The columns a character takes: two for East Asian wide ones, none for combining."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def fit(text: str, columns: int) -> str:
    """``text`` cut so that it takes at most ``columns`` terminal columns."""
    used = 0
    for index, char in enumerate(text):
        used += cells(char)
        if used > columns:
            return text[:index]
    return text


def terminal_columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or DEFAULT_COLUMNS
    except (AttributeError, OSError, ValueError):
        return DEFAULT_COLUMNS


def progress_for(stream: TextIO, *, verbosity: int = 0) -> Progress:
    """The progress display that suits ``stream``: none when quiet, a bar on a terminal."""
    if verbosity < 0:
        return NoProgress()
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        return BarProgress(stream)
    return LineProgress(stream)
