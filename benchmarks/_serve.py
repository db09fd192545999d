"""`bytestack-sync emulator serve` as a separate process, for the benchmarks."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def emulator(*options: str) -> Iterator[str]:
    """The emulator served on a free port with these options; yields its URL."""
    argv = [sys.executable, "-m", "bytestack_sync", "emulator", "serve", "--port", "0", *options]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening on " not in line:
            raise SystemExit(f"the emulator did not start: {line!r}")
        yield line.rsplit("listening on ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)
