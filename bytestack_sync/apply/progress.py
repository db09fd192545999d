"""Progress of an apply, on stderr: one updating bar on a terminal, one line per change otherwise.

The executor calls these from its main thread only, as changes finish, so they
need no locking. Failures are always printed as lines, even under the bar, so a
terminal keeps them on screen after the bar moves on.
"""

from __future__ import annotations

from typing import Protocol, TextIO

from bytestack_sync.apply.report import ChangeOutcome

BAR_WIDTH = 30


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def done(self, outcome: ChangeOutcome) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """Says nothing (``--quiet``)."""

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


class LineProgress(_Counting):
    """``[ 12/300] + job "name": created job_...``, one line per finished change."""

    def done(self, outcome: ChangeOutcome) -> None:
        self.count += 1
        self.stream.write(f"{self.counter()} {outcome.line()}\n")
        self.stream.flush()

    def finish(self) -> None:
        pass


class BarProgress(_Counting):
    """A single line redrawn in place; failures are printed above it."""

    def __init__(self, stream: TextIO, *, width: int = BAR_WIDTH) -> None:
        super().__init__(stream)
        self.width = width
        self.drawn = 0

    def done(self, outcome: ChangeOutcome) -> None:
        self.count += 1
        if not outcome.ok:
            self._clear()
            self.stream.write(f"{self.counter()} {outcome.line()}\n")
        self._draw(outcome)

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = 0

    def _draw(self, outcome: ChangeOutcome) -> None:
        filled = self.width * self.count // max(self.total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        text = f"[{bar}] {self.count}/{self.total} {outcome.change.address}"[:100]
        self.stream.write("\r" + text.ljust(self.drawn))
        self.drawn = len(text)
        self.stream.flush()

    def _clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.drawn = 0


def progress_for(stream: TextIO, *, verbosity: int = 0) -> Progress:
    """The progress display that suits ``stream``: none when quiet, a bar on a terminal."""
    if verbosity < 0:
        return NoProgress()
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        return BarProgress(stream)
    return LineProgress(stream)
