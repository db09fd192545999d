"""The emulator's time: wall time moved forward on request, or a manual clock.

``real`` (the default): wall time plus an offset that ``advance`` adds to, so time
never runs backwards and a local state file opened later has lived through the time
in between. ``manual``: an instant that moves only when advanced. Either way what
the clock reads is kept in the state file (table ``clock``), so a restarted server
or the next ``--api-url local`` run goes on from where the last one was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Literal

from bytestack_sync.emulator.db import Database

ClockMode = Literal["real", "manual"]
CLOCK_MODES: tuple[ClockMode, ...] = ("real", "manual")
_US = 1_000_000
_OFFSET, _MANUAL = "offset_us", "manual_us"


class EmulatorClock:
    """Reads and moves the emulator's time, in seconds since the epoch."""

    def __init__(
        self,
        db: Database,
        mode: ClockMode = "real",
        *,
        start: float | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if mode not in CLOCK_MODES:
            raise ValueError(f"unknown clock mode {mode!r} (choose real or manual)")
        self.mode = mode
        self._db = db
        self._wall = wall
        if mode == "manual":
            with db.transaction() as conn:
                found = conn.execute("SELECT value FROM clock WHERE name = ?", (_MANUAL,))
                if found.fetchone() is None or start is not None:
                    begin = int((start if start is not None else wall()) * _US)
                    conn.execute(
                        "INSERT INTO clock (name, value) VALUES (?, ?) ON CONFLICT (name) "
                        "DO UPDATE SET value = MAX(value, excluded.value)",
                        (_MANUAL, begin),
                    )

    def __call__(self) -> float:
        return self.now_us() / _US

    def now_us(self) -> int:
        with self._db.transaction() as conn:
            return self._read(conn)

    def _read(self, conn: sqlite3.Connection) -> int:
        name = _MANUAL if self.mode == "manual" else _OFFSET
        found = conn.execute("SELECT value FROM clock WHERE name = ?", (name,)).fetchone()
        stored = int(found[0]) if found is not None else 0
        if self.mode == "manual":
            return stored
        return int(self._wall() * _US) + stored

    def advance_to(self, when_us: int) -> int:
        """Move forward to ``when_us`` (a time before now leaves the clock as it is)."""
        with self._db.transaction() as conn:
            now = self._read(conn)
            if when_us <= now:
                return now
            name = _MANUAL if self.mode == "manual" else _OFFSET
            conn.execute(
                "INSERT INTO clock (name, value) VALUES (?, ?) ON CONFLICT (name) "
                "DO UPDATE SET value = value + excluded.value",
                (name, when_us - now),
            )
            return self._read(conn)

    def advance(self, seconds: float) -> int:
        """Move forward by ``seconds`` (not negative); the new time, in microseconds."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        step = int(seconds * _US)
        name = _MANUAL if self.mode == "manual" else _OFFSET
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO clock (name, value) VALUES (?, ?) ON CONFLICT (name) "
                "DO UPDATE SET value = value + excluded.value",
                (name, step),
            )
            return self._read(conn)
