"""How fast `bytestack-sync --help` starts, as a ratio to `python -c "import click"`.

Both are timed in this one run, interleaved, best of N each, so a busy machine
affects both alike. Target: at most 1.3.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15


def _best(argv: list[str]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    baseline_argv = [sys.executable, "-c", "import click"]
    # The console script installed beside this interpreter, as a user runs it.
    script = shutil.which("bytestack-sync", path=str(Path(sys.executable).parent))
    if script is None:
        raise SystemExit("bytestack-sync is not installed in this environment")
    tool_argv = [script, "--help"]
    version_argv = [script, "--version"]
    _best(tool_argv)  # warm the bytecode cache
    baseline = _best(baseline_argv)
    help_time = _best(tool_argv)
    version_time = _best(version_argv)
    print(f"python -c 'import click': {baseline * 1000:.1f} ms (best of {RUNS})")
    for label, took in (("--help", help_time), ("--version", version_time)):
        print(f"bytestack-sync {label:<10} {took * 1000:.1f} ms -> ratio {took / baseline:.2f}")
    print("target: ratio <= 1.3")


if __name__ == "__main__":
    main()
