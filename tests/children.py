"""Runs bytestack-sync, or a snippet of Python, in a child with a deadline and a
memory ceiling: a regression (waiting on a FIFO for a writer, reading /dev/zero)
fails the test instead of hanging it or swapping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_CEILING = "import resource\nresource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
_CLI = "import sys\nfrom bytestack_sync.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def run_python(code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _CEILING + code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``bytestack-sync ARGS`` run in ``cwd``."""
    return run_python(_CLI, *args, cwd=cwd)
