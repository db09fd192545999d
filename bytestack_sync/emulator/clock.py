"""The emulator's time: wall time moved forward on request, or a manual clock.

``real``: wall time plus an offset that an advance adds to, so time never runs
backwards and a local state file opened later has lived through the time in between.
``manual``: an instant that moves only when advanced. What the clock reads, and its
mode, are kept in the state file (table ``clock``): the mode is the file's from its
first use on, so a restarted server, the next ``--api-url local`` run and
``emulator advance`` all go on from the same time.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Literal

from bytestack_sync.emulator.db import Database

ClockMode = Literal["real", "manual"]
CLOCK_MODES: tuple[ClockMode, ...] = ("real", "manual")
_US = 1_000_000
_OFFSET, _MANUAL, _MODE = "offset_us", "manual_us", "mode"
_MODE_CODES: dict[ClockMode, int] = {"real": 0, "manual": 1}
# Past this, timestamps stop being ISO 8601 years of four digits: the clock stays below.
LATEST_US = int(datetime(9999, 1, 1, tzinfo=timezone.utc).timestamp()) * _US


class ClockModeMismatch(ValueError):
    """The state file's clock has another mode than the one asked for."""


class EmulatorClock:
    """Reads and moves the emulator's time, in seconds since the epoch.

    ``mode`` None: the file's mode, or ``real`` for a file that has none yet.
    """

    def __init__(
        self,
        db: Database,
        mode: ClockMode | None = None,
        *,
        start: float | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if mode is not None and mode not in CLOCK_MODES:
            raise ValueError(f"unknown clock mode {mode!r} (choose real or manual)")
        self._db = db
        self._wall = wall
        with db.transaction() as conn:
            found = conn.execute("SELECT value FROM clock WHERE name = ?", (_MODE,)).fetchone()
            stored = {code: name for name, code in _MODE_CODES.items()}.get(
                int(found[0]) if found is not None else -1
            )
            if stored is not None and mode is not None and stored != mode:
                raise ClockModeMismatch(
                    f"this state file's clock is {stored}: give --clock {stored}, or use "
                    "another state file"
                )
            self.mode: ClockMode = stored or mode or "real"
            if found is None:
                conn.execute(
                    "INSERT INTO clock (name, value) VALUES (?, ?)",
                    (_MODE, _MODE_CODES[self.mode]),
                )
            if self.mode == "manual":
                begin = int((start if start is not None else wall()) * _US)
                row = conn.execute("SELECT value FROM clock WHERE name = ?", (_MANUAL,))
                if row.fetchone() is None:
                    conn.execute("INSERT INTO clock (name, value) VALUES (?, ?)", (_MANUAL, begin))
                elif start is not None:
                    # A start never moves the clock back: time only goes forward.
                    conn.execute(
                        "UPDATE clock SET value = MAX(value, ?) WHERE name = ?", (begin, _MANUAL)
                    )
            # Jobs of a file from before runs (marked 0 by its upgrade) run from now on.
            conn.execute(
                "UPDATE run_marks SET runs_from_us = ? WHERE runs_from_us = 0", (self.read(conn),)
            )

    def __call__(self) -> float:
        return self.now_us() / _US

    def now_us(self) -> int:
        with self._db.transaction() as conn:
            return self.read(conn)

    def read(self, conn: sqlite3.Connection) -> int:
        """The time, in microseconds, inside the caller's transaction."""
        name = _MANUAL if self.mode == "manual" else _OFFSET
        found = conn.execute("SELECT value FROM clock WHERE name = ?", (name,)).fetchone()
        stored = int(found[0]) if found is not None else 0
        now = stored if self.mode == "manual" else int(self._wall() * _US) + stored
        return min(now, LATEST_US)

    def move_to(self, conn: sqlite3.Connection, when_us: int) -> None:
        """Move forward to ``when_us`` inside the caller's transaction (a time not
        after now leaves the clock as it is)."""
        now = self.read(conn)
        if when_us <= now:
            return
        name = _MANUAL if self.mode == "manual" else _OFFSET
        conn.execute(
            "INSERT INTO clock (name, value) VALUES (?, ?) ON CONFLICT (name) "
            "DO UPDATE SET value = value + excluded.value",
            (name, when_us - now),
        )
